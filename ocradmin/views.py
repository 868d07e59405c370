from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.shortcuts import redirect
from django.views import View
from django.views.generic import ListView, TemplateView

from .models import Notification
from .notifications import mark_all_read
from .pages import dashboard, dashboard_tasks, staff_board


class DashboardView(LoginRequiredMixin, TemplateView):
    """What needs doing next, gathered from every app's registered panels."""

    template_name = "ocradmin/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = dashboard.render_list(self.request)
        context["tasks"] = dashboard_tasks.collect(self.request)
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


class MarkNotificationsReadView(LoginRequiredMixin, View):
    def post(self, request):
        mark_all_read(request.user)
        return redirect("notifications")
