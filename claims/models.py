"""Claims (batches) and their lines, the evidence of the candidates' work, its postal dispatch."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from centres.models import Centre, Qualification, Unit
from entries.models import Candidate, Entry
from ocradmin.imports import ImportBase


class ModerationOutcome(models.TextChoices):
    CONFIRMED_UNCHANGED = "confirmed_unchanged", "Confirmed unchanged"
    ADJUSTED = "adjusted", "Adjusted"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted — work due"
    WORK_SENT = "work_sent", "Work sent"
    WITH_MODERATOR = "with_moderator", "With the moderator"
    MODERATED = "moderated", "Moderated"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Claim(models.Model):
    """A claim for one qualification at a centre: built as a draft, then submitted and locked.

    ``moderated`` and ``withdrawn`` are set by moderation; the rest here.
    """

    # Declared at module level so the Meta can build its CheckConstraint from the choices.
    Status = ClaimStatus

    # A line of a live claim holds its candidate and unit: no other claim may have them, and
    # the entry behind it cannot be withdrawn.
    LIVE = [Status.DRAFT, Status.SUBMITTED, Status.WORK_SENT, Status.WITH_MODERATOR]
    SUBMITTED_STATES = [
        Status.SUBMITTED,
        Status.WORK_SENT,
        Status.WITH_MODERATOR,
        Status.MODERATED,
    ]

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="claims")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(
        "claim number", max_length=20, null=True, blank=True, unique=True, editable=False
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims_to_moderate",
        help_text="The examiner-moderator allocated when the claim was submitted.",
    )
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    work_due_at = models.DateTimeField(null=True, blank=True, help_text="Submitted + 24 hours.")
    work_sent_at = models.DateTimeField(null=True, blank=True)
    work_received_at = models.DateTimeField(null=True, blank=True)
    work_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    results_due_on = models.DateField(
        null=True, blank=True, help_text="21 working days after the work reached the moderator."
    )
    # Set by moderation when the moderator completes the review or withdraws the whole claim.
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_outcome = models.CharField(
        max_length=20, choices=ModerationOutcome, blank=True, default=""
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(
        blank=True, help_text="Why the moderator withdrew the whole claim; the centre sees it."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "qualification"],
                condition=models.Q(status=ClaimStatus.DRAFT),
                name="claim_one_draft_per_qualification",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ClaimStatus.values),
                name="claim_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ClaimStatus.DRAFT)
                | models.Q(
                    number__isnull=False, submitted_at__isnull=False, work_due_at__isnull=False
                ),
                name="claim_submitted_has_number_and_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(moderation_outcome__in=["", *ModerationOutcome.values]),
                name="claim_moderation_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="moderated")
                | models.Q(moderated_at__isnull=False) & ~models.Q(moderation_outcome=""),
                name="claim_moderated_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["centre", "status"]),
            models.Index(fields=["status", "work_due_at"], name="claim_work_due_idx"),
            models.Index(fields=["-created_at", "-id"], name="claim_newest_idx"),
        ]

    def __str__(self):
        label = self.number or f"draft {self.pk}"
        return f"Claim {label} ({self.qualification.entry_code})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def work_is_due(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ClaimLine(models.Model):
    """A candidate × unit of a claim with the centre's assessed grade, and the entry covering it."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="claim_lines")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="claim_lines")
    grade = models.CharField(max_length=10)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    # Moderation: the grade the moderator confirmed or adjusted to (set when the review is
    # completed), and when the moderator withdrew the line's unit — a released line no longer
    # holds its candidate and unit, so the centre can claim them again in a new claim.
    moderated_grade = models.CharField(max_length=10, blank=True, default="")
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["claim", "candidate__candidate_number", "unit__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "candidate", "unit"], name="claim_line_unique"
            ),
        ]
        indexes = [models.Index(fields=["candidate", "unit"])]

    def __str__(self):
        return f"{self.candidate.candidate_number} unit {self.unit.number}: {self.grade}"


class FullAwardRequest(models.Model):
    """A candidate claimed for the whole qualification on a claim (checked against the rule of
    combination when marked and again on submission)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="full_awards")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "candidate"], name="full_award_unique"),
        ]

    def __str__(self):
        return f"Full award for {self.candidate.candidate_number} on {self.claim}"


def evidence_path(instance, filename):
    # The stored name is random: the original name is kept only as data.
    return f"claims/{instance.claim.centre_id}/{instance.claim_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """One file of a candidate's work for a unit of a claim, checked by its content."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCUMENT = "document", "Office document"
        IMAGE = "image", "Image"
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video"
        ZIP = "zip", "ZIP archive"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["claim", "candidate__candidate_number", "unit__number", "uploaded_at"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return f"{self.original_name} ({self.candidate.candidate_number}, unit {self.unit.number})"


class Dispatch(models.Model):
    """The work of a claim sent by post instead of uploaded."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="dispatch")
    posted_on = models.DateField("date posted")
    carrier = models.CharField(max_length=100)
    tracking_reference = models.CharField(max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "dispatches"

    def __str__(self):
        return f"{self.carrier} {self.tracking_reference} ({self.claim})"


class ClaimUpload(ImportBase):
    """A CSV or XLSX of lines (candidate number, unit, grade) for a draft claim: checked,
    previewed, then added all or nothing (``ocradmin.imports``)."""

    UPLOAD_DIR = "claim-uploads"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="uploads")

    class Meta(ImportBase.Meta):
        pass
