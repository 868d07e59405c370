"""Centre approval: an applicant drafts and submits the form; staff approve (a new centre with
the next free number) or reject it with a reason; a rejected application can be amended and
submitted again.

The views validate what the applicant typed; ``submit_application`` checks again that nothing
required is missing, so the rule holds whatever calls it.
"""

import contextlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from ocradmin import audit
from ocradmin.notifications import email_notice, notify

from ..models import Centre, CentreApplication, HeadOfCentre, Role, normalise_postcode
from . import CentreError
from .people import grant_role

Status = CentreApplication.Status

# What the applicant fills in (``save_draft``'s ``fields``): details, then the declarations.
ORGANISATION_FIELDS = [
    "name",
    "organisation_type",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "nation",
    "phone",
]
HEAD_FIELDS = ["head_name", "head_job_title", "head_email"]
OFFICER_FIELDS = ["officer_name", "officer_email", "officer_phone"]
DETAIL_FIELDS = ORGANISATION_FIELDS + HEAD_FIELDS + OFFICER_FIELDS
DECLARATIONS = ["declare_accurate", "declare_regulations", "declare_head_agrees"]
FORM_FIELDS = DETAIL_FIELDS + DECLARATIONS
OPTIONAL_FIELDS = {"address_line2"}

FIRST_CENTRE_NUMBER = 10000
LAST_CENTRE_NUMBER = 99999
NUMBER_ATTEMPTS = 5


# --- The applicant ---------------------------------------------------------------------------


def save_draft(*, application=None, fields: dict, qualifications, by) -> CentreApplication:
    """Create or update the applicant's draft; nothing is required yet. A rejected application
    stays rejected (its reason still shown) until it is submitted again."""
    with transaction.atomic():
        if application is None:
            application = CentreApplication(applicant=by)
        else:
            application = _lock_editable(application, by)
        _fill(application, fields)
        application.save()
        application.intended_qualifications.set(qualifications)
        audit.record(
            actor=by,
            action="application.saved",
            target=application,
            data={"status": application.status},
        )
    return application


def submit_application(
    *, application=None, by, fields: dict | None = None, qualifications=None
) -> CentreApplication:
    """Save the applicant's latest answers (when given) and submit them for review, in one
    transaction: on any refusal nothing is saved."""
    with transaction.atomic():
        if application is None:
            application = CentreApplication(applicant=by)
        else:
            application = _lock_editable(application, by)
        previous_status = application.status
        if fields is not None:
            _fill(application, fields)
        application.save()
        if qualifications is not None:
            application.intended_qualifications.set(qualifications)

        missing = missing_for_submission(application)
        if missing:
            raise CentreError("The application is not complete: " + "; ".join(missing) + ".")
        if _another_pending(application):
            raise CentreError(_duplicate_message(application))

        application.status = Status.SUBMITTED
        application.submitted_at = timezone.now()
        application.decided_by = None
        application.decided_at = None
        try:
            with transaction.atomic():
                application.save(
                    update_fields=[
                        "status",
                        "submitted_at",
                        "decided_by",
                        "decided_at",
                        "updated_at",
                    ]
                )
        except IntegrityError:
            # Another submission for the organisation committed between the check and the save.
            raise CentreError(_duplicate_message(application)) from None

        resubmitted = previous_status == Status.REJECTED
        audit.record(
            actor=by,
            action="application.resubmitted" if resubmitted else "application.submitted",
            target=application,
            data={"organisation": application.name, "postcode": application.postcode},
        )
        notify(
            user=application.applicant,
            notice="centres/application_received",
            context={"application": application},
            url=reverse("centres:apply-detail", args=[application.pk]),
        )
        email_notice(
            to=[settings.STAFF_EMAIL],
            notice="centres/application_for_staff",
            context={
                "application": application,
                "resubmitted": resubmitted,
                "url": reverse("centres:staff-application", args=[application.pk]),
            },
        )
    return application


def missing_for_submission(application) -> list[str]:
    """What the application still needs before it can be submitted (empty when complete)."""
    missing = []
    for name in DETAIL_FIELDS:
        if name in OPTIONAL_FIELDS:
            continue
        if not str(getattr(application, name) or "").strip():
            label = CentreApplication._meta.get_field(name).verbose_name
            missing.append(f"{label} is missing")
    if application.postcode:
        try:
            normalise_postcode(application.postcode)
        except ValueError:
            missing.append("the postcode is not a UK postcode")
    if application.pk is None or not application.intended_qualifications.exists():
        missing.append("choose at least one qualification you intend to offer")
    if not all(getattr(application, name) for name in DECLARATIONS):
        missing.append("tick all three declarations")
    return missing


# --- Staff decisions -------------------------------------------------------------------------


