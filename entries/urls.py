from django.urls import path

from .views import arrangements, candidates, corrections, entries, processing, uploads

app_name = "entries"

urlpatterns = [
    # Candidates: /centres/<number>/candidates/…
    path(
        "centres/<centre:number>/candidates/",
        candidates.CandidateListView.as_view(),
        name="candidates",
    ),
    path(
        "centres/<centre:number>/candidates/add/",
        candidates.CandidateCreateView.as_view(),
        name="candidate-add",
    ),
    path(
        "centres/<centre:number>/candidates/<int:pk>/",
        candidates.CandidateDetailView.as_view(),
        name="candidate",
    ),
    path(
        "centres/<centre:number>/candidates/<int:pk>/edit/",
        candidates.CandidateUpdateView.as_view(),
        name="candidate-edit",
    ),
    path(
        "centres/<centre:number>/candidates/<int:pk>/correction/",
        candidates.CandidateCorrectionView.as_view(),
        name="candidate-correction",
    ),
    # Access arrangements: /centres/<number>/access-arrangements/…
    path(
        "centres/<centre:number>/access-arrangements/",
        arrangements.ArrangementListView.as_view(),
        name="arrangements",
    ),
    path(
        "centres/<centre:number>/access-arrangements/apply/",
        arrangements.ArrangementCreateView.as_view(),
        name="arrangement-apply",
    ),
    # Entries: /centres/<number>/entries/…
    path("centres/<centre:number>/entries/", entries.EntryListView.as_view(), name="list"),
    path(
        "centres/<centre:number>/entries/new/",
        entries.NamedEntryCreateView.as_view(),
        name="new-named",
    ),
    path(
        "centres/<centre:number>/entries/new/candidates/",
        entries.CandidateSearchView.as_view(),
        name="candidate-search",
    ),
    path(
        "centres/<centre:number>/entries/new/qualification-fields/",
        entries.EntryFieldsView.as_view(),
        name="entry-fields",
    ),
    path(
        "centres/<centre:number>/entries/new-unnamed/",
        entries.UnnamedEntryCreateView.as_view(),
        name="new-unnamed",
    ),
    path(
        "centres/<centre:number>/entries/<int:pk>/amend/",
        entries.AmendEntryView.as_view(),
        name="amend",
    ),
    path(
        "centres/<centre:number>/entries/<int:pk>/withdraw/",
        entries.WithdrawEntryView.as_view(),
        name="withdraw",
    ),
    # Bulk upload: /centres/<number>/entries/upload/…
    path(
        "centres/<centre:number>/entries/upload/",
        uploads.EntryUploadView.as_view(),
        name="upload",
    ),
    path(
        "centres/<centre:number>/entries/upload/template.csv",
        uploads.EntryUploadTemplateView.as_view(fmt="csv"),
        name="upload-template-csv",
    ),
    path(
        "centres/<centre:number>/entries/upload/template.xlsx",
        uploads.EntryUploadTemplateView.as_view(fmt="xlsx"),
        name="upload-template-xlsx",
    ),
    path(
        "centres/<centre:number>/entries/upload/<int:pk>/",
        uploads.EntryUploadStatusView.as_view(),
        name="upload-status",
    ),
    path(
        "centres/<centre:number>/entries/upload/<int:pk>/progress/",
        uploads.EntryUploadProgressView.as_view(),
        name="upload-progress",
    ),
    path(
        "centres/<centre:number>/entries/upload/<int:pk>/confirm/",
        uploads.EntryUploadConfirmView.as_view(),
        name="upload-confirm",
    ),
    # Staff: /staff/…
    path(
        "staff/access-arrangements/",
        arrangements.StaffArrangementQueueView.as_view(),
        name="staff-arrangements",
    ),
    path(
        "staff/access-arrangements/<int:pk>/decide/",
        arrangements.StaffArrangementDecisionView.as_view(),
        name="staff-arrangement-decide",
    ),
    path(
        "staff/candidate-corrections/",
        corrections.StaffCorrectionQueueView.as_view(),
        name="staff-corrections",
    ),
    path(
        "staff/candidate-corrections/<int:pk>/decide/",
        corrections.StaffCorrectionDecisionView.as_view(),
        name="staff-correction-decide",
    ),
    path("staff/entries/", processing.StaffReviewQueueView.as_view(), name="staff-review"),
    path(
        "staff/entries/<int:pk>/decide/",
        processing.StaffReviewDecisionView.as_view(),
        name="staff-review-decide",
    ),
]
