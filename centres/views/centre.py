from django.views.generic import ListView, TemplateView

from ocradmin import audit
from ocradmin.models import AuditEvent

from ..filters import AuditEventFilter
from ..tenancy import CentreMixin


class CentreHomeView(CentreMixin, TemplateView):
    template_name = "centres/home.html"
    centre_permission = "centres.view_centre"
    centre_section = "home"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["my_roles"] = [
            m.get_role_display() for m in self.centre.memberships.filter(user=self.request.user)
        ]
        return context


class AuditTrailView(CentreMixin, ListView):
    template_name = "centres/audit.html"
    centre_permission = "centres.view_audit_trail"
    centre_section = "audit"
    paginate_by = 50

    def get_queryset(self):
        events = AuditEvent.objects.filter(centre=self.centre).select_related("actor")
        actions = (
            AuditEvent.objects.filter(centre=self.centre)
            .order_by()
            .values_list("action", flat=True)
            .distinct()
        )
        self.filterset = AuditEventFilter(self.request.GET, queryset=events, actions=actions)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        for event in context["object_list"]:
            event.label = audit.action_label(event.action)
        return context
