"""The entries list's rows, written by the view (entries/views/entries.py ``entry_rows``):
each state's wording, escaping, the actions only for those who manage entries, and the pages
cut from the centre's entries in the list's order."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entries.models import Entry
from entries.services.entries import make_named_entry, make_unnamed_entry

from .factories import ApprovalFactory, CandidateFactory, QualificationFactory, UnitFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def qualification(centre):
    qualification = QualificationFactory(entry_code="X9001", title="Cambridge <b>IT</b>")
    ApprovalFactory(centre=centre, qualification=qualification)
    return qualification


def list_url(centre, **params):
    url = reverse("entries:list", args=[centre.number])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def row_of(content: str, text: str) -> str:
    """The ``<tr>`` of the list holding ``text``."""
    at = content.index(text)
    return content[content.rindex("<tr>", 0, at) : content.index("</tr>", at)]


def test_each_state_reads_as_before(login, people, centre, qualification, admin):
    unit = UnitFactory(qualification=qualification, number="3")
    names = ["Waiting", "Late", "Staff", "Taken", "Refused", "Gone", "Left"]
    candidates = {
        name: CandidateFactory(
            centre=centre, candidate_number=f"{n:04d}", first_name="Al", last_name=name
        )
        for n, name in enumerate(names, start=1)
    }
    entries = {
        name: make_named_entry(
            centre=centre,
            candidate=candidate,
            qualification=qualification,
            unit=unit if name == "Waiting" else None,
            by=admin,
        )
        for name, candidate in candidates.items()
    }
    Entry.objects.filter(pk=entries["Late"].pk).update(process_by=NOW - timedelta(hours=1))
    Entry.objects.filter(pk=entries["Staff"].pk).update(status=Entry.Status.NEEDS_REVIEW)
    Entry.objects.filter(pk=entries["Taken"].pk).update(
        status=Entry.Status.ACCEPTED, processed_at=datetime(2026, 3, 1, 12, tzinfo=UTC)
    )
    Entry.objects.filter(pk=entries["Refused"].pk).update(status=Entry.Status.REJECTED)
    Entry.objects.filter(pk=entries["Gone"].pk).update(
        status=Entry.Status.WITHDRAWN,
        withdrawn_at=datetime(2026, 2, 27, 12, tzinfo=UTC),
        withdrawal_reason="Moved <away>",
    )
    Entry.objects.filter(pk=entries["Left"].pk).update(status=Entry.Status.WITHDRAWN)
    content = login(admin).get(list_url(centre)).content.decode()

    waiting = row_of(content, "Waiting, Al")
    assert "Unit 3" in waiting and "Full award" not in waiting
    assert "Submitted — will be processed by" in waiting
    assert '<time datetime="2026-03-04T09:00:00+00:00">4 March 2026, 09:00</time>' in waiting
    assert '<span class="text-muted">(2\xa0days left)</span>' in waiting
    assert "Full award" in row_of(content, "Late, Al")
    assert "(overdue; the awarding body has been told)" in row_of(content, "Late, Al")
    assert "With awarding-body staff — due by" in row_of(content, "Staff, Al")
    assert 'Accepted <time datetime="2026-03-01T12:00:00+00:00">1 March 2026</time>' in row_of(
        content, "Taken, Al"
    )
    assert "Rejected: no reason given" in row_of(content, "Refused, Al")
    gone = row_of(content, "Gone, Al")
    assert "Withdrawn <time" in gone and "27 February 2026</time>: Moved &lt;away&gt;" in gone
    assert "Withdrawn\n" in row_of(content, "Left, Al")
    # Values are escaped; links go to the candidate, the change and the withdraw pages.
    assert "Cambridge &lt;b&gt;IT&lt;/b&gt;" in waiting and "<b>IT" not in content
    candidate_url = reverse("entries:candidate", args=[centre.number, candidates["Waiting"].pk])
    assert f'<span class="ident">0001</span> <a href="{candidate_url}">Waiting, Al</a>' in waiting
    pk = entries["Waiting"].pk
    assert f'href="{reverse("entries:amend", args=[centre.number, pk])}"' in waiting
    withdraw = reverse("entries:withdraw", args=[centre.number, pk])
    assert f'href="{withdraw}?next=%2Fcentres%2F12345%2Fentries%2F"' in waiting
    # Change only while waiting; withdraw only while live.
    assert "Change<" not in row_of(content, "Staff, Al") and "Withdraw<" in row_of(
        content, "Staff, Al"
    )
    for done in ("Refused", "Gone"):
        assert "Change<" not in row_of(content, f"{done}, Al")
        assert "Withdraw<" not in row_of(content, f"{done}, Al")


def test_names_are_escaped_and_unnamed_entries_counted(login, people, centre, qualification, admin):
    odd = CandidateFactory(
        centre=centre, candidate_number="0001", first_name="<i>Jo</i>", last_name="O'Brien & Co"
    )
    make_named_entry(centre=centre, candidate=odd, qualification=qualification, by=admin)
    make_unnamed_entry(centre=centre, qualification=qualification, quantity=1, by=admin)
    content = login(admin).get(list_url(centre)).content.decode()
    assert "O&#x27;Brien &amp; Co, &lt;i&gt;Jo&lt;/i&gt;" in content
    assert "<i>Jo" not in content
    assert "1 unnamed candidate<" in content.replace("\n", "<")


def test_a_teacher_sees_the_rows_without_actions(login, people, centre, qualification, admin):
    ada = CandidateFactory(centre=centre, candidate_number="0001", last_name="Lovelace")
    make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    content = login(people["teacher"]).get(list_url(centre)).content.decode()
    assert "Lovelace" in content
    assert "Change<" not in content and "Withdraw<" not in content
    assert '<td class="text-nowrap">' not in content and "Actions<" not in content


def test_pages_hold_the_rest_in_order_for_the_same_queries(
    login, centre, qualification, admin, django_assert_max_num_queries
):
    """Pages are cut from the centre's entries in the list's order; a later page shows the
    rest, and a deep page costs the queries of the first."""
    candidates = [
        CandidateFactory(centre=centre, candidate_number=f"{n:04d}", last_name=f"Name{n:03d}")
        for n in range(1, 121)
    ]
    for n, candidate in enumerate(candidates):
        with time_machine.travel(NOW - timedelta(minutes=n), tick=False):
            make_named_entry(
                centre=centre, candidate=candidate, qualification=qualification, by=admin
            )
    client = login(admin)
    newest_first = list(
        Entry.objects.filter(centre=centre)
        .order_by("-submitted_at", "-id")
        .values_list("pk", flat=True)
    )
    client.get(list_url(centre))
    with CaptureQueriesContext(connection) as first:
        shown = [[r.pk for r in client.get(list_url(centre)).context["entries"]]]
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(list_url(centre, page=3))
    shown.append([r.pk for r in client.get(list_url(centre, page=2)).context["entries"]])
    shown.append([r.pk for r in response.context["entries"]])
    assert [len(page) for page in shown] == [50, 50, 20]
    assert [pk for page in shown for pk in page] == newest_first
    content = response.content.decode()
    assert content.index("Name101,") < content.index("Name120,")
    # By candidate, descending, among the accepted only: the filter and the order hold too.
    Entry.objects.filter(pk__in=newest_first[:60]).update(status=Entry.Status.ACCEPTED)
    response = client.get(list_url(centre, status="accepted", sort="-candidate", page=2))
    assert [r.pk for r in response.context["entries"]] == newest_first[:10][::-1]


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # GMT, a minute before the clocks go forward
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # BST
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # BST, the last night of it
        datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2026, 6, 1, 23, 30, tzinfo=UTC),  # the next day in UK time
    ],
)
def test_the_rows_times_are_written_as_the_date_filters_write_them(moment):
    from django.template import Context, Template

    from ocradmin.templatetags.dates import Times, time_element

    template = Template('<time datetime="{{ v|iso }}">{{ v|when }}</time>')
    written = template.render(Context({"v": moment}))
    assert time_element(moment) == Times().element(moment) == written
    template = Template('<time datetime="{{ v|iso }}">{{ v|day }}</time>')
    assert time_element(moment, with_time=False) == template.render(Context({"v": moment}))
    assert Times().element(moment, with_time=False) == time_element(moment, with_time=False)
