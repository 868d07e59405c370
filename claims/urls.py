from django.urls import path

from .views import build, claims, staff, uploads, work

app_name = "claims"

CLAIM = "centres/<centre:number>/claims/<int:pk>/"

urlpatterns = [
    path("centres/<centre:number>/claims/", claims.ClaimListView.as_view(), name="list"),
    path("centres/<centre:number>/claims/new/", claims.StartClaimView.as_view(), name="start"),
    path(CLAIM, claims.ClaimDetailView.as_view(), name="claim"),
    path(f"{CLAIM}build/", build.ChooseView.as_view(), name="build"),
    path(
        f"{CLAIM}candidates/<int:candidate_pk>/",
        build.BuildByCandidateView.as_view(),
        name="build-candidate",
    ),
    path(f"{CLAIM}units/<int:unit_pk>/", build.BuildByUnitView.as_view(), name="build-unit"),
    path(f"{CLAIM}lines/", build.SaveLineView.as_view(), name="save-line"),
    path(f"{CLAIM}full-award/", build.FullAwardView.as_view(), name="full-award"),
    path(f"{CLAIM}upload/", uploads.LinesUploadView.as_view(), name="upload"),
    path(
        f"{CLAIM}upload/template.csv",
        uploads.LinesTemplateView.as_view(file_format="csv"),
        name="upload-template-csv",
    ),
    path(
        f"{CLAIM}upload/template.xlsx",
        uploads.LinesTemplateView.as_view(file_format="xlsx"),
        name="upload-template-xlsx",
    ),
    path(
        f"{CLAIM}upload/<int:upload_pk>/",
        uploads.LinesUploadStatusView.as_view(),
        name="upload-status",
    ),
    path(
        f"{CLAIM}upload/<int:upload_pk>/progress/",
        uploads.LinesUploadProgressView.as_view(),
        name="upload-progress",
    ),
    path(
        f"{CLAIM}upload/<int:upload_pk>/confirm/",
        uploads.LinesUploadConfirmView.as_view(),
        name="upload-confirm",
    ),
    path(f"{CLAIM}submit/", claims.SubmitClaimView.as_view(), name="submit"),
    path(f"{CLAIM}work/", work.WorkView.as_view(), name="work"),
    path(f"{CLAIM}work/upload/", work.UploadEvidenceView.as_view(), name="work-upload"),
    path(f"{CLAIM}work/post/", work.RecordDispatchView.as_view(), name="work-post"),
    path(
        f"{CLAIM}work/files/<int:evidence_pk>/",
        work.DownloadEvidenceView.as_view(),
        name="work-file",
    ),
    # Staff: /staff/claims/
    path("staff/claims/", staff.StaffClaimListView.as_view(), name="staff-list"),
]
