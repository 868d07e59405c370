"""The candidates and entries lists: sortable columns, names linking to the candidate, and the
CSV / Excel downloads of what the list shows."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from entries.models import Entry
from entries.services.entries import make_named_entry, make_unnamed_entry
from ocradmin.models import AuditEvent
from ocradmin.sorting import Sorting

from .factories import ApprovalFactory, CandidateFactory, QualificationFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def qualification(centre):
    qualification = QualificationFactory(entry_code="X9001", title="Cambridge Technical in IT")
    ApprovalFactory(centre=centre, qualification=qualification)
    return qualification


@pytest.fixture
def candidates(centre):
    return [
        CandidateFactory(
            centre=centre, candidate_number="0003", first_name="Ada", last_name="Lovelace",
            date_of_birth=date(2009, 12, 10), uci="123450210003X",
        ),
        CandidateFactory(
            centre=centre, candidate_number="0001", first_name="Alan", last_name="Turing",
            date_of_birth=date(2008, 6, 23), uci="123450210001X",
        ),
        CandidateFactory(
            centre=centre, candidate_number="0002", first_name="=HYPERLINK(\"x\")",
            last_name="Babbage", date_of_birth=date(2010, 1, 1), uci="123450210002X",
        ),
    ]  # fmt: skip


def candidates_url(centre):
    return reverse("entries:candidates", args=[centre.number])


def shown_numbers(response):
    return [c.candidate_number for c in response.context["object_list"]]


# --- Sorting --------------------------------------------------------------------------------


def test_sorting_accepts_only_its_columns():
    columns = {"a": ("A", ["a"]), "b": ("B", ["b", "c"])}

    assert Sorting(QueryDict("sort=b"), columns, "a").order_by() == ["b", "c"]
    assert Sorting(QueryDict("sort=-b"), columns, "a").order_by() == ["-b", "-c"]
    for bad in ("password", "--b", "a__secret", "", "-", "b;drop"):
        assert Sorting(QueryDict(f"sort={bad}"), columns, "a").order_by() == ["a"]
    header = Sorting(QueryDict("sort=b&status=x&page=3"), columns, "a").header("b")
    assert header.url == "?sort=-b&status=x" and header.aria_sort == "ascending"
    other = Sorting(QueryDict("sort=b&page=3"), columns, "a").header("a")
    assert other.url == "?sort=a" and other.aria_sort == "none"


def test_candidates_sort_by_each_column(login, admin, centre, candidates):
    client = login(admin)
    url = candidates_url(centre)
    assert shown_numbers(client.get(url)) == ["0001", "0002", "0003"]
    assert shown_numbers(client.get(url, {"sort": "-number"})) == ["0003", "0002", "0001"]
    assert shown_numbers(client.get(url, {"sort": "name"})) == ["0002", "0003", "0001"]
    assert shown_numbers(client.get(url, {"sort": "date_of_birth"})) == ["0001", "0003", "0002"]
    assert shown_numbers(client.get(url, {"sort": "secret"})) == ["0001", "0002", "0003"]
    content = client.get(url, {"sort": "name", "q": "a"}).content.decode()
    assert 'aria-sort="ascending"' in content
    # The header links keep the search, and the name header now reverses the order.
    assert 'href="?sort=-name&amp;q=a"' in content


def test_candidate_names_link_to_the_candidate(login, admin, centre, candidates, qualification):
    make_named_entry(centre=centre, candidate=candidates[0], qualification=qualification, by=admin)
    client = login(admin)
    link = reverse("entries:candidate", args=[centre.number, candidates[0].pk])
    assert f'href="{link}"' in client.get(candidates_url(centre)).content.decode()
    entries = client.get(reverse("entries:list", args=[centre.number])).content.decode()
    assert f'href="{link}">Lovelace, Ada</a>' in entries


def test_entries_sort_and_keep_the_filters(login, admin, centre, candidates, qualification):
    for candidate in candidates:
        make_named_entry(centre=centre, candidate=candidate, qualification=qualification, by=admin)
    make_unnamed_entry(centre=centre, qualification=qualification, quantity=4, by=admin)
    client = login(admin)
    url = reverse("entries:list", args=[centre.number])
    names = dict(Entry.objects.values_list("pk", "candidate__last_name"))
    response = client.get(url, {"sort": "candidate", "kind": "named"})
    assert [names[e.pk] for e in response.context["entries"]] == [
        "Babbage",
        "Lovelace",
        "Turing",
    ]
    content = response.content.decode()
    assert content.index("Babbage, ") < content.index("Lovelace, ") < content.index("Turing, ")
    response = client.get(url, {"sort": "-candidate", "kind": "named"})
    assert names[response.context["entries"][0].pk] == "Turing"
    assert "by candidate (descending)" in response.content.decode()


def test_sorted_entries_list_queries_do_not_grow(
    login, admin, centre, candidates, qualification, django_assert_max_num_queries
):
    client = login(admin)
    url = reverse("entries:list", args=[centre.number])
    make_named_entry(centre=centre, candidate=candidates[0], qualification=qualification, by=admin)
    client.get(url, {"sort": "candidate"})
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"sort": "candidate"})
    for candidate in candidates[1:]:
        make_named_entry(centre=centre, candidate=candidate, qualification=qualification, by=admin)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url, {"sort": "candidate"})


@pytest.mark.parametrize("read_at_most", [500, 1])
def test_entries_search_matches_the_candidates_once(
    login, admin, centre, candidates, qualification, monkeypatch, read_at_most
):
    """The matched candidates are read once (their ids filter the count and the page); when
    very many match, the search stays a subquery: the same entries either way."""
    monkeypatch.setattr("entries.filters.MATCHED_IDS_READ", read_at_most)
    for candidate in candidates:
        make_named_entry(centre=centre, candidate=candidate, qualification=qualification, by=admin)
    make_unnamed_entry(centre=centre, qualification=qualification, quantity=4, by=admin)
    client = login(admin)
    url = reverse("entries:list", args=[centre.number])
    names = dict(Entry.objects.values_list("pk", "candidate__last_name"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "a", "sort": "candidate"})
    assert [names[e.pk] for e in response.context["entries"]] == ["Babbage", "Lovelace", "Turing"]
    assert response.context["page_obj"].paginator.count == 3
    searches = [
        q for q in queries.captured_queries if "first_name" in q["sql"] and "LIKE" in q["sql"]
    ]
    assert len(searches) == (1 if read_at_most == 500 else 3)  # read, then count and page
    response = client.get(url, {"q": "lovelace ada", "status": "submitted"})
    assert [names[e.pk] for e in response.context["entries"]] == ["Lovelace"]
    response = client.get(url, {"q": "nobody"})
    assert response.context["entries"] == []
    assert "No entries match these filters." in response.content.decode()


# --- Downloads ------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_candidates_csv_is_what_the_list_shows_and_formula_safe(
    login, admin, centre, other_centre, candidates
):
    CandidateFactory(centre=other_centre, candidate_number="0009", last_name="Elsewhere")
    response = login(admin).get(
        reverse("entries:candidates-csv", args=[centre.number]), {"sort": "name", "page": "9"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="candidates-12345.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["candidate_number", "last_name", "first_name"]
    assert [r[1] for r in rows[1:]] == ["Babbage", "Lovelace", "Turing"]
    assert rows[1][2] == '\'=HYPERLINK("x")'  # shown as text, never run
    assert rows[2][5] == "2009-12-10"
    event = AuditEvent.objects.get(action="candidates.exported")
    assert event.actor == admin and event.data["format"] == "csv"


def test_candidates_csv_keeps_the_search(login, admin, centre, candidates):
    response = login(admin).get(
        reverse("entries:candidates-csv", args=[centre.number]), {"q": "Turing"}
    )
    assert [r[1] for r in read_csv(response)[1:]] == ["Turing"]


def test_candidates_xlsx(login, admin, centre, candidates):
    response = login(admin).get(reverse("entries:candidates-xlsx", args=[centre.number]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "candidate_number"
    assert [v[0] for v in values[1:]] == ["0001", "0002", "0003"]  # zeros kept
    assert values[2][2] == '\'=HYPERLINK("x")'
    assert sheet.cell(row=2, column=6).value.date() == date(2008, 6, 23)


def test_entries_csv_follows_the_filters(login, admin, centre, candidates, qualification):
    for candidate in candidates:
        make_named_entry(centre=centre, candidate=candidate, qualification=qualification, by=admin)
    make_unnamed_entry(centre=centre, qualification=qualification, quantity=4, by=admin)
    Entry.objects.filter(candidate=candidates[1]).update(status=Entry.Status.ACCEPTED)
    client = login(admin)
    url = reverse("entries:export-csv", args=[centre.number])
    rows = read_csv(client.get(url))
    assert rows[0][:4] == ["submitted_at", "candidate_number", "last_name", "first_name"]
    assert len(rows) == 5
    unnamed = [r for r in rows[1:] if r[5] == "4"]
    assert unnamed and unnamed[0][1] == "" and unnamed[0][8] == "full award"
    accepted = read_csv(client.get(url, {"status": "accepted"}))
    assert [r[2] for r in accepted[1:]] == ["Turing"]
    assert accepted[1][10] == "Accepted"
    assert accepted[1][0] == "2026-03-02 09:00"  # UK time (GMT in March)
    summer = datetime(2026, 7, 1, 8, 5, tzinfo=UTC)
    Entry.objects.filter(candidate=candidates[1]).update(submitted_at=summer, processed_at=summer)
    accepted = read_csv(client.get(url, {"status": "accepted"}))
    assert accepted[1][0] == accepted[1][12] == "2026-07-01 09:05"  # BST in July
    xlsx = client.get(reverse("entries:export-xlsx", args=[centre.number]), {"kind": "unnamed"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 2


def test_the_list_offers_downloads_with_its_filters(login, people, centre, candidates):
    content = (
        login(people["teacher"])
        .get(reverse("entries:list", args=[centre.number]), {"status": "accepted", "page": "1"})
        .content.decode()
    )
    assert 'href="/centres/12345/entries/export.csv?status=accepted"' in content
    assert 'href="/centres/12345/entries/export.xlsx?status=accepted"' in content


def test_another_centre_cannot_download(login, people, other_centre):
    client = login(people["centre_admin"])
    for name in ("entries:candidates-csv", "entries:export-xlsx"):
        assert client.get(reverse(name, args=[other_centre.number])).status_code == 404
    assert (
        login(people["aam_user"]).get(reverse("entries:export-csv", args=["12345"])).status_code
        == 403
    )


def test_arrangements_sort(login, admin, centre, candidates, qualification):
    from entries.models import AccessArrangement

    for n, candidate in enumerate(candidates):
        AccessArrangement.objects.create(
            centre=centre,
            candidate=candidate,
            qualification=qualification,
            kind=AccessArrangement.Kind.EXTRA_TIME,
            extra_time_percent=25,
            first_assessment_on=date(2026, 5, 1 + n),
            status=AccessArrangement.Status.APPROVED,
        )
    client = login(admin)
    url = reverse("entries:arrangements", args=[centre.number])
    response = client.get(url, {"sort": "candidate"})
    names = [a.candidate.last_name for a in response.context["object_list"]]
    assert names == ["Babbage", "Lovelace", "Turing"]
    response = client.get(url, {"sort": "-first_assessment"})
    names = [a.candidate.last_name for a in response.context["object_list"]]
    assert names == ["Babbage", "Turing", "Lovelace"]
