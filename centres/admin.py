from django.contrib import admin, messages

from .models import Centre, CentreApplication, Membership
from .services import CentreError
from .services.applications import approve_application


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "centre", "role", "created_at"]
    list_filter = ["role", "centre"]
    search_fields = ["user__email", "user__full_name", "centre__number", "centre__name"]
    autocomplete_fields = ["user", "centre"]
    list_select_related = ["user", "centre"]


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

    @admin.action(description="Approve the selected submitted applications")
    def approve_selected(self, request, queryset):
        for application in queryset:
            try:
                centre = approve_application(application=application, by=request.user)
            except CentreError as error:
                self.message_user(request, f"{application.name}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{application.name}: centre {centre.number} created.")
