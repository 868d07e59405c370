from django.urls import path

from .views import applications, approvals, catalogue, centre, moderators, people

app_name = "centres"

urlpatterns = [
    # Centre pages: /centres/<number>/…
    path("centres/<centre:number>/", centre.CentreHomeView.as_view(), name="home"),
    path("centres/<centre:number>/audit/", centre.AuditTrailView.as_view(), name="audit"),
    # Centre users and head of centre: /centres/<number>/users/…, /invitations/<token>/,
    # /head-of-centre/<token>/ (the named head accepts the role)
    path("centres/<centre:number>/users/", people.PeopleView.as_view(), name="users"),
    path("centres/<centre:number>/users/invite/", people.InviteView.as_view(), name="users-invite"),
    path(
        "centres/<centre:number>/users/head/", people.HeadOfCentreView.as_view(), name="users-head"
    ),
    path(
        "centres/<centre:number>/users/<int:user_id>/remove/",
        people.RemovePersonView.as_view(),
        name="users-remove",
    ),
    path(
        "centres/<centre:number>/users/<int:user_id>/roles/<str:role>/remove/",
        people.RevokeRoleView.as_view(),
        name="users-revoke-role",
    ),
    path(
        "centres/<centre:number>/users/invitations/<int:pk>/cancel/",
        people.CancelInvitationView.as_view(),
        name="invitation-cancel",
    ),
    path("invitations/<str:token>/", people.InvitationView.as_view(), name="invitation"),
    path("head-of-centre/<str:token>/", people.HeadOfCentreLinkView.as_view(), name="head-accept"),
    # Qualification approvals: /centres/<number>/qualifications/…
    path(
        "centres/<centre:number>/qualifications/",
        approvals.ApprovalListView.as_view(),
        name="approvals",
    ),
    path(
        "centres/<centre:number>/qualifications/request/",
        approvals.ApprovalRequestView.as_view(),
        name="approval-request",
    ),
    path(
        "centres/<centre:number>/qualifications/<int:pk>/withdraw/",
        approvals.ApprovalWithdrawView.as_view(),
        name="approval-withdraw",
    ),
    # Catalogue: /qualifications/…
    path("qualifications/", catalogue.CatalogueView.as_view(), name="catalogue"),
    path(
        "qualifications/<entry_code:entry_code>/",
        catalogue.QualificationDetailView.as_view(),
        name="qualification",
    ),
    # Centre approval application: /apply/…
    path("apply/", applications.ApplicationListView.as_view(), name="apply"),
    path("apply/new/", applications.ApplicationView.as_view(), name="apply-new"),
    path("apply/<int:pk>/", applications.ApplicationView.as_view(), name="apply-detail"),
    # Staff: /staff/applications/…, /staff/qualification-approvals/…, /staff/moderators/…
    path(
        "staff/qualification-approvals/",
        approvals.StaffApprovalQueueView.as_view(),
        name="staff-approvals",
    ),
    path(
        "staff/qualification-approvals/<int:pk>/approve/",
        approvals.StaffApproveView.as_view(),
        name="staff-approval-approve",
    ),
    path(
        "staff/qualification-approvals/<int:pk>/reject/",
        approvals.StaffRejectView.as_view(),
        name="staff-approval-reject",
    ),
    path("staff/moderators/", moderators.StaffModeratorListView.as_view(), name="staff-moderators"),
    path(
        "staff/moderators/add/",
        moderators.StaffModeratorAddView.as_view(),
        name="staff-moderator-add",
    ),
    path(
        "staff/moderators/<int:pk>/",
        moderators.StaffModeratorEditView.as_view(),
        name="staff-moderator-edit",
    ),
    path(
        "staff/applications/",
        applications.StaffApplicationQueueView.as_view(),
        name="staff-applications",
    ),
    path(
        "staff/applications/<int:pk>/",
        applications.StaffApplicationDetailView.as_view(),
        name="staff-application",
    ),
    path(
        "staff/applications/<int:pk>/approve/",
        applications.StaffApproveApplicationView.as_view(),
        name="staff-application-approve",
    ),
    path(
        "staff/applications/<int:pk>/reject/",
        applications.StaffRejectApplicationView.as_view(),
        name="staff-application-reject",
    ),
]
