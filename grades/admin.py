from django.contrib import admin

from ocradmin.admin_search import NationalAdminMixin
from ocradmin.identifiers import parse_id
from ocradmin.templatetags.dates import when

from .models import (
    AssessmentMaterial,
    CentreSubmission,
    Grade,
    GradeExport,
    GradeSeries,
    GradeUpload,
    HeadReminder,
    QualificationGrades,
    TeacherAssignment,
)


@admin.register(GradeSeries)
class GradeSeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "submission_opens_at", "submission_closes_at", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["name", "code"]


@admin.register(TeacherAssignment)
class TeacherAssignmentAdmin(admin.ModelAdmin):
    list_display = ["teacher", "qualification", "centre", "series", "assigned_at"]
    list_filter = ["series"]
    search_fields = ["=teacher__email", "=centre__number", "=qualification__entry_code"]
    raw_id_fields = ["teacher", "centre", "qualification", "assigned_by"]


@admin.register(AssessmentMaterial)
class AssessmentMaterialAdmin(admin.ModelAdmin):
    list_display = ["title", "qualification", "series", "available_from", "uploaded_at"]
    list_filter = ["series", "qualification__qualification_type"]
    search_fields = ["title", "qualification__entry_code", "qualification__title"]
    raw_id_fields = ["qualification", "uploaded_by"]


@admin.register(QualificationGrades)
class QualificationGradesAdmin(admin.ModelAdmin):
    list_display = ["qualification", "centre", "series", "status", "sent_at", "decided_at"]
    list_filter = ["series", "status"]
    search_fields = ["=centre__number", "=qualification__entry_code"]
    raw_id_fields = ["centre", "qualification", "sent_by", "decided_by"]
    list_select_related = ["centre", "qualification", "series"]
    show_full_result_count = False


@admin.register(Grade)
class GradeAdmin(NationalAdminMixin, admin.ModelAdmin):
    list_display = ["id", "centre_number", "candidate", "qualification_code", "grade", "updated"]
    list_filter = ["series"]
    search_lookups = [
        (None, "pk", parse_id),
        ("centre", "number"),
        ("candidate", "uci", str.upper),
    ]
    search_help_text = "A grade's number, a centre number or a candidate's UCI."
    ordering = ["-id"]
    sortable_by = ["id"]
    list_select_related = ["centre", "qualification"]
    list_columns = [
        *["grade", "updated_at", "candidate"],
        *["centre__number", "qualification__entry_code"],
    ]
    raw_id_fields = ["centre", "qualification", "candidate", "updated_by"]
    readonly_fields = ["version", *Grade.SNAPSHOT]

    def get_queryset(self, request):
        # As EntryAdmin: the page's candidates by their ids.
        return super().get_queryset(request).prefetch_related("candidate")

    @admin.display(description="Qualification")
    def qualification_code(self, grade):
        return grade.qualification.entry_code

    @admin.display(description="Updated")
    def updated(self, grade):
        return when(grade.updated_at)


@admin.register(CentreSubmission)
class CentreSubmissionAdmin(admin.ModelAdmin):
    list_display = ["centre", "series", "head_name", "submitted_at"]
    list_filter = ["series"]
    search_fields = ["=centre__number", "^centre__name", "^head_name"]
    raw_id_fields = ["centre", "submitted_by"]


@admin.register(GradeUpload)
class GradeUploadAdmin(admin.ModelAdmin):
    list_display = ["original_name", "centre", "qualification", "status", "row_count", "created_at"]
    list_filter = ["status", "series"]
    search_fields = ["original_name", "centre__number", "qualification__entry_code"]
    list_select_related = ["centre", "qualification"]


@admin.register(HeadReminder)
class HeadReminderAdmin(admin.ModelAdmin):
    """Reminders staff sent to heads of centre (one per centre a day); read-only: the staff
    grades page sends them."""

    list_display = ["centre", "series", "sent_on", "sent_at", "sent_by"]
    list_filter = ["series", "sent_on"]
    search_fields = ["=centre__number", "=sent_by__email"]
    raw_id_fields = ["centre", "sent_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GradeExport)
class GradeExportAdmin(admin.ModelAdmin):
    """Who asked for the submitted grades file, when, and how it went; read-only: the staff
    export page asks for them and the task writes them."""

    list_display = ["requested_at", "requested_by", "series", "status", "row_count", "finished_at"]
    list_filter = ["series", "status"]
    search_fields = ["=requested_by__email"]
    list_select_related = ["requested_by", "series"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
