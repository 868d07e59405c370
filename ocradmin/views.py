from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView, TemplateView

from .models import Notification
from .notifications import mark_all_read
from .pages import dashboard, dashboard_tasks, staff_board, time_left


class DashboardView(LoginRequiredMixin, TemplateView):
    """What the signed-in person should do next: every app's tasks for them, most urgent first,
    each a link to where it is done with its deadline and the time left; then the panels that
    are not tasks (unread notifications, their centres)."""

    template_name = "ocradmin/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        user = self.request.user
        context["tasks"] = [
            {"task": task, **time_left(task, now)} for task in dashboard_tasks.collect(self.request)
        ]
        context["panels"] = panels = dashboard.render_list(self.request)
        # For the page's caption and, with no tasks, what will appear here and when (the task
        # sources have read the memberships already: centres.selectors.memberships_of).
        memberships = list(user.memberships.all())
        context["roles"] = sorted({m.get_role_display() for m in memberships})
        context["has_centre_role"] = bool(memberships)
        context["has_application"] = any(p["key"] == "my_applications" for p in panels)
        return context


class StaffRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    raise_exception = False

    def test_func(self):
        return self.request.user.is_staff

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()


class StaffBoardView(StaffRequiredMixin, TemplateView):
    """Every deadline clock and every queue waiting for staff."""

    template_name = "ocradmin/staff_board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = staff_board.render_list(self.request)
        return context


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "ocradmin/notifications.html"
    paginate_by = 25

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user)


class OpenNotificationView(LoginRequiredMixin, View):
    """A notification's link: marks it read and goes to what it is about (the notifications
    page when it names nothing, or names somewhere off this site)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, user=request.user)
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
        target = notification.url
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("notifications")


class MarkNotificationsReadView(LoginRequiredMixin, View):
    def post(self, request):
        mark_all_read(request.user)
        return redirect("notifications")
