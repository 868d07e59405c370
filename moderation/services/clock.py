"""The results clock (DESIGN.md §4 "results"): 21 working days from the work reaching the
examiner-moderator (``Claim.results_due_on``, a date) to the results.

A claim is on the clock from the moment its work is received until it is moderated or
withdrawn. It is *at risk* when 5 working days or fewer are left (working days: bank holidays
and closure days are skipped, ``ocradmin.workdays``), and *breached* from the day after
``results_due_on``. Beat runs ``scan_results_clock`` hourly: the moderator and staff are told
once when a claim turns at risk and once when it is breached, however often the scan runs (the
send-once notice table of ``ocradmin.clocks``). A claim first seen already breached (after an
outage) gets only the breach notice.
"""

from django.conf import settings
from django.urls import reverse

from claims.models import Claim
from ocradmin import audit, workdays
from ocradmin.clocks import Clock, ClockSummary, within_working_days
from ocradmin.notifications import Delivery, email_notice, notify_each

AT_RISK_WORKING_DAYS = 5
STAFF_LIST_MAX = 100

S = Claim.Status
RESULTS_CLOCK = Clock(
    key="moderation.results",
    rows=lambda: Claim.objects.filter(
        status__in=[S.WORK_SENT, S.WITH_MODERATOR], results_due_on__isnull=False
    ),
    deadline="results_due_on",
    amber=within_working_days(AT_RISK_WORKING_DAYS),
    started="work_received_at",
    list_url="moderation:staff-results",
    on_date=True,
)


def results_clock() -> ClockSummary:
    """The staff board's figures: claims with the moderator, at risk, breached (at most once a
    minute, ``Clock.board_summary``)."""
    return RESULTS_CLOCK.board_summary()


def claims_on_the_clock(state: str):
    """The staff list's ``?clock=`` filter, results due soonest first."""
    return RESULTS_CLOCK.rows_in(state).select_related("centre", "qualification", "moderator")


def working_days_left(claims) -> None:
    """Set ``working_days_left`` (negative when overdue) and ``working_days_overdue`` on each
    claim, from today, on one shared calendar, however long the page."""
    claims = list(claims)
    for claim, left in zip(
        claims, workdays.working_days_left([c.results_due_on for c in claims]), strict=True
    ):
        claim.working_days_left = left
        claim.working_days_overdue = None if left is None else max(-left, 0)


def _review_url(claim) -> str:
    return reverse("moderation:claim", args=[claim.pk])


def _tell(claimed, *, state: str) -> None:
    claims = list(
        claimed.select_related("centre", "qualification", "moderator").order_by(
            "results_due_on", "pk"
        )
    )
    notify_each(
        notice=f"moderation/results_{state}",
        deliveries=[
            Delivery(claim.moderator, {"claim": claim}, _review_url(claim))
            for claim in claims
            if claim.moderator_id and claim.moderator.is_active
        ],
    )
    email_notice(
        to=[settings.STAFF_EMAIL],
        notice=f"moderation/results_{state}_staff",
        context={
            "count": len(claims),
            "claims": claims[:STAFF_LIST_MAX],
            "more": max(len(claims) - STAFF_LIST_MAX, 0),
            "url": RESULTS_CLOCK.link("amber" if state == "at_risk" else "breach"),
        },
    )
    by_centre = {}
    for claim in claims:
        by_centre.setdefault(claim.centre_id, []).append(claim)
    for centre_claims in by_centre.values():
        audit.record_many(
            actor=None,
            action=f"claim.results_{state}",
            centre=centre_claims[0].centre,
            events=[(c, {"results_due_on": c.results_due_on.isoformat()}) for c in centre_claims],
        )


def flag_results_at_risk(*, now=None, batch_size: int = 500) -> int:
    return RESULTS_CLOCK.scan_amber(
        tell=lambda claimed: _tell(claimed, state="at_risk"), now=now, batch_size=batch_size
    )


def flag_results_breached(*, now=None, batch_size: int = 500) -> int:
    return RESULTS_CLOCK.scan_breaches(
        tell=lambda claimed: _tell(claimed, state="breached"), now=now, batch_size=batch_size
    )
