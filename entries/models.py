"""Candidates, access arrangements, entries, bulk uploads and moderator allocations."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from centres.models import Centre, Qualification, Unit

from .validators import validate_uci, validate_uln

candidate_number_validator = RegexValidator(
    r"^\d{4}$", "A candidate number is four digits, 0001 to 9999."
)


class Candidate(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="candidates")
    candidate_number = models.CharField(max_length=4, validators=[candidate_number_validator])
    uci = models.CharField("UCI", max_length=13, validators=[validate_uci])
    uln = models.CharField("ULN", max_length=10, blank=True, validators=[validate_uln])
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
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

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        REFERRED = "referred", "Referred to the awarding body"
        REJECTED = "rejected", "Rejected"

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
    details = models.CharField(max_length=200, blank=True, help_text="Required for 'Other'.")
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
                condition=models.Q(status__in=["approved", "referred", "rejected"]),
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


class Entry(models.Model):
    """A named entry (a candidate) or an unnamed one (a quantity), for a full award or a unit."""

    class Kind(models.TextChoices):
        NAMED = "named", "Named"
        UNNAMED = "unnamed", "Unnamed"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        NEEDS_REVIEW = "needs_review", "With awarding-body staff"
        WITHDRAWN = "withdrawn", "Withdrawn"

    LIVE = [Status.SUBMITTED, Status.ACCEPTED, Status.NEEDS_REVIEW]

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
    upload = models.ForeignKey(
        "EntryUpload", null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["submitted", "accepted", "rejected", "needs_review", "withdrawn"]
                ),
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
                condition=models.Q(
                    status__in=["submitted", "accepted", "needs_review"], unit__isnull=False
                ),
                name="entry_one_live_unit_entry",
            ),
            models.UniqueConstraint(
                fields=["candidate", "qualification"],
                condition=models.Q(
                    status__in=["submitted", "accepted", "needs_review"],
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
            models.Index(fields=["centre", "status"]),
        ]

    def __str__(self):
        what = self.unit or "full award"
        who = self.candidate if self.candidate_id else f"{self.quantity} unnamed"
        return f"{self.qualification.entry_code} ({what}) — {who}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class EntryUpload(models.Model):
    """A CSV or XLSX of named entries: checked first, then written all or nothing."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking"
        INVALID = "invalid", "Has errors"
        READY = "ready", "Ready to confirm"
        IMPORTING = "importing", "Creating entries"
        IMPORTED = "imported", "Entries created"
        FAILED = "failed", "Failed"

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="entry_uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="entry-uploads/%Y/%m/")
    original_name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status, default=Status.CHECKING)
    row_count = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"


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
