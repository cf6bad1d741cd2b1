"""The integrity scrub: re-read every stored file, check its SHA-256, and repair a bad or missing
one from the backup."""

from __future__ import annotations

import logging
import os

from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from licheng.audit.services import Actor, record
from licheng.backups.models import ScrubRun
from licheng.backups.store import BLOBS, backup_storage, copy_verified
from licheng.files.services import hash_stored, sha256_of_name

logger = logging.getLogger(__name__)


def stored_names(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Every storage name a row refers to (files and their previews), once each."""
    from licheng.files.models import StoredFile

    with scopes_disabled():
        names = set(StoredFile.objects.using(using).values_list("storage_name", flat=True))
        names |= set(StoredFile.objects.using(using).exclude(preview_name="").values_list("preview_name", flat=True))
    return sorted(names)


def _repair(backup: Storage, name: str) -> bool:
    """Put the backup copy of ``name`` back in place; False when there is no good copy or it cannot
    be written (the stored name is then left as it was found or removed, never half-written)."""
    try:
        return copy_verified(backup, f"{BLOBS}/{name}", default_storage, name) is not None
    except Exception:  # a write that fails is an unrecoverable file for this run, not a crash
        logger.exception("scrub: could not put back %s", name)
        return False


def scrub_run(
    *,
    actor: Actor,
    repair: bool = True,
    backup_path: str | os.PathLike[str] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> ScrubRun:
    """Re-read every stored file and check its SHA-256; put back a missing or damaged one from the
    backup copy (verified before and after) when ``repair``. The returned run holds the counts and
    each problem."""
    backup = backup_storage(backup_path)
    run = ScrubRun.objects.using(using).create()
    problems: list[dict[str, str]] = []
    for name in stored_names(using):
        run.checked += 1
        expected = sha256_of_name(name)
        actual = hash_stored(name)
        if actual == expected:
            run.ok += 1
            continue
        state = "missing" if actual is None else "damaged"
        if repair and _repair(backup, name):
            run.repaired += 1
            problems.append({"name": name, "found": state, "result": "repaired"})
            logger.warning("scrub: %s was %s; repaired from the backup", name, state)
            continue
        run.unrecoverable += 1
        problems.append({"name": name, "found": state, "result": "unrecoverable"})
        logger.error("scrub: %s is %s and no good backup copy exists", name, state)
    with transaction.atomic(using=using):
        run.problems = problems
        run.finished_at = timezone.now()
        run.save(using=using)
        record(
            actor=actor,
            school=None,
            action="files.scrub",
            obj=run,
            changes={
                "checked": run.checked,
                "ok": run.ok,
                "repaired": run.repaired,
                "unrecoverable": run.unrecoverable,
                "problems": problems[:100],
            },
        )
    return run
