"""Candidates: adding (with a generated or given UCI), editing, searching, and who may do what
(corrections once the identity is fixed: test_corrections.py)."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entries.models import Candidate, Entry
from entries.services import EntryError
from entries.services.candidates import (
    InvalidCandidate,
    create_candidate,
    next_candidate_number,
    update_candidate,
)
from entries.validators import make_uci, validate_uci
from ocradmin.models import AuditEvent

from ..factories import date_parts
from .factories import CandidateFactory, QualificationFactory, UnitFactory

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def details(**overrides):
    fields = {
        "candidate_number": "0001",
        "first_name": "Amelia",
        "last_name": "Clarke",
        "date_of_birth": date(2008, 4, 12),
        "sex": "F",
        "uci": "",
        "uln": "",
    }
    fields.update(overrides)
    return fields


def add(centre, by, **overrides):
    return create_candidate(centre=centre, by=by, **details(**overrides))


# --- Adding -----------------------------------------------------------------------------------


def test_blank_uci_is_generated_from_centre_year_and_number(centre, admin):
    candidate = add(centre, admin, candidate_number="42")
    assert candidate.candidate_number == "0042"
    assert candidate.uci == make_uci(centre_number="12345", year=26, candidate_number="0042")
    assert candidate.uci.startswith("123450260042")
    validate_uci(candidate.uci)
    event = AuditEvent.objects.get(action="candidate.created")
    assert event.centre == centre and event.actor == admin
    assert event.data == {"candidate_number": "0042", "uci": candidate.uci, "uci_generated": True}


def test_an_existing_uci_is_kept_and_normalised(centre, admin):
    candidate = add(centre, admin, uci=" 681990012058g ", uln="9276308686")
    assert candidate.uci == "681990012058G"
    assert candidate.uln == "9276308686"
    assert AuditEvent.objects.get(action="candidate.created").data["uci_generated"] is False


def test_names_are_tidied(centre, admin):
    candidate = add(centre, admin, first_name="  Mary  Jane ", last_name=" O'Neill")
    assert (candidate.first_name, candidate.last_name) == ("Mary Jane", "O'Neill")


def assert_refused(centre, admin, field, fragment, **overrides):
    before = (Candidate.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidCandidate) as caught:
        add(centre, admin, **overrides)
    assert fragment in caught.value.errors[field]
    assert (Candidate.objects.count(), AuditEvent.objects.count()) == before
    return caught.value


def test_duplicate_candidate_number_is_refused_with_the_next_free_one(centre, admin):
    add(centre, admin, candidate_number="0007")
    error = assert_refused(
        centre, admin, "candidate_number", "already used at centre 12345", candidate_number="7"
    )
    assert "The next free number is 0008." in error.errors["candidate_number"]


def test_the_same_number_at_another_centre_is_fine(centre, other_centre, admin):
    add(centre, admin, candidate_number="0007")
    add(other_centre, admin, candidate_number="0007")
    assert Candidate.objects.filter(candidate_number="0007").count() == 2


def test_duplicate_uci_is_refused(centre, admin):
    add(centre, admin, candidate_number="0001", uci="681990012058G")
    assert_refused(
        centre,
        admin,
        "uci",
        "already belongs to candidate 0001 Amelia Clarke",
        candidate_number="0002",
        uci="681990012058g",
    )


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("0000", "0000 is not a valid"),
        ("0", "0000 is not a valid"),
        ("12345", "four digits"),
        ("12a4", "four digits"),
        ("", "four digits"),
        ("-1", "four digits"),
    ],
)
def test_bad_candidate_numbers_are_refused(centre, admin, number, fragment):
    assert_refused(centre, admin, "candidate_number", fragment, candidate_number=number)


@pytest.mark.parametrize(
    ("uci", "fragment"),
    [
        ("681990012058H", "check letter does not match"),
        ("68199001205G", "13 characters"),
        ("ABCDEFGHIJKLM", "13 characters"),
    ],
)
def test_bad_ucis_are_refused(centre, admin, uci, fragment):
    assert_refused(centre, admin, "uci", fragment, uci=uci)


@pytest.mark.parametrize(
    ("uln", "fragment"),
    [
        ("9276308687", "check digit"),
        ("0276308686", "does not start with 0"),
        ("927630868", "10 digits"),
        ("92763O8686", "10 digits"),
    ],
)
def test_bad_ulns_are_refused(centre, admin, uln, fragment):
    assert_refused(centre, admin, "uln", fragment, uln=uln)


def test_a_uln_another_candidate_holds_is_refused(centre, admin):
    add(centre, admin, candidate_number="0001", uln="9276308686")
    assert_refused(centre, admin, "uln", "already belongs to candidate 0001", uln="9276308686")


@pytest.mark.parametrize(
    "born",
    [
        date(2016, 3, 3),  # 9 today
        date(2025, 1, 1),
        date(2030, 1, 1),  # in the future
        date(1926, 3, 2),  # 100 today
        date(1900, 1, 1),
    ],
)
def test_implausible_dates_of_birth_are_refused(centre, admin, born):
    error = assert_refused(
        centre, admin, "date_of_birth", "aged 10 to 99 today", date_of_birth=born
    )
    assert "born between 3 March 1926 and 2 March 2016" in error.errors["date_of_birth"]


@pytest.mark.parametrize("born", [date(2016, 3, 2), date(1926, 3, 3), date(2008, 1, 1)])
def test_dates_of_birth_at_the_edges_are_accepted(centre, admin, born):
    assert add(centre, admin, date_of_birth=born).date_of_birth == born


def test_every_problem_is_reported_at_once(centre, admin):
    with pytest.raises(InvalidCandidate) as caught:
        add(centre, admin, candidate_number="0000", uln="1", first_name=" ", sex="X")
    assert set(caught.value.errors) == {"candidate_number", "uln", "first_name", "sex"}
    assert isinstance(caught.value, EntryError)


# --- The next candidate number ----------------------------------------------------------------


def test_next_number_is_one_above_the_highest(centre, other_centre):
    assert next_candidate_number(centre) == "0001"
    CandidateFactory(centre=centre, candidate_number="0003")
    CandidateFactory(centre=centre, candidate_number="0010")
    CandidateFactory(centre=other_centre, candidate_number="0500")
    assert next_candidate_number(centre) == "0011"


def test_next_number_finds_the_first_gap_once_9999_is_used(centre):
    CandidateFactory(centre=centre, candidate_number="0001")
    CandidateFactory(centre=centre, candidate_number="0002")
    CandidateFactory(centre=centre, candidate_number="0004")
    CandidateFactory(centre=centre, candidate_number="9999")
    assert next_candidate_number(centre) == "0003"


def test_no_number_is_suggested_when_all_are_used(centre):
    Candidate.objects.bulk_create(
        Candidate(
            centre=centre,
            candidate_number=f"{n:04d}",
            uci=f"{n:013d}",  # bulk_create skips validation; only uniqueness matters here
            first_name="A",
            last_name="B",
            date_of_birth=date(2008, 1, 1),
            sex="F",
        )
        for n in range(1, 10000)
    )
    assert next_candidate_number(centre) is None


# --- Editing ----------------------------------------------------------------------------------


def test_edit_is_audited_with_old_and_new_values(centre, admin):
    candidate = add(centre, admin)
    updated = update_candidate(
        candidate=candidate,
        by=admin,
        last_name="Clark",
        date_of_birth=date(2008, 4, 13),
        sex="F",
        first_name="Amelia",
    )
    assert (updated.last_name, updated.date_of_birth) == ("Clark", date(2008, 4, 13))
    candidate.refresh_from_db()
    assert candidate.last_name == "Clark"
    event = AuditEvent.objects.get(action="candidate.updated")
    assert event.data == {
        "changes": {
            "last_name": ["Clarke", "Clark"],
            "date_of_birth": ["2008-04-12", "2008-04-13"],
        }
    }
    assert event.actor == admin and event.centre == centre
    assert mail.outbox == []


def test_saving_without_changes_writes_nothing(centre, admin):
    candidate = add(centre, admin)
    update_candidate(candidate=candidate, by=admin, last_name="Clarke")
    assert not AuditEvent.objects.filter(action="candidate.updated").exists()


def test_edit_refuses_another_candidates_number_or_uci(centre, admin):
    first = add(centre, admin, candidate_number="0001")
    second = add(centre, admin, candidate_number="0002", last_name="Patel")
    with pytest.raises(InvalidCandidate) as caught:
        update_candidate(candidate=second, by=admin, candidate_number="1", uci=first.uci)
    assert set(caught.value.errors) == {"candidate_number", "uci"}
    second.refresh_from_db()
    assert second.candidate_number == "0002"
    with pytest.raises(InvalidCandidate):
        update_candidate(candidate=second, by=admin, uci="")
    # Its own number and UCI are not duplicates of itself.
    update_candidate(candidate=second, by=admin, candidate_number="0002", uci=second.uci)


def test_edit_accepts_only_candidate_fields(centre, admin):
    candidate = add(centre, admin)
    with pytest.raises(TypeError):
        update_candidate(candidate=candidate, by=admin, centre_id=999)


def test_sex_change_after_results_is_not_an_identity_change(
    centre, admin, has_results, django_capture_on_commit_callbacks
):
    candidate = add(centre, admin, last_name="Okafor")
    has_results.add("Okafor")
    with django_capture_on_commit_callbacks(execute=True):
        update_candidate(candidate=candidate, by=admin, sex="M")
    assert AuditEvent.objects.filter(action="candidate.updated").exists()
    assert mail.outbox == []


def test_identity_change_without_results_is_a_plain_update(
    centre, admin, has_results, django_capture_on_commit_callbacks
):
    candidate = add(centre, admin, last_name="Okafor")
    with django_capture_on_commit_callbacks(execute=True):
        update_candidate(candidate=candidate, by=admin, first_name="Chidi")
    assert AuditEvent.objects.filter(action="candidate.updated").exists()
    assert mail.outbox == []


# --- Pages ------------------------------------------------------------------------------------


def list_url(centre):
    return reverse("entries:candidates", args=[centre.number])


def form_data(**overrides):
    data = details(**overrides)
    return {**data, **date_parts("date_of_birth", data.pop("date_of_birth"))}


def test_add_page_suggests_the_next_number(centre, admin, login):
    CandidateFactory(centre=centre, candidate_number="0041")
    page = login(admin).get(reverse("entries:candidate-add", args=[centre.number]))
    assert page.status_code == 200
    assert page.context["form"].initial["candidate_number"] == "0042"


def test_add_page_creates_a_candidate(centre, admin, login):
    client = login(admin)
    response = client.post(
        reverse("entries:candidate-add", args=[centre.number]), form_data(candidate_number="0042")
    )
    candidate = Candidate.objects.get(centre=centre, candidate_number="0042")
    assert response.status_code == 302
    assert response["Location"] == reverse("entries:candidate", args=[centre.number, candidate.pk])
    assert candidate.uci.startswith("123450260042")


def test_add_page_shows_every_refusal_against_its_field(centre, admin, login):
    CandidateFactory(centre=centre, candidate_number="0001")
    response = login(admin).post(
        reverse("entries:candidate-add", args=[centre.number]),
        form_data(candidate_number="0001", uln="9276308687", date_of_birth=date(2020, 1, 1)),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "already used at centre 12345" in form.errors["candidate_number"][0]
    assert "check digit" in form.errors["uln"][0]
    assert "aged 10 to 99" in form.errors["date_of_birth"][0]
    assert Candidate.objects.count() == 1


def test_edit_page_saves_changes(centre, admin, login):
    candidate = CandidateFactory(centre=centre, first_name="Jon")
    url = reverse("entries:candidate-edit", args=[centre.number, candidate.pk])
    client = login(admin)
    page = client.get(url)
    assert page.context["form"].initial["uci"] == candidate.uci
    data = form_data(
        candidate_number=candidate.candidate_number,
        uci=candidate.uci,
        first_name="John",
        last_name=candidate.last_name,
        date_of_birth=candidate.date_of_birth,
        sex=candidate.sex,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.first_name == "John"
    assert AuditEvent.objects.get(action="candidate.updated").data == {
        "changes": {"first_name": ["Jon", "John"]}
    }


def test_edit_page_points_to_a_correction_when_the_identity_is_fixed(
    centre, admin, login, has_results
):
    candidate = CandidateFactory(centre=centre, last_name="Okafor")
    has_results.add("Okafor")
    page = login(admin).get(reverse("entries:candidate-edit", args=[centre.number, candidate.pk]))
    assert "request a correction" in page.content.decode()


def test_search_by_name_number_and_uci(centre, other_centre, admin, login):
    amelia = CandidateFactory(
        centre=centre, candidate_number="0042", first_name="Amelia", last_name="Clarke"
    )
    oliver = CandidateFactory(
        centre=centre,
        candidate_number="0100",
        first_name="Oliver",
        last_name="Hughes",
        uci="681990012058G",
    )
    CandidateFactory(
        centre=other_centre, candidate_number="0042", first_name="Amelia", last_name="Clarke"
    )
    client = login(admin)

    def found(q):
        return list(client.get(list_url(centre), {"q": q}).context["object_list"])

    assert found("clarke") == [amelia]
    assert found("amelia clarke") == [amelia]
    assert found("42") == [amelia]
    assert found("0100") == [oliver]
    assert found("681990012058g") == [oliver]
    assert found("68199001") == [oliver]
    assert found("nobody") == []
    assert found("") == [amelia, oliver]


def test_list_paginates_at_fifty(centre, admin, login):
    CandidateFactory.create_batch(51, centre=centre)
    page = login(admin).get(list_url(centre))
    assert len(page.context["object_list"]) == 50
    assert page.context["page_obj"].paginator.num_pages == 2


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_candidates(centre, admin, login):
    client = login(admin)
    CandidateFactory(centre=centre)
    client.get(list_url(centre))  # warm the session and content-type caches
    one = count_queries(client, list_url(centre))
    CandidateFactory.create_batch(49, centre=centre)
    assert count_queries(client, list_url(centre)) == one


def make_entries(centre, candidate, qualification, count):
    for _ in range(count):
        unit = UnitFactory(qualification=qualification)
        Entry.objects.create(
            centre=centre,
            qualification=qualification,
            kind=Entry.Kind.NAMED,
            candidate=candidate,
            unit=unit,
            process_by=NOW + timedelta(hours=48),
        )


def test_candidate_page_lists_entries_and_arrangements(centre, admin, login):
    candidate = CandidateFactory(centre=centre)
    qualification = QualificationFactory(title="Cambridge Technical in IT")
    make_entries(centre, candidate, qualification, 2)
    page = login(admin).get(reverse("entries:candidate", args=[centre.number, candidate.pk]))
    assert page.status_code == 200
    assert len(page.context["entries"]) == 2
    assert "Cambridge Technical in IT" in page.content.decode()


def test_candidate_page_query_count_does_not_grow_with_entries(centre, admin, login):
    candidate = CandidateFactory(centre=centre)
    qualification = QualificationFactory()
    url = reverse("entries:candidate", args=[centre.number, candidate.pk])
    client = login(admin)
    make_entries(centre, candidate, qualification, 1)
    client.get(url)
    one = count_queries(client, url)
    make_entries(centre, candidate, QualificationFactory(), 30)
    assert count_queries(client, url) == one


def test_another_centres_candidate_is_404(centre, other_centre, admin, login):
    theirs = CandidateFactory(centre=other_centre)
    client = login(admin)
    for name in ("entries:candidate", "entries:candidate-edit"):
        assert client.get(reverse(name, args=[centre.number, theirs.pk])).status_code == 404


def test_teacher_sees_candidates_but_cannot_add_or_edit(centre, people, login):
    candidate = CandidateFactory(centre=centre)
    client = login(people["teacher"])
    assert client.get(list_url(centre)).status_code == 200
    assert (
        client.get(reverse("entries:candidate", args=[centre.number, candidate.pk])).status_code
        == 200
    )
    add_url = reverse("entries:candidate-add", args=[centre.number])
    assert client.get(add_url).status_code == 403
    assert client.post(add_url, form_data()).status_code == 403
    edit_url = reverse("entries:candidate-edit", args=[centre.number, candidate.pk])
    assert client.post(edit_url, form_data()).status_code == 403
    assert Candidate.objects.count() == 1
    assert "Add a candidate" not in client.get(list_url(centre)).content.decode()


def test_aam_user_cannot_see_candidates(centre, people, login):
    candidate = CandidateFactory(centre=centre)
    client = login(people["aam_user"])
    assert client.get(list_url(centre)).status_code == 403
    assert (
        client.get(reverse("entries:candidate", args=[centre.number, candidate.pk])).status_code
        == 403
    )


def test_staff_may_look_but_not_add(centre, people, login):
    client = login(people["staff"])
    assert client.get(list_url(centre)).status_code == 200
    assert client.get(reverse("entries:candidate-add", args=[centre.number])).status_code == 403


def test_candidates_tab_shows_for_those_who_may_see_it(centre, people, login):
    html = login(people["teacher"]).get(reverse("centres:home", args=[centre.number])).content
    assert b"Candidates" in html
    html = login(people["aam_user"]).get(reverse("centres:home", args=[centre.number])).content
    assert b">Candidates<" not in html


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_adding_the_same_number_at_once_make_one_candidate(centre, people):
    admin = people["centre_admin"]
    outcomes, barrier = [], threading.Barrier(2)

    def run(first_name):
        try:
            barrier.wait()
            add(centre, admin, candidate_number="0005", first_name=first_name)
            outcomes.append("created")
        except EntryError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("Ann", "Bea")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes)[-1] == "created"
    assert "already used at centre 12345" in sorted(outcomes)[0]
    assert Candidate.objects.filter(centre=centre, candidate_number="0005").count() == 1
    assert AuditEvent.objects.filter(action="candidate.created").count() == 1
