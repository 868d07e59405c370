"""Candidates, access arrangements, entries, bulk uploads and moderator allocations."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from centres.models import Centre, Qualification, Unit
from ocradmin.imports import ImportBase
from ocradmin.validators import validate_single_line

from .validators import validate_uci, validate_uln

candidate_number_validator = RegexValidator(
    r"^[0-9]{4}$", "A candidate number is four digits, 0001 to 9999."
)


class Candidate(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="candidates")
    candidate_number = models.CharField(max_length=4, validators=[candidate_number_validator])
    uci = models.CharField("UCI", max_length=13, validators=[validate_uci])
    uln = models.CharField("ULN", max_length=10, blank=True, validators=[validate_uln])
    first_name = models.CharField(max_length=100, validators=[validate_single_line])
    last_name = models.CharField(max_length=100, validators=[validate_single_line])
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["centre", "candidate_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "candidate_number"], name="candidate_number_unique_in_centre"
            ),
            models.UniqueConstraint(
                fields=["centre", "uci"], name="candidate_uci_unique_in_centre"
            ),
            models.CheckConstraint(
                condition=~models.Q(candidate_number="0000"), name="candidate_number_not_zero"
            ),
        ]
        indexes = [models.Index(fields=["uci"]), models.Index(fields=["centre", "last_name"])]

    def __str__(self):
        return f"{self.candidate_number} {self.last_name}, {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ArrangementStatus(models.TextChoices):
    APPROVED = "approved", "Approved"
    REFERRED = "referred", "Referred to the awarding body"
    REJECTED = "rejected", "Rejected"


class AccessArrangement(models.Model):
    """An arrangement for a candidate's assessments in a qualification, applied for in advance."""

    class Kind(models.TextChoices):
        EXTRA_TIME = "extra_time", "Extra time"
        READER = "reader", "Reader"
        SCRIBE = "scribe", "Scribe"
        WORD_PROCESSOR = "word_processor", "Word processor"
        SEPARATE_INVIGILATION = "separate_invigilation", "Separate invigilation"
        PRACTICAL_ASSISTANT = "practical_assistant", "Practical assistant"
        OTHER = "other", "Other"

    Status = ArrangementStatus

    # Arrangements the centre may grant itself; the rest are referred to staff.
    EXTRA_TIME_DELEGATED_LIMIT = 25

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="access_arrangements")
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="access_arrangements"
    )
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("arrangement", max_length=30, choices=Kind)
    extra_time_percent = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    details = models.CharField(
        max_length=200,
        blank=True,
        help_text="Required for 'Other'.",
        validators=[validate_single_line],
    )
    evidence = models.TextField(help_text="The evidence of need the centre holds.")
    first_assessment_on = models.DateField("planned first assessment")
    status = models.CharField(max_length=20, choices=Status)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ArrangementStatus.values),
                name="arrangement_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="extra_time") | models.Q(extra_time_percent__isnull=False),
                name="arrangement_extra_time_has_percent",
            ),
        ]

    def __str__(self):
        label = self.get_kind_display()
        if self.kind == self.Kind.EXTRA_TIME:
            label = f"{label} {self.extra_time_percent}%"
        return f"{label} for {self.candidate}"


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    NEEDS_REVIEW = "needs_review", "With awarding-body staff"
    WITHDRAWN = "withdrawn", "Withdrawn"


LIVE_ENTRY_STATUSES = [EntryStatus.SUBMITTED, EntryStatus.ACCEPTED, EntryStatus.NEEDS_REVIEW]


