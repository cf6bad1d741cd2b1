"""Writing to the audit trail. Services call ``record`` inside their own transaction."""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from licheng.audit.models import AuditChainHead, AuditEntry, AuditRowChange

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School

GENESIS_HASH = "0" * 64


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who is making a change: the person at the keyboard, whom they act for, and from where."""

    user: User | None
    on_behalf_of: User | None = None
    ip_address: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user = request.user if request.user.is_authenticated else None
        return cls(user=user, ip_address=client_ip(request))  # type: ignore[arg-type]

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None)

    def acting_for(self, principal: User) -> Actor:
        """The same person acting as a proxy for ``principal``; the trail says "by X on behalf of Y"."""
        if self.user is not None and principal.pk == self.user.pk:
            return self
        return dataclasses.replace(self, on_behalf_of=principal)


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. ``X-Forwarded-For`` is believed only when the connection comes from a
    proxy listed in ``LICHENG_TRUSTED_PROXIES``; then the nearest address that is not a trusted
    proxy is the client (a client can put anything at the left of that header)."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is None or not _is_trusted_proxy(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote
        if not _is_trusted_proxy(hop):
            return hop
    return remote


def chain_of(school: School | None) -> str:
    return str(school.pk) if school is not None else "-"


def entry_payload(entry: AuditEntry) -> str:
    """The canonical text an entry's hash covers."""
    return json.dumps(
        [
            entry.chain,
            entry.school_id,
            entry.at.isoformat(),
            entry.actor_id,
            entry.on_behalf_of_id,
            entry.ip_address,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.object_repr,
            entry.changes,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def compute_hash(previous_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((previous_hash + entry_payload(entry)).encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as ``{field: [before, after]}``."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in sorted(set(before) | set(after))
        if _jsonable(before.get(key)) != _jsonable(after.get(key))
    }


def snapshot(instance: models.Model, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {name: _jsonable(getattr(instance, name)) for name in fields}


@dataclasses.dataclass(frozen=True)
class RowChange:
    """One row a change of many rows (an import) changed: ``changes`` as ``{field: [before, after]}``."""

    obj: models.Model
    changes: dict[str, Any]


def rows_digest(rows: list[dict[str, Any]]) -> str:
    text = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def record(
    *,
    actor: Actor,
    school: School | None,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    rows: list[RowChange] | None = None,
) -> AuditEntry:
    """Append one entry to the school's chain. Must run inside the caller's transaction. ``rows``:
    the rows a batch changed, each stored linked to the entry (and shown in that row's history);
    the entry's ``changes`` gain their count and digest, which the hash chain covers."""
    row_values = [
        {
            "object_type": row.obj._meta.label_lower,
            "object_id": str(row.obj.pk),
            "object_repr": str(row.obj)[:200],
            "changes": _jsonable(row.changes),
        }
        for row in rows or []
    ]
    if row_values:
        changes = {**(changes or {}), "row_changes": len(row_values), "row_changes_sha256": rows_digest(row_values)}
    chain = chain_of(school)
    # No savepoint: a failure here must abort the caller's change, which is what the entry records.
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
        if head is None:  # the chain's first entry
            AuditChainHead.objects.get_or_create(chain=chain)
            head = AuditChainHead.objects.select_for_update().get(chain=chain)
        entry = AuditEntry(
            chain=chain,
            school=school,
            at=timezone.now(),
            actor=actor.user,
            on_behalf_of=actor.on_behalf_of,
            ip_address=actor.ip_address,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            changes=_jsonable(changes or {}),
            previous_hash=head.last_hash,
        )
        entry.entry_hash = compute_hash(head.last_hash, entry)
        entry.save()
        AuditChainHead.objects.filter(pk=head.pk).update(last_hash=entry.entry_hash)
        if row_values:
            AuditRowChange.objects.bulk_create(
                (AuditRowChange(entry=entry, **values) for values in row_values), batch_size=1000
            )
    return entry


@dataclasses.dataclass
class ChainProblem:
    chain: str
    entry_id: int | None
    message: str


def verify_chains() -> tuple[int, list[ChainProblem]]:
    """Recompute every chain. Returns the number of entries checked and the first problem per chain."""
    problems: list[ChainProblem] = []
    checked = 0
    heads = dict(AuditChainHead.objects.values_list("chain", "last_hash"))
    chains = set(heads) | set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    for chain in sorted(chains):
        previous = GENESIS_HASH
        broken = False
        last_id: int | None = None
        for entry in AuditEntry.objects.filter(chain=chain).order_by("id").iterator(chunk_size=2000):
            checked += 1
            if entry.previous_hash != previous:
                problems.append(
                    ChainProblem(
                        chain, entry.pk, "previous hash does not match: an entry before it was removed or changed"
                    )
                )
                broken = True
                break
            if compute_hash(previous, entry) != entry.entry_hash:
                problems.append(
                    ChainProblem(chain, entry.pk, "content does not match its hash: this entry was changed")
                )
                broken = True
                break
            if isinstance(entry.changes, dict) and "row_changes_sha256" in entry.changes:
                rows = [
                    {
                        "object_type": r.object_type,
                        "object_id": r.object_id,
                        "object_repr": r.object_repr,
                        "changes": r.changes,
                    }
                    for r in AuditRowChange.objects.filter(entry=entry).order_by("id")
                ]
                if rows_digest(rows) != entry.changes["row_changes_sha256"]:
                    problems.append(ChainProblem(chain, entry.pk, "its row changes do not match: a row was changed"))
                    broken = True
                    break
            previous = entry.entry_hash
            last_id = entry.pk
        if not broken and heads.get(chain, GENESIS_HASH) != previous:
            after = f"after entry {last_id}" if last_id is not None else "from the start"
            problems.append(ChainProblem(chain, None, f"the newest entries ({after}) were removed"))
    return checked, problems
