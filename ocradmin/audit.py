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


# --- Reading the trail ----------------------------------------------------------------------

# Each action in words, as the audit trail shows it. An action missing here reads as its code in
# words ("thing.done_today" → "Thing: done today"); add its label when you add the action.
ACTION_LABELS = {
    "account.confirmed": "Account confirmed",
    "account.registered": "Account registered",
    "application.approved": "Centre application approved",
    "application.rejected": "Centre application rejected",
    "application.resubmitted": "Centre application resubmitted",
    "application.saved": "Centre application saved",
    "application.submitted": "Centre application submitted",
    "arrangement.approved": "Access arrangement approved",
    "arrangement.referred": "Access arrangement referred to the awarding body",
    "arrangement.rejected": "Access arrangement rejected",
    "candidate.correction_approved": "Candidate correction approved",
    "candidate.correction_rejected": "Candidate correction rejected",
    "candidate.correction_requested": "Candidate correction requested",
    "candidate.created": "Candidate added",
    "candidate.updated": "Candidate details changed",
    "candidates.exported": "Candidates downloaded",
    "claim.evidence_downloaded": "Claim evidence downloaded",
    "claim.evidence_uploaded": "Claim evidence uploaded",
    "claim.full_award_marked": "Claim line marked as a full award",
    "claim.full_award_unmarked": "Claim line no longer a full award",
    "claim.line_added": "Claim line added",
    "claim.line_changed": "Claim line changed",
    "claim.line_removed": "Claim line removed",
    "claim.lines_uploaded": "Claim lines uploaded",
    "claim.reallocated": "Claim moved to another examiner-moderator",
    "claim.started": "Claim started",
    "claim.submitted": "Claim submitted",
    "claim.work_overdue": "Claim work overdue",
    "claim.work_received": "Claim work received by the moderator",
    "claim.work_sent": "Claim work sent",
    "claim_line_upload.checking": "Claim lines file being checked",
    "claim_line_upload.confirmed": "Claim lines file confirmed",
    "claim_line_upload.done": "Claim lines file saved",
    "claim_line_upload.failed": "Claim lines file has errors",
    "claim_line_upload.importing": "Claim lines file being saved",
    "claim_line_upload.ready": "Claim lines file checked",
    "claim_line_upload.started": "Claim lines file uploaded",
    "entries.bulk_created": "Entries made from a file",
    "entries.exported": "Entries downloaded",
    "entries.processed": "Entries processed",
    "entry.accepted_by_staff": "Entry accepted by the awarding body",
    "entry.amended": "Entry changed",
    "entry.created": "Entry made",
    "entry.rejected_by_staff": "Entry rejected by the awarding body",
    "entry.withdrawn": "Entry withdrawn",
    "entry_upload.checking": "Entries file being checked",
    "entry_upload.confirmed": "Entries file confirmed",
    "entry_upload.done": "Entries file saved",
    "entry_upload.failed": "Entries file has errors",
    "entry_upload.importing": "Entries file being saved",
    "entry_upload.ready": "Entries file checked",
    "entry_upload.started": "Entries file uploaded",
    "grade.changed": "Grade changed",
    "grade_series.shifted": "Grade series dates moved",
    "grade_upload.checking": "Grades file being checked",
    "grade_upload.confirmed": "Grades file confirmed",
    "grade_upload.done": "Grades file saved",
    "grade_upload.failed": "Grades file has errors",
    "grade_upload.importing": "Grades file being saved",
    "grade_upload.ready": "Grades file checked",
    "grade_upload.started": "Grades file uploaded",
    "grades.approved": "Grades approved by the head of centre",
    "grades.downloaded": "Grades downloaded",
    "grades.export_downloaded": "Submitted grades file downloaded (every centre)",
    "grades.export_requested": "Submitted grades file asked for (every centre)",
    "grades.head_reminded": "Head of centre reminded to submit grades",
    "grades.returned": "Grades returned by the head of centre",
    "grades.sent": "Grades sent to the head of centre",
    "grades.submitted": "Grades submitted",
    "head_of_centre.accepted": "Head of centre role accepted",
    "head_of_centre.created": "Head of centre named",
    "head_of_centre.nominated": "Head of centre named",
    "invitation.accepted": "Invitation accepted",
    "invitation.cancelled": "Invitation cancelled",
    "invitation.sent": "Invitation sent",
    "material.added": "Assessment material added",
    "material.downloaded": "Assessment material downloaded",
    "membership.granted": "Role given",
    "membership.revoked": "Role removed",
    "moderation.claim_withdrawn": "Claim withdrawn by the examiner-moderator",
    "moderation.completed": "Moderation completed",
    "moderation.line_decided": "Claim line moderated",
    "moderation.lines_confirmed": "Claim lines confirmed by the examiner-moderator",
    "moderation.review_started": "Moderation started",
    "moderation.units_withdrawn": "Units withdrawn by the examiner-moderator",
    "moderator.allocated": "Examiner-moderator allocated",
    "moderator.reallocated": "Qualification moved to another examiner-moderator",
    "moderator_profile.created": "Examiner-moderator added",
    "person.removed": "Person removed from the centre",
    "qualification_approval.approved": "Qualification approval approved",
    "qualification_approval.rejected": "Qualification approval rejected",
    "qualification_approval.requested": "Qualification approval requested",
    "qualification_approval.withdrawn": "Qualification approval withdrawn",
    "teacher.assigned": "Teacher assigned to a qualification",
    "teacher.unassigned": "Teacher no longer assigned to a qualification",
    "two_factor.backup_codes_replaced": "Two-factor backup codes replaced",
    "two_factor.enrolled": "Two-factor sign-in set up",
    "two_factor.turned_off": "Two-factor sign-in turned off",
    "user.claimed_from_invitation": "Account linked from an invitation",
    "user.created_from_invitation": "Account created from an invitation",
    "user.claimed_from_head_of_centre_link": "Account linked as head of centre",
    "user.created_from_head_of_centre_link": "Account created as head of centre",
}


def _words(code: str) -> str:
    return code.replace("_", " ").strip()


def action_label(action: str) -> str:
    """The action in words for people reading the trail."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    area, _, what = action.partition(".")
    if not what:
        return _words(area).capitalize()
    return f"{_words(area).capitalize()}: {_words(what)}"


def area_label(area: str) -> str:
    """An action's area (the part before the dot), for the filter's groups."""
    return f"Every {_words(area)} action"
