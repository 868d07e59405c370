from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from ocradmin.admin_search import NationalAdminMixin
from ocradmin.templatetags.dates import when

from .models import (
    Centre,
    CentreApplication,
    HeadOfCentre,
    Invitation,
    Membership,
    ModeratorProfile,
    Qualification,
    QualificationApproval,
    Unit,
)
from .services import CentreError
from .services.applications import approve_application
from .services.approvals import approve_approval


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Centre)
class CentreAdmin(NationalAdminMixin, admin.ModelAdmin):
    list_display = ["number", "name", "status", "created_at"]
    list_filter = ["status"]
    # Five thousand centres: a word anywhere in the name is read from the whole table, which
    # is small enough (13 ms); the number is exact.
    search_lookups = [(None, "number"), (None, "name__icontains")]
    search_help_text = "A centre number, or a word in the centre's name."
    list_columns = ["number", "name", "status", "created_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(NationalAdminMixin, admin.ModelAdmin):
    list_display = ["user", "centre_number", "role", "since"]
    list_filter = ["role"]
    search_lookups = [
        ("user", "email", str.lower),
        ("user", "full_name__istartswith"),
        ("centre", "number"),
        ("centre", "name__istartswith"),
    ]
    search_help_text = (
        "A person's email or the start of their name, a centre number or the start of its name."
    )
    # Newest first: the model's order (by centre number, then name) sorts every membership.
    ordering = ["-id"]
    sortable_by = []
    autocomplete_fields = ["user", "centre"]
    list_select_related = ["user", "centre"]
    list_columns = ["role", "created_at", "user__email", "user__full_name", "centre__number"]

    @admin.display(description="Since")
    def since(self, membership):
        return when(membership.created_at)


@admin.register(CentreApplication)
class CentreApplicationAdmin(admin.ModelAdmin):
    """Decisions are made on the staff page (or the action here), never by editing fields."""

    list_display = ["name", "postcode", "applicant", "status", "submitted_at", "centre"]
    list_filter = ["status", "nation", "organisation_type"]
    search_fields = ["name", "postcode", "town", "applicant__email", "head_email", "officer_email"]
    list_select_related = ["applicant", "centre"]
    autocomplete_fields = ["applicant"]
    filter_horizontal = ["intended_qualifications"]
    readonly_fields = [
        "decide",
        "status",
        "organisation_key",
        "created_at",
        "updated_at",
        "submitted_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "centre",
    ]
    actions = ["approve_selected"]

    @admin.display(description="Decision")
    def decide(self, application):
        if application.status != CentreApplication.Status.SUBMITTED:
            return "—"
        address = reverse("centres:staff-application", args=[application.pk])
        return format_html('<a href="{}">Approve or reject with a reason</a>', address)

    @admin.action(description="Approve the selected submitted applications")
    def approve_selected(self, request, queryset):
        for application in queryset:
            try:
                centre = approve_application(application=application, by=request.user)
            except CentreError as error:
                self.message_user(request, f"{application.name}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{application.name}: centre {centre.number} created.")


# --- Catalogue, qualification approvals, examiner-moderators ----------------------------------


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ["number", "title", "guided_learning_hours", "is_mandatory", "grade_scale"]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = [
        "entry_code",
        "title",
        "qualification_type",
        "level",
        "guided_learning_hours",
        "is_remotely_moderated",
        "available_for_tags",
        "is_active",
    ]
    list_filter = ["qualification_type", "is_remotely_moderated", "available_for_tags", "is_active"]
    search_fields = ["entry_code", "title"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Units are edited with their qualification; this list finds one across the catalogue."""

    list_display = ["qualification", "number", "title", "guided_learning_hours", "is_mandatory"]
    list_filter = ["is_mandatory", "qualification__qualification_type"]
    search_fields = ["number", "title", "qualification__entry_code", "qualification__title"]
    list_select_related = ["qualification"]
    autocomplete_fields = ["qualification"]


@admin.register(QualificationApproval)
class QualificationApprovalAdmin(admin.ModelAdmin):
    """Decisions go through the staff queue (or the action here) so they are audited."""

    list_display = ["centre", "qualification", "status", "requested_at", "decided_at"]
    list_filter = ["status", "qualification__qualification_type"]
    search_fields = ["centre__number", "centre__name", "qualification__entry_code"]
    list_select_related = ["centre", "qualification"]
    autocomplete_fields = ["centre", "qualification"]
    readonly_fields = [
        "decide",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "withdrawn_at",
    ]
    actions = ["approve_selected"]

    @admin.display(description="Decision")
    def decide(self, approval):
        if approval.status != QualificationApproval.Status.REQUESTED:
            return "—"
        address = reverse("centres:staff-approvals") + f"?q={approval.centre.number}"
        return format_html('<a href="{}">Approve or reject with a reason</a>', address)

    @admin.action(description="Approve the selected requests")
    def approve_selected(self, request, queryset):
        for approval in queryset:
            try:
                approve_approval(approval=approval, by=request.user)
            except CentreError as error:
                self.message_user(request, f"{approval}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{approval.qualification} approved.")


@admin.register(ModeratorProfile)
class ModeratorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "capacity", "is_available"]
    list_filter = ["is_available", "qualifications__qualification_type", "qualifications"]
    search_fields = ["user__email", "user__full_name", "qualifications__entry_code"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["qualifications"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.user.is_examiner_moderator:
            obj.user.is_examiner_moderator = True
            obj.user.save(update_fields=["is_examiner_moderator"])


# --- Centre users ----------------------------------------------------------------------------


@admin.register(HeadOfCentre)
class HeadOfCentreAdmin(admin.ModelAdmin):
    """Centre admins keep this up to date on the centre's users page (audited and emailed); the
    person named holds the role only after accepting the emailed link. Who the head is cannot
    be changed here, so no change of head skips the previous head's email or the staff board."""

    list_display = ["centre", "name", "job_title", "email", "user", "updated_at"]
    list_filter = ["centre__status"]
    search_fields = ["centre__number", "centre__name", "name", "email", "user__email"]
    list_select_related = ["centre", "user"]
    readonly_fields = [
        "centre",
        "name",
        "email",
        "user",
        "nominated_at",
        "nominated_by",
        "accepted_at",
        "token",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """The token is the invitee's key: it is never shown."""

    list_display = ["email", "full_name", "centre", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["=email", "^full_name", "=centre__number", "^centre__name"]
    list_select_related = ["centre"]
    exclude = ["token"]
    readonly_fields = ["invited_by", "created_at", "accepted_at"]
    autocomplete_fields = ["centre"]
