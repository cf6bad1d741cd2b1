"""Accepting an upload: inspect, scan, store content-addressed, verify, then record it.

Nothing of a refused upload is kept: no row, no stored bytes (bytes already stored for another row
are never touched).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from licheng.audit.services import Actor, record
from licheng.files import checks, clamav
from licheng.files.checks import FileRejected
from licheng.files.models import ScanStatus, StoredFile
from licheng.schools.models import School, SchoolRules

__all__ = [
    "FileRejected",
    "blob_name",
    "file_delete",
    "file_ingest",
    "file_open",
    "file_verify",
    "hash_stored",
    "sha256_of_name",
    "store_blob",
    "write_blob",
]

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024


def blob_name(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def sha256_of_name(name: str) -> str:
    """The hash a content-addressed storage name promises (its last part)."""
    return name.rsplit("/", 1)[-1]


def hash_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def hash_stored(name: str, storage: Storage | None = None) -> str | None:
    storage = storage or default_storage
    digest = hashlib.sha256()
    try:
        with storage.open(name, "rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
    except (OSError, ValueError):
        return None
    except Exception:
        logger.warning("could not read %s", name, exc_info=True)
        return None
    return digest.hexdigest()


def incoming_dir() -> str | None:
    """Where uploads are streamed: inside the private storage folder when it is local (storing is
    then a hard link), else Django's temporary folder."""
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        folder = Path(storage.location) / ".incoming"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return str(folder)
    return settings.FILE_UPLOAD_TEMP_DIR


INCOMING_MAX_AGE_SECONDS = 3600


def hold_incoming(fd: int) -> None:
    """Mark an incoming file as being written: an exclusive lock its writer holds until it closes
    the file (or dies: the kernel drops the lock). ``sweep_incoming`` never removes a held file."""
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _held(path: Path) -> bool:
    try:
        with open(path, "rb") as probe:
            try:
                fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(probe.fileno(), fcntl.LOCK_UN)
    except FileNotFoundError:
        return True  # gone already: nothing to remove
    return False


def sweep_incoming(*, older_than_seconds: float = INCOMING_MAX_AGE_SECONDS, dry_run: bool = False) -> list[str]:
    """Remove partial uploads a killed worker left in ``.incoming``: files not changed for
    ``older_than_seconds`` whose writer no longer holds them. Answers the names removed (or that
    would be, with ``dry_run``)."""
    folder = incoming_dir()
    if folder is None or not isinstance(default_storage, FileSystemStorage):
        return []
    cutoff = time.time() - older_than_seconds
    removed = []
    for path in sorted(Path(folder).iterdir()):
        try:
            if not path.is_file() or path.stat().st_mtime > cutoff:
                continue
        except FileNotFoundError:
            continue
        if _held(path):
            continue
        if not dry_run:
            path.unlink(missing_ok=True)
        removed.append(f".incoming/{path.name}")
    if removed and not dry_run:
        logger.info("swept %d stale incoming upload(s)", len(removed))
    return removed


def _link(src_path: str, dst_path: str) -> bool:
    """Hard-link when both are on one file system (a seam tests use to force the copy)."""
    try:
        os.link(src_path, dst_path)
    except OSError:
        return False
    return True


def _make_durable(fd: int) -> None:
    """Flush the file's bytes to the disk, then drop them from the page cache: a stored file is
    written once and read rarely, so its pages are better left to the database and to pages that
    are read again. Dropping clean pages also lets the next upload reuse them, which costs the
    kernel less than finding new ones (bench/bench_upload.py measures it)."""
    os.fsync(fd)
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_chunks(src: IO[bytes], dst: IO[bytes]) -> None:
    """Copy in chunks (a seam tests use to simulate a crash half-way through a write)."""
    shutil.copyfileobj(src, dst, CHUNK)


def write_blob(storage: Storage, name: str, src_path: str) -> None:
    """Write the file at ``src_path`` to ``name`` in ``storage`` so that the name never holds a
    partial file: on a local folder through a temporary name, fsync and rename; on an object store
    as one whole object (a put is all or nothing). The caller verifies the stored bytes."""
    _write_blob(storage, name, src_path)


