from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .admin_search import NationalAdminMixin
from .models import AuditEvent, ClosureDay, Heartbeat, Notification, SentNotice, User
from .templatetags.dates import when


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(NationalAdminMixin, BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    # The flags the roles column shows in words.
    ROLES = [
        ("is_superuser", "superuser"),
        ("is_staff", "staff"),
        ("is_examiner_moderator", "examiner-moderator"),
    ]
    list_display = ["email", "full_name", "roles", "signed_in"]
    list_filter = ["is_staff", "is_examiner_moderator", "is_active", "is_superuser"]
    # Emails are kept in lower case.
    search_lookups = [(None, "email__startswith", str.lower), (None, "full_name__istartswith")]
    search_help_text = "The start of an email address or of a name."
    sortable_by = ["email"]
    list_columns = ["email", "full_name", "last_login", "is_active", *dict(ROLES)]
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

    # In words, one column: three columns of icons were half the page.
    @admin.display(description="Roles")
    def roles(self, user):
        roles = [label for flag, label in self.ROLES if getattr(user, flag)]
        if not user.is_active:
            roles.append("account switched off")
        return ", ".join(roles)

    @admin.display(description="Last signed in")
    def signed_in(self, user):
        return when(user.last_login)

    # Staff may switch accounts on and off; only a superuser hands out staff or superuser
    # status and permissions.
    PRIVILEGE_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += self.PRIVILEGE_FIELDS
        return fields


@admin.register(AuditEvent)
class AuditEventAdmin(NationalAdminMixin, admin.ModelAdmin):
    list_display = ["happened", "action", "actor_email", "centre_number", "target_repr"]
    # No filter by action: listing the actions would read every event.
    list_filter = ["at"]
    search_lookups = [(None, "action"), ("centre", "number"), ("actor", "email__iexact")]
    search_help_text = "An action (e.g. grade.changed), a centre number or a person's email."
    sortable_by = ["happened"]
    list_select_related = ["actor", "centre"]
    list_columns = ["at", "action", "target_repr", "actor__email", "centre__number"]

    @admin.display(description="At", ordering="at")
    def happened(self, event):
        return when(event.at)

    @admin.display(description="By")
    def actor_email(self, event):
        return event.actor.email if event.actor_id else None

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
    search_fields = ["subject", "=user__email"]
    show_full_result_count = False
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
