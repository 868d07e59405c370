"""The review page a page of lines at a time: whole candidates (or units) per page, a unit
larger than a page split across pages, the whole claim's progress on every page, the next
undecided line, and decisions and bulk confirmation that come back to the page they were made
on; the queue's rows and filter written by the view."""

import re
from datetime import timedelta
from html import escape

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimLine, Evidence
from claims.views.rows import claim_status
from moderation.models import LineDecision, Review
from moderation.selectors import (
    LINES_PER_PAGE,
    QUEUE_COLUMNS,
    OutlineLine,
    ReviewOutline,
    line_with_decision,
    prepare_line,
)
from moderation.views.review import line_row
from ocradmin.models import User

from .conftest import big_claim

HTMX = {"HTTP_HX_REQUEST": "true"}


def review_url(claim, query=""):
    return reverse("moderation:claim", args=[claim.pk]) + query


def line_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="line-(\d+)"', response.content.decode())]


def outline(groups, *, per_page=5):
    """An outline of ``groups`` (their sizes), by candidate; the first line of each group
    decided when its size is negative."""
    lines, pk = [], 0
    for group, size in enumerate(groups):
        for i in range(abs(size)):
            pk += 1
            lines.append(OutlineLine(pk, group, i, decided=size < 0 and i == 0))
    return ReviewOutline(lines, by_unit=False, per_page=per_page)


# --- Pages of whole groups --------------------------------------------------------------------


def test_pages_hold_whole_groups_and_split_only_a_group_larger_than_a_page():
    assert outline([2, 2, 2, 2]).pages == [(0, 4), (4, 8)]
    assert outline([3, 3]).pages == [(0, 3), (3, 6)]
    # A group of 12 runs on from where the last group ended, five lines a page.
    assert outline([2, 12, 1]).pages == [(0, 5), (5, 10), (10, 15)]
    assert outline([]).pages == [(0, 0)]


def test_the_next_undecided_line_is_after_this_page_going_round_to_the_start():
    o = outline([-1, 2, 3, 2], per_page=3)  # pages: [0-1 decided, 1-3], [3-6], [6-8]
    assert o.pages == [(0, 3), (3, 6), (6, 8)]
    first_undecided_of_page_3 = o.lines[6].pk
    assert o.next_undecided(2) == (3, first_undecided_of_page_3)
    assert o.next_undecided(3) == (1, o.lines[1].pk)  # round to the start
    everything = ReviewOutline([OutlineLine(1, 1, 1, True)], by_unit=False)
    assert everything.next_undecided(1) is None


# --- The page ---------------------------------------------------------------------------------


@pytest.fixture
def claim(centre, people):
    # 30 candidates x 4 units = 120 lines: 12 candidates (48 lines) a page by candidate, and by
    # unit 30 lines a unit (one unit a page, as two would not fit).
    return big_claim(centre, people["moderator"], 120, units=4, entry_code="05931")


def ordered_lines(claim, *order):
    return list(
        ClaimLine.objects.filter(claim=claim).order_by(*order, "pk").values_list("pk", flat=True)
    )


def test_the_review_is_paginated_by_whole_candidates_with_the_claims_progress(
    client, people, claim
):
    client.force_login(people["moderator"])
    order = ordered_lines(claim, "candidate__candidate_number", "unit__number")
    first = client.get(review_url(claim))
    assert line_ids(first) == order[:48]
    html = first.content.decode()
    assert "0 of 120 lines decided" in html
    assert "Page 1 of 3: lines 1–48 of 120" in html
    assert "Confirm every remaining line" in html
    second = client.get(review_url(claim, "?page=2"))
    assert line_ids(second) == order[48:96]
    last = client.get(review_url(claim, "?page=3"))
    assert line_ids(last) == order[96:]
    # Out of range or not a number: the nearest page.
    assert line_ids(client.get(review_url(claim, "?page=99"))) == order[96:]
    assert line_ids(client.get(review_url(claim, "?page=x"))) == order[:48]


