"""Which records a school export holds and how each field is written (docs/formats.md, "School
export"). Shared by ``dump`` (export) and ``load`` (import)."""

from __future__ import annotations

from graphlib import TopologicalSorter

from django.apps import apps
from django.db import models

FORMAT = "licheng-school-export"
FORMAT_VERSION = 1
MANIFEST = "MANIFEST.sha256"
EXPORT_JSON = "export.json"
AUDIT_JSONL = "audit.jsonl"
EXTERNAL_USERS = "external_users.jsonl"
RECORDS_DIR = "records"
FILES_DIR = "files"

# Not carried: download copies that expire within days, and the move's own bookkeeping.
EXCLUDED = {
    "audit.auditentry",  # written as audit.jsonl, kept verbatim on import (portability.ArchivedAuditEntry)
    "portfolio.portfolioexport",
    "portability.schoolimport",
    "portability.archivedauditentry",
    "portability.schoolexportjob",
    # One-time parent codes: valid for days, hashed with this deployment's key (useless elsewhere).
    "people.parentbindingcode",
}
# Records that belong to the school through their user rather than a school column.
VIA_USER = {"accounts.externalidentity"}

# Fields kept encrypted under the deployment's field key: written in clear (under the name on the
# right) and encrypted again with the target's key; a digest field is recomputed from the value.
ENCRYPTED = {
    "people.student": {"national_id_cipher": "national_id"},
    "accounts.accountimport": {"passwords_cipher": "passwords"},
    "credentials.issuerkey": {"private_jwk_cipher": "private_jwk"},
}
DIGESTS = {"people.student": {"national_id_digest": "national_id"}}
# Fields naming a file in private storage: the file's bytes travel under files/<sha256>.
STORAGE_FIELDS = {
    "files.storedfile": ("storage_name", "preview_name"),
    "lifecycle.transferpackage": ("storage_name",),
}


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _has_school(model: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field("school")
    except Exception:  # noqa: BLE001 - FieldDoesNotExist
        return False
    return bool(field.is_relation and field.related_model is apps.get_model("schools", "School"))


def record_models() -> list[type[models.Model]]:
    """The school and every model with rows of the school, parents before children."""
    school_model = apps.get_model("schools", "School")
    chosen = [
        m
        for m in apps.get_models()
        if label(m) not in EXCLUDED and (_has_school(m) or label(m) in VIA_USER) and not m._meta.proxy
    ]
    graph: dict[type[models.Model], set[type[models.Model]]] = {school_model: set()}
    for model in chosen:
        graph[model] = {
            f.related_model  # type: ignore[misc]
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in chosen and f.related_model is not model
        } | {school_model}
    return list(TopologicalSorter(graph).static_order())


def records_file(model: type[models.Model]) -> str:
    return f"{RECORDS_DIR}/{label(model)}.jsonl"
