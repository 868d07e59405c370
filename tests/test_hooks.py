"""Every hook and its receivers, the rules of ``ocradmin.hooks`` and the two page registries,
and the lock each hook's caller shares with the writers of what its receivers read."""

import threading
import time
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from centres import navigation
from centres.models import QualificationApproval
from centres.services import CentreError
from centres.services.approvals import withdraw_approval
from entries.models import Entry
from entries.services import EntryError
from entries.services.bulk import make_named_entries
from entries.services.entries import make_named_entry, make_unnamed_entry
from entries.services.rows import NamedEntryRow
from ocradmin.hooks import Hook, all_hooks, receiver_name
from ocradmin.pages import PanelRegistry

from .entries.factories import ApprovalFactory, CandidateFactory, QualificationFactory

# Read this to see every rule a later app adds to. A hook without a receiver is one a later
# app (claims, results) will answer.
HOOKS = {
    "centres.head_details_gates": ["grades.services.series.head_details_gate"],
    "centres.withdrawal_blockers": [
        "entries.services.entries.live_entries_block_approval_withdrawal"
    ],
    "entries.entry_withdrawal_blockers": [
        "claims.services.hooks.live_claim_blocks_entry_withdrawal"
    ],
    "entries.results_exist_checks": [
        "claims.selectors.candidate_in_submitted_claim",
        "grades.services.submission.grades_submitted",
    ],
    "ocradmin.two_factor_required": ["centres.selectors.holds_approving_role"],
}


def test_every_hook_and_its_receivers():
    assert {
        name: [receiver_name(r) for r in hook.receivers] for name, hook in all_hooks().items()
    } == HOOKS


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_says_which_lock_its_caller_holds(name):
    assert "Lock: the caller holds the " in all_hooks()[name].doc


@pytest.fixture
def hook():
    from ocradmin import hooks

    made = Hook("tests.example", doc="``(x) -> str | None``. Lock: none, a test.")
    yield made
    del hooks._hooks["tests.example"]


def test_a_receiver_registered_twice_raises(hook):
    def says_no(x):
        return "no"

    hook.register(says_no)
    with pytest.raises(ImproperlyConfigured, match="already registered on the hook"):
        hook.register(says_no)
    assert hook.receivers == (says_no,)


def test_a_hook_declared_twice_raises(hook):
    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        Hook("tests.example", doc="again")


def test_first_is_the_first_answer_that_is_not_empty(hook):
    assert hook.first(1) is None
    hook.register(lambda x: None)
    hook.register(lambda x: "")
    assert hook.first(1) is None

    def reason(x):
        return f"reason {x}"

    hook.register(reason)
    hook.register(lambda x: "later")
    assert hook.first(1) == "reason 1"


def test_a_panel_key_registered_twice_raises():
    registry = PanelRegistry()
    registry.register("clock", "a.html")(lambda request: {})
    with pytest.raises(ImproperlyConfigured, match="'clock' is already registered"):
        registry.register("clock", "b.html")(lambda request: {})


def test_a_centre_section_key_registered_twice_raises():
    existing = navigation._sections[0]
    with pytest.raises(ImproperlyConfigured, match=f"'{existing.key}' is already registered"):
        navigation.register_section(
            key=existing.key, label="Again", url_name="centres:home", permission="x"
        )
    assert navigation._sections.count(existing) == 1


# --- centres.withdrawal_blockers: the qualification approval's row lock ----------------------


def _wait_until_blocked_or_done(thread):
    """Until ``thread`` waits on a row lock in PostgreSQL, or has finished."""
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while thread.is_alive() and time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)


def _race(first, second):
    """Run ``first`` in a transaction kept open until ``second`` is waiting for a lock (or done),
    then let it commit. Returns each one's outcome: "ok" or the refusal."""
    holding, release = threading.Event(), threading.Event()
    outcomes = {}

    def run(name, action, hold):
        try:
            with transaction.atomic():
                action()
                if hold:
                    holding.set()
                    release.wait(timeout=30)
            outcomes[name] = "ok"
        except (CentreError, EntryError) as error:
            outcomes[name] = str(error)
        finally:
            holding.set()
            connection.close()

    one = threading.Thread(target=run, args=("first", first, True))
    one.start()
    holding.wait(timeout=30)
    two = threading.Thread(target=run, args=("second", second, False))
    two.start()
    _wait_until_blocked_or_done(two)
    release.set()
    one.join()
    two.join()
    return outcomes["first"], outcomes["second"]


@pytest.fixture
def race_setting(people, centre):
    qualification = QualificationFactory(entry_code="X9001")
    approval = ApprovalFactory(centre=centre, qualification=qualification)
    candidate = CandidateFactory(centre=centre, date_of_birth=date(2009, 12, 9))
    admin = people["centre_admin"]

    makers = {
        "named": lambda: make_named_entry(
            centre=centre, candidate=candidate, qualification=qualification, by=admin
        ),
        "unnamed": lambda: make_unnamed_entry(
            centre=centre, qualification=qualification, quantity=5, by=admin
        ),
        "bulk": lambda: make_named_entries(
            centre=centre,
            rows=[
                NamedEntryRow(
                    row_number=2,
                    candidate_number=candidate.candidate_number,
                    first_name="",
                    last_name="",
                    date_of_birth=None,
                    sex="",
                    entry_code="X9001",
                )
            ],
            by=admin,
        ),
    }

    def withdraw():
        withdraw_approval(approval=approval, by=admin)

    return approval, makers, withdraw


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("maker", ["named", "unnamed", "bulk"])
def test_an_entry_made_while_the_approval_is_withdrawn_waits_and_is_refused(race_setting, maker):
    approval, makers, withdraw = race_setting
    withdrawn, entered = _race(withdraw, makers[maker])
    assert withdrawn == "ok"
    assert "not approved for X9001" in entered
    assert not Entry.objects.exists()
    approval.refresh_from_db()
    assert approval.status == QualificationApproval.Status.WITHDRAWN


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("maker", ["named", "unnamed", "bulk"])
def test_a_withdrawal_while_an_entry_is_made_waits_and_is_refused(race_setting, maker):
    approval, makers, withdraw = race_setting
    entered, withdrawn = _race(makers[maker], withdraw)
    assert entered == "ok"
    assert withdrawn == "X9001 cannot be withdrawn: 1 live entry"
    assert Entry.objects.count() == 1
    approval.refresh_from_db()
    assert approval.status == QualificationApproval.Status.APPROVED
