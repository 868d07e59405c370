from django.urls import path, register_converter

from .views import grading

register_converter(grading.EntryCodeConverter, "entry_code")

app_name = "grades"

urlpatterns = [
    # Assessment materials: /centres/<number>/materials/…
    # Teacher assignments: /centres/<number>/grades/teachers/…
    # Grades: /centres/<number>/grades/…
    path("centres/<centre:number>/grades/", grading.GradesIndexView.as_view(), name="index"),
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/",
        grading.QualificationGridView.as_view(),
        name="qualification",
    ),
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/<int:candidate_id>/",
        grading.SaveGradeView.as_view(),
        name="save",
    ),
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/template.csv",
        grading.GradeTemplateView.as_view(file_format="csv"),
        name="template-csv",
    ),
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/template.xlsx",
        grading.GradeTemplateView.as_view(file_format="xlsx"),
        name="template-xlsx",
    ),
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/upload/",
        grading.GradeUploadView.as_view(),
        name="upload",
    ),
    # Head of centre: approval, declaration, submission, receipt: /centres/<number>/grades/…
    # Staff: /staff/grades/…
]
