"""Deadline clocks (DESIGN.md §4): which rows are on the clock, the field holding each row's
deadline, when it turns amber, and the breach.

A clock gives the staff board its figures in one query (``summary``; the board reads them
through ``board_summary``, worked out at most once a minute and shown with their time), each
linking to the staff list filtered to exactly those rows (``?clock=amber``, read back with
``rows_in``), and runs the scans beat calls: ``scan_breaches`` (rows past the deadline) and
``send_reminders`` (the nearest reminder before the deadline). A scan tells people once per row
through the send-once notice table (``SentNotice``): claiming a notice is an insert that does
nothing when the row is already there, so a rerun, a retry or a second worker sends nothing
twice.

A deadline is a datetime (``process_by``, ``work_due_at``: breached at that instant) or, with
``on_date=True``, a date (``results_due_on``: met by the end of that business day in London,
breached from the next). ``amber`` is a timedelta, or a function of now giving the last deadline
that is amber, e.g. ``within_working_days(5)`` for "five working days or fewer left"; a clock
with an amber function can also tell people once when a row turns amber (``scan_amber``).

An app declares its clock beside its selectors, e.g. ``entries.selectors.PROCESSING_CLOCK``.
"""

import uuid
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from .figures import kept
from .models import SentNotice
from .workdays import add_working_days, business_date

STATES = ("waiting", "amber", "breach")
BOARD_FIGURES_SECONDS = 60


@dataclass(frozen=True)
class ClockSummary:
    waiting: int
    amber: int
    breached: int
    oldest: datetime | date | None
    links: dict[str, str]
    extra: dict = field(default_factory=dict)
    as_at: datetime | None = None
    """When the figures were worked out (``board_summary``)."""

    def __getitem__(self, name):  # the panels' templates read the extra figures by name
        return self.extra[name] if name in self.extra else getattr(self, name)


@dataclass(frozen=True)
class Clock:
    key: str
    """Names the clock's notices, e.g. ``"entries.processing"``."""
    rows: Callable[[], QuerySet]
    """The rows whose clock is running (the deadline not yet met)."""
    deadline: str
    """The field (or an annotation of ``rows()``) holding each row's deadline."""
    amber: timedelta | Callable[[datetime], date | datetime]
    """Amber once the deadline is this close, or a function of now giving the last deadline
    that is amber (``within_working_days``)."""
    started: str = ""
    """The field of when each row's clock started, for "the oldest"; optional."""
    reminders: Sequence[timedelta] = ()
    """Notices before the deadline, e.g. 7, 3 and 1 days."""
    list_url: str = ""
    """The URL name of the staff list that filters on ``?clock=<state>``."""
    on_date: bool = False
    """The deadline is a date, met by the end of that business day (Europe/London)."""

    # --- Reading -----------------------------------------------------------------------------

    def _point(self, now):
        """What deadlines are compared with: now, or today's business date."""
        return business_date(now) if self.on_date else now

    def _amber_end(self, now):
        """The last deadline that is amber at ``now``."""
        if callable(self.amber):
            return self.amber(now)
        return self._point(now) + self.amber

    def _state_q(self, state: str, now) -> Q:
        point = self._point(now)
        # A date deadline is met through its whole day; a datetime one is breached at its instant.
        not_breached = f"{self.deadline}__{'gte' if self.on_date else 'gt'}"
        if state == "breach":
            return ~Q(**{not_breached: point})
        if state == "amber":
            return Q(**{not_breached: point, f"{self.deadline}__lte": self._amber_end(now)})
        if state == "waiting":
            return Q()
        raise ValueError(f"A clock state is one of {STATES}, not {state!r}.")

    def rows_in(self, state: str, now=None) -> QuerySet:
        """The rows in ``state`` (``waiting`` is every row on the clock), deadline first."""
        return (
            self.rows()
            .filter(self._state_q(state, now or timezone.now()))
            .order_by(self.deadline, "pk")
        )

    def state(self, row, now=None) -> str:
        """``"breach"``, ``"amber"`` or ``""`` for a row on the clock."""
        now = now or timezone.now()
        deadline = getattr(row, self.deadline)
        point = self._point(now)
        if deadline < point or (deadline == point and not self.on_date):
            return "breach"
        if deadline <= self._amber_end(now):
            return "amber"
        return ""

    def link(self, state: str) -> str:
        """The staff list filtered to the rows in ``state``."""
        return f"{reverse(self.list_url)}?clock={state}"

    def summary(self, now=None, **extra) -> ClockSummary:
        """The staff board's figures in one query; ``extra`` adds aggregates of the rows."""
        now = now or timezone.now()
        aggregates = {
            "waiting": Count("pk"),
            "amber": Count("pk", filter=self._state_q("amber", now)),
            "breached": Count("pk", filter=self._state_q("breach", now)),
            **extra,
        }
        if self.started:
            aggregates["oldest"] = Min(self.started)
        figures = self.rows().order_by().aggregate(**aggregates)
        links = {state: self.link(state) for state in STATES} if self.list_url else {}
        return ClockSummary(
            waiting=figures.pop("waiting"),
            amber=figures.pop("amber"),
            breached=figures.pop("breached"),
            oldest=figures.pop("oldest", None),
            links=links,
            extra=figures,
            as_at=now,
        )

    def board_summary(self, **extra) -> ClockSummary:
        """``summary`` for the staff board: it counts every row on the clock (tens of thousands
        nationally), so it is worked out at most once every ``BOARD_FIGURES_SECONDS`` and kept
        in the shared cache; the panel shows ``as_at``."""
        return kept(
            f"clocks:{self.key}:summary",
            lambda: self.summary(**extra),
            seconds=BOARD_FIGURES_SECONDS,
        ).value

    # --- Scans -------------------------------------------------------------------------------

    def scan_breaches(
        self, *, tell: Callable[[QuerySet], None], now=None, batch_size: int = 500
    ) -> int:
        """Claim the breach notice of every row past its deadline and ``tell`` about the rows
        claimed, batch by batch, each batch in its own transaction. Rows another worker holds
        are skipped (``skip_locked``); they are that worker's. Returns how many were told."""
        return self._scan("breach", tell=tell, now=now, batch_size=batch_size)

    def scan_amber(
        self, *, tell: Callable[[QuerySet], None], now=None, batch_size: int = 500
    ) -> int:
        """As ``scan_breaches``, for the rows that are amber (not yet breached): each row's
        amber notice once. A row first seen already breached gets only the breach notice."""
        return self._scan("amber", tell=tell, now=now, batch_size=batch_size)

    def _scan(self, state: str, *, tell, now, batch_size: int) -> int:
        key = f"{self.key}:{state}"
        told = 0
        while True:
            with transaction.atomic():
                with _no_nested_loops():
                    batch = list(
                        unsent(self.rows_in(state, now or timezone.now()), key)
                        .select_for_update(skip_locked=True, of=("self",))
                        .values_list("pk", flat=True)[:batch_size]
                    )
                if not batch:
                    return told
                model = self.rows().model
                claimed, count = claim_notices(key, model._default_manager.filter(pk__in=batch))
                if count:
                    tell(claimed)
            told += count
            if len(batch) < batch_size:
                return told

    def send_reminders(self, *, tell: Callable[[QuerySet, timedelta], None], now=None) -> int:
        """For each row, claim the nearest reminder whose time has come and ``tell`` about the
        rows claimed, once per reminder. After an outage only the nearest is sent, not every
        one missed. A few queries per reminder, whatever the number of rows."""
        now = self._point(now or timezone.now())
        after = f"{self.deadline}__{'gte' if self.on_date else 'gt'}"
        told = 0
        nearer = None
        for before in sorted(self.reminders):
            due = self.rows().filter(**{after: now, f"{self.deadline}__lte": now + before})
            if nearer is not None:
                due = due.filter(**{f"{self.deadline}__gt": now + nearer})
            nearer = before
            key = reminder_key(self.key, before)
            with transaction.atomic():
                # Rows reminded already are left out by the SELECT (an index probe each), not
                # by a conflicting INSERT each time the scan runs.
                claimed, count = claim_notices(key, unsent(due, key))
                if count:
                    tell(claimed, before)
            told += count
        return told


