"""Staff moving moderation work: a claim, or a centre's qualification with its live claims, to
another examiner-moderator — every move and every refusal, the audit trail, and exactly who is
told; the separation of duties; the load page, the queue, the confirmation page."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centres.models import Membership, Role
from claims.models import Claim
from entries.models import ModeratorAllocation
from moderation.models import Review
from moderation.services.staff import (
    ReallocationError,
    moderator_load,
    moderator_loads,
    reallocate_allocation,
    reallocate_claim,
)
from ocradmin.models import AuditEvent, Notification, User

from .staff_world import make_claim, moderator, world

REASON = "Ada is on leave until July."


@pytest.fixture
def w(centre, people):
    return world(centre, people)


@pytest.fixture
def claim(w, centre):
    return make_claim(centre, w["qualification"], w["first"], lines=3)


def told():
    """``{email: [subjects]}`` of every notification."""
    result = {}
    for email, subject in Notification.objects.order_by("pk").values_list("user__email", "subject"):
        result.setdefault(email, []).append(subject)
    return result


def unchanged(claim, moderator):
    claim.refresh_from_db()
    assert claim.moderator == moderator
    assert not AuditEvent.objects.filter(action__endswith="reallocated").exists()
    assert not Notification.objects.exists()


# --- A claim --------------------------------------------------------------------------------


def test_a_claim_moves_audited_and_both_moderators_and_the_centre_admins_are_told(w, claim, people):
    reallocate_claim(claim=claim, to=w["second"], reason=REASON, by=people["staff"])

    claim.refresh_from_db()
    assert claim.moderator == w["second"]
    event = AuditEvent.objects.get(action="claim.reallocated")
    assert event.actor == people["staff"] and event.target_id == str(claim.pk)
    assert event.data == {"from": w["first"].pk, "to": w["second"].pk, "reason": REASON}
    notices = told()
    assert sorted(notices) == sorted(
        ["moderator@ocradmin.example", "second@ocradmin.example", "officer@northfield.example"]
    )
    assert notices["moderator@ocradmin.example"] == [
        f"Claim {claim.number} has moved to another examiner-moderator"
    ]
    assert notices["second@ocradmin.example"] == [
        f"Claim {claim.number} from centre 12345 is now yours to moderate"
    ]
    assert notices["officer@northfield.example"] == [
        f"Claim {claim.number} has a new examiner-moderator"
    ]
    body = Notification.objects.get(user=w["second"]).body
    assert REASON in body and "Ada First" in body
    # The centre is not shown the staff's reason.
    assert REASON not in Notification.objects.get(user=people["centre_admin"]).body
    # The centre's allocation stays: only this claim moved.
    assert ModeratorAllocation.objects.get(pk=w["allocation"].pk).moderator == w["first"]


def test_an_open_review_moves_with_its_claim(w, claim, people):
    review = Review.objects.create(claim=claim, moderator=w["first"])
    reallocate_claim(claim=claim, to=w["second"], reason=REASON, by=people["staff"])
    review.refresh_from_db()
    assert review.moderator == w["second"]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("same", "already with Ada First"),
        ("role at the centre", "holds a role at centre 12345"),
        ("built it", "built or submitted this work"),
        ("no capacity", "has 1 live claim; a moderator holds at most 1"),
        ("another qualification", "does not moderate 05840"),
        ("not available", "not available to moderate"),
        ("no reason", "Give the reason"),
        ("completed", "is moderated; only a live claim can move"),
        ("withdrawn", "is withdrawn; only a live claim can move"),
        ("not a moderator", "Choose an active examiner-moderator"),
    ],
)
def test_refusals_change_nothing(w, centre, claim, people, settings, case, message):
    to, reason = w["second"], REASON
    if case == "same":
        to = w["first"]
    elif case == "role at the centre":
        to = w["insider"]
    elif case == "built it":
        to = moderator("builder@ocradmin.example", w["qualification"])
        Claim.objects.filter(pk=claim.pk).update(built_by=to)
    elif case == "no capacity":
        settings.MODERATION_LIVE_CLAIMS_PER_MODERATOR = 1
        make_claim(centre, w["qualification"], w["second"], status=Claim.Status.SUBMITTED)
    elif case == "another qualification":
        w["second"].moderator_profile.qualifications.clear()
    elif case == "not available":
        w["second"].moderator_profile.is_available = False
        w["second"].moderator_profile.save()
    elif case == "no reason":
        reason = "   "
    elif case == "completed":
        Claim.objects.filter(pk=claim.pk).update(
            status=Claim.Status.MODERATED,
            moderated_at=claim.submitted_at,
            moderation_outcome="adjusted",
        )
    elif case == "withdrawn":
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.WITHDRAWN)
    elif case == "not a moderator":
        to = people["centre_admin"]
    with pytest.raises(ReallocationError, match=message):
        reallocate_claim(claim=claim, to=to, reason=reason, by=people["staff"])
    unchanged(claim, w["first"])


def test_moving_twice_from_the_same_page_moves_once(w, claim, people):
    """The confirmation page carries the moderator staff saw; a second submit is refused."""
    reallocate_claim(
        claim=claim,
        to=w["second"],
        reason=REASON,
        by=people["staff"],
        expected_from_id=w["first"].pk,
    )
    third = moderator("third@ocradmin.example", w["qualification"], name="Dee Third")
    with pytest.raises(ReallocationError, match="has moved since this page was opened"):
        reallocate_claim(
            claim=claim, to=third, reason=REASON, by=people["staff"], expected_from_id=w["first"].pk
        )
    with pytest.raises(ReallocationError, match="already with Bea Second"):
        reallocate_claim(claim=claim, to=w["second"], reason=REASON, by=people["staff"])
    claim.refresh_from_db()
    assert claim.moderator == w["second"]
    assert AuditEvent.objects.filter(action="claim.reallocated").count() == 1


# --- A centre's qualification ---------------------------------------------------------------


def test_an_allocation_moves_with_the_live_claims_its_moderator_holds(w, centre, people):
    live = [
        make_claim(centre, w["qualification"], w["first"], status=Claim.Status.SUBMITTED),
        make_claim(centre, w["qualification"], w["first"], status=Claim.Status.WITH_MODERATOR),
    ]
    done = make_claim(centre, w["qualification"], w["first"], status=Claim.Status.MODERATED)
    elsewhere = make_claim(centre, w["qualification"], w["second"])

    allocation, moved = reallocate_allocation(
        allocation=w["allocation"], to=w["second"], reason=REASON, by=people["staff"]
    )

    assert moved == 2
    assert allocation.moderator == w["second"]
    assert ModeratorAllocation.objects.get(pk=allocation.pk).moderator == w["second"]
    assert {c.moderator_id for c in Claim.objects.filter(pk__in=[c.pk for c in live])} == {
        w["second"].pk
    }
    assert Claim.objects.get(pk=done.pk).moderator == w["first"]  # finished work stays
    assert Claim.objects.get(pk=elsewhere.pk).moderator == w["second"]
    event = AuditEvent.objects.get(action="moderator.reallocated")
    assert event.data["claims"] == 2 and event.data["reason"] == REASON
    assert AuditEvent.objects.filter(action="claim.reallocated").count() == 2
    notices = told()
    assert sorted(notices) == sorted(
        ["moderator@ocradmin.example", "second@ocradmin.example", "officer@northfield.example"]
    )
    assert all(len(subjects) == 1 for subjects in notices.values())
    to_body = Notification.objects.get(user=w["second"]).body
    assert live[0].number in to_body and live[1].number in to_body


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("same", "already with Ada First"),
        ("role at the centre", "holds a role at centre 12345"),
        ("allocations full", "already holds 1 of their 1 centre allocations"),
        ("claims full", "no room for 1 more"),
        ("twice", "has moved since this page was opened"),
    ],
)
def test_allocation_refusals_change_nothing(w, centre, people, settings, case, message):
    claim = make_claim(centre, w["qualification"], w["first"])
    to, expected = w["second"], w["first"].pk
    if case == "same":
        to = w["first"]
    elif case == "role at the centre":
        to = w["insider"]
    elif case == "allocations full":
        w["second"].moderator_profile.capacity = 1
        w["second"].moderator_profile.save()
        ModeratorAllocation.objects.create(
            centre=people["other_centre_admin"].memberships.get().centre,
            qualification=w["qualification"],
            moderator=w["second"],
        )
    elif case == "claims full":
        settings.MODERATION_LIVE_CLAIMS_PER_MODERATOR = 1
        make_claim(centre, w["qualification"], w["second"])
    elif case == "twice":
        expected = w["second"].pk
    with pytest.raises(ReallocationError, match=message):
        reallocate_allocation(
            allocation=w["allocation"],
            to=to,
            reason=REASON,
            by=people["staff"],
            expected_from_id=expected,
        )
    assert ModeratorAllocation.objects.get(pk=w["allocation"].pk).moderator == w["first"]
    unchanged(claim, w["first"])


# --- The pages ------------------------------------------------------------------------------


def test_the_load_page_shows_each_moderators_figures_against_capacity(
    client, w, centre, people, settings
):
    settings.MODERATION_LIVE_CLAIMS_PER_MODERATOR = 30
    make_claim(centre, w["qualification"], w["first"], status=Claim.Status.SUBMITTED, lines=2)
    make_claim(centre, w["qualification"], w["first"], lines=3)
    make_claim(centre, w["qualification"], w["first"], status=Claim.Status.MODERATED, lines=4)
    first = moderator_load(w["first"].pk)
    assert (first.submitted, first.work_sent, first.with_moderator) == (1, 0, 1)
    assert first.live_claims == 2 and first.moderated == 1
    assert first.lines_waiting == 3  # the lines of the claim whose work has arrived
    assert first.allocation_count == 1

    client.force_login(people["staff"])
    page = client.get(reverse("moderation:staff-load")).content.decode()
    assert "2 of 30" in page and "Ada First" in page and "Bea Second" in page
    assert "at most <strong>30 live claims</strong>" in page


def test_the_load_page_sorts(client, w, centre, people):
    make_claim(centre, w["qualification"], w["second"])
    make_claim(centre, w["qualification"], w["second"])
    make_claim(centre, w["qualification"], w["first"])
    client.force_login(people["staff"])
    url = reverse("moderation:staff-load")
    busiest = list(client.get(url).context["moderators"])
    assert [m.full_name for m in busiest][:2] == ["Bea Second", "Ada First"]
    by_name = list(client.get(url, {"sort": "name", "dir": "asc"}).context["moderators"])
    assert [m.full_name for m in by_name][:3] == ["Ada First", "Bea Second", "Cal Insider"]
    # Unknown keys fall back to the default sort rather than failing.
    assert client.get(url, {"sort": "password", "dir": "sideways"}).status_code == 200


def test_the_load_page_is_one_query_whatever_the_number_of_moderators(client, w, centre, people):
    client.force_login(people["staff"])
    url = reverse("moderation:staff-load")

    def queries():
        cache.clear()  # the figures are kept for a minute; work them out now
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n in range(12):
        mod = moderator(f"m{n}@ocradmin.example", w["qualification"])
        make_claim(centre, w["qualification"], mod, lines=2)
    assert queries() == few


def test_lines_waiting_are_the_undecided_lines_still_in_claims_whose_work_arrived(w, centre):
    from moderation.models import LineDecision

    claim = make_claim(centre, w["qualification"], w["first"], lines=4)
    make_claim(centre, w["qualification"], w["first"], status=Claim.Status.WORK_SENT, lines=2)
    make_claim(centre, w["qualification"], w["first"], status=Claim.Status.SUBMITTED, lines=5)
    make_claim(centre, w["qualification"], w["first"], status=Claim.Status.MODERATED, lines=3)
    review = Review.objects.create(claim=claim, moderator=w["first"])
    confirmed, withdrawn = claim.lines.order_by("pk")[:2]
    LineDecision.objects.create(line=confirmed, review=review, outcome="confirmed", grade="M")
    LineDecision.objects.create(line=withdrawn, review=review, outcome="withdrawn", reason="x")
    claim.lines.filter(pk=withdrawn.pk).update(released_at=timezone.now())
    assert moderator_load(w["first"].pk).lines_waiting == 2 + 2
    assert moderator_load(w["second"].pk).lines_waiting == 0


def test_the_load_page_is_paginated_and_sorted_across_pages(client, w, centre, people):
    for n in range(52):
        moderator(f"m{n:02d}@ocradmin.example", w["qualification"], name=f"Moderator {n:02d}")
    last = User.objects.get(email="m51@ocradmin.example")
    make_claim(centre, w["qualification"], last, lines=3)
    make_claim(centre, w["qualification"], w["second"], lines=2)
    client.force_login(people["staff"])
    url = reverse("moderation:staff-load")
    by_name = client.get(url, {"sort": "name", "dir": "asc"})
    assert len(by_name.context["moderators"]) == 50
    rest = client.get(url, {"sort": "name", "dir": "asc", "page": 2}).context["moderators"]
    # Ada, Bea and Cal, then Moderator 00 to 51: 55 in all, the last five on page 2.
    assert [m.full_name for m in rest] == [f"Moderator {n}" for n in range(47, 52)]
    assert rest[-1].lines_waiting == 3 and rest[-1].live_claims == 1
    by_lines = list(client.get(url, {"sort": "lines"}).context["moderators"])
    assert [(m.full_name, m.lines_waiting) for m in by_lines[:2]] == [
        ("Moderator 51", 3),
        ("Bea Second", 2),
    ]
    # No results dates yet: by name; the lines of page 2's moderators are read for page 2.
    by_due = client.get(url, {"sort": "due", "page": 2}).context["moderators"]
    assert {m.full_name: m.lines_waiting for m in by_due}["Moderator 51"] == 3


def test_the_queue_page_lists_allocations_and_claims_with_moves(client, w, centre, people):
    claim = make_claim(centre, w["qualification"], w["first"])
    done = make_claim(centre, w["qualification"], w["first"], status=Claim.Status.MODERATED)
    client.force_login(people["staff"])
    page = client.get(reverse("moderation:staff-moderator", args=[w["first"].pk]))
    html = page.content.decode()
    assert reverse("moderation:staff-reallocate-claim", args=[claim.pk]) in html
    assert reverse("moderation:staff-reallocate-claim", args=[done.pk]) not in html
    assert reverse("moderation:staff-reallocate-allocation", args=[w["allocation"].pk]) in html
    assert (
        client.get(reverse("moderation:staff-moderator", args=[people["teacher"].pk])).status_code
        == 404
    )


def test_the_form_then_the_confirmation_page_then_the_move(client, w, claim, people):
    client.force_login(people["staff"])
    url = reverse("moderation:staff-reallocate-claim", args=[claim.pk])
    form = client.get(url).content.decode()
    assert "Bea Second" in form
    assert "Cal Insider" not in form  # a role at the centre: not offered
    data = {"to": w["second"].pk, "reason": REASON, "moderator": w["first"].pk}

    confirm = client.post(url, data)
    assert confirm.status_code == 200
    assert "Move it" in confirm.content.decode()
    claim.refresh_from_db()
    assert claim.moderator == w["first"]  # nothing moves before confirming

    done = client.post(url, {**data, "confirm": "yes"})
    assert done.status_code == 302
    assert done["Location"] == reverse("moderation:staff-moderator", args=[w["first"].pk])
    claim.refresh_from_db()
    assert claim.moderator == w["second"]

    again = client.post(url, {**data, "confirm": "yes"})  # the button pressed twice
    assert again.status_code == 200
    assert "has moved since this page was opened" in again.content.decode()
    assert AuditEvent.objects.filter(action="claim.reallocated").count() == 1


def test_bad_input_is_explained_and_nothing_moves(client, w, claim, people):
    client.force_login(people["staff"])
    url = reverse("moderation:staff-reallocate-claim", args=[claim.pk])
    page = client.post(url, {"to": "", "reason": "", "moderator": w["first"].pk})
    html = page.content.decode()
    assert "There is a problem" in html
    assert "Choose the moderator to move it to." in html
    assert "Give the reason for the move" in html
    refused = client.post(
        url, {"to": w["insider"].pk, "reason": REASON, "moderator": w["first"].pk, "confirm": "yes"}
    )
    assert "holds a role at centre 12345" in refused.content.decode()
    unchanged(claim, w["first"])


def test_an_allocation_moves_through_its_pages(client, w, centre, people):
    claim = make_claim(centre, w["qualification"], w["first"])
    client.force_login(people["staff"])
    url = reverse("moderation:staff-reallocate-allocation", args=[w["allocation"].pk])
    data = {"to": w["second"].pk, "reason": REASON, "moderator": w["first"].pk}
    confirm = client.post(url, data).content.decode()
    assert claim.number in confirm and "Move it" in confirm
    assert client.post(url, {**data, "confirm": "yes"}).status_code == 302
    claim.refresh_from_db()
    assert claim.moderator == w["second"]


def test_a_draft_claim_has_no_move_page(client, w, centre, people):
    draft = Claim.objects.create(centre=centre, qualification=w["qualification"])
    client.force_login(people["staff"])
    url = reverse("moderation:staff-reallocate-claim", args=[draft.pk])
    assert client.get(url).status_code == 404


# --- Who may see the pages ------------------------------------------------------------------

STAFF_PAGES = [
    ("moderation:staff-load", "get", lambda w, c: []),
    ("moderation:staff-moderator", "get", lambda w, c: [w["first"].pk]),
    ("moderation:staff-reallocate-claim", "get", lambda w, c: [c.pk]),
    ("moderation:staff-reallocate-claim", "post", lambda w, c: [c.pk]),
    ("moderation:staff-reallocate-allocation", "get", lambda w, c: [w["allocation"].pk]),
    ("moderation:staff-reallocate-allocation", "post", lambda w, c: [w["allocation"].pk]),
    ("moderation:staff-results", "get", lambda w, c: []),
]


def test_every_staff_moderation_url_is_in_the_matrix():
    from django.urls import get_resolver

    from ..test_permissions import _walk

    named = {
        name
        for route, name, _ in _walk(get_resolver().url_patterns)
        if route.startswith("staff/moderation/")
    }
    assert named == {name for name, _, _ in STAFF_PAGES}


@pytest.mark.parametrize(
    ("name", "method", "args"), STAFF_PAGES, ids=[f"{n} {m}" for n, m, _ in STAFF_PAGES]
)
def test_staff_moderation_pages_are_for_staff_only(client, w, claim, people, name, method, args):
    url = reverse(name, args=args(w, claim))
    assert getattr(client, method)(url).status_code == 302  # anonymous: sign in
    for person in ["centre_admin", "teacher", "head_of_centre", "moderator", "outsider"]:
        client.force_login(people[person])
        assert getattr(client, method)(url).status_code == 403, person
    client.force_login(people["staff"])
    assert getattr(client, method)(url).status_code == 200
    claim.refresh_from_db()
    assert claim.moderator == w["first"]  # a POST without the form's fields moved nothing


def test_the_staff_board_lists_work_that_breaks_the_separation_of_duties(client, w, centre, people):
    client.force_login(people["staff"])
    claim = make_claim(centre, w["qualification"], w["first"])
    assert "separation of duties broken" not in client.get("/staff/").content.decode()

    # A role at the centre given after the allocation: the allocation and its claim conflict.
    Membership.objects.create(user=w["first"], centre=centre, role=Role.TEACHER)
    board = client.get("/staff/").content.decode()
    assert "separation of duties broken" in board
    assert reverse("moderation:staff-reallocate-allocation", args=[w["allocation"].pk]) in board
    assert reverse("moderation:staff-reallocate-claim", args=[claim.pk]) in board

    # Moving the centre's qualification away clears it.
    reallocate_allocation(
        allocation=w["allocation"], to=w["second"], reason=REASON, by=people["staff"]
    )
    assert "separation of duties broken" not in client.get("/staff/").content.decode()

    # A claim its moderator built.
    built = make_claim(centre, w["qualification"], w["second"], built_by=w["second"])
    board = client.get("/staff/").content.decode()
    assert reverse("moderation:staff-reallocate-claim", args=[built.pk]) in board


@pytest.mark.parametrize("page", ["queue", "results"])
def test_the_lists_take_the_same_queries_for_1_and_12_claims(client, w, centre, people, page):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(people["staff"])
    url = {
        "queue": reverse("moderation:staff-moderator", args=[w["first"].pk]),
        "results": reverse("moderation:staff-results"),
    }[page]
    today = timezone.localdate()

    def add(n):
        for i in range(n):
            make_claim(
                centre,
                w["qualification"],
                w["first"],
                results_due_on=today + timedelta(days=i * 3 - 5),
                lines=2,
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add(1)
    client.get(url)  # the working-day calendar's closure days, read once and cached
    one = queries()
    add(11)
    assert queries() == one


# --- The rows the views write ---------------------------------------------------------------

# The load page's row as its template wrote it, before the view wrote it (``load_row``).
LOAD_ROW_TEMPLATE = """<tr>
      <td><a href="{% url 'moderation:staff-moderator' m.pk %}">{{ m.get_full_name }}</a><br><span class="small text-muted">{{ m.email }}</span>{% if not m.is_active %} <span class="badge text-bg-secondary">deactivated</span>{% endif %}{% if m.moderator_profile and not m.moderator_profile.is_available %} <span class="badge text-bg-secondary">not available</span>{% endif %}</td>
      <td class="{% if m.moderator_profile and m.allocation_count >= m.moderator_profile.capacity %}deadline-breach{% endif %}">{{ m.allocation_count }} of {{ m.moderator_profile.capacity|default:"—" }}</td>
      <td>{{ m.submitted }} / {{ m.work_sent }} / {{ m.with_moderator }}</td>
      <td class="{% if m.live_claims >= claim_capacity %}deadline-breach{% endif %}">{{ m.live_claims }} of {{ claim_capacity }}</td>
      <td>{{ m.lines_waiting }}</td>
      <td>{% if m.nearest_due %}<span class="{% if m.nearest_due < today %}deadline-breach{% endif %}">{{ m.nearest_due|when }}</span>{% else %}—{% endif %}</td>
    </tr>"""  # noqa: E501


def test_the_load_pages_rows_say_what_its_template_said(w, centre, other_centre, people):
    from django.template import Context, Template

    from moderation.views.staff import load_row
    from ocradmin.links import row_link

    today = timezone.localdate()
    full = moderator("full@ocradmin.example", w["qualification"], capacity=1, name="O'Neil <Q>")
    full.moderator_profile.is_available = False
    full.moderator_profile.save()
    gone = moderator("gone@ocradmin.example", w["qualification"], capacity=0)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    bare = User.objects.create(email="bare@ocradmin.example", is_examiner_moderator=True)
    ModeratorAllocation.objects.create(
        centre=other_centre, qualification=w["qualification"], moderator=full
    )
    make_claim(centre, w["qualification"], full, results_due_on=today - timezone.timedelta(days=1))
    make_claim(centre, w["qualification"], w["second"], results_due_on=today)
    make_claim(centre, w["qualification"], bare, status=Claim.Status.SUBMITTED)
    template = Template("{% load dates %}" + LOAD_ROW_TEMPLATE)
    link = row_link("moderation:staff-moderator")
    for capacity in (1, 2):
        for m in moderator_loads(ids=[full.pk, gone.pk, bare.pk, w["second"].pk, w["first"].pk]):
            context = {"m": m, "claim_capacity": capacity, "today": today}
            assert load_row(m, link, capacity, today) == template.render(Context(context)), m


@pytest.mark.parametrize("left", [None, -12, -1, 0, 1, 5, 6, 21])
def test_the_results_clocks_state_says_what_the_claim_state_template_says(left):
    from django.template.loader import render_to_string

    from moderation.views.staff import claim_state

    overdue = None if left is None else max(-left, 0)
    claim = Claim(number="x")
    claim.working_days_left, claim.working_days_overdue = left, overdue
    template = render_to_string("moderation/staff/_claim_state.html", {"claim": claim})
    assert claim_state(left, overdue) == template.strip()


# The results clock's row as its template wrote it, before the view wrote it (``results_row``).
RESULTS_ROW_TEMPLATE = """<tr>
      <td><a href="{% url 'claims:claim' claim.centre.number claim.pk %}">{{ claim.number }}</a></td>
      <td>{{ claim.centre.number }} {{ claim.centre.name }}</td>
      <td>{{ claim.qualification.entry_code }}</td>
      <td>{% if claim.moderator %}<a href="{% url 'moderation:staff-moderator' claim.moderator.pk %}">{{ claim.moderator.get_full_name }}</a>{% else %}—{% endif %}</td>
      <td>{{ claim.work_received_at|when|default:"—" }}</td>
      <td>{{ claim.results_due_on|when }}<br><span class="small">{% include "moderation/staff/_claim_state.html" %}</span></td>
      <td><a href="{% url 'moderation:staff-reallocate-claim' claim.pk %}">Move<span class="visually-hidden"> claim {{ claim.number }}</span></a></td>
    </tr>"""  # noqa: E501


def test_the_results_clocks_rows_say_what_its_template_said(client, w, centre, people):
    from django.template import Context, Template

    today = timezone.localdate()
    centre.name = "St Mary's <School> & Co"
    centre.save()
    make_claim(centre, w["qualification"], w["first"], results_due_on=today)
    make_claim(
        centre, w["qualification"], w["second"], results_due_on=today - timezone.timedelta(9)
    )
    nobody = make_claim(centre, w["qualification"], w["first"], results_due_on=today)
    Claim.objects.filter(pk=nobody.pk).update(moderator=None, work_received_at=None)
    client.force_login(people["staff"])
    response = client.get(reverse("moderation:staff-results"))
    template = Template("{% load dates %}" + RESULTS_ROW_TEMPLATE)
    claims = response.context["claims"]
    assert len(claims) == 3 and [c.results_due_on for c in claims] == sorted(
        c.results_due_on for c in claims
    )
    for claim, row in zip(claims, response.context["rows"], strict=True):
        written = template.render(Context({"claim": claim}))
        assert " ".join(row.split()) == " ".join(written.split()).replace(" </span>", "</span>")
        assert row in response.content.decode()
    assert "St Mary&#x27;s &lt;School&gt; &amp; Co" in response.content.decode()


def test_the_load_pages_allocations_are_read_for_its_page_or_all_to_sort(
    client, w, centre, other_centre, people
):
    for n in range(52):
        moderator(f"m{n:02d}@ocradmin.example", w["qualification"], name=f"Moderator {n:02d}")
    last = User.objects.get(email="m51@ocradmin.example")
    ModeratorAllocation.objects.create(
        centre=other_centre, qualification=w["qualification"], moderator=last
    )
    client.force_login(people["staff"])
    url = reverse("moderation:staff-load")
    rest = client.get(url, {"sort": "name", "dir": "asc", "page": 2}).context["moderators"]
    assert [(m.full_name, m.allocation_count) for m in rest][-1] == ("Moderator 51", 1)
    most = client.get(url, {"sort": "allocations"}).context["moderators"]
    assert {(m.full_name, m.allocation_count) for m in most[:2]} == {
        ("Moderator 51", 1),
        ("Ada First", 1),  # the world's allocation
    }
    fewest = client.get(url, {"sort": "allocations", "dir": "asc", "page": 2})
    assert [m.allocation_count for m in fewest.context["moderators"]] == [0, 0, 0, 1, 1]


def test_the_load_figures_are_kept_a_minute_with_their_time_and_a_move_forgets_them(
    client, w, centre, people, time_machine, django_capture_on_commit_callbacks
):
    url = reverse("moderation:staff-load")
    time_machine.move_to("2026-03-02 09:00Z", tick=False)
    claim = make_claim(centre, w["qualification"], w["first"], status=Claim.Status.SUBMITTED)
    client.force_login(people["staff"])

    def live(page):
        return {m.full_name: m.live_claims for m in page.context["moderators"]}

    page = client.get(url)
    assert live(page)["Ada First"] == 1
    assert 'Figures as at <time datetime="2026-03-02T09:00:00+00:00">09:00</time>' in (
        page.content.decode()
    )
    # A claim sent meanwhile shows once the kept figures are a minute old.
    make_claim(centre, w["qualification"], w["first"], status=Claim.Status.SUBMITTED)
    time_machine.move_to("2026-03-02 09:00:59Z", tick=False)
    assert live(client.get(url))["Ada First"] == 1
    time_machine.move_to("2026-03-02 09:01:01Z", tick=False)
    assert live(client.get(url))["Ada First"] == 2
    # A move made by staff shows at once.
    with django_capture_on_commit_callbacks(execute=True):
        reallocate_claim(claim=claim, to=w["second"], reason=REASON, by=people["staff"])
    after = live(client.get(url))
    assert (after["Ada First"], after["Bea Second"]) == (1, 1)