def test_by_unit_a_group_larger_than_a_page_is_split_and_marked(client, people, centre):
    big = big_claim(centre, people["moderator"], 120, units=2, entry_code="05932")
    client.force_login(people["moderator"])
    order = ordered_lines(big, "unit__number", "candidate__candidate_number")
    first = client.get(review_url(big, "?by=unit"))
    assert line_ids(first) == order[:LINES_PER_PAGE]
    assert "Unit 1 continues on the next page" in first.content.decode()
    second = client.get(review_url(big, "?by=unit&page=2")).content.decode()
    assert "Unit 1: " in second and "(continued)" in second
    # The unit's button confirms the whole unit, whichever page shows it: it says how many.
    assert "(60 in all)" in second


def test_the_next_undecided_line_skips_what_is_decided(client, people, claim):
    moderator = people["moderator"]
    order = ordered_lines(claim, "candidate__candidate_number", "unit__number")
    review = Review.objects.create(claim=claim, moderator=moderator)
    LineDecision.objects.bulk_create(
        LineDecision(line_id=pk, review=review, outcome="confirmed", grade="M") for pk in order[:60]
    )
    client.force_login(moderator)
    html = client.get(review_url(claim)).content.decode()
    assert "60 of 120 lines decided" in html
    assert f'href="?page=2#line-{order[60]}">Next undecided line' in html


def test_confirming_a_candidates_lines_comes_back_to_the_same_page(client, people, claim):
    client.force_login(people["moderator"])
    line = ClaimLine.objects.filter(pk=ordered_lines(claim, "candidate__candidate_number")[60])
    candidate = line.get().candidate
    response = client.post(
        reverse("moderation:confirm-remaining", args=[claim.pk]),
        {"candidate": candidate.pk, "page": "2"},
    )
    assert response.url == review_url(claim, "?page=2")
    assert LineDecision.objects.filter(line__candidate=candidate).count() == 4


def test_confirming_every_remaining_line_covers_every_page(client, people, claim):
    client.force_login(people["moderator"])
    response = client.post(
        reverse("moderation:confirm-remaining", args=[claim.pk]), {"page": "3"}, follow=True
    )
    assert "120 lines of the claim confirmed" in response.content.decode()
    assert LineDecision.objects.filter(line__claim=claim).count() == 120
    assert response.redirect_chain[-1][0] == review_url(claim, "?page=3")


def test_a_decision_on_a_later_page_answers_with_the_row_and_the_claims_progress(
    client, people, claim
):
    client.force_login(people["moderator"])
    pk = ordered_lines(claim, "candidate__candidate_number", "unit__number")[100]
    url = reverse("moderation:decide", args=[claim.pk, pk])
    row = client.post(url, {"outcome": "confirmed", "version": "0"}, **HTMX).content.decode()
    assert row.lstrip().startswith(f'<tr id="line-{pk}"') and "1 of 120 lines decided" in row
    # Without JavaScript: back to the page showing the line, at the line.
    other = ordered_lines(claim, "candidate__candidate_number", "unit__number")[101]
    response = client.post(
        reverse("moderation:decide", args=[claim.pk, other]), {"outcome": "confirmed", "version": 0}
    )
    assert response.url == review_url(claim, f"?page=3#line-{other}")
    by_unit = ordered_lines(claim, "unit__number", "candidate__candidate_number")
    response = client.post(
        reverse("moderation:decide", args=[claim.pk, by_unit[-1]]),
        {"outcome": "confirmed", "version": 0, "by": "unit"},
    )
    assert response.url == review_url(claim, f"?by=unit&page=4#line-{by_unit[-1]}")


def test_the_completion_page_counts_the_whole_claim(client, people, claim):
    moderator = people["moderator"]
    review = Review.objects.create(claim=claim, moderator=moderator)
    order = ordered_lines(claim, "candidate__candidate_number")
    LineDecision.objects.create(line_id=order[0], review=review, outcome="confirmed", grade="M")
    client.force_login(moderator)
    html = client.get(reverse("moderation:complete", args=[claim.pk])).content.decode()
    assert "119 lines are not decided yet" in html


