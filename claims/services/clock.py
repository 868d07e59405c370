"""The 24-hour clock for the candidates' work (DESIGN.md §4 "work dispatch").

Beat runs ``scan_work_clock`` every few minutes. It sends the reminder 6 hours before the
deadline to whoever built the claim and the centre admins, and at the deadline tells the
centre (its admins and the builder), the examiner-moderator and staff that the work is
overdue. Each notice goes once per claim, whatever the number of runs, workers or retries: the
clock's send-once notice table (``ocradmin.clocks``) records it in the transaction that tells.
Only claims still waiting for their work (``submitted``) are on the clock, so sending the work
stops it.
"""

from django.conf import settings
from django.urls import reverse

from centres.models import Role
from centres.selectors import people_by_centre
from ocradmin import audit
from ocradmin.notifications import Delivery, email_notice, notify_each

from ..pages import moderator_url
from ..selectors import WORK_CLOCK

STAFF_LIST_MAX = 100


def _work_url(claim) -> str:
    return reverse("claims:work", args=[claim.centre.number, claim.pk])


def _centre_deliveries(claims, context_for) -> list[Delivery]:
    admins = people_by_centre({c.centre_id for c in claims}, Role.CENTRE_ADMIN)
    deliveries = []
    for claim in claims:
        people = {u.pk: u for u in admins.get(claim.centre_id, [])}
        if claim.built_by_id and claim.built_by.is_active:
            people.setdefault(claim.built_by_id, claim.built_by)
        deliveries += [
            Delivery(user, context_for(claim), _work_url(claim)) for user in people.values()
        ]
    return deliveries


def _remind(claimed, before) -> None:
    claims = list(claimed.select_related("centre", "qualification", "built_by"))
    hours = int(before.total_seconds() // 3600)
    notify_each(
        notice="claims/work_reminder",
        deliveries=_centre_deliveries(claims, lambda claim: {"claim": claim, "hours": hours}),
    )


def _tell_overdue(claimed) -> None:
    claims = list(
        claimed.select_related("centre", "qualification", "built_by", "moderator").order_by(
            "work_due_at", "pk"
        )
    )
    notify_each(
        notice="claims/work_overdue",
        deliveries=_centre_deliveries(claims, lambda claim: {"claim": claim, "for_centre": True}),
    )
    notify_each(
        notice="claims/work_overdue",
        deliveries=[
            Delivery(
                claim.moderator,
                {"claim": claim, "for_centre": False},
                moderator_url(claim),
            )
            for claim in claims
            if claim.moderator_id
        ],
    )
    email_notice(
        to=[settings.STAFF_EMAIL],
        notice="claims/work_overdue_staff",
        context={
            "count": len(claims),
            "claims": claims[:STAFF_LIST_MAX],
            "more": max(len(claims) - STAFF_LIST_MAX, 0),
            "url": WORK_CLOCK.link("breach"),
        },
    )
    by_centre = {}
    for claim in claims:
        by_centre.setdefault(claim.centre_id, []).append(claim)
    for centre_claims in by_centre.values():
        audit.record_many(
            actor=None,
            action="claim.work_overdue",
            centre=centre_claims[0].centre,
            events=[(c, {"work_due_at": c.work_due_at.isoformat()}) for c in centre_claims],
        )


def send_work_reminders(*, now=None) -> int:
    return WORK_CLOCK.send_reminders(tell=_remind, now=now)


def flag_overdue_work(*, now=None, batch_size: int = 500) -> int:
    return WORK_CLOCK.scan_breaches(tell=_tell_overdue, now=now, batch_size=batch_size)