def _write_blob(storage: Storage, name: str, src_path: str) -> bool:
    """Write the bytes so that the final name never holds a partial file. True when the stored name
    is a hard link to ``src_path`` itself (the same bytes on disk, not a copy)."""
    if isinstance(storage, FileSystemStorage):
        final = Path(storage.path(name))
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = str(final.parent / f".incoming-{secrets.token_hex(8)}")
        linked = False
        try:
            if _link(src_path, tmp):
                linked = True
                with open(tmp, "rb") as fh:
                    _make_durable(fh.fileno())
            else:
                with open(tmp, "xb") as dst, open(src_path, "rb") as src:
                    _copy_chunks(src, dst)
                    dst.flush()
                    _make_durable(dst.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return linked
    # Other storages (object stores) write whole objects; a mismatch is caught by the verify step.
    try:
        with open(src_path, "rb") as src:
            saved = storage.save(name, File(src))
        if saved != name:  # the storage renamed it: the name was taken meanwhile
            storage.delete(saved)
    except OSError:
        raise
    except Exception as error:  # the object store's client errors (network, access, quota)
        raise StoreUnreachable(f"the object store did not take {name}: {error}") from error
    return False


class StoreUnreachable(OSError):
    """The object store did not answer (or refused) a write or a look-up."""


def _storage_unavailable() -> FileRejected:
    return checks.StorageUnavailable(
        _("The file was not saved: file storage cannot be reached just now. Please try again in a few minutes.")
    )


def _is_same_file(storage: Storage, name: str, src_path: str) -> bool:
    try:
        stored, source = os.stat(storage.path(name)), os.stat(src_path)
    except (OSError, NotImplementedError):
        return False
    return (stored.st_dev, stored.st_ino, stored.st_size) == (source.st_dev, source.st_ino, source.st_size)


def store_blob(
    src_path: str, storage: Storage | None = None, *, sha256: str | None = None, hashed_while_written: bool = False
) -> tuple[str, str, bool]:
    """Store the file content-addressed; return (sha256, storage name, whether this call wrote it).
    ``sha256``: the hash already known; ``hashed_while_written``: it was taken from the very bytes
    written to ``src_path`` as they arrived (the upload stream), not claimed by someone else.
    Raises FileRejected (after removing what it wrote) when the stored bytes do not verify."""
    storage = storage or default_storage
    hashed_as_written = hashed_while_written and sha256 is not None
    sha256 = sha256 or hash_file(src_path)
    name = blob_name(sha256)
    try:
        if storage.exists(name) and hash_stored(name, storage) == sha256:
            return sha256, name, False
    except OSError:
        raise
    except Exception:  # the object store's client errors: nothing is written yet
        logger.exception("file storage unreachable while looking up %s", name)
        raise _storage_unavailable() from None
    try:
        linked = _write_blob(storage, name, src_path)
    except OSError as error:
        logger.exception("could not store %s", name)
        delete_unreferenced(storage, name, sha256)
        if isinstance(error, StoreUnreachable):
            raise _storage_unavailable() from None
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise FileRejected(
                _(
                    "The server has no room left to store the file. Nothing was saved. Please tell the school's "
                    "administrator and try again later."
                )
            ) from None
        raise FileRejected(_("The file could not be saved. Please try again.")) from None
    # The stored bytes must match the hash before the upload is acknowledged. A copy or an object is
    # read back. A hard link whose source was hashed as its bytes were written (the upload stream)
    # is those very bytes on disk, fsynced: checking that the name leads to that file is the
    # verification, and reading it again would only re-read the page cache. ``scrub`` re-reads
    # every stored file from disk later.
    if linked and hashed_as_written and _is_same_file(storage, name, src_path):
        return sha256, name, True
    if hash_stored(name, storage) != sha256:
        delete_unreferenced(storage, name, sha256)
        raise FileRejected(_("The file could not be saved. Please try again."))
    return sha256, name, True


def delete_unreferenced(storage: Storage, name: str, sha256: str) -> None:
    """Remove stored bytes that no ``StoredFile`` row refers to (after a refused upload or import)."""
    with scopes_disabled():
        referenced = StoredFile.objects.filter(sha256=sha256).exists()
    if not referenced:
        try:
            storage.delete(name)
        except Exception:  # a local error or the object store's: the sweep and scrub find leftovers
            logger.exception("could not remove %s", name)


def record_stored_file(
    *,
    actor: Actor,
    school: School,
    inspected: checks.Inspected,
    sha256: str,
    storage_name: str,
    size: int,
    scan_status: str,
    origin: str | None = None,
) -> StoredFile:
    """The row and audit entry of bytes already stored and verified, in the caller's transaction; a
    document's preview is queued once it commits. ``origin`` says where the file came from when it
    is not an upload (a transfer package)."""
    from licheng.files.tasks import make_preview

    assert actor.user is not None, "callers refuse uploads by nobody first"
    stored = StoredFile.objects.create(
        school=school,
        sha256=sha256,
        size=size,
        content_type=inspected.content_type,
        kind=inspected.kind,
        original_name=inspected.name,
        storage_name=storage_name,
        uploaded_by=actor.user,
        duration_seconds=inspected.duration_seconds,
        width=inspected.width,
        height=inspected.height,
        scan_status=scan_status,
    )
    changes = {
        "name": inspected.name,
        "size": size,
        "sha256": sha256,
        "content_type": inspected.content_type,
        "scan_status": scan_status,
    }
    if origin is not None:
        changes["origin"] = origin
    record(actor=actor, school=school, action="file.upload", obj=stored, changes=changes)
    if inspected.kind == "document":
        stored_pk = stored.pk
        transaction.on_commit(lambda: make_preview.enqueue(file_id=stored_pk))
    return stored


def _local_copy(upload: UploadedFile) -> tuple[str, bool]:
    """A path on disk holding the upload's bytes, and whether it is a copy the caller must delete."""
    temporary_path = getattr(upload, "temporary_file_path", None)
    if callable(temporary_path):
        path = temporary_path()
        if os.path.exists(path):
            return path, False
    fd, path = tempfile.mkstemp(prefix="licheng-upload-")
    try:
        with os.fdopen(fd, "wb") as dst:
            for chunk in upload.chunks():
                dst.write(chunk)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return path, True


def file_ingest(
    *,
    actor: Actor,
    school: School,
    upload: UploadedFile,
    kinds: Iterable[str] = ("document", "media"),
    document_max_bytes: int,
    media_max_bytes: int,
) -> StoredFile:
    """Accept one upload: check it, scan it, store it, verify it, record it. The row exists only
    once the stored bytes match their hash. Raises FileRejected and keeps nothing on any refusal."""
    from licheng.files.upload import HashedUploadedFile

    kinds = tuple(kinds)
    # The person at the keyboard uploads; the audit entry names whom they acted for.
    if actor.user is None:
        raise FileRejected(_("Only a signed-in person can upload files."))
    allowed_max = max(
        (limit for kind, limit in (("document", document_max_bytes), ("media", media_max_bytes)) if kind in kinds),
        default=0,
    )
    if allowed_max and upload.size is not None and upload.size > allowed_max:
        checks.check_size(size=upload.size, max_bytes=allowed_max)  # refuse before copying anything
    local_path, local_is_copy = _local_copy(upload)
    made: list[str] = [local_path] if local_is_copy else []
    try:
        size = os.path.getsize(local_path)
        inspected = checks.inspect(
            name=upload.name or "",
            path=local_path,
            size=size,
            kinds=kinds,
            max_bytes={"document": document_max_bytes, "media": media_max_bytes},
        )
        made.extend(inspected.made_files)
        scan_status = ScanStatus.NOT_SCANNED
        address = clamav.scanner_address()
        if address is not None:
            try:
                result = clamav.scan_file(inspected.path, address)
            except clamav.ScannerUnavailable:
                logger.warning("virus scanner at %s unavailable", clamav.describe(address), exc_info=True)
                raise FileRejected(_("The virus scanner is unavailable. Please try again later.")) from None
            if not result.clean:
                raise FileRejected(
                    _("The virus scanner found malware in the file (%(name)s). It was not saved.")
                    % {"name": result.signature}
                )
            scan_status = ScanStatus.CLEAN
        stored_size = os.path.getsize(inspected.path)
        known = getattr(upload, "sha256", None) if isinstance(upload, HashedUploadedFile) else None
        streamed = known if inspected.path == local_path else None
        sha256, name, wrote = store_blob(inspected.path, sha256=streamed, hashed_while_written=streamed is not None)
        try:
            with transaction.atomic():
                stored = record_stored_file(
                    actor=actor,
                    school=school,
                    inspected=inspected,
                    sha256=sha256,
                    storage_name=name,
                    size=stored_size,
                    scan_status=scan_status,
                )
        except BaseException:
            if wrote:
                delete_unreferenced(default_storage, name, sha256)
            raise
        return stored
    finally:
        for path in made:
            Path(path).unlink(missing_ok=True)


MB = 1024 * 1024


def files_ingest(
    *,
    actor: Actor,
    school: School,
    uploads: Iterable[UploadedFile],
    rules: SchoolRules,
    kinds: tuple[str, ...] = ("document", "media"),
    field: str = "files",
) -> list[StoredFile]:
    """Accept several uploads as one, under the school's size limits: on the first refusal, raise a
    ServiceError naming the file (for ``field``) and take back the ones already stored."""
    from licheng.core.errors import ServiceError, ServiceUnavailable

    stored: list[StoredFile] = []
    for upload in uploads:
        try:
            stored.append(
                file_ingest(
                    actor=actor,
                    school=school,
                    upload=upload,
                    kinds=kinds,
                    document_max_bytes=rules.document_max_mb * MB,
                    media_max_bytes=rules.media_max_mb * MB if "media" in kinds else 0,
                )
            )
        except FileRejected as error:
            discard_ingested(stored)
            refusal = ServiceUnavailable if isinstance(error, checks.StorageUnavailable) else ServiceError
            raise refusal(f"{upload.name}: {error.message}", field=field) from None
        except BaseException:
            discard_ingested(stored)
            raise
    return stored


def discard_ingested(files: list[StoredFile]) -> None:
    """Undo files accepted earlier in a request that is now refused: their rows go (with the
    rolled-back transaction too), their bytes unless another row holds the same content."""
    for stored in files:
        with scopes_disabled():
            StoredFile.objects.filter(pk=stored.pk).delete()
            shared = StoredFile.objects.filter(sha256=stored.sha256).exists()
        if not shared:
            try:
                default_storage.delete(stored.storage_name)
            except Exception:  # the store may be the reason for the refusal; scrub finds leftovers
                logger.exception("could not remove %s", stored.storage_name)


def file_delete(*, actor: Actor, stored_file: StoredFile) -> None:
    """Remove one accepted upload (the caller has checked that ``actor`` may). Its bytes and preview
    go too once no other row refers to them, after the transaction commits."""
    sha256, name, preview = stored_file.sha256, stored_file.storage_name, stored_file.preview_name
    with transaction.atomic():
        record(
            actor=actor,
            school=stored_file.school,
            action="file.delete",
            obj=stored_file,
            changes={"name": stored_file.original_name, "sha256": sha256},
        )
        stored_file.delete()

        def remove_bytes() -> None:
            delete_unreferenced(default_storage, name, sha256)
            if preview:
                with scopes_disabled():
                    if not StoredFile.objects.filter(preview_name=preview).exists():
                        default_storage.delete(preview)

        transaction.on_commit(remove_bytes)


def file_open(stored_file: StoredFile) -> IO[bytes]:
    """The stored bytes for reading (the caller closes it)."""
    return default_storage.open(stored_file.storage_name, "rb")  # type: ignore[return-value]


def file_verify(stored_file: StoredFile) -> bool:
    """Do the stored bytes still match the hash taken when they were accepted?"""
    return hash_stored(stored_file.storage_name) == stored_file.sha256