def approve_application(*, application, by) -> Centre:
    """Create the centre with the next free number; the applicant becomes its centre admin and
    the head of centre's details are recorded."""
    with transaction.atomic():
        application = _lock_for_decision(application)
        centre = _create_centre(application)
        grant_role(centre=centre, user=application.applicant, role=Role.CENTRE_ADMIN, by=by)
        head_user = (
            get_user_model()
            .objects.filter(email__iexact=application.head_email, is_active=True)
            .first()
        )
        HeadOfCentre.objects.create(
            centre=centre,
            name=application.head_name,
            job_title=application.head_job_title,
            email=application.head_email,
            user=head_user,
        )
        application.status = Status.APPROVED
        application.decided_by = by
        application.decided_at = timezone.now()
        application.centre = centre
        application.save(
            update_fields=["status", "decided_by", "decided_at", "centre", "updated_at"]
        )
        audit.record(
            actor=by,
            action="application.approved",
            centre=centre,
            target=application,
            data={"centre": centre.number, "applicant": application.applicant.email},
        )
        notify(
            user=application.applicant,
            notice="centres/application_approved",
            context={"centre": centre},
            url=reverse("centres:home", args=[centre.number]),
        )
        email_notice(
            to=[application.head_email],
            notice="centres/application_approved_for_head",
            context={"centre": centre, "application": application},
        )
    return centre


def reject_application(*, application, reason: str, by) -> CentreApplication:
    reason = (reason or "").strip()
    if not reason:
        raise CentreError("Give the reason for rejecting the application; the applicant sees it.")
    with transaction.atomic():
        application = _lock_for_decision(application)
        application.status = Status.REJECTED
        application.rejection_reason = reason
        application.decided_by = by
        application.decided_at = timezone.now()
        application.save(
            update_fields=["status", "rejection_reason", "decided_by", "decided_at", "updated_at"]
        )
        audit.record(
            actor=by,
            action="application.rejected",
            target=application,
            data={"reason": reason},
        )
        notify(
            user=application.applicant,
            notice="centres/application_rejected",
            context={"application": application, "reason": reason},
            url=reverse("centres:apply-detail", args=[application.pk]),
        )
    return application


def next_centre_number() -> str:
    """One more than the highest centre number, starting at 10000."""
    highest = Centre.objects.aggregate(highest=Max("number"))["highest"]
    number = FIRST_CENTRE_NUMBER if highest is None else max(int(highest) + 1, FIRST_CENTRE_NUMBER)
    if number > LAST_CENTRE_NUMBER:
        raise CentreError("Every five-digit centre number is in use; ask a developer.")
    return f"{number:05d}"


# --- Queries for the queue and the staff board -----------------------------------------------


# --- Helpers ---------------------------------------------------------------------------------


def _fill(application, fields: dict) -> None:
    for name in FORM_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(application, name, value if value is not None else "")
    if application.postcode:
        # Kept as typed when it is not a postcode; submission refuses it.
        with contextlib.suppress(ValueError):
            application.postcode = normalise_postcode(application.postcode)
    application.organisation_key = CentreApplication.key_for(application.name, application.postcode)


def _lock_editable(application, by) -> CentreApplication:
    locked = (
        CentreApplication.objects.select_for_update()
        .filter(pk=application.pk, applicant=by)
        .first()
    )
    if locked is None:
        raise CentreError("That application is not yours.")
    if not locked.is_editable:
        raise CentreError(
            f"This application is {locked.get_status_display().lower()} and can no longer be "
            "changed."
        )
    return locked


def _lock_for_decision(application) -> CentreApplication:
    locked = (
        CentreApplication.objects.select_for_update(of=("self",))
        .select_related("applicant", "decided_by")
        .get(pk=application.pk)
    )
    if locked.status == Status.SUBMITTED:
        return locked
    if locked.status in (Status.APPROVED, Status.REJECTED) and locked.decided_at:
        who = locked.decided_by.get_full_name() if locked.decided_by else "someone else"
        outcome = "approved" if locked.status == Status.APPROVED else "rejected"
        when = timezone.localtime(locked.decided_at)
        raise CentreError(
            f"This application has already been decided by {who}: "
            f"{outcome} on {when.day} {when:%b %Y at %H:%M}."
        )
    raise CentreError("This application is not waiting for a decision.")


def _create_centre(application) -> Centre:
    """The centre with the next free number; a concurrent approval taking the same number makes
    the insert fail inside its savepoint, and the next attempt sees the number as taken."""
    for _attempt in range(NUMBER_ATTEMPTS):
        number = next_centre_number()
        try:
            with transaction.atomic():
                return Centre.objects.create(
                    number=number,
                    status=Centre.Status.APPROVED,
                    **{name: getattr(application, name) for name in ORGANISATION_FIELDS},
                )
        except IntegrityError:
            continue
    raise CentreError("Could not allocate a centre number just now; please try again.")


def _another_pending(application) -> bool:
    return (
        CentreApplication.objects.filter(
            organisation_key=application.organisation_key, status=Status.SUBMITTED
        )
        .exclude(pk=application.pk)
        .exists()
    )


def _duplicate_message(application) -> str:
    return (
        f"An application for {application.name} ({application.postcode}) is already waiting "
        "for a decision, so this one cannot be submitted. You will be able to submit it if "
        "that application is rejected."
    )
