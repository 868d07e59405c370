"""Two people at once, on PostgreSQL: one draft per centre and qualification, one line each,
and a withdrawal racing a line."""

import threading

import pytest
from django.db import connection

from claims.models import Claim, ClaimLine
from claims.services import ClaimError
from claims.services.claims import add_line, start_claim
from entries.models import Entry
from entries.services import EntryError
from entries.services.entries import withdraw_entry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def run(action):
        try:
            barrier.wait()
            action()
            outcomes.append("ok")
        except (ClaimError, EntryError) as error:
            outcomes.append(type(error).__name__)
        except Exception as error:  # reported by the assertions
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_people_starting_a_draft_at_once_make_one(setup, centre, people):
    def start(who):
        return lambda: start_claim(
            centre=centre, qualification=setup["qualification"], by=people[who]
        )

    assert race(start("teacher"), start("centre_admin")) == ["DraftExists", "ok"]
    assert Claim.objects.filter(status=Claim.Status.DRAFT).count() == 1


def test_the_same_line_added_at_once_is_made_once(setup, centre, people):
    claim = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])

    def add(who):
        return lambda: add_line(
            claim=claim,
            candidate=setup["full"],
            unit=setup["units"]["1"],
            grade="D",
            by=people[who],
        )

    assert race(add("teacher"), add("centre_admin")) == ["ClaimError", "ok"]
    assert ClaimLine.objects.count() == 1


def test_a_line_and_the_withdrawal_of_its_entry_cannot_both_succeed(setup, centre, people):
    claim = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    entry = setup["entries"]["unit_only"]
    outcomes = race(
        lambda: add_line(
            claim=claim,
            candidate=setup["unit_only"],
            unit=setup["units"]["3"],
            grade="P",
            by=people["teacher"],
        ),
        lambda: withdraw_entry(
            entry=entry, by=people["centre_admin"], reason="Candidate left the centre"
        ),
    )
    assert outcomes in (["ClaimError", "ok"], ["EntryError", "ok"])
    entry.refresh_from_db()
    line_exists = ClaimLine.objects.exists()
    assert line_exists != (entry.status == Entry.Status.WITHDRAWN)
