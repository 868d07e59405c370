from django.urls import path

from .views import arrangements, candidates

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
    # Bulk upload: /centres/<number>/entries/upload/…
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
]