class Entry(models.Model):
    """A named entry (a candidate) or an unnamed one (a quantity), for a full award or a unit."""

    class Kind(models.TextChoices):
        NAMED = "named", "Named"
        UNNAMED = "unnamed", "Unnamed"

    Status = EntryStatus
    LIVE = LIVE_ENTRY_STATUSES

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="entries")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind)
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for a full-award entry.",
    )
    option_code = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    process_by = models.DateTimeField(help_text="Submitted + 48 hours.")
    processed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    review_reason = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)
    upload = models.ForeignKey(
        "EntryUpload", null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EntryStatus.values),
                name="entry_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="named", candidate__isnull=False, quantity=1)
                    | models.Q(kind="unnamed", candidate__isnull=True)
                ),
                name="entry_named_has_candidate",
            ),
            models.UniqueConstraint(
                fields=["candidate", "qualification", "unit"],
                condition=models.Q(status__in=LIVE_ENTRY_STATUSES, unit__isnull=False),
                name="entry_one_live_unit_entry",
            ),
            models.UniqueConstraint(
                fields=["candidate", "qualification"],
                condition=models.Q(
                    status__in=LIVE_ENTRY_STATUSES,
                    unit__isnull=True,
                    kind="named",
                ),
                name="entry_one_live_full_award_entry",
            ),
        ]
        indexes = [
            # The processing scan reads submitted entries oldest first; "id" breaks ties (an
            # upload submits thousands at one instant) without sorting the whole backlog.
            models.Index(fields=["status", "submitted_at", "id"], name="entry_scan_idx"),
            # The centre's entries page, newest first, whole or by status (and the dashboard's
            # waiting entries per centre); the admin's list, newest first.
            models.Index(fields=["centre", "-submitted_at", "-id"], name="entry_centre_list_idx"),
            models.Index(
                fields=["centre", "status", "-submitted_at", "-id"],
                name="entry_centre_status_list_idx",
            ),
            models.Index(fields=["-submitted_at", "-id"], name="entry_newest_idx"),
            # Which qualifications a centre has entries for (grades pages, entries filter).
            models.Index(fields=["centre", "qualification", "kind"], name="entry_centre_qual_idx"),
            # A centre's live named entries per qualification and candidate: the grades pages'
            # and the dashboard's totals and graded counts read them from the index alone.
            models.Index(
                fields=["centre", "qualification", "candidate"],
                condition=models.Q(kind="named", status__in=LIVE_ENTRY_STATUSES),
                name="entry_live_named_idx",
            ),
        ]

    def __str__(self):
        what = self.unit or "full award"
        who = self.candidate if self.candidate_id else f"{self.quantity} unnamed"
        return f"{self.qualification.entry_code} ({what}) — {who}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class EntryUpload(ImportBase):
    """A CSV or XLSX of named entries: checked first, then written all or nothing."""

    UPLOAD_DIR = "entry-uploads"

    class Meta(ImportBase.Meta):
        pass


class ModeratorAllocation(models.Model):
    """The examiner-moderator who moderates a qualification at a centre."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="allocations")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    allocated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["centre", "qualification"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "qualification"], name="allocation_one_per_qualification"
            ),
        ]

    def __str__(self):
        return f"{self.moderator} for {self.qualification.entry_code} at {self.centre.number}"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the awarding body"
    APPROVED = "approved", "Approved and made"
    REJECTED = "rejected", "Rejected"


class CandidateCorrection(models.Model):
    """A change to a candidate's identity (names, date of birth, candidate number, UCI, ULN)
    once their grades are submitted or results exist: the centre asks, staff decide, and the
    change is made only when staff approve it. ``changes`` maps each field to ``[old, new]``
    (dates as ISO text) as they stood when the centre asked."""

    Status = CorrectionStatus

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="corrections")
    changes = models.JSONField()
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CorrectionStatus.values),
                name="correction_status_valid",
            ),
            models.UniqueConstraint(
                fields=["candidate"],
                condition=models.Q(status="pending"),
                name="one_pending_correction_per_candidate",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    LABELS = {
        "candidate_number": "candidate number",
        "uci": "UCI",
        "uln": "ULN",
        "first_name": "first name",
        "last_name": "last name",
        "date_of_birth": "date of birth",
    }

    def __str__(self):
        return f"Correction to candidate {self.candidate}"

    @property
    def change_lines(self) -> list[tuple[str, str, str]]:
        """``(label, old, new)`` for each field, ``(none)`` for an empty value."""
        return [
            (self.LABELS.get(name, name), old or "(none)", new or "(none)")
            for name, (old, new) in self.changes.items()
        ]
