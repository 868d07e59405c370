from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import AuditEvent, ClosureDay, Heartbeat, Notification, SentNotice, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "is_staff",
        "is_examiner_moderator",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_staff", "is_examiner_moderator", "is_active", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name"]}),
        ("Roles", {"fields": ["is_active", "is_staff", "is_examiner_moderator", "is_superuser"]}),
        ("Django permissions", {"classes": ["collapse"], "fields": ["groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "centre", "target_repr"]
    list_filter = ["action", "at"]
    search_fields = ["action", "target_repr", "actor__email", "centre__number", "centre__name"]
    list_select_related = ["actor", "centre"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "subject", "read_at", "emailed_at"]
    list_filter = ["read_at", "emailed_at"]
    search_fields = ["subject", "user__email"]
    list_select_related = ["user"]


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["day", "reason"]
    search_fields = ["reason"]
    list_filter = [("day", admin.DateFieldListFilter)]
    date_hierarchy = "day"


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_run_at"]
    search_fields = ["name"]
    list_filter = [("last_run_at", admin.DateFieldListFilter)]


@admin.register(SentNotice)
class SentNoticeAdmin(admin.ModelAdmin):
    """What the deadline scans have sent; read only (a row's presence is what stops a resend)."""

    list_display = ["key", "target_type", "target_id", "recipient", "sent_at"]
    list_filter = ["target_type"]
    search_fields = ["key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
