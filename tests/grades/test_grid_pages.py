"""The grades grid's pages: the first page read with one row more than it holds (so a grid
that fits on it is not counted by a query of its own), the next pages reading the rest, and
the rows' candidates and grades read in one query."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grades.models import Grade
from grades.views.grading import GRID_PAGE_SIZE

from .conftest import bulk_entered, set_grade


def grid(centre, qualification, **params):
    url = reverse("grades:qualification", args=[centre.number, qualification.entry_code])
    return url + (f"?page={params['page']}" if params else "")


def counts(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"] and "entries_candidate" in q["sql"]]


def test_a_grid_that_fits_on_one_page_is_not_counted_by_a_query(
    login, series, centre, qualification, people
):
    candidates = bulk_entered(centre, qualification, GRID_PAGE_SIZE)
    set_grade(series, qualification, candidates[5], "M", version=3)
    client = login(people["centre_admin"])
    client.get(grid(centre, qualification))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(grid(centre, qualification))
    assert not counts(queries)
    assert response.context["page_obj"].paginator.count == GRID_PAGE_SIZE
    assert f"{GRID_PAGE_SIZE} candidates entered for" in response.content.decode()
    rows = response.context["rows"]
    assert [r.candidate.pk for r in rows] == [c.pk for c in candidates]
    assert (rows[5].grade, rows[5].version, rows[5].original) == ("M", 3, "M")
    assert (rows[4].grade, rows[4].version) == ("", 0)
    assert "Page 1 of" not in response.content.decode()


def test_a_longer_grid_is_counted_and_its_next_page_holds_the_rest(
    login, series, centre, qualification, people
):
    candidates = bulk_entered(centre, qualification, GRID_PAGE_SIZE + 2)
    Grade.objects.create(
        series=series,
        centre=centre,
        qualification=qualification,
        candidate=candidates[-1],
        grade="D",
        version=2,
    )
    client = login(people["centre_admin"])
    first = client.get(grid(centre, qualification))
    assert [r.candidate.pk for r in first.context["rows"]] == [
        c.pk for c in candidates[:GRID_PAGE_SIZE]
    ]
    assert first.context["page_obj"].paginator.count == GRID_PAGE_SIZE + 2
    assert "Page 1 of 2" in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(grid(centre, qualification, page=2))
    assert len(counts(queries)) == 1
    rows = second.context["rows"]
    assert [r.candidate.pk for r in rows] == [c.pk for c in candidates[GRID_PAGE_SIZE:]]
    assert (rows[-1].grade, rows[-1].version) == ("D", 2)
    html = second.content.decode()
    assert "Page 2 of 2" in html
    assert f'name="version-{candidates[-1].pk}" value="2"' in html
    # A page past the end shows the last one, as before.
    last = client.get(grid(centre, qualification, page=9))
    assert [r.candidate.pk for r in last.context["rows"]] == [c.pk for c in candidates[-2:]]


def test_the_grid_shows_names_escaped(login, series, centre, qualification, people):
    (candidate,) = bulk_entered(centre, qualification, 1)
    candidate.first_name, candidate.last_name = "<b>Jo</b>", "O'Neil & Co"
    candidate.save()
    html = login(people["centre_admin"]).get(grid(centre, qualification)).content.decode()
    assert "<b>Jo" not in html
    assert "O&#x27;Neil &amp; Co, &lt;b&gt;Jo&lt;/b&gt;" in html
