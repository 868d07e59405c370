from django.contrib import admin

from .models import Centre, Membership


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
