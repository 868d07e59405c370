"""Rows of claims lists written in Python rather than by the template engine cell by cell:
the centre's claims list here, the moderator's queue (``moderation.views.review``) with the
same status cell."""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.timesince import timeuntil

from ocradmin.templatetags import dates

from ..models import Claim, ModerationOutcome

# What ``get_..._display`` shows (a value without a label shows as itself).
_STATUSES = dict(Claim.Status.choices)
_OUTCOMES = dict(ModerationOutcome.choices)


def claim_status(claim, now) -> str:
    """What ``claims/_status.html`` writes for a claim given as a row (a dict with ``status``,
    ``work_due_at``, ``work_sent_at``, ``moderated_at``, ``moderation_outcome`` and
    ``withdrawn_at``); ``tests/moderation/test_review_pages.py`` checks the two agree for every
    state."""
    S = Claim.Status
    status = claim["status"]

    def at(value, *, with_time=True):
        return f" {dates.time_element(value, with_time=with_time)}" if value else ""

    if status == S.SUBMITTED:
        due = claim["work_due_at"]
        left = (
            f'<span class="text-muted">({escape(timeuntil(due, now))} left)</span>'
            if due > now
            else '<span class="deadline-breach">(overdue)</span>'
        )
        return f"Submitted — work due by {dates.time_element(due)}\n  {left}\n"
    if status == S.WORK_SENT:
        return f"Work sent{at(claim['work_sent_at'])}\n"
    if status == S.MODERATED:
        outcome = _OUTCOMES.get(claim["moderation_outcome"], claim["moderation_outcome"])
        return f"Moderated: {escape(outcome.lower())}{at(claim['moderated_at'], with_time=False)}\n"
    if status == S.WITHDRAWN:
        return f"Withdrawn by the examiner-moderator{at(claim['withdrawn_at'], with_time=False)}\n"
    return f"{escape(_STATUSES.get(status, status))}\n"


# The columns of a claim the status cell reads.
STATUS_COLUMNS = [
    "status",
    "work_due_at",
    "work_sent_at",
    "moderated_at",
    "moderation_outcome",
    "withdrawn_at",
]

# The centre's claims list: a row of each claim's values (``ClaimListView``).
LIST_COLUMNS = [
    "pk",
    "number",
    "created_at",
    *STATUS_COLUMNS,
    "qualification__entry_code",
    "qualification__title",
    "built_by__full_name",
    "built_by__email",
    "candidate_count",
    "line_count",
]

_LIST_ROW = """<tr>
      <td><a href="{url}">{number}</a></td>
      <td>{entry_code} <span class="small text-muted">{title}</span></td>
      <td>{candidates}</td>
      <td>{lines}</td>
      <td>{built_by}</td>
      <td>{status}</td>
    </tr>"""


def list_row(claim, now, claim_url) -> str:
    """A claim's row of the centre's claims list (a dict of ``LIST_COLUMNS``), escaped."""
    number = (
        escape(claim["number"])
        if claim["number"]
        else f"Draft started {dates.day(claim['created_at'])}"
    )
    built_by = claim["built_by__full_name"] or claim["built_by__email"] or "—"
    return mark_safe(
        _LIST_ROW.format(
            url=claim_url(claim["pk"]),
            number=number,
            entry_code=escape(claim["qualification__entry_code"]),
            title=escape(claim["qualification__title"]),
            candidates=claim["candidate_count"],
            lines=claim["line_count"],
            built_by=escape(built_by),
            status=claim_status(claim, now),
        )
    )
