"""The summer-2021 teacher-assessed grades (TAGs): the series and its windows, teacher
assignments, assessment materials, grades, the head of centre's approval and the declaration."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from centres.models import Centre, Qualification
from entries.models import Candidate
from ocradmin.imports import ImportBase
from ocradmin.validators import validate_single_line


class GradeSeries(models.Model):
    """A grading series; its windows are data that staff edit in admin.

    Each window opens at its ``…_open_at`` moment; submission closes at
    ``submission_closes_at`` and nothing can change after it.
    """

    name = models.CharField(max_length=100, validators=[validate_single_line])
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
    title = models.CharField(max_length=200, validators=[validate_single_line])
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


class QualificationGradesStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "Being graded"
    SENT = "sent", "Sent to the head of centre"
    RETURNED = "returned", "Returned by the head of centre"
    APPROVED = "approved", "Approved by the head of centre"


class QualificationGrades(models.Model):
    """The state of one qualification's grades at a centre: entered, sent to the head of
    centre, returned with a comment, or approved."""

    Status = QualificationGradesStatus

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
                condition=models.Q(status__in=QualificationGradesStatus.values),
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
    # The candidate as they were when the centre submitted, filled by the submission: the
    # receipt and the staff export read these, so no later change of identity moves a grade.
    submitted_candidate_number = models.CharField(max_length=4, blank=True)
    submitted_uci = models.CharField("submitted UCI", max_length=13, blank=True)
    submitted_first_name = models.CharField(max_length=100, blank=True)
    submitted_last_name = models.CharField(max_length=100, blank=True)
    submitted_date_of_birth = models.DateField(null=True, blank=True)

    SNAPSHOT = {
        "submitted_candidate_number": "candidate_number",
        "submitted_uci": "uci",
        "submitted_first_name": "first_name",
        "submitted_last_name": "last_name",
        "submitted_date_of_birth": "date_of_birth",
    }

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
    head_name = models.CharField("your name", max_length=150, validators=[validate_single_line])
    head_job_title = models.CharField(
        "your job title", max_length=150, validators=[validate_single_line]
    )
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


class HeadReminder(models.Model):
    """Staff reminded a centre's head of centre that its grades are not submitted: at most one
    per centre and series a day (the day in UK time), so a head is never emailed twice in a
    day however many staff press the button."""

    series = models.ForeignKey(GradeSeries, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField(help_text="The day in UK time.")
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "centre", "sent_on"], name="one_head_reminder_a_day"
            ),
        ]

    def __str__(self):
        return f"{self.series} reminder to {self.centre.number} on {self.sent_on}"


class GradeUpload(ImportBase):
    """A CSV or XLSX of one qualification's grades at a centre: checked, previewed, then
    saved all or nothing."""

    UPLOAD_DIR = "grade-uploads"

    series = models.ForeignKey(GradeSeries, on_delete=models.CASCADE, related_name="+")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")

    class Meta(ImportBase.Meta):
        pass


class GradeExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be prepared"
    BUILDING = "building", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    REMOVED = "removed", "Removed"


class GradeExport(models.Model):
    """A member of staff asked for every submitted grade of a series as one CSV file: a task
    writes it to storage and the file is downloaded from there (``grades.services.exports``)."""

    Status = GradeExportStatus
    IN_PROGRESS = [Status.QUEUED, Status.BUILDING]

    series = models.ForeignKey(GradeSeries, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status, default=Status.QUEUED)
    # How many centres had submitted when the rows were read: the file is out of date once
    # more have (``grades.services.exports.is_current``).
    submissions_read = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="grade-exports/%Y/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=GradeExportStatus.values),
                name="grade_export_status_valid",
            ),
            # One file prepared at a time per series: requests made meanwhile wait for it.
            models.UniqueConstraint(
                fields=["series"],
                condition=models.Q(status__in=["queued", "building"]),
                name="one_grade_export_in_progress",
            ),
        ]

    def __str__(self):
        return f"{self.series} submitted grades, {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS
