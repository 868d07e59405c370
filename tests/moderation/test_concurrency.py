"""Two tabs at once, on PostgreSQL: deciding the same line (one wins, the other is told and
changes nothing), and confirming the remaining lines while a line is adjusted."""

import threading

import pytest
from django.db import connection

from moderation.models import LineDecision, Review
from moderation.services import ModerationError, StaleVersion
from moderation.services.review import confirm_remaining, decide_line

from .conftest import line

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def run(action):
        try:
            barrier.wait()
            action()
            outcomes.append("ok")
        except ModerationError as error:
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


def test_two_tabs_deciding_one_line(with_moderator, setup, moderator):
    ln = line(with_moderator, setup["full"], "2")

    def tab(outcome, grade="", reason=""):
        return lambda: decide_line(
            claim=with_moderator,
            line_id=ln.pk,
            outcome=outcome,
            grade=grade,
            reason=reason,
            version=0,
            by=moderator,
        )

    outcomes = race(tab("confirmed"), tab("adjusted", "P", "Merit not evidenced"))
    assert outcomes == ["StaleVersion", "ok"]
    decision = LineDecision.objects.get()
    assert decision.version == 1
    assert Review.objects.count() == 1
    assert StaleVersion.__mro__[1] is ModerationError


def test_confirming_the_rest_while_a_line_is_adjusted(with_moderator, setup, moderator):
    ln = line(with_moderator, setup["full"], "2")
    outcomes = race(
        lambda: decide_line(
            claim=with_moderator,
            line_id=ln.pk,
            outcome="adjusted",
            grade="P",
            reason="Merit not evidenced",
            version=0,
            by=moderator,
        ),
        lambda: confirm_remaining(claim=with_moderator, by=moderator),
    )
    # Whichever ran first, every line has exactly one decision and one review exists.
    assert "ok" in outcomes
    assert LineDecision.objects.count() == 4
    assert Review.objects.count() == 1
