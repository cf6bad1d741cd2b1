"""Reading uploads without holding them in memory and without reading past the size limit.

Every multipart request, page or API, is read by one streaming handler (``LimitedUploadHandler``)
installed by ``UploadLimitMiddleware`` before anything (the CSRF check, django-ninja) touches the
body. The limit is the route's: a view accepting files declares it with ``@upload_route(name,
max_bytes, files_allowed=…)`` (``UPLOAD_ROUTES``); a route that declares none accepts no file at
all. A body over the limit is refused by its Content-Length before a byte is read, and otherwise
reading stops at the first byte over it; the refusal is a 413 with a message (JSON for the API),
or, on a page with ``@upload_view``, ``request.upload_error`` for the page to show in its form.

Usage in a view (the whole body is read by ``limit_upload``, before the form touches it)::

    @upload_view(lambda request: 10 * 1024 * 1024)   # outermost: reads the body, then checks CSRF
    @school_view("portfolio.upload")
    def upload(request):
        try:
            limit_upload(request, max_bytes)
        except UploadRefused as error:     # a FileRejected: show error.message, status error.status_code
            ...
        form = UploadForm(request.POST, request.FILES)

Without ``@upload_view`` Django's CSRF middleware parses the body before the view runs (streamed to
a temporary file by the default handlers); ``limit_upload`` then still refuses oversized files, but
only after the whole body was read.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import hashlib
import tempfile
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from licheng.files.checks import FileRejected, human_size

# Room for the form's other fields and the multipart boundaries.
FORM_OVERHEAD_BYTES = 64 * 1024


class UploadRefused(FileRejected, RequestDataTooBig):
    """The body was not read to its end and nothing was kept. Also a RequestDataTooBig, so a view
    that does not catch it answers 400 rather than 500."""

    status_code = 400


class UploadTooLarge(UploadRefused):
    """A file or the whole request is over the limit."""

    status_code = 413


class StorageFull(UploadRefused):
    """The disk (or quota) filled up while the upload arrived."""

    status_code = 507


def _storage_full() -> StorageFull:
    return StorageFull(
        _(
            "The server has no room left to store the file. Nothing was saved. Please tell the school's "
            "administrator and try again later."
        )
    )


def _too_large(max_bytes: int) -> UploadTooLarge:
    return UploadTooLarge(_("The file is larger than the limit of %(limit)s.") % {"limit": human_size(max_bytes)})


class HashedUploadedFile(TemporaryUploadedFile):
    """A file streamed to disk whose SHA-256 was taken as it arrived. The temporary file sits next to
    the private storage when that is a local folder, so storing it is a link, not a copy."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None, extra: Any = None) -> None:
        from licheng.files.services import hold_incoming, incoming_dir

        file = tempfile.NamedTemporaryFile(suffix=".upload", dir=incoming_dir())  # noqa: SIM115 - closed by Django
        hold_incoming(file.fileno())  # the periodic sweep leaves it alone while it is being written
        UploadedFile.__init__(self, file, name, content_type, size, charset, extra)
        self.sha256: str | None = None


