"""Access arrangements: applied for by the centre before the candidate's first assessment.

Straightforward arrangements are within the centre's delegated authority and approved at
once. Extra time above ``AccessArrangement.EXTRA_TIME_DELEGATED_LIMIT`` per cent and a
practical assistant are referred to awarding-body staff, who approve or reject them (a
rejection needs a reason); the centre's admins are told either way.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from centres.models import Role
from centres.selectors import centre_people
from centres.services import CentreError
from centres.services.approvals import require_approved_qualification
from ocradmin import audit
from ocradmin.notifications import email_notice, notify_many

from ..models import AccessArrangement, Candidate
from . import EntryError
from .candidates import InvalidFields

Kind = AccessArrangement.Kind
Status = AccessArrangement.Status

LIVE = [Status.APPROVED, Status.REFERRED]


class InvalidArrangement(InvalidFields):
    """The application breaks a rule; ``errors`` maps each field to its message."""


def needs_referral(*, kind: str, extra_time_percent: int | None) -> bool:
    """Whether the arrangement is beyond what a centre may approve itself."""
    if kind == Kind.PRACTICAL_ASSISTANT:
        return True
    return kind == Kind.EXTRA_TIME and (extra_time_percent or 0) > (
        AccessArrangement.EXTRA_TIME_DELEGATED_LIMIT
    )


def _check(
    *,
    centre,
    candidate,
    qualification,
    kind,
    extra_time_percent,
    details,
    evidence,
    first_assessment_on,
) -> dict:
    errors: dict[str, str] = {}
    if candidate is None or candidate.centre_id != centre.pk:
        errors["candidate"] = "Choose one of this centre's candidates."
    if qualification is None:
        errors["qualification"] = "Choose the qualification."
    else:
        try:
            require_approved_qualification(centre=centre, qualification=qualification)
        except CentreError as error:
            errors["qualification"] = str(error)
    if kind not in Kind.values:
        errors["kind"] = "Choose the arrangement."
    if kind == Kind.EXTRA_TIME:
        if extra_time_percent is None:
            errors["extra_time_percent"] = "Enter the extra time as a percentage (1 to 100)."
        elif not 1 <= extra_time_percent <= 100:
            errors["extra_time_percent"] = "Extra time is between 1% and 100%."
    elif extra_time_percent is not None:
        errors["extra_time_percent"] = (
            "Leave the percentage empty unless the arrangement is extra time."
        )
    details = " ".join((details or "").split())
    if kind == Kind.OTHER and not details:
        errors["details"] = "Describe the arrangement when you choose 'Other'."
    elif len(details) > 200:
        errors["details"] = "Keep the description to 200 characters."
    evidence = (evidence or "").strip()
    if not evidence:
        errors["evidence"] = "Describe the evidence of need the centre holds."
    today = timezone.localdate()
    if not isinstance(first_assessment_on, date):
        errors["first_assessment_on"] = "Enter the planned date of the first assessment."
    elif first_assessment_on <= today:
        errors["first_assessment_on"] = (
            "Applications must be made before the planned first assessment date: "
            "enter a date after today."
        )
    if errors:
        raise InvalidArrangement(errors)
    return {"details": details, "evidence": evidence}


def arrangement_problems(**fields) -> dict[str, str]:
    """Every problem with an application, by field (``_check``'s arguments), without raising:
    the form shows them together with its own."""
    try:
        _check(**fields)
    except InvalidArrangement as error:
        return error.errors
    return {}


def apply_for_arrangement(
    *,
    centre,
    candidate,
    qualification,
    kind,
    extra_time_percent=None,
    details="",
    evidence,
    first_assessment_on,
    by,
) -> AccessArrangement:
    with transaction.atomic():
        if candidate is not None:
            # Serialises applications for one candidate, so the duplicate check holds.
            candidate = (
                Candidate.objects.select_for_update().filter(pk=candidate.pk).first() or candidate
            )
        clean = _check(
            centre=centre,
            candidate=candidate,
            qualification=qualification,
            kind=kind,
            extra_time_percent=extra_time_percent,
            details=details,
            evidence=evidence,
            first_assessment_on=first_assessment_on,
        )
        existing = AccessArrangement.objects.filter(
            candidate=candidate, qualification=qualification, kind=kind, status__in=LIVE
        ).first()
        if existing is not None:
            raise EntryError(
                f"{candidate.full_name} already has {existing.get_kind_display().lower()} for "
                f"{qualification.entry_code} ({existing.get_status_display().lower()})."
            )
        now = timezone.now()
        referred = needs_referral(kind=kind, extra_time_percent=extra_time_percent)
        arrangement = AccessArrangement.objects.create(
            centre=centre,
            candidate=candidate,
            qualification=qualification,
            kind=kind,
            extra_time_percent=extra_time_percent if kind == Kind.EXTRA_TIME else None,
            details=clean["details"],
            evidence=clean["evidence"],
            first_assessment_on=first_assessment_on,
            status=Status.REFERRED if referred else Status.APPROVED,
            requested_by=by,
            requested_at=now,
            decided_at=None if referred else now,
        )
        audit.record(
            actor=by,
            action="arrangement.referred" if referred else "arrangement.approved",
            centre=centre,
            target=arrangement,
            data={
                "kind": kind,
                "extra_time_percent": arrangement.extra_time_percent,
                "qualification": qualification.entry_code,
                "first_assessment_on": first_assessment_on.isoformat(),
                "within_delegated_authority": not referred,
            },
        )
        if referred:
            email_notice(
                to=[settings.STAFF_EMAIL],
                notice="entries/arrangement_referred",
                context={
                    "centre": centre,
                    "arrangement": arrangement,
                    "qualification": qualification,
                    "first_assessment_on": first_assessment_on,
                    "url": reverse("entries:staff-arrangements"),
                },
            )
    return arrangement


def _decide(*, arrangement, by, approve: bool, reason: str) -> AccessArrangement:
    reason = (reason or "").strip()
    if by is None or not by.is_staff:
        raise EntryError("Only awarding-body staff decide referred access arrangements.")
    if not approve and not reason:
        raise EntryError("Give the reason for rejecting the arrangement; the centre will see it.")
    with transaction.atomic():
        current = (
            AccessArrangement.objects.select_for_update(of=("self",))
            .select_related("centre", "candidate", "qualification")
            .get(pk=arrangement.pk)
        )
        if current.status != Status.REFERRED:
            raise EntryError(
                f"This arrangement is already {current.get_status_display().lower()}; "
                "only referred arrangements can be decided."
            )
        current.status = Status.APPROVED if approve else Status.REJECTED
        current.decided_by = by
        current.decided_at = timezone.now()
        current.rejection_reason = "" if approve else reason
        current.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
        audit.record(
            actor=by,
            action="arrangement.approved" if approve else "arrangement.rejected",
            centre=current.centre,
            target=current,
            data={"by_staff": True, "reason": reason} if reason else {"by_staff": True},
        )
        notify_many(
            users=centre_people(current.centre, Role.CENTRE_ADMIN),
            notice="entries/arrangement_decided",
            context={"arrangement": current, "approved": approve, "reason": reason},
            url=reverse("entries:arrangements", args=[current.centre.number]),
        )
    return current


def approve_arrangement(*, arrangement, by, reason: str = "") -> AccessArrangement:
    return _decide(arrangement=arrangement, by=by, approve=True, reason=reason)


def reject_arrangement(*, arrangement, by, reason: str) -> AccessArrangement:
    return _decide(arrangement=arrangement, by=by, approve=False, reason=reason)
