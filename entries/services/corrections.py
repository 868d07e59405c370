"""Corrections to a candidate's identity once it is fixed (DESIGN.md §3).

After a candidate's grades are submitted, or once they have results or certificates
(``candidates.results_exist``), their names, date of birth, candidate number, UCI and ULN
change only like this: the centre asks, giving its reason; awarding-body staff approve or
reject it (not the person who asked); the change is made on approval, checked again then
against the candidate as they are. Every step is audited in its own transaction.
"""

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from centres.models import Centre, Role
from centres.selectors import centre_people
from ocradmin import audit
from ocradmin.notifications import email_notice, notify_many

from ..models import Candidate, CandidateCorrection
from . import EntryError
from .candidates import (
    IDENTITY_FIELDS,
    InvalidCandidate,
    InvalidFields,
    checked_changes,
    jsonable,
)

Status = CandidateCorrection.Status
MAX_REASON = 1000


def request_correction(*, candidate, by, reason: str, **changes) -> CandidateCorrection:
    unknown = set(changes) - set(IDENTITY_FIELDS)
    if unknown:
        raise TypeError(f"a correction cannot change {', '.join(sorted(unknown))}")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidFields({"reason": "Give the reason for the correction."})
    if len(reason) > MAX_REASON:
        raise InvalidFields({"reason": f"The reason can be at most {MAX_REASON} characters."})
    with transaction.atomic():
        Centre.objects.select_for_update().filter(pk=candidate.centre_id).first()
        current = (
            Candidate.objects.select_for_update().select_related("centre").get(pk=candidate.pk)
        )
        _clean, changed = checked_changes(current, changes)
        if not changed:
            raise EntryError(
                "These are the candidate's details already; change at least one to request "
                "a correction."
            )
        waiting = CandidateCorrection.objects.filter(
            candidate=current, status=Status.PENDING
        ).first()
        if waiting is not None:
            raise EntryError(
                "A correction to this candidate's details, requested on "
                f"{timezone.localtime(waiting.requested_at):%d %B %Y}, is waiting for the "
                "awarding body; you can ask for another once it is decided."
            )
        correction = CandidateCorrection.objects.create(
            centre=current.centre,
            candidate=current,
            changes=changed,
            reason=reason,
            requested_by=by,
        )
        audit.record(
            actor=by,
            action="candidate.correction_requested",
            centre=current.centre,
            target=correction,
            data={"candidate": current.pk, "changes": changed, "reason": reason},
        )
        email_notice(
            to=[settings.STAFF_EMAIL],
            notice="entries/correction_requested",
            context={"correction": correction, "url": reverse("entries:staff-corrections")},
        )
    return correction


def _lock_pending(correction, by) -> CandidateCorrection:
    if by is None or not by.is_staff:
        raise EntryError("Only awarding-body staff decide corrections to a candidate's details.")
    current = (
        CandidateCorrection.objects.select_for_update(of=("self",))
        .select_related("centre", "candidate", "requested_by")
        .get(pk=correction.pk)
    )
    if current.status != Status.PENDING:
        raise EntryError(f"This correction is already {current.get_status_display().lower()}.")
    if current.requested_by_id == by.pk:
        raise EntryError("You asked for this correction, so another member of staff decides it.")
    return current


def _tell_centre(correction, *, approved: bool) -> None:
    people = centre_people(correction.centre, Role.CENTRE_ADMIN)
    if correction.requested_by is not None and correction.requested_by.is_active:
        people.append(correction.requested_by)
    notify_many(
        users=people,
        notice="entries/correction_decided",
        context={"correction": correction, "approved": approved},
        url=reverse("entries:candidate", args=[correction.centre.number, correction.candidate_id]),
    )


def approve_correction(*, correction, by) -> CandidateCorrection:
    with transaction.atomic():
        current = _lock_pending(correction, by)
        Centre.objects.select_for_update().filter(pk=current.centre_id).first()
        candidate = Candidate.objects.select_for_update().get(pk=current.candidate_id)
        moved = [
            CandidateCorrection.LABELS[name]
            for name, (old, _new) in current.changes.items()
            if jsonable(getattr(candidate, name)) != old
        ]
        if moved:
            raise EntryError(
                f"The candidate's {', '.join(moved)} changed since the centre asked; reject "
                "this correction and ask the centre to request it again."
            )
        new = {name: values[1] for name, values in current.changes.items()}
        if "date_of_birth" in new:
            new["date_of_birth"] = date.fromisoformat(new["date_of_birth"])
        try:
            clean, _changed = checked_changes(candidate, new)
        except InvalidCandidate as error:
            raise EntryError(f"The correction cannot be made now: {error}") from error
        for name, value in clean.items():
            setattr(candidate, name, value)
        try:
            with transaction.atomic():
                candidate.save(update_fields=[*clean, "updated_at"])
        except IntegrityError as error:
            raise EntryError(
                "Another candidate took this number or UCI at the same time; try again."
            ) from error
        current.status = Status.APPROVED
        current.decided_by = by
        current.decided_at = timezone.now()
        current.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            actor=by,
            action="candidate.correction_approved",
            centre=current.centre,
            target=current,
            data={"candidate": candidate.pk, "changes": current.changes},
        )
        _tell_centre(current, approved=True)
    return current


def reject_correction(*, correction, by, reason: str) -> CandidateCorrection:
    reason = (reason or "").strip()
    if not reason:
        raise EntryError("Give the reason for rejecting the correction; the centre will see it.")
    with transaction.atomic():
        current = _lock_pending(correction, by)
        current.status = Status.REJECTED
        current.decided_by = by
        current.decided_at = timezone.now()
        current.rejection_reason = reason
        current.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
        audit.record(
            actor=by,
            action="candidate.correction_rejected",
            centre=current.centre,
            target=current,
            data={"candidate": current.candidate_id, "reason": reason},
        )
        _tell_centre(current, approved=False)
    return current
