"""The summer-2021 teacher-assessed grades (TAGs): the series and its windows, teacher
assignments, assessment materials, grades, the head of centre's approval and the declaration."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from centres.models import Centre, Qualification
from entries.models import Candidate


class GradeSeries(models.Model):
    """A grading series; its windows are data that staff edit in admin.

    Each window opens at its ``…_open_at`` moment; submission closes at
    ``submission_closes_at`` and nothing can change after it.
    """

    name = models.CharField(max_length=100)
    code = models.SlugField(unique=True)
    users_open_at = models.DateTimeField("centre admins manage users from")
    materials_open_at = models.DateTimeField("assessment materials downloadable from")
    head_details_open_at = models.DateTimeField("head-of-centre details editable from")
    submission_opens_at = models.DateTimeField("grades can be submitted from")
    submission_closes_at = models.DateTimeField("grade submission closes at")
    is_current = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "grade series"
        ordering = ["-submission_opens_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_series",
            ),
            models.CheckConstraint(
                condition=models.Q(users_open_at__lte=models.F("materials_open_at"))
                & models.Q(materials_open_at__lte=models.F("submission_opens_at"))
                & models.Q(head_details_open_at__lte=models.F("submission_opens_at"))
                & models.Q(submission_opens_at__lt=models.F("submission_closes_at")),
                name="series_windows_in_order",
            ),
        ]

    def __str__(self):
        return self.name


class TeacherAssignment(models.Model):
    """A teacher who enters grades for a qualification at a centre."""

    series = models.ForeignKey(GradeSeries, on_delete=models.CASCADE, related_name="assignments")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grade_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["qualification__title", "teacher__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "centre", "qualification", "teacher"],
                name="assignment_unique",
            ),
        ]

    def __str__(self):
        return f"{self.teacher} — {self.qualification.entry_code} at {self.centre.number}"


class AssessmentMaterial(models.Model):
    """A file staff upload for a qualification; centres download it once it is available."""

    series = models.ForeignKey(GradeSeries, on_delete=models.CASCADE, related_name="materials")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="assessment-materials/%Y/")
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    available_from = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["qualification__title", "title"]

    def __str__(self):
        return f"{self.qualification.entry_code}: {self.title}"


class QualificationGrades(models.Model):
    """The state of one qualification's grades at a centre: entered, sent to the head of
    centre, returned with a comment, or approved."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "Being graded"
        SENT = "sent", "Sent to the head of centre"
        RETURNED = "returned", "Returned by the head of centre"
        APPROVED = "approved", "Approved by the head of centre"

    EDITABLE = [Status.IN_PROGRESS, Status.RETURNED]

    series = models.ForeignKey(GradeSeries, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status, default=Status.IN_PROGRESS)
    return_comment = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "qualification grades"
        ordering = ["qualification__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "centre", "qualification"], name="qualification_grades_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["in_progress", "sent", "returned", "approved"]),
                name="qualification_grades_status_valid",
            ),
        ]

    def __str__(self):
        return (
            f"{self.qualification.entry_code} at {self.centre.number}: {self.get_status_display()}"
        )

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class Grade(models.Model):
    """A candidate's teacher-assessed grade. ``version`` goes up on every save, so a save
    from a stale page is refused instead of overwriting a colleague's change."""

    series = models.ForeignKey(GradeSeries, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="tags")
    grade = models.CharField(max_length=10, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["candidate__candidate_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "candidate", "qualification"], name="grade_one_per_candidate"
            ),
        ]
        indexes = [models.Index(fields=["series", "centre", "qualification"])]

    def __str__(self):
        return f"{self.candidate} {self.qualification.entry_code}: {self.grade or '—'}"


class CentreSubmission(models.Model):
    """The head of centre's declaration and the submission of all the centre's grades."""

    series = models.ForeignKey(GradeSeries, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    head_name = models.CharField("your name", max_length=150)
    head_job_title = models.CharField("your job title", max_length=150)
    confirm_policy = models.BooleanField(
        "The centre's policy for determining grades was followed.", default=False
    )
    confirm_quality_assured = models.BooleanField(
        "The grades were quality-assured as the centre policy requires.", default=False
    )
    confirm_evidence = models.BooleanField(
        "Each grade reflects evidence of the candidate's performance.", default=False
    )
    confirm_evidence_kept = models.BooleanField(
        "The evidence is kept and can be provided on request.", default=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    receipt = models.FileField(upload_to="grade-receipts/%Y/", blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "centre"], name="one_submission_per_centre"),
            models.CheckConstraint(
                condition=models.Q(
                    confirm_policy=True,
                    confirm_quality_assured=True,
                    confirm_evidence=True,
                    confirm_evidence_kept=True,
                ),
                name="submission_declaration_complete",
            ),
        ]

    def __str__(self):
        return f"{self.series} grades from {self.centre.number}"
