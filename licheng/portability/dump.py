"""``school_export``: one folder holding a school in open formats.

export.json           what, from where, when; rows per record type
records/<type>.jsonl  one JSON object per row: {"id": …, "fields": {…}}
external_users.jsonl  people of no school (or another school) the rows name (actors, operators)
audit.jsonl           the school's audit chain, every entry with its original fields and hashes
files/<sha256>        every stored file once, named by its SHA-256
MANIFEST.sha256       "<sha256>  <path>" for every other file (``sha256sum -c MANIFEST.sha256``)
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django_scopes import scopes_disabled

from licheng.audit.models import AuditChainHead, AuditEntry
from licheng.audit.services import chain_of
from licheng.people import crypto
from licheng.people.models import User
from licheng.portability import schema
from licheng.schools.models import School


class ExportError(Exception):
    pass


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (rows come back exactly)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=_Encoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def rows_of(model: type[models.Model], school: School) -> models.QuerySet[Any]:
    manager = model._base_manager
    if model is School:
        return manager.filter(pk=school.pk)
    if schema.label(model) in schema.VIA_USER:
        return manager.filter(user__school=school).order_by("pk")
    return manager.filter(school=school).order_by("pk")


def row_json(obj: models.Model) -> dict[str, Any]:
    name = schema.label(type(obj))
    encrypted = schema.ENCRYPTED.get(name, {})
    digests = schema.DIGESTS.get(name, {})
    fields: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.attname in digests:
            continue
        value = field.value_from_object(obj) if not field.is_relation else getattr(obj, field.attname)
        if field.attname in encrypted:
            fields[encrypted[field.attname]] = crypto.decrypt(value) if value else ""
            continue
        fields[field.attname] = value
    return {"id": obj.pk, "fields": fields}


class _Writer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.manifest: list[tuple[str, str]] = []

    def text(self, path: str, lines: list[str]) -> None:
        data = "".join(line + "\n" for line in lines).encode()
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.manifest.append((hashlib.sha256(data).hexdigest(), path))


def _copy_stored(storage_name: str, files_dir: Path, seen: dict[str, str]) -> str:
    """Copy one stored file into files/ (once per content); returns its SHA-256."""
    if storage_name in seen:
        return seen[storage_name]
    digest = hashlib.sha256()
    tmp = files_dir / ".incoming"
    try:
        with default_storage.open(storage_name, "rb") as src, open(tmp, "wb") as dst:
            for chunk in iter(lambda: src.read(1024 * 1024), b""):
                digest.update(chunk)
                dst.write(chunk)
    except (FileNotFoundError, OSError) as error:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"stored file {storage_name} cannot be read ({error}); nothing was exported") from error
    sha = digest.hexdigest()
    target = files_dir / sha
    if target.exists():
        tmp.unlink()
    else:
        tmp.rename(target)
    seen[storage_name] = sha
    return sha


def export_school(
    code: str,
    to: Path,
    *,
    report: Callable[[str], None] = lambda line: None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, int]:
    """Write the school's folder at ``to`` (which must not exist or be empty). Returns rows per type."""
    to = Path(to)
    if to.exists() and any(to.iterdir()):
        raise ExportError(f"{to} is not empty; choose a new folder")
    with scopes_disabled():
        school = School.objects.filter(code=code).first()
        if school is None:
            raise ExportError(f"no school with code {code} on this deployment")
        to.mkdir(parents=True, exist_ok=True)
        try:
            return _export(school, to, report, progress)
        except BaseException:
            shutil.rmtree(to, ignore_errors=True)
            raise


def _export(
    school: School, to: Path, report: Callable[[str], None], progress: Callable[[int, int], None]
) -> dict[str, int]:
    writer = _Writer(to)
    files_dir = to / schema.FILES_DIR
    files_dir.mkdir()
    seen: dict[str, str] = {}
    counts: dict[str, int] = {}
    user_ids: set[int] = set(User.objects.filter(school=school).values_list("pk", flat=True))
    referenced: set[int] = set()
    record_models = schema.record_models()
    total = len(record_models) + 1
    for done, model in enumerate(record_models):
        progress(done, total)
        name = schema.label(model)
        storage_fields = schema.STORAGE_FIELDS.get(name, ())
        user_fields = [f.attname for f in model._meta.concrete_fields if f.is_relation and f.related_model is User]
        lines = []
        for obj in rows_of(model, school).iterator(chunk_size=2000):
            row = row_json(obj)
            files = {}
            for field in storage_fields:
                value = row["fields"].get(field)
                if value:
                    files[field] = _copy_stored(value, files_dir, seen)
            if files:
                row["files"] = files
            referenced.update(row["fields"][f] for f in user_fields if row["fields"].get(f) is not None)
            lines.append(_dumps(row))
        writer.text(schema.records_file(model), lines)
        counts[name] = len(lines)
        report(f"{name}: {len(lines)}")
    chain = chain_of(school)
    audit_lines = []
    for entry in AuditEntry.objects.filter(chain=chain).order_by("id").iterator(chunk_size=2000):
        audit_lines.append(_dumps(audit_json(entry)))
        referenced.update(i for i in (entry.actor_id, entry.on_behalf_of_id) if i is not None)
    writer.text(schema.AUDIT_JSONL, audit_lines)
    outside = referenced - user_ids
    writer.text(
        schema.EXTERNAL_USERS,
        [
            _dumps({"id": u.pk, "username": u.username, "name": u.name, "is_superuser": u.is_superuser})
            for u in User.objects.filter(pk__in=outside).order_by("pk")
        ],
    )
    head = AuditChainHead.objects.filter(chain=chain).values_list("last_hash", flat=True).first()
    for sha in sorted(set(seen.values())):
        writer.manifest.append((sha, f"{schema.FILES_DIR}/{sha}"))
    info = {
        "format": schema.FORMAT,
        "version": schema.FORMAT_VERSION,
        "school": {"code": school.code, "name": school.name, "id": school.pk},
        "exported_at": timezone.now().isoformat(),
        "source_site": settings.LICHENG_SITE_URL,
        "counts": counts,
        "audit": {"entries": len(audit_lines), "head": head or "0" * 64},
        "files": len(set(seen.values())),
        "external_users": len(outside),
    }
    writer.text(schema.EXPORT_JSON, [json.dumps(info, ensure_ascii=False, indent=2)])
    manifest = "".join(f"{sha}  {path}\n" for sha, path in sorted(writer.manifest, key=lambda item: item[1]))
    (to / schema.MANIFEST).write_text(manifest)
    progress(total, total)
    report(f"audit entries: {len(audit_lines)}; files: {info['files']}")
    return counts


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    at: datetime.datetime = entry.at
    return {
        "id": entry.pk,
        "chain": entry.chain,
        "school_id": entry.school_id,
        "at": at.isoformat(),
        "actor_id": entry.actor_id,
        "on_behalf_of_id": entry.on_behalf_of_id,
        "ip_address": entry.ip_address,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
    }
