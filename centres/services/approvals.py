"""Qualification approvals: a centre asks to offer a qualification; staff decide.

``require_approved_qualification`` is the check every later service (entries first) calls
before it lets a centre use a qualification, so the rule holds whatever a form shows; a
service that writes work for the qualification calls ``lock_approved_qualification`` instead.
Later apps register on ``withdrawal_blockers`` (``centres/hooks.py``) so an approval with live
work cannot be withdrawn without centres importing them.
"""

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ocradmin import audit
from ocradmin.notifications import email_notice, notify_many

from ..hooks import withdrawal_blockers
from ..models import (
    VOCATIONAL_TYPES,
    Centre,
    HeadOfCentre,
    Qualification,
    QualificationApproval,
    Role,
)
from ..selectors import centre_people
from . import CentreError


def is_approved_for(*, centre, qualification) -> bool:
    return QualificationApproval.objects.filter(
        centre=centre, qualification=qualification, status=QualificationApproval.Status.APPROVED
    ).exists()


def approved_qualification_ids(centre) -> set[int]:
    """One query: the ids of every qualification the centre is approved for."""
    return set(
        QualificationApproval.objects.filter(
            centre=centre, status=QualificationApproval.Status.APPROVED
        ).values_list("qualification_id", flat=True)
    )


def require_approved_qualification(*, centre, qualification) -> None:
    """Raise CentreError unless the centre is approved and approved for this qualification."""
    _require_offered(centre, qualification)
    if not is_approved_for(centre=centre, qualification=qualification):
        raise CentreError(_not_approved(centre, qualification))


def lock_approved_qualification(*, centre, qualification) -> QualificationApproval:
    """``require_approved_qualification`` for a service about to write work for the
    qualification (an entry), inside its transaction: also takes the approval's row lock, the
    lock ``withdraw_approval`` holds while it asks ``withdrawal_blockers``. Until the write
    commits the approval cannot be withdrawn, and a withdrawal that waited sees the work."""
    _require_offered(centre, qualification)
    approval = (
        QualificationApproval.objects.select_for_update()
        .filter(
            centre=centre,
            qualification=qualification,
            status=QualificationApproval.Status.APPROVED,
        )
        .first()
    )
    if approval is None:
        raise CentreError(_not_approved(centre, qualification))
    return approval


def lock_approvals(*, centre) -> None:
    """``lock_approved_qualification`` for a write that may touch any of the centre's
    qualifications (a bulk upload): locks every approved approval of the centre."""
    list(
        QualificationApproval.objects.select_for_update()
        .filter(centre=centre, status=QualificationApproval.Status.APPROVED)
        .values_list("pk", flat=True)
    )


def _require_offered(centre, qualification) -> None:
    if not centre.is_approved:
        raise CentreError(f"Centre {centre.number} is not an approved centre.")
    if not qualification.is_active:
        raise CentreError(f"{qualification.entry_code} is no longer offered.")


def _not_approved(centre, qualification) -> str:
    return (
        f"Centre {centre.number} is not approved for {qualification.entry_code} "
        f"{qualification.title}. Request approval on the centre's Qualifications page."
    )


def withdrawal_blocked_because(*, centre, qualification) -> str | None:
    """The first reason a receiver of ``withdrawal_blockers`` gives for keeping the approval.
    A page may ask without a lock to explain; ``withdraw_approval`` asks under the lock."""
    return withdrawal_blockers.first(centre, qualification)


# --- Transitions -----------------------------------------------------------------------------


def request_approval(
    *, centre, qualification, delivered_by: str, planned_start: date, by
) -> QualificationApproval:
    """A centre asks to offer a remotely moderated vocational qualification; staff are told."""
    delivered_by = (delivered_by or "").strip()
    if not delivered_by:
        raise CentreError("Say who will deliver and assess the qualification.")
    if planned_start is None or planned_start < timezone.localdate():
        raise CentreError("The planned start date cannot be in the past.")
    with transaction.atomic():
        # Locking the centre serialises its requests, so the live-approval check holds.
        centre = Centre.objects.select_for_update().get(pk=centre.pk)
        qualification = Qualification.objects.get(pk=qualification.pk)
        if not centre.is_approved:
            raise CentreError(f"Centre {centre.number} is not an approved centre.")
        if not qualification.is_active:
            raise CentreError(f"{qualification.entry_code} is no longer offered.")
        if not is_requestable(qualification):
            raise CentreError(
                f"{qualification.entry_code} {qualification.title} is not a remotely moderated "
                "vocational qualification, so there is no approval to request."
            )
        live = live_approval(centre=centre, qualification=qualification)
        if live is not None:
            raise CentreError(_already_live(live, centre, qualification))
        try:
            with transaction.atomic():
                approval = QualificationApproval.objects.create(
                    centre=centre,
                    qualification=qualification,
                    status=QualificationApproval.Status.REQUESTED,
                    delivered_by=delivered_by,
                    planned_start=planned_start,
                    requested_by=by,
                    requested_at=timezone.now(),
                )
        except IntegrityError:
            raise CentreError(
                f"Centre {centre.number} already has a request or approval for "
                f"{qualification.entry_code}."
            ) from None
        audit.record(
            actor=by,
            action="qualification_approval.requested",
            centre=centre,
            target=approval,
            data={
                "qualification": qualification.entry_code,
                "delivered_by": delivered_by,
                "planned_start": planned_start.isoformat(),
            },
        )
        email_notice(
            to=[settings.STAFF_EMAIL],
            notice="centres/approval_requested",
            context={
                "centre": centre,
                "qualification": qualification,
                "delivered_by": delivered_by,
                "planned_start": planned_start,
                "by": by,
                "url": reverse("centres:staff-approvals"),
            },
        )
    return approval


