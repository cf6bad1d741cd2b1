"""Every upload route, page or API, stops reading at its limit (issue 13, finding 4).

One streaming handler reads every multipart request (``UploadLimitMiddleware`` and the routes'
``@upload_route`` limits). Each route below is sent a body ten times over its limit by the persona
the permission matrix lets through, from a stream that counts what the server reads: the answer is
a refusal with a message, the server reads no more than the form's overhead, nothing is stored
and no temporary file stays behind. Before the fix ``POST /api/v1/portfolio/outcomes`` read a
150 MB part to disk before answering "limit is 10 MB".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from licheng.files.models import StoredFile
from licheng.files.upload import FORM_OVERHEAD_BYTES, UPLOAD_ROUTES
from licheng.testing.personas import Personas
from licheng.tests.matrix_base import OK
from licheng.tests.test_permission_matrix import CASES, build_world

get_resolver().url_patterns  # noqa: B018 - import every view, so that every route has declared itself

EXPECTED_ROUTES = {
    "portfolio:my_outcomes": "files",
    "portfolio:outcome_edit": "files",
    "api-v1:portfolio_outcome_upload": "files",
    "counselling:create": "attachments",
    "counselling:edit": "attachments",
    "counselling:import_start": "file",
    "api-v1:counselling_session_attachments": "files",
    "performances:create": "files",
    "performances:edit": "files",
    "performances:writing_edit": "attachment",
    "api-v1:performances_create": "files",
    "api-v1:performances_add_files": "files",
    "api-v1:performances_writing_attachment": "attachment",
    "workinggroup:meeting_create": "attachments",
    "workinggroup:meeting_attach": "attachments",
    "records:import_start": "file",
    "records:course_code_import": "file",
    "account_import_list": "file",
    "lifecycle:transfer_in": "package",
    "receipts:import": "upload",
    "verify": "evidence",  # the public credential check takes the credential file and the evidence
}
BOUNDARY = "licheng-test-boundary"


class CountingBody:
    """A multipart body of ``size`` file bytes made on the fly, counting what is read of it."""

    def __init__(self, field: str, size: int) -> None:
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="description"\r\n\r\nx\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0
        self.read_bytes = 0

    def _at(self, start: int, end: int) -> bytes:
        head, body_end = len(self.head), self.length - len(self.tail)
        out = bytearray()
        if start < head:
            out += self.head[start : min(end, head)]
        if end > head and start < body_end:
            out += b"x" * (min(end, body_end) - max(start, head))
        if end > body_end:
            out += self.tail[max(start, body_end) - body_end : end - body_end]
        return bytes(out)

    def read(self, size: int = -1) -> bytes:
        end = self.length if size is None or size < 0 else min(self.length, self.position + size)
        chunk = self._at(self.position, end)
        self.position = end
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - the multipart parser only reads
        return self.read(size)


def _case_for(name: str) -> Any:
    return next(c for c in CASES if c.name == name)


def _persona(case: Any) -> str:
    return next(p for p, status in case.expect.items() if p not in ("anonymous", "outsider") and status in (200, OK))


def test_every_route_that_accepts_files_declares_its_limit() -> None:
    assert set(UPLOAD_ROUTES) == set(EXPECTED_ROUTES)


def test_every_api_operation_with_a_multipart_body_is_an_upload_route() -> None:
    """The API's own description lists the operations that take files; each declares its limit."""
    import re

    from django.urls import resolve

    from licheng.api.api import api
    from licheng.files.upload import _routes_by_pattern

    declared = _routes_by_pattern(get_resolver())
    multipart = [
        path
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method, operation in operations.items()
        if method == "post" and "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(multipart) == len([n for n in UPLOAD_ROUTES if n.startswith("api-v1:")])
    for path in multipart:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
        assert match.route in declared, path


@pytest.mark.parametrize("name", sorted(EXPECTED_ROUTES))
def test_a_body_ten_times_over_the_limit_is_refused_without_reading_it(
    name: str, personas: Personas, storage_root: Path
) -> None:
    world = build_world(personas)
    case = _case_for(name)
    if name.startswith(("counselling:", "api-v1:counselling")):
        from licheng.testing.factories import make_staff

        user = make_staff(personas.school, "guidance", username="guidance")  # the guidance office records
    else:
        user = personas.by_name()[_persona(case)]
    client = Client()
    client.force_login(user)
    url = reverse(name, kwargs=case.kwargs(world))
    from django.test import RequestFactory

    probe = RequestFactory().post(url)
    probe.user, probe.school = user, personas.school  # type: ignore[attr-defined]
    route = UPLOAD_ROUTES[name]
    limit = route.max_bytes(probe)
    body = CountingBody(EXPECTED_ROUTES[name], 10 * limit * route.files_allowed)
    stored_before = StoredFile.objects.count()
    response = client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=url,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        **{"wsgi.input": body},
    )
    assert body.read_bytes <= FORM_OVERHEAD_BYTES, f"{name} read {body.read_bytes} of {body.length} bytes"
    # 413 with a message; a page with an upload form shows the message in it (422) or after its
    # redirect (302).
    assert response.status_code in (302, 413, 422), (name, response.status_code, response.content[:300])
    if response.status_code == 413:
        text = response.content.decode()
        message = json.loads(text)["message"] if name.startswith("api-v1:") else text
        assert "上限" in message, message
    assert StoredFile.objects.count() == stored_before
    incoming = storage_root / ".incoming"
    assert not incoming.exists() or not any(incoming.iterdir())
