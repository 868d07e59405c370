"""The audit trail: one helper that every service calls inside its transaction."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from .models import AuditEvent


class AuditOutsideTransaction(RuntimeError):
    """An audit event must commit or roll back with the change it records."""


def record(*, actor, action: str, centre=None, target=None, data: dict | None = None) -> AuditEvent:
    """Write one audit event. Call it inside the service's ``transaction.atomic()`` block."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction(f"audit.record({action!r}) called outside a transaction")
    event = AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        centre=centre,
        data=data or {},
    )
    if target is not None:
        event.target_type = ContentType.objects.get_for_model(target)
        event.target_id = str(target.pk)
        event.target_repr = str(target)[:200]
    event.save()
    return event


def record_many(
    *, actor, action: str, centre=None, events: Iterable[tuple[object, dict | None]]
) -> list[AuditEvent]:
    """Write one audit event per ``(target, data)`` pair, as ``record`` would one by one, in a
    few INSERTs whatever their number (a 10,000-row upload writes 10,000 events). The actor,
    action and centre are the same for all; a target may be None. Call it inside the
    service's ``transaction.atomic()`` block."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction(f"audit.record_many({action!r}) called outside a transaction")
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    centre_id = centre.pk if centre is not None else None
    at = timezone.now()  # the events of one change share its instant
    content_types = {}

    def event(target, data) -> AuditEvent:
        if target is None:
            return AuditEvent(
                actor_id=actor_id, action=action, centre_id=centre_id, data=data or {}, at=at
            )
        model = type(target)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(target).pk
        return AuditEvent(
            actor_id=actor_id,
            action=action,
            centre_id=centre_id,
            data=data or {},
            at=at,
            target_type_id=content_types[model],
            target_id=str(target.pk),
            target_repr=str(target)[:200],
        )

    return AuditEvent.objects.bulk_create([event(target, data) for target, data in events])
