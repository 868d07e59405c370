"""The moderation pages' matrix: every ``/moderation/`` URL × every kind of user.

The claim's examiner-moderator gets the page or its redirect; another examiner-moderator 404
(the claim is not theirs); centre users and a user with no roles 403; staff read (200/302) but
every action (a POST, or the page of its form) is 403; an anonymous visitor is sent to sign in.
``test_every_moderation_url_is_in_the_matrix`` walks the URLconf, so a new moderation page
fails until it has a row here.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from claims.models import Claim, ClaimLine, Evidence
from moderation.models import FeedbackReport, Review

from ..claims.conftest import claimable, make_entry
from ..entries.factories import CandidateFactory
from ..factories import UserFactory


@dataclass(frozen=True)
class Row:
    name: str
    method: str = "get"
    args: object = field(default=lambda w: [])
    # A page of an action (its form): for the claim's moderator alone.
    action: bool = False


ROWS = [
    Row("moderation:queue"),
    Row("moderation:claim", args=lambda w: [w["claim"].pk]),
    Row("moderation:file", args=lambda w: [w["claim"].pk, w["evidence"].pk]),
    Row("moderation:files-zip", args=lambda w: [w["claim"].pk]),
    Row("moderation:withdraw", args=lambda w: [w["claim"].pk], action=True),
    Row("moderation:complete", args=lambda w: [w["claim"].pk], action=True),
    Row("moderation:report", args=lambda w: [w["done"].pk]),
    Row("moderation:receipt", "post", lambda w: [w["claim"].pk]),
    Row("moderation:decide", "post", lambda w: [w["claim"].pk, w["line"].pk]),
    Row("moderation:confirm-remaining", "post", lambda w: [w["claim"].pk]),
    Row("moderation:withdraw", "post", lambda w: [w["claim"].pk]),
    Row("moderation:complete", "post", lambda w: [w["claim"].pk]),
]

PEOPLE = [
    "moderator",
    "other_moderator",
    "centre_admin",
    "teacher",
    "head_of_centre",
    "aam_user",
    "other_centre_admin",
    "outsider",
    "staff",
]


def expected(person, row):
    if person == "moderator":
        return "ok"
    if person == "other_moderator":
        return "ok" if row.name == "moderation:queue" else 404  # their own (empty) queue
    if person == "staff":
        return "ok" if row.method == "get" and not row.action else 403
    return 403


def outcome(status):
    return "ok" if status in (200, 202, 302) else status


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        else:
            yield prefix + str(pattern.pattern), f"{namespace}:{pattern.name}"


def test_every_moderation_url_is_in_the_matrix():
    routes = {
        name
        for route, name in _walk(get_resolver().url_patterns)
        if route.startswith("moderation/")
    }
    assert routes == {row.name for row in ROWS}


@pytest.fixture
def world(centre, people):
    setup = claimable(centre, people)
    now = timezone.now()
    moderator = people["moderator"]

    def claim(number, status, **extra):
        return Claim.objects.create(
            centre=centre,
            qualification=setup["qualification"],
            status=status,
            number=f"{centre.number}-{number}",
            moderator=moderator,
            built_by=people["teacher"],
            submitted_at=now - timedelta(days=5),
            work_due_at=now - timedelta(days=4),
            work_sent_at=now - timedelta(days=4),
            work_received_at=now - timedelta(days=4),
            results_due_on=(now + timedelta(days=25)).date(),
            **extra,
        )

    with_moderator = claim("0001", Claim.Status.WITH_MODERATOR)
    candidate = CandidateFactory(centre=centre)
    entry = make_entry(centre, setup["qualification"], candidate)
    line = ClaimLine.objects.create(
        claim=with_moderator, candidate=candidate, unit=setup["units"]["1"], entry=entry, grade="M"
    )
    evidence = Evidence.objects.create(
        claim=with_moderator,
        candidate=candidate,
        unit=setup["units"]["1"],
        file=ContentFile(b"%PDF-1.4 work", name="work.pdf"),
        original_name="work.pdf",
        kind=Evidence.Kind.PDF,
        content_type="application/pdf",
        size=13,
    )
    done = claim(
        "0002",
        Claim.Status.MODERATED,
        moderated_at=now,
        moderation_outcome="confirmed_unchanged",
    )
    review = Review.objects.create(
        claim=done,
        moderator=moderator,
        status=Review.Status.COMPLETED,
        completed_at=now,
        outcome=Review.Outcome.CONFIRMED_UNCHANGED,
    )
    report = FeedbackReport.objects.create(review=review, overall_comments="Sound.")
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4 report"))
    return {"claim": with_moderator, "line": line, "evidence": evidence, "done": done}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method} {row.name}")
def test_moderation_page_permissions(client, people, world, row):
    people = {**people, "other_moderator": UserFactory(is_examiner_moderator=True)}
    url = reverse(row.name, args=row.args(world))
    got = {}
    for person in PEOPLE:
        client.force_login(people[person])
        savepoint = transaction.savepoint()
        got[person] = outcome(getattr(client, row.method)(url).status_code)
        transaction.savepoint_rollback(savepoint)
    assert got == {person: expected(person, row) for person in PEOPLE}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method} {row.name}")
def test_anonymous_is_sent_to_sign_in(client, world, row):
    response = getattr(client, row.method)(reverse(row.name, args=row.args(world)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
