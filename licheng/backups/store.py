"""The backup location: where backups are kept (a folder, or a bucket through django-storages), its
layout, and copying stored files in and out of it with their hashes checked.

    blobs/sha256/ab/cd/<sha256>        every stored file, once (content-addressed, shared by runs)
    runs/<name>/database.jsonl.gz      every row of every table, one JSON object per line
    runs/<name>/manifest.json          written last: a run without it is not a backup
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.translation import gettext as _

from licheng.core.errors import ServiceError
from licheng.files.services import CHUNK, hash_stored, sha256_of_name, write_blob

logger = logging.getLogger(__name__)


FORMAT = "licheng-backup/1"
DUMP_NAME = "database.jsonl.gz"
MANIFEST_NAME = "manifest.json"
BLOBS = "blobs"
RUNS = "runs"


def backup_storage(path: str | os.PathLike[str] | None = None) -> Storage:
    """The backup location: ``path`` (a folder) when given, else the configured one."""
    if path is not None:
        return FileSystemStorage(
            location=str(Path(path).expanduser().resolve()),
            base_url=None,
            file_permissions_mode=0o600,
            directory_permissions_mode=0o700,
        )
    return storages["backups"]


def describe(storage: Storage) -> str:
    if isinstance(storage, FileSystemStorage):
        return str(storage.location)
    bucket = getattr(storage, "bucket_name", "")
    location = getattr(storage, "location", "")
    return f"s3://{bucket}/{location}".rstrip("/")


def is_local(storage: Storage) -> bool:
    return isinstance(storage, FileSystemStorage)


def put_bytes(storage: Storage, name: str, data: bytes) -> None:
    """Write a small object whole (a temporary name and a rename on a folder)."""
    fd, tmp = tempfile.mkstemp(prefix="licheng-backup-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        write_blob(storage, name, tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)


def read_bytes(storage: Storage, name: str) -> bytes:
    with storage.open(name, "rb") as fh:
        return fh.read()  # type: ignore[no-any-return]


def name_exists(storage: Storage, name: str) -> bool:
    try:
        return bool(storage.exists(name))
    except Exception:
        logger.warning("could not check %s", name, exc_info=True)
        return False


def stored_size(storage: Storage, name: str) -> int | None:
    try:
        return int(storage.size(name))
    except Exception:  # noqa: BLE001 - absent or unreadable
        return None


def walk(storage: Storage, prefix: str) -> Iterator[str]:
    """Every file name under ``prefix`` (recursive)."""
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{prefix}/{name}"
    for folder in folders:
        yield from walk(storage, f"{prefix}/{folder}")


def check_writable(storage: Storage) -> None:
    """Write and remove a probe; raise ServiceError naming the place when that fails."""
    probe = f"{RUNS}/.probe-{secrets.token_hex(6)}"
    try:
        put_bytes(storage, probe, b"probe")
        storage.delete(probe)
    except Exception as error:  # noqa: BLE001 - any refusal: not writable
        raise ServiceError(
            _("The backup location %(where)s is not writable (%(error)s). Nothing was written.")
            % {"where": describe(storage), "error": error}
        ) from None


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- copying files --------------------------------------------------------------------------------


def download_verified(storage: Storage, name: str, sha256: str) -> str | None:
    """Copy ``name`` from ``storage`` to a temporary file, hashing on the way. Returns the path
    when the bytes match ``sha256`` (the caller deletes it), else None (nothing left behind)."""
    fd, tmp = tempfile.mkstemp(prefix="licheng-backup-")
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, storage.open(name, "rb") as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except Exception:  # noqa: BLE001 - missing or unreadable
        Path(tmp).unlink(missing_ok=True)
        return None
    if digest.hexdigest() != sha256:
        Path(tmp).unlink(missing_ok=True)
        return None
    return tmp


def copy_verified(src: Storage, src_name: str, dst: Storage, dst_name: str) -> int | None:
    """Copy one content-addressed file, checking its hash before and after. Returns its size, or
    None when the source is missing or damaged (nothing is written then)."""
    sha256 = sha256_of_name(src_name)
    tmp = download_verified(src, src_name, sha256)
    if tmp is None:
        return None
    try:
        size = os.path.getsize(tmp)
        write_blob(dst, dst_name, tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)
    if hash_stored(dst_name, dst) != sha256:
        with suppress(Exception):
            dst.delete(dst_name)
        raise OSError(f"{dst_name} did not verify after copying")
    return size


def list_runs(storage: Storage) -> list[str]:
    """Names of complete runs (those with a manifest), oldest first."""
    try:
        folders, _files = storage.listdir(RUNS)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(name for name in folders if name_exists(storage, f"{RUNS}/{name}/{MANIFEST_NAME}"))


def read_manifest(storage: Storage, name: str) -> dict[str, Any]:
    return json.loads(read_bytes(storage, f"{RUNS}/{name}/{MANIFEST_NAME}"))  # type: ignore[no-any-return]
