from django.contrib import admin

from .models import (
    AssessmentMaterial,
    CentreSubmission,
    Grade,
    GradeSeries,
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
    search_fields = ["teacher__email", "centre__number", "qualification__entry_code"]
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
    search_fields = ["centre__number", "qualification__entry_code"]
    raw_id_fields = ["centre", "qualification", "sent_by", "decided_by"]


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ["candidate", "qualification", "centre", "grade", "version", "updated_at"]
    list_filter = ["series"]
    search_fields = ["centre__number", "candidate__uci", "candidate__last_name"]
    raw_id_fields = ["centre", "qualification", "candidate", "updated_by"]
    readonly_fields = ["version"]


@admin.register(CentreSubmission)
class CentreSubmissionAdmin(admin.ModelAdmin):
    list_display = ["centre", "series", "head_name", "submitted_at"]
    list_filter = ["series"]
    search_fields = ["centre__number", "centre__name", "head_name"]
    raw_id_fields = ["centre", "submitted_by"]
