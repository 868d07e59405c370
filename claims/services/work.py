"""The candidates' work: evidence files, or a postal dispatch, then the moderator's receipt.

The work of every candidate in a submitted claim must reach the examiner-moderator within
24 hours (``work_due_at``). It is *sent* when every line (candidate × unit) of the claim has at
least one evidence file, or when the centre records that it posted the work. Uploaded work
reaches the moderator at once, so ``work_received_at`` is that moment; posted work arrives when
the moderator confirms receipt. ``results_due_on`` is 21 working days after the business date
of ``work_received_at``.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from ocradmin import audit
from ocradmin.notifications import notify
from ocradmin.workdays import add_working_days, business_date

from ..evidence import BadFile, inspect
from ..models import Claim, ClaimLine, Dispatch, Evidence
from ..pages import moderator_url
from ..selectors import evidence_bytes, lines_without_evidence
from . import ClaimError

RESULTS_WITHIN_WORKING_DAYS = 21


def _lock_submitted(claim) -> Claim:
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("centre", "qualification", "moderator")
        .get(pk=claim.pk)
    )
    if claim.status == Claim.Status.DRAFT:
        raise ClaimError("Submit the claim first; the work is sent once the claim is submitted.")
    if claim.status != Claim.Status.SUBMITTED:
        raise ClaimError(
            f"The work of claim {claim.number} has already been sent "
            f"({claim.get_status_display().lower()})."
        )
    return claim


def _received(claim, at) -> None:
    claim.work_received_at = at
    claim.results_due_on = add_working_days(business_date(at), RESULTS_WITHIN_WORKING_DAYS)


def _tell_moderator(claim, notice: str, **context) -> None:
    if claim.moderator_id:
        notify(
            user=claim.moderator,
            notice=notice,
            context={"claim": claim, **context},
            url=moderator_url(claim),
        )


def add_evidence(*, claim, candidate, unit, file, by) -> Evidence:
    """Store one file of the candidate's work for the unit, checked by size and content."""
    name = getattr(file, "name", "") or ""
    size = file.size
    if size > settings.CLAIM_EVIDENCE_MAX_FILE_BYTES:
        raise ClaimError(
            f"“{name}” is {filesizeformat(size)}; the largest file accepted is "
            f"{filesizeformat(settings.CLAIM_EVIDENCE_MAX_FILE_BYTES)}."
        )
    if size == 0:
        raise ClaimError(f"“{name}” is empty.")
    try:
        found = inspect(file, name)
    except BadFile as error:
        raise ClaimError(str(error)) from error
    with transaction.atomic():
        claim = _lock_submitted(claim)
        if hasattr(claim, "dispatch"):
            raise ClaimError("The work of this claim was posted; files cannot be added to it.")
        if not ClaimLine.objects.filter(claim=claim, candidate=candidate, unit=unit).exists():
            raise ClaimError(
                f"Candidate {candidate.candidate_number} is not in this claim for unit "
                f"{unit.number}; upload work only for the claim's candidates and units."
            )
        total = evidence_bytes(claim) + size
        if total > settings.CLAIM_EVIDENCE_MAX_CLAIM_BYTES:
            raise ClaimError(
                f"“{name}” would take this claim's files to {filesizeformat(total)}; a claim "
                f"holds at most {filesizeformat(settings.CLAIM_EVIDENCE_MAX_CLAIM_BYTES)}. "
                "Post the work instead, or send smaller files."
            )
        evidence = Evidence(
            claim=claim,
            candidate=candidate,
            unit=unit,
            original_name=name.strip(),
            kind=found.kind,
            content_type=found.content_type,
            size=size,
            uploaded_by=by,
        )
        file.seek(0)
        evidence.file.save("evidence", file, save=False)
        try:
            evidence.save()
            audit.record(
                actor=by,
                action="claim.evidence_uploaded",
                centre=claim.centre,
                target=claim,
                data={
                    "candidate": candidate.candidate_number,
                    "unit": unit.number,
                    "file": evidence.original_name,
                    "size": size,
                    "kind": found.kind,
                },
            )
            if lines_without_evidence(claim) == 0:
                now = timezone.now()
                claim.status = Claim.Status.WORK_SENT
                claim.work_sent_at = now
                _received(claim, now)
                claim.save(
                    update_fields=[
                        "status",
                        "work_sent_at",
                        "work_received_at",
                        "results_due_on",
                        "updated_at",
                    ]
                )
                audit.record(
                    actor=by,
                    action="claim.work_sent",
                    centre=claim.centre,
                    target=claim,
                    data={"by": "upload", "results_due_on": claim.results_due_on.isoformat()},
                )
                _tell_moderator(claim, "claims/work_uploaded")
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


