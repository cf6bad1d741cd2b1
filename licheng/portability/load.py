"""``school_import``: check an export folder completely, then load it in one transaction.

Checks before anything is written: every path in ``MANIFEST.sha256`` exists and has its hash, no
file is there that the manifest does not list, ``export.json`` is a known format and its row counts
match the records, the audit chain recomputes to its recorded head, and the school code is not on
this deployment yet. Then every row gets a new id here (ids of other schools are never touched; the
map is kept in ``SchoolImport.id_map``), usernames taken here get the school code as prefix, people
named by rows but not of the school are matched by username or made as inactive placeholders, the
encrypted fields are encrypted with this deployment's key, and the files are put into storage. Any
failure rolls everything back, files included.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django_scopes import scopes_disabled

from licheng.audit.models import AuditEntry
from licheng.audit.services import GENESIS_HASH, Actor, compute_hash, record
from licheng.people import crypto
from licheng.people.models import User
from licheng.portability import schema
from licheng.portability.models import ArchivedAuditEntry, SchoolImport
from licheng.schools.models import School


class ImportRefused(Exception):
    """The folder cannot be imported; nothing was changed."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as error:
                    raise ImportRefused(f"{path.name} line {number} is not JSON: {error}") from error


def audit_entry_from(original: dict[str, Any]) -> AuditEntry:
    """An unsaved entry with the original values, for recomputing the original hash."""
    return AuditEntry(
        chain=original["chain"],
        school_id=original["school_id"],
        at=datetime.datetime.fromisoformat(original["at"]),
        actor_id=original["actor_id"],
        on_behalf_of_id=original["on_behalf_of_id"],
        ip_address=original["ip_address"],
        action=original["action"],
        object_type=original["object_type"],
        object_id=original["object_id"],
        object_repr=original["object_repr"],
        changes=original["changes"],
        previous_hash=original["previous_hash"],
        entry_hash=original["entry_hash"],
    )


def chain_problem(originals: list[dict[str, Any]], head: str) -> str | None:
    """``verify_audit``'s check on a list of original entries: None when the chain holds."""
    previous = GENESIS_HASH
    for position, original in enumerate(originals, 1):
        entry = audit_entry_from(original)
        if entry.previous_hash != previous:
            return f"audit entry {position}: previous hash does not match (an entry before it was removed or changed)"
        if compute_hash(previous, entry) != entry.entry_hash:
            return f"audit entry {position}: content does not match its hash (this entry was changed)"
        previous = entry.entry_hash
    if previous != head:
        return "the audit chain's newest entries are missing"
    return None


def verify_archived_chain(school: School) -> str | None:
    """Recompute the archived (pre-import) chain of an imported school; None when it holds."""
    with scopes_disabled():
        imported = SchoolImport.objects.get(school=school)
        originals = [a.original for a in ArchivedAuditEntry.objects.filter(school=school).order_by("position")]
    return chain_problem(originals, imported.audit_head)


