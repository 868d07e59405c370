from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from . import registration, views
from .converters import CentreNumberConverter, EntryCodeConverter
from .forms import EmailAuthenticationForm

register_converter(CentreNumberConverter, "centre")
register_converter(EntryCodeConverter, "entry_code")

admin.site.site_header = "ocradmin administration"
admin.site.site_title = "ocradmin admin"

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
    path("accounts/", include("django.contrib.auth.urls")),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/read/", views.MarkNotificationsReadView.as_view(), name="notifications-read"
    ),
    path("staff/", views.StaffBoardView.as_view(), name="staff-board"),
    path("admin/", admin.site.urls),
    path("", include("centres.urls")),
    path("", include("entries.urls")),
    path("", include("claims.urls")),
    path("", include("grades.urls")),
]
