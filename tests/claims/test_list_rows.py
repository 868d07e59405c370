"""The centre's claims list: its rows are written by the view (``claims.views.rows``) and say
what the template they replace said."""

import re
from html import escape

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from claims.services.claims import add_line, start_claim, submit_claim
from claims.views.rows import claim_status


def _text(html: str) -> str:
    return " ".join(html.split())


def test_the_list_writes_each_claims_row(client, centre, people, setup):
    teacher = people["teacher"]
    teacher.full_name = "Danny O'Sullivan"  # a name the page must escape
    teacher.save(update_fields=["full_name"])
    draft = start_claim(centre=centre, qualification=setup["qualification"], by=teacher)
    add_line(claim=draft, candidate=setup["full"], unit=setup["units"]["1"], grade="D", by=teacher)
    submitted = submit_claim(claim=draft, declaration=True, by=teacher)
    other = start_claim(centre=centre, qualification=setup["qualification"], by=teacher)
    Claim.objects.filter(pk=other.pk).update(built_by=None)
    client.force_login(people["centre_admin"])
    html = client.get(reverse("claims:list", args=[centre.number])).content.decode()
    rows = re.findall(r"<tr>\s*<td><a href=\"([^\"]+)\">(.*?)</tr>", html, re.S)
    assert [url for url, _ in rows] == [
        reverse("claims:claim", args=[centre.number, other.pk]),
        reverse("claims:claim", args=[centre.number, submitted.pk]),
    ]
    draft_row, submitted_row = (_text(row) for _, row in rows)
    assert draft_row.startswith("Draft started ") and "<td>—</td>" in draft_row
    assert "<td>0</td> <td>0</td>" in draft_row
    assert submitted_row.startswith(f"{submitted.number}</a>")
    assert f"<td>1</td> <td>1</td> <td>{escape(teacher.get_full_name())}</td>" in submitted_row
    claim = Claim.objects.get(pk=submitted.pk)
    status = render_to_string("claims/_status.html", {"claim": claim, "now": timezone.now()})
    assert _text(status).split(" <span")[0] in submitted_row


def test_a_status_cell_escapes_what_it_shows():
    row = {"status": "<b>", "moderation_outcome": "", "work_sent_at": None}
    assert claim_status(row, timezone.now()) == "&lt;b&gt;\n"
