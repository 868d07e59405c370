"""The named and unnamed entry forms: the unit list and option codes follow the chosen
qualification (``entries:entry-fields``), and the candidate is found by typing
(``entries:candidate-search``), or by their number without JavaScript."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entries.models import Entry

from .factories import ApprovalFactory, CandidateFactory, QualificationFactory, UnitFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def it(centre, other_centre):
    """X9001, approved at both centres, with units 1, 2, 10 and R3 made out of order."""
    qualification = QualificationFactory(entry_code="X9001", title="Cambridge Technical in IT")
    for number in ("10", "2", "R3", "1"):
        UnitFactory(qualification=qualification, number=number, title=f"Unit {number} title")
    for at in (centre, other_centre):
        ApprovalFactory(centre=at, qualification=qualification)
    return qualification


@pytest.fixture
def optioned(centre):
    qualification = QualificationFactory(entry_code="X9002", option_codes=["A", "B"])
    UnitFactory(qualification=qualification, number="1", title="Option unit")
    ApprovalFactory(centre=centre, qualification=qualification)
    return qualification


def fields_url(centre, **params):
    return reverse("entries:entry-fields", args=[centre.number])


def search_url(centre):
    return reverse("entries:candidate-search", args=[centre.number])


def unit_numbers(form):
    return [unit.number for unit in form.fields["unit"].queryset]


def test_units_follow_the_chosen_qualification_in_number_order(login, admin, centre, it, optioned):
    client = login(admin)
    response = client.get(fields_url(centre), {"qualification": it.pk, "kind": "named"})
    assert response.status_code == 200
    form = response.context["form"]
    assert unit_numbers(form) == ["1", "2", "10", "R3"]
    html = response.content.decode()
    assert html.index("Unit 2 title") < html.index("Unit 10 title")
    assert "Option unit" not in html
    assert "option_code" not in form.fields  # X9001 has no option codes
    # Nothing chosen: every approved qualification's units, each named with its qualification.
    form = client.get(fields_url(centre), {"kind": "named"}).context["form"]
    assert unit_numbers(form) == ["1", "2", "10", "R3", "1"]
    assert "X9002 unit 1: Option unit" in client.get(fields_url(centre)).content.decode()


def test_option_codes_are_a_list_of_the_qualifications_codes(login, admin, centre, optioned):
    client = login(admin)
    form = client.get(fields_url(centre), {"qualification": optioned.pk}).context["form"]
    assert list(form.fields["option_code"].choices) == [
        ("", "Choose an option code"),
        ("A", "A"),
        ("B", "B"),
    ]
    assert form.fields["option_code"].required


def test_the_units_of_a_qualification_the_centre_may_not_enter_are_not_shown(
    login, admin, centre, it
):
    secret = QualificationFactory(entry_code="X9009")
    UnitFactory(qualification=secret, number="1", title="Not for this centre")
    response = login(admin).get(fields_url(centre), {"qualification": secret.pk})
    assert "Not for this centre" not in response.content.decode()
    assert unit_numbers(response.context["form"]) == ["1", "2", "10", "R3"]


def test_unnamed_fields_have_no_option_code(login, admin, centre, optioned):
    response = login(admin).get(
        fields_url(centre), {"qualification": optioned.pk, "kind": "unnamed"}
    )
    assert "option_code" not in response.context["form"].fields


def test_the_qualification_select_asks_for_its_units(login, admin, centre, it):
    html = login(admin).get(reverse("entries:new-named", args=[centre.number])).content.decode()
    assert f'hx-get="{fields_url(centre)}"' in html
    assert f'hx-get="{search_url(centre)}"' in html


# --- Finding the candidate --------------------------------------------------------------------


def test_search_finds_the_centres_candidates_by_name_or_number(
    login, admin, centre, other_centre, it
):
    grace = CandidateFactory(
        centre=centre, candidate_number="0008", first_name="Grace", last_name="Hopper"
    )
    CandidateFactory(centre=centre, candidate_number="0009", first_name="Ada", last_name="Lovelace")
    CandidateFactory(
        centre=other_centre, candidate_number="0008", first_name="Grace", last_name="Hopperton"
    )
    client = login(admin)
    for query in ("hopp", "Grace", "8", "0008", "grace hop"):
        response = client.get(search_url(centre), {"candidate_query": query})
        assert response.status_code == 200
        assert response.context["candidates"] == [grace], query
    html = client.get(search_url(centre), {"candidate_query": "hopp"}).content.decode()
    assert 'type="radio" name="candidate"' in html and f'value="{grace.pk}"' in html
    assert "checked" in html  # the only match is chosen already
    assert (
        "No candidate at this centre matches"
        in client.get(search_url(centre), {"candidate_query": "Zed"}).content.decode()
    )


def test_search_is_limited_and_its_queries_do_not_grow(login, admin, centre):
    client = login(admin)
    for n in range(1, 6):
        CandidateFactory(centre=centre, candidate_number=f"{n:04d}", last_name="Smith")
    client.get(search_url(centre), {"candidate_query": "smith"})  # warm the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(search_url(centre), {"candidate_query": "smith"})
    assert len(response.context["candidates"]) == 5
    for n in range(6, 60):
        CandidateFactory(centre=centre, candidate_number=f"{n:04d}", last_name="Smith")
    with CaptureQueriesContext(connection) as many:
        response = client.get(search_url(centre), {"candidate_query": "smith"})
    assert len(response.context["candidates"]) == 20 and response.context["more"]
    assert "Only the first 20 matches are shown" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_endpoints_are_the_centre_admins_of_that_centre_only(
    login, people, centre, other_centre, it
):
    for url in (search_url(other_centre), fields_url(other_centre)):
        assert login(people["centre_admin"]).get(url, {"candidate_query": "a"}).status_code == 404
    for url in (search_url(centre), fields_url(centre)):
        assert login(people["teacher"]).get(url, {"candidate_query": "a"}).status_code == 403


def test_an_entry_made_by_typing_the_number_without_javascript(login, admin, centre, it):
    grace = CandidateFactory(centre=centre, candidate_number="0008", last_name="Hopper")
    client = login(admin)
    url = reverse("entries:new-named", args=[centre.number])
    response = client.post(url, {"candidate_query": "8", "qualification": it.pk})
    assert response.status_code == 302
    assert Entry.objects.get().candidate == grace


def test_every_problem_of_the_entry_form_at_once(login, admin, centre, it):
    client = login(admin)
    url = reverse("entries:new-named", args=[centre.number])
    response = client.post(url, {"candidate_query": "0404", "qualification": ""})
    errors = response.context["form"].errors
    assert errors["candidate_query"] == [
        "No candidate 0404 at this centre: check the number, or add the candidate on the "
        "Candidates page first"
    ]
    assert errors["qualification"] == ["Choose a qualification"]
    response = client.post(url, {"candidate_query": "Hop", "qualification": it.pk})
    assert "choose them from the list" in response.context["form"].errors["candidate_query"][0]
    response = client.post(url, {"qualification": it.pk})
    assert response.context["form"].errors["candidate_query"] == [
        "Enter the candidate's name or number"
    ]
    html = response.content.decode()
    assert '<a href="#id_candidate_query"' in html
    assert not Entry.objects.exists()


def test_a_chosen_candidate_stays_chosen_when_the_form_comes_back(login, admin, centre, it):
    grace = CandidateFactory(centre=centre, last_name="Hopper")
    client = login(admin)
    url = reverse("entries:new-named", args=[centre.number])
    response = client.post(url, {"candidate": grace.pk, "qualification": ""})
    html = response.content.decode()
    assert f'value="{grace.pk}" checked' in html and "Chosen candidate" in html
