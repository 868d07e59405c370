"""The audit trail: one helper that every service calls inside its transaction."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

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
