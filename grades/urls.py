from django.urls import path

from .views import assignments, grading, materials, review, staff, submission

app_name = "grades"

urlpatterns = [
    # Assessment materials: /centres/<number>/materials/…
    path(
        "centres/<centre:number>/materials/", materials.MaterialListView.as_view(), name="materials"
    ),
    path(
        "centres/<centre:number>/materials/<int:pk>/download/",
        materials.MaterialDownloadView.as_view(),
        name="material-download",
    ),
    # Teacher assignments: /centres/<number>/grades/teachers/…
    path(
        "centres/<centre:number>/grades/teachers/",
        assignments.AssignmentsView.as_view(),
        name="assignments",
    ),
    path(
        "centres/<centre:number>/grades/teachers/<int:pk>/remove/",
        assignments.AssignmentRemoveView.as_view(),
        name="assignment-remove",
    ),
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
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/uploads/<int:pk>/",
        grading.GradeUploadStatusView.as_view(),
        name="upload-status",
    ),
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/uploads/<int:pk>/progress/",
        grading.GradeUploadProgressView.as_view(),
        name="upload-progress",
    ),
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/uploads/<int:pk>/confirm/",
        grading.GradeUploadConfirmView.as_view(),
        name="upload-confirm",
    ),
    # Head of centre: approval, declaration, submission, receipt: /centres/<number>/grades/…
    path("centres/<centre:number>/grades/review/", review.ReviewView.as_view(), name="review"),
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/send/",
        review.QualificationActionView.as_view(action="send"),
        name="send",
    ),
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/approve/",
        review.QualificationActionView.as_view(action="approve"),
        name="approve",
    ),
    path(
        "centres/<centre:number>/grades/<entry_code:entry_code>/return/",
        review.QualificationActionView.as_view(action="return"),
        name="return",
    ),
    path(
        "centres/<centre:number>/grades/declaration/",
        submission.DeclarationView.as_view(),
        name="declaration",
    ),
    path(
        "centres/<centre:number>/grades/receipt.pdf",
        submission.ReceiptView.as_view(),
        name="receipt",
    ),
    # Staff: /staff/grades/…
    path("staff/grades/", staff.StaffProgressView.as_view(), name="staff-progress"),
    path("staff/grades/export/", staff.StaffExportView.as_view(), name="staff-export"),
    path(
        "staff/grades/export/<int:pk>/download/",
        staff.StaffExportDownloadView.as_view(),
        name="staff-export-download",
    ),
    path(
        "staff/grades/centres/<str:number>/remind/",
        staff.StaffRemindHeadView.as_view(),
        name="staff-remind",
    ),
    path("staff/grades/materials/", materials.StaffMaterialsView.as_view(), name="staff-materials"),
]