def check_folder(root: Path) -> dict[str, Any]:
    """Every check that needs no database. Returns export.json."""
    root = Path(root)
    manifest_path = root / schema.MANIFEST
    if not manifest_path.is_file():
        raise ImportRefused(f"{schema.MANIFEST} is missing: this is not a school export folder")
    listed: dict[str, str] = {}
    for number, line in enumerate(manifest_path.read_text(encoding="utf-8").splitlines(), 1):
        sha, sep, path = line.partition("  ")
        pure = PurePosixPath(path)
        if not sep or len(sha) != 64 or pure.is_absolute() or ".." in pure.parts or not path:
            raise ImportRefused(f"{schema.MANIFEST} line {number} is malformed")
        listed[path] = sha
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != schema.MANIFEST}
    missing = sorted(set(listed) - present)
    if missing:
        raise ImportRefused(f"missing from the folder: {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}")
    extra = sorted(present - set(listed))
    if extra:
        raise ImportRefused(f"not in {schema.MANIFEST}: {', '.join(extra[:5])}")
    for path, sha in sorted(listed.items()):
        if _sha256(root / path) != sha:
            raise ImportRefused(f"{path} does not match its SHA-256 in {schema.MANIFEST}: it was changed")
        if path.startswith(schema.FILES_DIR + "/") and PurePosixPath(path).name != sha:
            raise ImportRefused(f"{path} is not named by its SHA-256")
    try:
        info = json.loads((root / schema.EXPORT_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ImportRefused(f"{schema.EXPORT_JSON} cannot be read: {error}") from error
    if info.get("format") != schema.FORMAT or info.get("version") != schema.FORMAT_VERSION:
        raise ImportRefused(f"{schema.EXPORT_JSON}: not a {schema.FORMAT} version {schema.FORMAT_VERSION} export")
    known = {schema.label(m) for m in schema.record_models()}
    for name, count in info.get("counts", {}).items():
        if name not in known:
            raise ImportRefused(f"record type {name} is unknown to this deployment (newer version?)")
        records = root / f"{schema.RECORDS_DIR}/{name}.jsonl"
        if not records.is_file() or sum(1 for _ in _jsonl(records)) != count:
            raise ImportRefused(f"{records.name} does not hold the {count} rows export.json counts")
    originals = list(_jsonl(root / schema.AUDIT_JSONL))
    problem = chain_problem(originals, info.get("audit", {}).get("head", ""))
    if problem:
        raise ImportRefused(f"audit chain broken: {problem}")
    return dict(info)


@contextlib.contextmanager
def _timestamps_as_given() -> Iterator[None]:
    """auto_now/auto_now_add would overwrite the imported times."""
    changed = []
    for model in schema.record_models():
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                changed.append((field, field.auto_now, field.auto_now_add))  # type: ignore[attr-defined]
                field.auto_now = field.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for field, now, now_add in changed:
            field.auto_now, field.auto_now_add = now, now_add  # type: ignore[attr-defined]


def import_school(root: Path, *, report: Callable[[str], None] = lambda line: None) -> School:
    root = Path(root)
    info = check_folder(root)
    code = info["school"]["code"]
    with scopes_disabled():
        if School.objects.filter(code=code).exists():
            raise ImportRefused(f"school {code} already exists on this deployment; nothing was imported")
        written: list[str] = []
        try:
            with transaction.atomic(), _timestamps_as_given():
                school = _load(root, info, written, report)
        except BaseException as error:
            for name in written:
                default_storage.delete(name)
            if isinstance(error, IntegrityError):
                raise ImportRefused(
                    f"a record conflicts with one on this deployment ({error}); nothing was imported"
                ) from error
            raise
    return school


def _unique_username(wanted: str, code: str) -> str:
    if not User.objects.filter(username=wanted).exists():
        return wanted
    candidate = f"{code}-{wanted}"
    n = 2
    while User.objects.filter(username=candidate).exists():
        candidate = f"{code}-{wanted}-{n}"
        n += 1
    return candidate


def _put_file(root: Path, name: str, sha: str, written: list[str]) -> str:
    """Store files/<sha> under ``name``; content-addressed names already here are the same bytes."""
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as f:
            here = hashlib.sha256()
            for chunk in iter(lambda: f.read(1024 * 1024), b""):
                here.update(chunk)
        if here.hexdigest() == sha:
            return name
    with open(root / schema.FILES_DIR / sha, "rb") as f:
        saved = default_storage.save(name, File(f))
    written.append(saved)
    return saved


def _load(root: Path, info: dict[str, Any], written: list[str], report: Callable[[str], None]) -> School:
    code = info["school"]["code"]
    ids: dict[str, dict[int, int]] = {}
    renamed: list[str] = []
    # People the rows name who are not of the school: matched by username, else inactive placeholders.
    external: dict[int, int] = {}
    for row in _jsonl(root / schema.EXTERNAL_USERS):
        user = User.objects.filter(username=row["username"], school__isnull=True).first()
        if user is None:
            user = User.objects.create(
                username=_unique_username(row["username"], code),
                name=row.get("name", ""),
                is_active=False,
                password=make_password(None),
            )
        external[row["id"]] = user.pk
    ids["people.user"] = dict(external)
    for model in schema.record_models():
        name = schema.label(model)
        path = root / schema.records_file(model)
        if not path.exists():
            continue
        encrypted = {plain: cipher for cipher, plain in schema.ENCRYPTED.get(name, {}).items()}
        digests = schema.DIGESTS.get(name, {})
        fields_by_attname = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        mapping = ids.setdefault(name, {})
        objects: list[models.Model] = []
        sources: list[int] = []
        deferred: list[tuple[int, str, str, int]] = []  # (index, attname, target label, source id)
        for row in _jsonl(path):
            values: dict[str, Any] = {}
            for key, value in row["fields"].items():
                if key in encrypted:
                    values[encrypted[key]] = crypto.encrypt(value) if value else ""
                    for digest_field, source in digests.items():
                        if source == key:
                            values[digest_field] = crypto.digest(value)
                    continue
                field = fields_by_attname.get(key)
                if field is None:
                    raise ImportRefused(f"{path.name}: field {key} is unknown to this deployment")
                if field.is_relation and value is not None:
                    target = schema.label(field.related_model)  # type: ignore[arg-type]
                    new = ids.get(target, {}).get(value)
                    if new is None:
                        if target == name and field.null:
                            deferred.append((len(objects), key, target, value))
                            value = None
                        else:
                            raise ImportRefused(
                                f"{path.name} row {row['id']}: {key} names {target} {value}, not exported"
                            )
                    else:
                        value = new
                elif not field.is_relation:
                    value = field.to_python(value)
                values[key] = value
            if name == "people.user":
                wanted = values["username"]
                values["username"] = _unique_username(wanted, code)
                if values["username"] != wanted:
                    renamed.append(f"{wanted} → {values['username']}")
            for field_name, sha in (row.get("files") or {}).items():
                values[field_name] = _put_file(root, values[field_name], sha, written)
            objects.append(model(**values))
            sources.append(row["id"])
        created = model._base_manager.bulk_create(objects, batch_size=500)
        for source_id, obj in zip(sources, created, strict=True):
            mapping[source_id] = obj.pk
        for index, attname, target, target_id in deferred:
            model._base_manager.filter(pk=created[index].pk).update(**{attname: ids[target][target_id]})
        if name == "people.user":
            mapping.update(external)
        report(f"{name}: {len(created)}")
    school = School.objects.get(pk=ids["schools.school"][info["school"]["id"]])
    originals = list(_jsonl(root / schema.AUDIT_JSONL))
    ArchivedAuditEntry.objects.bulk_create(
        ArchivedAuditEntry(school=school, position=i, original=o, entry_hash=o["entry_hash"])
        for i, o in enumerate(originals, 1)
    )
    manifest_sha = _sha256(root / schema.MANIFEST)
    imported = SchoolImport.objects.create(
        school=school,
        source_code=code,
        source_site=info.get("source_site", ""),
        exported_at=datetime.datetime.fromisoformat(info["exported_at"]),
        manifest_sha256=manifest_sha,
        audit_head=info["audit"]["head"],
        counts=info["counts"],
        id_map={k: {str(s): t for s, t in v.items()} for k, v in ids.items() if k != "people.user" or v},
    )
    record(
        actor=Actor.system(),
        school=school,
        action="school.import",
        obj=imported,
        changes={
            "source_site": imported.source_site,
            "manifest_sha256": manifest_sha,
            "archived_audit_head": imported.audit_head,
            "archived_audit_entries": len(originals),
            "renamed_usernames": renamed,
        },
    )
    if renamed:
        report("usernames taken here, renamed: " + ", ".join(renamed))
    return school
