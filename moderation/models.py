"""The examiner-moderator's review of a claim, a decision per line, and the centre feedback
report (one per claim, a PDF the centre opens)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from centres.models import Unit
from claims.models import Claim, ClaimLine


class Review(models.Model):
    """A moderator's work on one claim: started by the first decision, completed when the
    feedback report is submitted. ``version`` goes up with every change, so a page opened
    before another tab's change is told rather than overwriting it."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    class Outcome(models.TextChoices):
        CONFIRMED_UNCHANGED = "confirmed_unchanged", "Confirmed unchanged"
        ADJUSTED = "adjusted", "Adjusted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="review")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.IN_PROGRESS)
    version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome, blank=True, default="")
    withdrawal_reason = models.TextField(
        blank=True, help_text="Why the whole claim was withdrawn; the centre sees it."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["in_progress", "completed"]),
                name="review_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    outcome__in=["", "confirmed_unchanged", "adjusted", "withdrawn"]
                ),
                name="review_outcome_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="in_progress")
                | models.Q(completed_at__isnull=False) & ~models.Q(outcome=""),
                name="review_completed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="withdrawn") | ~models.Q(withdrawal_reason=""),
                name="review_withdrawal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["moderator", "status"])]

    def __str__(self):
        return f"Review of {self.claim}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class LineDecision(models.Model):
    """The moderator's decision on one claim line: confirmed at the centre's grade, adjusted to
    another grade of the unit's scale (with a reason), or withdrawn (the unit is released for
    the centre to claim again). ``version`` guards against a stale page."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        ADJUSTED = "adjusted", "Adjusted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    line = models.OneToOneField(ClaimLine, on_delete=models.CASCADE, related_name="decision")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome)
    grade = models.CharField(
        "moderated grade", max_length=10, blank=True, help_text="Blank when withdrawn."
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["review", "line"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["confirmed", "adjusted", "withdrawn"]),
                name="line_decision_outcome_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="withdrawn") | ~models.Q(grade=""),
                name="line_decision_has_grade",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome__in=["adjusted", "withdrawn"]) | ~models.Q(reason=""),
                name="line_decision_change_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["review", "outcome"])]

    def __str__(self):
        return f"{self.line}: {self.get_outcome_display()} {self.grade}".rstrip()


def report_path(instance, filename):
    return f"moderation-reports/{instance.review.claim.centre_id}/{filename}"


class FeedbackReport(models.Model):
    """The centre feedback report of a claim: overall comments and a section per unit, submitted
    with the completion of the review; its PDF is rendered once by a task and stored."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="report")
    overall_comments = models.TextField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    pdf = models.FileField(upload_to=report_path, blank=True, max_length=200)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the PDF was emailed (claims withdrawn whole)."
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return f"Feedback report for {self.review.claim}"


class UnitFeedback(models.Model):
    """The report's section for one unit of the claim."""

    report = models.ForeignKey(FeedbackReport, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    did_well = models.TextField("what the centre did well")
    needs_attention = models.TextField("what needs attention", blank=True)
    consistent = models.BooleanField("assessment decisions were consistent")
    action_points = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "unit__number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "unit"], name="unit_feedback_unique"),
        ]

    def __str__(self):
        return f"Unit {self.unit.number} feedback ({self.report})"
