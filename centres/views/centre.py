from html import escape

from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.views.generic import ListView, TemplateView

from ocradmin import audit
from ocradmin.models import AuditEvent
from ocradmin.templatetags import dates

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
        events = AuditEvent.objects.filter(centre=self.centre)
        actions = (
            AuditEvent.objects.filter(centre=self.centre)
            .order_by()
            .values_list("action", flat=True)
            .distinct()
        )
        self.filterset = AuditEventFilter(self.request.GET, queryset=events, actions=actions)
        return self.filterset.qs.values(*_EVENT_COLUMNS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        # The rows are written here (``event_row``), not by the template cell by cell.
        context["rows"] = [event_row(event) for event in context["object_list"]]
        return context


_EVENT_COLUMNS = ["at", "actor__email", "action", "target_repr", "data"]

_EVENT_ROW = """<tr>
      <td>{at}</td>
      <td>{actor}</td>
      <td>{label}</td>
      <td>{target}</td>
      <td class="small">{details}</td>
    </tr>"""


def event_row(event) -> str:
    """An event's row of the trail (a dict of ``_EVENT_COLUMNS``), escaped; its details are
    written as the template wrote them (``key: value; …``, each value as ``{{ v }}`` shows
    it)."""
    data = event["data"]
    details = (
        "; ".join(f"{escape(str(k))}: {escape(str(localize(v)))}" for k, v in data.items())
        if isinstance(data, dict)
        else ""
    )
    return mark_safe(
        _EVENT_ROW.format(
            at=dates.time_element(event["at"]),
            actor=escape(event["actor__email"] or "system"),
            label=escape(audit.action_label(event["action"])),
            target=escape(event["target_repr"]),
            details=details,
        )
    )