@contextmanager
def _no_nested_loops():
    """On PostgreSQL, plan the enclosed query without nested loops, in this transaction only.

    A scan inserts its notices faster than autovacuum analyses the notice table, so mid-run the
    planner believes the table holds almost nothing and answers "not sent yet" (``unsent``)
    with a nested-loop anti join that re-reads every notice for every row: minutes at 100,000
    claims. Without nested loops it hashes the notices once, whatever the statistics say."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")


def within_working_days(days: int) -> Callable[[datetime], date]:
    """An ``amber`` for a date clock: amber when the deadline is ``days`` working days or fewer
    after today's business date (``ocradmin.workdays``: bank holidays and closure days skipped)."""

    def amber_end(now) -> date:
        return add_working_days(business_date(now), days)

    return amber_end


def reminder_key(key: str, before: timedelta) -> str:
    if before % timedelta(days=1):
        return f"{key}:{int(before.total_seconds() // 3600)}h"
    return f"{key}:{before.days}d"


def unsent(queryset: QuerySet, key: str, recipient: str = "") -> QuerySet:
    """The rows of ``queryset`` whose notice ``key`` has not gone."""
    target_type = ContentType.objects.get_for_model(queryset.model)
    return queryset.filter(
        ~Exists(
            SentNotice.objects.filter(
                key=key, target_type=target_type, target_id=OuterRef("pk"), recipient=recipient
            )
        )
    )


def claim_notices(key: str, targets: QuerySet, recipient: str = "") -> tuple[QuerySet, int]:
    """Record notice ``key`` as sent for each row of ``targets`` that does not have it yet, in
    one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` whatever the number of rows. Returns the
    rows this call claimed (a queryset) and how many: rows claimed before, or by a worker at the
    same moment, are not in it. Call inside the transaction that tells them."""
    model = targets.model
    target_type = ContentType.objects.get_for_model(model)
    claim = uuid.uuid4()
    opts = SentNotice._meta
    quote = connection.ops.quote_name
    columns = ["key", "target_type_id", "target_id", "recipient", "claim", "sent_at"]
    select_sql, select_params = (
        targets.order_by().annotate(notice_target=F("pk")).values("notice_target").query
    ).sql_with_params()
    prepared = [
        opts.get_field("claim").get_db_prep_value(claim, connection),
        opts.get_field("sent_at").get_db_prep_value(timezone.now(), connection),
    ]
    # ``WHERE 1 = 1`` keeps SQLite from reading ON CONFLICT as part of the SELECT.
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT %s, %s, t.notice_target, %s, %s, %s FROM ({select_sql}) t WHERE 1 = 1 "
        f"ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, target_type.pk, recipient, *prepared, *select_params])
        count = cursor.rowcount
    claimed = model._default_manager.filter(
        pk__in=SentNotice.objects.filter(claim=claim).values("target_id")
    )
    return claimed, max(count, 0)
