"""The review page's rows per role: which qualifications each person sees and may send, with
the entered qualifications read once (a teacher's assignments are the one extra question)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grades.models import TeacherAssignment

from .conftest import entered_candidates, make_tag_qualification


@pytest.fixture
def two_entered(series, centre, qualification, people):
    other = make_tag_qualification("05839")
    entered_candidates(centre, qualification, 2)
    entered_candidates(centre, other, 1, first_name="Other")
    TeacherAssignment.objects.create(
        series=series, centre=centre, qualification=qualification, teacher=people["teacher"]
    )
    return qualification, other


def review(client, centre):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("grades:review", args=[centre.number]))
    assert response.status_code == 200
    rows = {
        row["qualification"].entry_code: (row["may_open"], row["may_send"])
        for row in response.context["rows"]
    }
    qualification_reads = [
        q for q in queries if q["sql"].startswith('SELECT "centres_qualification"."id"')
    ]
    return rows, len(qualification_reads)


@pytest.mark.parametrize(
    ("person", "expected", "reads"),
    [
        ("centre_admin", {"05838": (True, True), "05839": (True, True)}, 1),
        ("head_of_centre", {"05838": (True, False), "05839": (True, False)}, 1),
        # A teacher sees the qualification assigned to them, and asks which those are.
        ("teacher", {"05838": (True, True)}, 3),
    ],
)
def test_each_person_sees_and_may_send_what_their_role_allows(
    client, centre, people, two_entered, person, expected, reads
):
    client.force_login(people[person])
    review(client, centre)  # creates the qualifications' state rows
    rows, qualification_reads = review(client, centre)
    assert rows == expected
    assert qualification_reads == reads