class LimitedUploadHandler(TemporaryFileUploadHandler):
    chunk_size = 512 * 1024  # fewer, larger reads: less Python work per byte
    """Streams each file to a temporary file, hashing it on the way, and stops reading as soon as
    one passes ``max_bytes``."""

    def __init__(self, request: HttpRequest, max_bytes: int, files_allowed: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.files_allowed = files_allowed
        self.received = 0
        self.files_seen = 0
        self.rejected: UploadRefused | None = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.files_seen += 1
        if self.files_seen > self.files_allowed:
            self.rejected = UploadTooLarge(_("Too many files in one upload."))
            raise StopUpload(connection_reset=True)
        self.received = 0
        FileUploadHandler.new_file(self, *args, **kwargs)  # not TemporaryFileUploadHandler's: our own file
        self.file = self.hashed = HashedUploadedFile(
            self.file_name or "", self.content_type or "", 0, self.charset, self.content_type_extra
        )
        self.digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.rejected = _too_large(self.max_bytes)
            raise StopUpload(connection_reset=True)
        try:
            self.file.write(raw_data)
        except OSError as error:
            if error.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            self.file.close()  # a NamedTemporaryFile: closing removes it
            self.rejected = _storage_full()
            raise StopUpload(connection_reset=True) from None
        self.digest.update(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile:
        self.hashed.flush()
        self.hashed.sha256 = self.digest.hexdigest()
        self.hashed.seek(0)
        self.hashed.size = file_size
        return self.hashed


def _clear(request: HttpRequest) -> None:
    request._post = QueryDict()  # type: ignore[attr-defined]
    request._files = MultiValueDict()  # type: ignore[attr-defined]


def limit_upload(request: HttpRequest, max_bytes: int, *, files_allowed: int = 1) -> None:
    """Read the request's body now, each file streamed to a temporary file, stopping at the first
    byte over ``max_bytes`` for a file (or ``max_bytes * files_allowed`` for the body). Raises
    UploadTooLarge then, leaving ``request.POST`` and ``request.FILES`` empty and no temporary file."""
    if request.method != "POST":
        return
    earlier = getattr(request, "upload_error", None)
    if earlier is not None:
        raise earlier
    if hasattr(request, "_files"):
        # Already parsed (by the CSRF middleware): check what arrived.
        files = [f for name in request.FILES for f in request.FILES.getlist(name)]
        if len(files) > files_allowed or any((f.size or 0) > max_bytes for f in files):
            for f in files:
                f.close()
            _clear(request)
            raise _too_large(max_bytes)
        return
    try:
        content_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        content_length = 0
    if content_length > max_bytes * files_allowed + FORM_OVERHEAD_BYTES:
        # Refuse before reading a byte.
        _clear(request)
        raise _too_large(max_bytes)
    handler = LimitedUploadHandler(request, max_bytes, files_allowed)
    request.upload_handlers = [handler]
    try:
        request.POST  # noqa: B018 - parse now, with the handler above
    except RequestDataTooBig:
        _clear(request)
        raise _too_large(max_bytes) from None
    if handler.rejected is not None:
        for name in request.FILES:
            for f in request.FILES.getlist(name):
                f.close()
        _clear(request)
        raise handler.rejected


def upload_view(
    max_bytes: Callable[[HttpRequest], int], *, files_allowed: int = 1
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Put outermost on a view that accepts files. Django's CSRF middleware would read the whole
    body before the view runs; this reads it with ``limit_upload`` first and checks CSRF after.
    When the upload is over the limit, the view runs with empty ``request.POST``/``request.FILES``
    and ``request.upload_error`` set (a later ``limit_upload`` call raises it again)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                try:
                    limit_upload(request, max_bytes(request), files_allowed=files_allowed)
                except UploadRefused as error:
                    request.upload_error = error  # type: ignore[attr-defined]
                else:
                    _check_csrf(request)
            return view(request, *args, **kwargs)

        wrapper.shows_upload_error = True  # type: ignore[attr-defined]
        return wrapper

    return decorator


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        raise PermissionDenied(f"CSRF: {reason}")


def _check_csrf(request: HttpRequest) -> None:
    """The CSRF middleware's own check, run after the body was read with the limit."""

    def callback(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
        raise AssertionError

    _CsrfCheck(lambda r: HttpResponse()).process_view(request, callback, (), {})


# --- every upload route and its limit ----------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


@dataclasses.dataclass(frozen=True)
class UploadRoute:
    max_bytes: Callable[[HttpRequest], int]
    """The largest file, for this request (its school's rules)."""
    files_allowed: int = 1


UPLOAD_ROUTES: dict[str, UploadRoute] = {}
"""URL name (``"portfolio:my_outcomes"``, ``"api-v1:portfolio_outcome_upload"``) → its limit."""


def upload_route(name: str, max_bytes: Callable[[HttpRequest], int], *, files_allowed: int = 1) -> Callable[[F], F]:
    """Declare that the route named ``name`` accepts files up to ``max_bytes(request)`` each, at
    most ``files_allowed`` of them. Returns the view (page or API operation) unchanged."""

    def decorator(view: F) -> F:
        UPLOAD_ROUTES[name] = UploadRoute(max_bytes, files_allowed)
        return view

    return decorator


@functools.lru_cache(maxsize=8)
def _routes_by_pattern(resolver: URLResolver) -> dict[str, UploadRoute]:
    """The declared routes by their full URL pattern (``ResolverMatch.route``): an API path serves
    several operations under one pattern, only one of which (the POST) takes files."""
    found: dict[str, UploadRoute] = {}

    def walk(node: URLResolver, prefix: str, namespace: str | None) -> None:
        for pattern in node.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                walk(pattern, prefix + str(pattern.pattern), full)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if name in UPLOAD_ROUTES:
                    found[prefix + str(pattern.pattern)] = UPLOAD_ROUTES[name]

    walk(resolver, "", None)
    return found


def route_for(request: HttpRequest) -> UploadRoute | None:
    match = request.resolver_match
    if match is None:
        return None
    return _routes_by_pattern(get_resolver(getattr(request, "urlconf", None))).get(match.route)


def _refusal(request: HttpRequest, error: UploadRefused) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"message": error.message, "field": "files"}, status=error.status_code)
    return render(request, "upload_refused.html", {"message": error.message}, status=error.status_code)


class UploadLimitMiddleware:
    """Reads every multipart POST with ``LimitedUploadHandler`` and the route's limit, before the
    CSRF middleware or django-ninja parses it (put it before ``CsrfViewMiddleware``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any) -> Any:
        if request.method != "POST" or not (request.content_type or "").startswith("multipart/"):
            return None
        route = route_for(request)
        if route is None:
            max_bytes, files_allowed = 0, 0
        else:
            try:
                max_bytes, files_allowed = route.max_bytes(request), route.files_allowed
            except Exception:  # noqa: BLE001 - no school or rules yet: accept no file
                max_bytes, files_allowed = 0, 0
        try:
            limit_upload(request, max_bytes, files_allowed=files_allowed)
        except UploadRefused as refused:
            error = refused if route is not None else UploadTooLarge(_("This address does not accept files."))
            request.upload_error = error  # type: ignore[attr-defined]
            if getattr(view_func, "shows_upload_error", False):
                return None  # an @upload_view page shows the message in its form
            return _refusal(request, error)
        return None