def record_dispatch(*, claim, posted_on: date, carrier: str, tracking_reference: str, by):
    """The centre posted the work: the claim's work is sent; the moderator confirms receipt."""
    carrier, tracking_reference = (carrier or "").strip(), (tracking_reference or "").strip()
    with transaction.atomic():
        claim = _lock_submitted(claim)
        errors = []
        if not carrier:
            errors.append("Enter the carrier (for example Royal Mail).")
        if not tracking_reference:
            errors.append("Enter the tracking reference.")
        today = business_date(timezone.now())
        if posted_on > today:
            errors.append("The date posted cannot be in the future.")
        elif posted_on < business_date(claim.submitted_at):
            errors.append("The date posted cannot be before the claim was submitted.")
        if errors:
            raise ClaimError(" ".join(errors))
        dispatch = Dispatch.objects.create(
            claim=claim,
            posted_on=posted_on,
            carrier=carrier,
            tracking_reference=tracking_reference,
            recorded_by=by,
        )
        claim.status = Claim.Status.WORK_SENT
        claim.work_sent_at = timezone.now()
        claim.save(update_fields=["status", "work_sent_at", "updated_at"])
        audit.record(
            actor=by,
            action="claim.work_sent",
            centre=claim.centre,
            target=claim,
            data={
                "by": "post",
                "posted_on": posted_on.isoformat(),
                "carrier": carrier,
                "tracking_reference": tracking_reference,
            },
        )
        _tell_moderator(claim, "claims/work_posted", dispatch=dispatch)
    return dispatch


def confirm_receipt(*, claim, by) -> Claim:
    """The allocated examiner-moderator has the work: the claim is with the moderator, and the
    results clock runs from the day posted work arrived."""
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("centre", "qualification")
            .get(pk=claim.pk)
        )
        if claim.moderator_id != by.pk:
            raise ClaimError("Only the claim's examiner-moderator can confirm they have the work.")
        if claim.status != Claim.Status.WORK_SENT:
            raise ClaimError(
                "The work of this claim has not been sent yet."
                if claim.status == Claim.Status.SUBMITTED
                else f"This claim is already {claim.get_status_display().lower()}."
            )
        claim.status = Claim.Status.WITH_MODERATOR
        fields = ["status", "updated_at"]
        if claim.work_received_at is None:
            _received(claim, timezone.now())
            claim.work_received_by = by
            fields += ["work_received_at", "results_due_on", "work_received_by"]
        claim.save(update_fields=fields)
        audit.record(
            actor=by,
            action="claim.work_received",
            centre=claim.centre,
            target=claim,
            data={
                "work_received_at": claim.work_received_at.isoformat(),
                "results_due_on": claim.results_due_on.isoformat(),
            },
        )
    return claim


def record_download(*, evidence, by) -> None:
    """Every download of a candidate's work is on the audit trail."""
    with transaction.atomic():
        audit.record(
            actor=by,
            action="claim.evidence_downloaded",
            centre=evidence.claim.centre,
            target=evidence.claim,
            data={
                "evidence": evidence.pk,
                "candidate": evidence.candidate.candidate_number,
                "unit": evidence.unit.number,
                "file": evidence.original_name,
            },
        )