def approve_approval(*, approval, by) -> QualificationApproval:
    with transaction.atomic():
        approval = _lock_undecided(approval)
        approval.status = QualificationApproval.Status.APPROVED
        approval.decided_by = by
        approval.decided_at = timezone.now()
        approval.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            actor=by,
            action="qualification_approval.approved",
            centre=approval.centre,
            target=approval,
            data={"qualification": approval.qualification.entry_code},
        )
        _tell_centre(approval, notice="centres/approval_approved")
    return approval


def reject_approval(*, approval, reason: str, by) -> QualificationApproval:
    reason = (reason or "").strip()
    if not reason:
        raise CentreError("Give the reason the request is rejected; the centre will see it.")
    with transaction.atomic():
        approval = _lock_undecided(approval)
        approval.status = QualificationApproval.Status.REJECTED
        approval.decided_by = by
        approval.decided_at = timezone.now()
        approval.rejection_reason = reason
        approval.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
        audit.record(
            actor=by,
            action="qualification_approval.rejected",
            centre=approval.centre,
            target=approval,
            data={"qualification": approval.qualification.entry_code, "reason": reason},
        )
        _tell_centre(approval, notice="centres/approval_rejected", reason=reason)
    return approval


def withdraw_approval(*, approval, by) -> QualificationApproval:
    """The centre stops offering an approved qualification (or cancels its request).

    Refused while a receiver of ``withdrawal_blockers`` reports live work for it at the centre
    (asked under the approval's row lock)."""
    with transaction.atomic():
        approval = (
            QualificationApproval.objects.select_for_update(of=("self",))
            .select_related("centre", "qualification")
            .get(pk=approval.pk)
        )
        if approval.status not in QualificationApproval.LIVE:
            raise CentreError(
                f"This approval is already {approval.get_status_display().lower()}; "
                "there is nothing to withdraw."
            )
        if not approval.qualification.is_remotely_moderated:
            raise CentreError(
                f"{approval.qualification.entry_code} is not requested through ocradmin, so the "
                "centre cannot withdraw it here; ask the awarding body."
            )
        was = approval.status
        if was == QualificationApproval.Status.APPROVED:
            reason = withdrawal_blocked_because(
                centre=approval.centre, qualification=approval.qualification
            )
            if reason:
                raise CentreError(
                    f"{approval.qualification.entry_code} cannot be withdrawn: {reason}"
                )
        approval.status = QualificationApproval.Status.WITHDRAWN
        approval.withdrawn_at = timezone.now()
        approval.save(update_fields=["status", "withdrawn_at"])
        audit.record(
            actor=by,
            action="qualification_approval.withdrawn",
            centre=approval.centre,
            target=approval,
            data={"qualification": approval.qualification.entry_code, "was": was},
        )
    return approval


def live_approval(*, centre, qualification) -> QualificationApproval | None:
    """The centre's requested or approved approval for the qualification, if any."""
    return (
        QualificationApproval.objects.filter(
            centre=centre, qualification=qualification, status__in=QualificationApproval.LIVE
        )
        .only("status")
        .first()
    )


def _lock_undecided(approval) -> QualificationApproval:
    approval = (
        QualificationApproval.objects.select_for_update(of=("self",))
        .select_related("centre", "qualification", "requested_by")
        .get(pk=approval.pk)
    )
    if approval.status != QualificationApproval.Status.REQUESTED:
        raise CentreError(
            f"This request has already been decided ({approval.get_status_display().lower()})."
        )
    return approval


def _already_live(live, centre, qualification) -> str:
    if live.status == QualificationApproval.Status.APPROVED:
        return f"Centre {centre.number} is already approved for {qualification.entry_code}."
    return (
        f"Centre {centre.number} has already requested approval for "
        f"{qualification.entry_code}; it is waiting for a decision."
    )


def _tell_centre(approval, *, notice: str, reason: str = "") -> None:
    """The centre's admins and the requester (a notification and email each, once), and the
    head of centre's recorded address."""
    url = reverse("centres:approvals", args=[approval.centre.number])
    context = {"approval": approval, "reason": reason, "url": url}
    people = centre_people(approval.centre, Role.CENTRE_ADMIN)
    if approval.requested_by is not None and approval.requested_by.is_active:
        people.append(approval.requested_by)
    notify_many(users=people, notice=notice, context=context, url=url)
    told = {person.email.lower() for person in people}
    head_email = (
        HeadOfCentre.objects.filter(centre=approval.centre).values_list("email", flat=True).first()
    )
    if head_email and head_email.lower() not in told:
        email_notice(to=[head_email], notice=notice, context={**context, "link": True})


# --- What can be requested -------------------------------------------------------------------


def is_requestable(qualification) -> bool:
    return (
        qualification.is_active
        and qualification.is_remotely_moderated
        and qualification.qualification_type in VOCATIONAL_TYPES
    )
