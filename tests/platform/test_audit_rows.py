"""The centre's audit trail: its rows are written by the view (``event_row``) as the template
wrote them, escaped."""

import pytest
from django.db import transaction
from django.template import Context, Template
from django.urls import reverse

from centres.views.centre import event_row
from ocradmin import audit
from ocradmin.models import AuditEvent

DETAILS = Template(
    "{% for k, v in data.items %}{{ k }}: {{ v }}{% if not forloop.last %}; {% endif %}{% endfor %}"
)


def test_an_events_details_are_written_as_the_template_wrote_them():
    data = {"grade": "<D>", "n": 3, "ok": True, "none": None, "list": ["a", "b"], "x": 1.5}
    row = event_row(
        {
            "at": None,
            "actor__email": None,
            "action": "grade.changed",
            "target_repr": "<t>",
            "data": data,
        }
    )
    expected = DETAILS.render(Context({"data": data}))
    assert f'<td class="small">{expected}</td>' in row
    assert "<td>system</td>" in row and "<td>&lt;t&gt;</td>" in row
    assert f"<td>{audit.action_label('grade.changed')}</td>" in row


@pytest.mark.django_db
def test_the_trail_shows_each_event(login, people, centre):
    with transaction.atomic():
        audit.record(
            actor=people["centre_admin"],
            action="grade.changed",
            centre=centre,
            data={"from": "P", "to": "M"},
        )
    html = login(people["centre_admin"]).get(reverse("centres:audit", args=[centre.number]))
    content = html.content.decode()
    event = AuditEvent.objects.filter(centre=centre).latest("pk")
    assert (
        event_row(
            {
                "at": event.at,
                "actor__email": people["centre_admin"].email,
                "action": event.action,
                "target_repr": event.target_repr,
                "data": event.data,
            }
        )
        in content
    )
    # The details in the order the database keeps them (PostgreSQL's jsonb: shorter keys first).
    assert "from: P" in content and "to: M" in content
