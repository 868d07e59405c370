from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from . import accounts, registration, twofactor, views
from .converters import CentreNumberConverter, EntryCodeConverter
from .forms import EmailAuthenticationForm, PasswordChangeForm, SetPasswordForm

register_converter(CentreNumberConverter, "centre")
register_converter(EntryCodeConverter, "entry_code")

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path("accounts/register/", registration.RegisterView.as_view(), name="register"),
    path("accounts/register/done/", registration.RegisterDoneView.as_view(), name="register-done"),
    path(
        "accounts/register/confirm/<uidb64>/<token>/",
        registration.RegisterConfirmView.as_view(),
        name="register-confirm",
    ),
    path("accounts/password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", twofactor.AccountView.as_view(), name="account"),
    path("accounts/two-factor/setup/", twofactor.SetupView.as_view(), name="two-factor-setup"),
    path("accounts/two-factor/verify/", twofactor.VerifyView.as_view(), name="two-factor-verify"),
    # Django's password views, with the forms' plain-English messages.
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/<int:pk>/open/",
        views.OpenNotificationView.as_view(),
        name="notification-open",
    ),
    path(
        "notifications/read/", views.MarkNotificationsReadView.as_view(), name="notifications-read"
    ),
    path("staff/", views.StaffBoardView.as_view(), name="staff-board"),
    # Django admin signs in through the same page (password, then the two-factor check).
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
    path("", include("centres.urls")),
    path("", include("entries.urls")),
    path("", include("claims.urls")),
    path("", include("moderation.urls")),
    path("", include("grades.urls")),
]