# --- A line's row: written by the view for the page, by _line.html for htmx ---------------


def test_a_lines_row_is_what_the_line_template_writes_in_every_state(
    with_moderator, setup, people, moderator
):
    claim = with_moderator
    review = Review.objects.create(claim=claim, moderator=moderator)
    lines = list(ClaimLine.objects.filter(claim=claim).select_related("unit", "candidate"))
    candidate = lines[0].candidate
    candidate.last_name = "O'Brien & <Sons>"
    candidate.save()
    Evidence.objects.create(
        claim=claim,
        candidate=lines[0].candidate,
        unit=lines[0].unit,
        file="evidence/x.pdf",
        original_name='second "<copy>".pdf',
        kind=Evidence.Kind.choices[0][0],
        content_type="application/pdf",
        size=2_345_678,
    )
    Evidence.objects.filter(claim=claim, candidate=lines[3].candidate, unit=lines[3].unit).delete()
    LineDecision.objects.create(line=lines[0], review=review, outcome="confirmed", grade="D")
    LineDecision.objects.create(
        line=lines[1], review=review, outcome="adjusted", grade="P", reason="Weak <b>", version=3
    )
    LineDecision.objects.create(line=lines[2], review=review, outcome="withdrawn", reason="Gone")
    ClaimLine.objects.filter(pk=lines[2].pk).update(released_at=timezone.now())
    urls = {"decide_base": "/d/", "files_base": "/f/"}
    checked, seen = 0, set()
    for pk in [line.pk for line in lines]:
        for typed in (None, {"grade": "D", "reason": "typed <here>"}):
            line = line_with_decision(claim, pk)
            if typed:
                prepare_line(line, **typed)
            for can_act in (True, False):
                for by_unit in (True, False):
                    for message, kind in [
                        ("", ""),
                        ("Confirmed at M.", "saved"),
                        ("No <", "error"),
                    ]:
                        options = {"can_act": can_act, "by_unit": by_unit, "message": message}
                        template = render_to_string(
                            "moderation/_line.html",
                            {**urls, **options, "line": line, "kind": kind, "csrf_token": "t<k"},
                        )
                        row = line_row(line, **options, kind=kind, csrf_token="t<k", **urls)
                        assert row + "\n\n" == template
                        seen.update(
                            s
                            for s in (
                                "No files",
                                "<br>",
                                "Withdrawn",
                                "Adjusted to",
                                "Confirmed <",
                                "Not decided",
                            )
                            if s in row
                        )
                        checked += 1
    assert checked == 4 * 2 * 2 * 2 * 3
    assert len(seen) == 6


def test_the_review_page_shows_each_lines_row(client, with_moderator, moderator):
    client.force_login(moderator)
    html = client.get(review_url(with_moderator)).content.decode()
    for line in ClaimLine.objects.filter(claim=with_moderator):
        assert f'<tr id="line-{line.pk}">' in html
        assert f'hx-post="{review_url(with_moderator)}lines/{line.pk}/"' in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert len(token) == 64


def test_the_review_pages_groups_say_who_or_which_unit_and_confirm_their_lines(
    client, with_moderator, setup, moderator
):
    from entries.models import AccessArrangement

    claim = with_moderator
    candidate = setup["full"]
    candidate.last_name = "O'Brien <&>"
    candidate.save()
    AccessArrangement.objects.create(
        centre=candidate.centre,
        candidate=candidate,
        qualification=setup["qualification"],
        kind=AccessArrangement.Kind.EXTRA_TIME,
        extra_time_percent=25,
        status=AccessArrangement.Status.APPROVED,
        first_assessment_on="2026-06-01",
    )
    unit = setup["units"]["3"]
    ClaimLine.objects.filter(claim=claim, unit=unit).update(released_at=timezone.now())
    client.force_login(moderator)
    html = client.get(review_url(claim)).content.decode()
    confirm = reverse("moderation:confirm-remaining", args=[claim.pk])
    assert (
        f'<h3 class="h6 mb-1" id="group-{candidate.pk}">{candidate.candidate_number} '
        f"O&#x27;Brien &lt;&amp;&gt;, {escape(candidate.first_name)}"
    ) in html
    assert '<span class="small fw-normal">· Access arrangements: Extra time 25%</span>' in html
    assert (
        f'<form method="post" action="{confirm}"><input type="hidden" name="csrfmiddlewaretoken"'
        in html
    )
    assert f'<input type="hidden" name="candidate" value="{candidate.pk}">' in html
    assert (
        f'<span class="visually-hidden"> of candidate {candidate.candidate_number}</span>' in html
    )
    assert (
        f'<caption class="visually-hidden">Candidate {candidate.candidate_number}</caption>' in html
    )
    by_unit = client.get(review_url(claim, "?by=unit")).content.decode()
    assert (
        f'<h3 class="h6 mb-1" id="group-{unit.pk}">Unit 3: {unit.title} '
        '<span class="badge text-bg-secondary">withdrawn</span></h3>'
    ) in by_unit
    assert (
        '<input type="hidden" name="by" value="unit"><input type="hidden" name="unit" '
        f'value="{setup["units"]["1"].pk}">' in by_unit
    )
    assert '<th scope="col">Candidate</th>' in by_unit
    # Staff read the claim but act on none of it.
    client.force_login(User.objects.filter(is_staff=True).first())
    staff = client.get(review_url(claim)).content.decode()
    assert (
        "Confirm the remaining lines" not in staff
        and "csrfmiddlewaretoken" not in staff.split("lines-heading")[1]
    )


# --- The queue --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, extra",
    [
        ("submitted", {"work_due_at": 2}),
        ("submitted", {"work_due_at": -2}),
        ("work_sent", {"work_sent_at": -1}),
        ("with_moderator", {}),
        ("moderated", {"moderated_at": -1, "moderation_outcome": "adjusted"}),
        ("withdrawn", {"withdrawn_at": -1}),
    ],
)
def test_the_queues_status_cell_says_what_the_claims_status_template_says(
    centre, people, status, extra
):
    now = timezone.now()
    claim = big_claim(centre, people["moderator"], 1, units=1)
    for name, value in extra.items():
        setattr(claim, name, value if isinstance(value, str) else now + timedelta(days=value))
    claim.status = status
    template = render_to_string("claims/_status.html", {"claim": claim, "now": now})
    row = {name: getattr(claim, name) for name in QUEUE_COLUMNS if "__" not in name}
    assert " ".join(claim_status(row, now).split()) == " ".join(template.split())


def test_staff_filter_the_queue_by_centre_number(client, people, centre, other_centre):
    mine = big_claim(centre, people["moderator"], 5, units=1, entry_code="05933")
    theirs = big_claim(other_centre, people["moderator"], 5, units=1, entry_code="05934")
    client.force_login(people["staff"])
    url = reverse("moderation:queue")
    html = client.get(url, {"centre": other_centre.number}).content.decode()
    assert 'name="centre" id="id_centre"' in html and 'type="text"' in html
    assert theirs.number in html and mine.number not in html
    client.force_login(people["moderator"])
    html = client.get(url, {"centre": "not-a-centre"}).content.decode()
    assert 'aria-invalid="true"' in html and "Choose the centre from the list" in html
    assert f'<option value="{centre.pk}">{centre.number} {centre.name}</option>' in html


def test_the_queue_is_paginated(client, people, centre):
    moderator = people["moderator"]
    claims = [big_claim(centre, moderator, 1, units=1, entry_code=f"059{n:02d}") for n in range(52)]
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(results_due_on=timezone.now().date())
    client.force_login(moderator)
    first = client.get(reverse("moderation:queue")).content.decode()
    second = client.get(reverse("moderation:queue"), {"page": 2}).content.decode()
    shown = [c.number for c in claims if c.number in first]
    rest = [c.number for c in claims if c.number in second]
    assert len(shown) == 50 and len(rest) == 2 and not set(shown) & set(rest)
