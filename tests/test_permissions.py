"""The tenancy and permission matrix: every centre URL × every kind of user.

Each row names a centre-scoped URL (one that carries the centre number), how it is asked for,
and who gets through: centre roles and, where the rules say so, staff. A member with one of
those roles gets the page or its redirect (200 or 302), a member without gets 403, another
centre's admin, a moderator and a user with no roles get 404, staff get 200/302 or 403 as the
row says, and an anonymous visitor is sent to sign in. ``test_every_centre_url_is_in_the_matrix``
walks the URLconf, so a new centre page fails until it has a row here.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.views.generic import TemplateView

from centres.models import Invitation, Membership, Role
from centres.tenancy import CentreMixin
from claims.models import Claim, ClaimLine, ClaimUpload, Evidence
from entries.models import Entry, EntryUpload
from grades.models import AssessmentMaterial, CentreSubmission, GradeUpload, TeacherAssignment
from moderation.models import FeedbackReport, Review

from .entries.factories import (
    ApprovalFactory,
    CandidateFactory,
    QualificationFactory,
    UnitFactory,
)
from .factories import UserFactory
from .grades.conftest import enter, make_tag_qualification, summer_2021

STAFF = "staff"
ADMIN, TEACHER, HEAD, AAM = Role.CENTRE_ADMIN, Role.TEACHER, Role.HEAD_OF_CENTRE, Role.AAM_USER
IN_GRADE_WINDOW = datetime(2021, 6, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Page:
    name: str
    allowed: frozenset
    method: str = "get"
    # The URL's arguments after the centre number, from the ``world`` fixture.
    args: Callable[[dict], list] = field(default=lambda world: [])

    def url(self, number, world) -> str:
        return reverse(self.name, args=[number, *self.args(world)])


def page(name, *allowed, method="get", args=None):
    return Page(name, frozenset(allowed), method, args or (lambda world: []))


def tag(world):
    return [world["tag"].entry_code]


CENTRE_PAGES = [
    # centres
    page("centres:home", ADMIN, TEACHER, HEAD, AAM, STAFF),
    page("centres:audit", ADMIN, HEAD, STAFF),
    page("centres:users", ADMIN, STAFF),
    page("centres:users-invite", ADMIN, STAFF),
    page("centres:users-head", ADMIN, STAFF),
    page(
        "centres:users-remove",
        ADMIN,
        STAFF,
        method="post",
        args=lambda w: [w["colleague"].pk],
    ),
    page(
        "centres:users-revoke-role",
        ADMIN,
        STAFF,
        method="post",
        args=lambda w: [w["colleague"].pk, TEACHER],
    ),
    page(
        "centres:invitation-cancel",
        ADMIN,
        STAFF,
        method="post",
        args=lambda w: [w["invitation"].pk],
    ),
    page("centres:approvals", ADMIN, HEAD, TEACHER, STAFF),
    page("centres:approval-request", ADMIN),
    page("centres:approval-withdraw", ADMIN, args=lambda w: [w["approval"].pk]),
    # entries
    page("entries:candidates", ADMIN, TEACHER, HEAD, STAFF),
    page("entries:candidates-csv", ADMIN, TEACHER, HEAD, STAFF),
    page("entries:candidates-xlsx", ADMIN, TEACHER, HEAD, STAFF),
    page("entries:candidate-add", ADMIN),
    page("entries:candidate", ADMIN, TEACHER, HEAD, STAFF, args=lambda w: [w["candidate"].pk]),
    page("entries:candidate-edit", ADMIN, args=lambda w: [w["candidate"].pk]),
    page("entries:candidate-correction", ADMIN, args=lambda w: [w["candidate"].pk]),
    page("entries:arrangements", ADMIN, TEACHER, HEAD, STAFF),
    page("entries:arrangement-apply", ADMIN),
    page("entries:list", ADMIN, TEACHER, HEAD, STAFF),
    page("entries:new-named", ADMIN),
    page("entries:new-unnamed", ADMIN),
    page("entries:candidate-search", ADMIN),
    page("entries:entry-fields", ADMIN),
    page("entries:amend", ADMIN, args=lambda w: [w["entry"].pk]),
    page("entries:withdraw", ADMIN, method="post", args=lambda w: [w["entry"].pk]),
    page("entries:export-csv", ADMIN, TEACHER, HEAD, STAFF),
    page("entries:export-xlsx", ADMIN, TEACHER, HEAD, STAFF),
    page("entries:upload", ADMIN, STAFF),
    page("entries:upload-template-csv", ADMIN, STAFF),
    page("entries:upload-template-xlsx", ADMIN, STAFF),
    page("entries:upload-status", ADMIN, STAFF, args=lambda w: [w["upload"].pk]),
    page("entries:upload-progress", ADMIN, STAFF, args=lambda w: [w["upload"].pk]),
    page("entries:upload-confirm", ADMIN, method="post", args=lambda w: [w["upload"].pk]),
    # grades (the teacher is assigned to the qualification; an unassigned teacher is refused
    # by grades.rules.grading_access, tested in tests/grades)
    page("grades:materials", ADMIN, TEACHER, HEAD, AAM, STAFF),
    page(
        "grades:material-download",
        ADMIN,
        TEACHER,
        HEAD,
        AAM,
        STAFF,
        args=lambda w: [w["material"].pk],
    ),
    page("grades:assignments", ADMIN, STAFF),
    page(
        "grades:assignment-remove",
        ADMIN,
        STAFF,
        method="post",
        args=lambda w: [w["assignment"].pk],
    ),
    page("grades:index", ADMIN, TEACHER, HEAD, STAFF),
    page("grades:qualification", ADMIN, TEACHER, HEAD, STAFF, args=tag),
    page("grades:save", ADMIN, TEACHER, method="post", args=lambda w: [*tag(w), w["pupil"].pk]),
    page("grades:template-csv", ADMIN, TEACHER, HEAD, STAFF, args=tag),
    page("grades:template-xlsx", ADMIN, TEACHER, HEAD, STAFF, args=tag),
    page("grades:upload", ADMIN, TEACHER, args=tag),
    page(
        "grades:upload-status",
        ADMIN,
        TEACHER,
        HEAD,
        STAFF,
        args=lambda w: [*tag(w), w["grade_upload"].pk],
    ),
    page(
        "grades:upload-progress",
        ADMIN,
        TEACHER,
        HEAD,
        STAFF,
        args=lambda w: [*tag(w), w["grade_upload"].pk],
    ),
    page(
        "grades:upload-confirm",
        ADMIN,
        TEACHER,
        method="post",
        args=lambda w: [*tag(w), w["grade_upload"].pk],
    ),
    page("grades:review", ADMIN, TEACHER, HEAD, STAFF),
    page("grades:send", ADMIN, TEACHER, method="post", args=tag),
    page("grades:approve", HEAD, method="post", args=tag),
    page("grades:return", HEAD, method="post", args=tag),
    page("grades:declaration", HEAD),
    page("grades:receipt", ADMIN, HEAD, STAFF),
    # claims (a draft and a submitted claim with a file; the head of centre reads, staff too)
    page("claims:list", ADMIN, TEACHER, HEAD, STAFF),
    page("claims:start", ADMIN, TEACHER),
    page("claims:claim", ADMIN, TEACHER, HEAD, STAFF, args=lambda w: [w["draft"].pk]),
    page("claims:build", ADMIN, TEACHER, args=lambda w: [w["draft"].pk]),
    page(
        "claims:build-candidate",
        ADMIN,
        TEACHER,
        args=lambda w: [w["draft"].pk, w["claimed"].pk],
    ),
    page("claims:build-unit", ADMIN, TEACHER, args=lambda w: [w["draft"].pk, w["unit"].pk]),
    page("claims:save-line", ADMIN, TEACHER, method="post", args=lambda w: [w["draft"].pk]),
    page("claims:full-award", ADMIN, TEACHER, method="post", args=lambda w: [w["draft"].pk]),
    page("claims:submit", ADMIN, TEACHER, args=lambda w: [w["draft"].pk]),
    page("claims:upload", ADMIN, TEACHER, args=lambda w: [w["draft"].pk]),
    page("claims:upload-template-csv", ADMIN, TEACHER, args=lambda w: [w["draft"].pk]),
    page("claims:upload-template-xlsx", ADMIN, TEACHER, args=lambda w: [w["draft"].pk]),
    page(
        "claims:upload-status",
        ADMIN,
        TEACHER,
        args=lambda w: [w["draft"].pk, w["lines_upload"].pk],
    ),
    page(
        "claims:upload-progress",
        ADMIN,
        TEACHER,
        args=lambda w: [w["draft"].pk, w["lines_upload"].pk],
    ),
    page(
        "claims:upload-confirm",
        ADMIN,
        TEACHER,
        method="post",
        args=lambda w: [w["draft"].pk, w["lines_upload"].pk],
    ),
    page("claims:work", ADMIN, TEACHER, HEAD, STAFF, args=lambda w: [w["submitted"].pk]),
    page("claims:work-upload", ADMIN, TEACHER, method="post", args=lambda w: [w["submitted"].pk]),
    page("claims:work-post", ADMIN, TEACHER, method="post", args=lambda w: [w["submitted"].pk]),
    page(
        "claims:work-file",
        ADMIN,
        TEACHER,
        HEAD,
        STAFF,
        args=lambda w: [w["submitted"].pk, w["evidence"].pk],
    ),
    # moderation: the centre's feedback reports (the moderator's pages: tests/moderation)
    page("moderation:centre-reports", ADMIN, TEACHER, HEAD, STAFF),
    page(
        "moderation:centre-report", ADMIN, TEACHER, HEAD, STAFF, args=lambda w: [w["moderated"].pk]
    ),
]

MEMBER_ROLES = {
    "centre_admin": ADMIN,
    "teacher": TEACHER,
    "head_of_centre": HEAD,
    "aam_user": AAM,
}
PEOPLE = [*MEMBER_ROLES, "other_centre_admin", "moderator", "outsider", "staff"]


def expected(person: str, allowed) -> int | str:
    if person == "staff":
        return "ok" if STAFF in allowed else 403
    if person in MEMBER_ROLES:
        return "ok" if MEMBER_ROLES[person] in allowed else 403
    return 404  # another centre's admin, a moderator, a user with no roles


def outcome(status: int) -> int | str:
    return "ok" if status in (200, 302) else status


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                pattern.namespace or namespace,
            )
        else:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.callback


def centre_urls() -> dict[str, type]:
    """Every URL that carries a centre number, by name, with its view class."""
    return {
        name: getattr(callback, "view_class", callback)
        for route, name, callback in _walk(get_resolver().url_patterns)
        if "<centre:" in route
    }


def test_every_centre_url_is_in_the_matrix():
    in_matrix = [p.name for p in CENTRE_PAGES]
    assert len(in_matrix) == len(set(in_matrix))
    assert sorted(centre_urls()) == sorted(in_matrix)


def test_a_centre_view_without_a_permission_fails_loudly(people, centre):
    class Forgotten(CentreMixin, TemplateView):
        template_name = "centres/home.html"

    request = RequestFactory().get("/")
    request.user = people["centre_admin"]
    with pytest.raises(ImproperlyConfigured, match="Forgotten names no centre_permission"):
        Forgotten.as_view()(request, number=centre.number)


@pytest.fixture
def in_grade_window():
    with time_machine.travel(IN_GRADE_WINDOW, tick=False):
        yield


@pytest.fixture
def world(people, centre, in_grade_window):
    """One of everything the centre pages name, at ``centre``, inside the 2021 grade window."""
    admin = people["centre_admin"]
    colleague = UserFactory(email="colleague@northfield.example")
    Membership.objects.create(user=colleague, centre=centre, role=TEACHER)
    vocational = QualificationFactory(entry_code="X9001")
    approval = ApprovalFactory(centre=centre, qualification=vocational)
    candidate = CandidateFactory(centre=centre)
    entry = Entry.objects.create(
        centre=centre,
        qualification=vocational,
        kind=Entry.Kind.NAMED,
        candidate=candidate,
        submitted_by=admin,
        submitted_at=IN_GRADE_WINDOW,
        process_by=IN_GRADE_WINDOW + timedelta(hours=48),
    )
    upload = EntryUpload.objects.create(
        centre=centre,
        uploaded_by=admin,
        original_name="entries.csv",
        status=EntryUpload.Status.FAILED,
    )
    series = summer_2021()
    tag_qualification = make_tag_qualification()
    ApprovalFactory(centre=centre, qualification=tag_qualification)
    pupil = CandidateFactory(centre=centre)
    enter(pupil, tag_qualification)
    assignment = TeacherAssignment.objects.create(
        series=series, centre=centre, qualification=tag_qualification, teacher=people["teacher"]
    )
    grade_upload = GradeUpload.objects.create(
        centre=centre,
        uploaded_by=admin,
        original_name="grades.csv",
        status=GradeUpload.Status.FAILED,
        series=series,
        qualification=tag_qualification,
    )
    material = AssessmentMaterial.objects.create(
        series=series,
        qualification=tag_qualification,
        title="Set task",
        file=ContentFile(b"%PDF-1.4 set task", name="set-task.pdf"),
        original_name="set-task.pdf",
        available_from=IN_GRADE_WINDOW - timedelta(days=30),
    )
    submission = CentreSubmission.objects.create(
        series=series,
        centre=centre,
        head_name="Pat Head",
        head_job_title="Headteacher",
        confirm_policy=True,
        confirm_quality_assured=True,
        confirm_evidence=True,
        confirm_evidence_kept=True,
        submitted_by=people["head_of_centre"],
    )
    submission.receipt.save("receipt.pdf", ContentFile(b"%PDF-1.4 receipt"))
    claimed = CandidateFactory(centre=centre)
    claimed_entry = Entry.objects.create(
        centre=centre,
        qualification=vocational,
        kind=Entry.Kind.NAMED,
        candidate=claimed,
        status=Entry.Status.ACCEPTED,
        submitted_at=IN_GRADE_WINDOW - timedelta(days=10),
        process_by=IN_GRADE_WINDOW - timedelta(days=8),
    )
    unit = UnitFactory(qualification=vocational, number="1")
    draft = Claim.objects.create(centre=centre, qualification=vocational, built_by=admin)
    ClaimLine.objects.create(
        claim=draft, candidate=claimed, unit=unit, entry=claimed_entry, grade="D"
    )
    lines_upload = ClaimUpload.objects.create(
        centre=centre, claim=draft, uploaded_by=admin, original_name="lines.csv", status="failed"
    )
    submitted = Claim.objects.create(
        centre=centre,
        qualification=vocational,
        status=Claim.Status.SUBMITTED,
        number=f"{centre.number}-0001",
        built_by=admin,
        submitted_at=IN_GRADE_WINDOW,
        work_due_at=IN_GRADE_WINDOW + timedelta(hours=24),
    )
    second_unit = UnitFactory(qualification=vocational, number="2")
    ClaimLine.objects.create(
        claim=submitted, candidate=claimed, unit=second_unit, entry=claimed_entry, grade="M"
    )
    evidence = Evidence.objects.create(
        claim=submitted,
        candidate=claimed,
        unit=second_unit,
        file=ContentFile(b"%PDF-1.4 work", name="work.pdf"),
        original_name="work.pdf",
        kind=Evidence.Kind.PDF,
        content_type="application/pdf",
        size=13,
    )
    moderated = Claim.objects.create(
        centre=centre,
        qualification=vocational,
        status=Claim.Status.MODERATED,
        number=f"{centre.number}-0002",
        built_by=admin,
        moderator=people["moderator"],
        submitted_at=IN_GRADE_WINDOW - timedelta(days=30),
        work_due_at=IN_GRADE_WINDOW - timedelta(days=29),
        moderated_at=IN_GRADE_WINDOW - timedelta(days=2),
        moderation_outcome="confirmed_unchanged",
    )
    review = Review.objects.create(
        claim=moderated,
        moderator=people["moderator"],
        status=Review.Status.COMPLETED,
        completed_at=IN_GRADE_WINDOW - timedelta(days=2),
        outcome=Review.Outcome.CONFIRMED_UNCHANGED,
    )
    report = FeedbackReport.objects.create(review=review, overall_comments="Sound assessment.")
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4 report"))
    invitation = Invitation.objects.create(
        centre=centre,
        email="new@northfield.example",
        full_name="New Teacher",
        roles=[TEACHER],
        token="matrix-invitation",
        invited_by=admin,
        expires_at=IN_GRADE_WINDOW + timedelta(days=7),
    )
    return {
        "colleague": colleague,
        "approval": approval,
        "candidate": candidate,
        "entry": entry,
        "upload": upload,
        "grade_upload": grade_upload,
        "tag": tag_qualification,
        "pupil": pupil,
        "assignment": assignment,
        "material": material,
        "invitation": invitation,
        "claimed": claimed,
        "unit": unit,
        "draft": draft,
        "submitted": submitted,
        "evidence": evidence,
        "lines_upload": lines_upload,
        "moderated": moderated,
    }


@pytest.mark.parametrize("row", CENTRE_PAGES, ids=lambda row: row.name)
def test_centre_page_permissions(client, people, centre, world, row):
    """Each person's request runs in a savepoint rolled back afterwards, so a POST that works
    for one person leaves the next one the same page to ask for."""
    url = row.url(centre.number, world)
    got = {}
    for person in PEOPLE:
        client.force_login(people[person])
        savepoint = transaction.savepoint()
        got[person] = outcome(getattr(client, row.method)(url).status_code)
        transaction.savepoint_rollback(savepoint)
    assert got == {person: expected(person, row.allowed) for person in PEOPLE}


class _AnyObject:
    """Stands in for ``world``'s objects where the answer comes before any object is read."""

    pk = 1
    entry_code = "05838"


ANY_OBJECT = defaultdict(_AnyObject)


@pytest.mark.parametrize("row", CENTRE_PAGES, ids=lambda row: row.name)
def test_anonymous_is_sent_to_sign_in(client, centre, row):
    response = getattr(client, row.method)(row.url(centre.number, ANY_OBJECT))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("row", CENTRE_PAGES, ids=lambda row: row.name)
def test_unknown_centre_is_404_even_for_staff(client, people, row):
    client.force_login(people["staff"])
    assert getattr(client, row.method)(row.url("99999", ANY_OBJECT)).status_code == 404


@pytest.mark.parametrize(
    ("url", "person", "status"),
    [
        ("/staff/", "staff", 200),
        ("/staff/", "centre_admin", 403),
        ("/staff/", "moderator", 403),
        ("/", "centre_admin", 200),
        ("/", "outsider", 200),
        ("/notifications/", "teacher", 200),
        ("/qualifications/", "outsider", 200),
        ("/qualifications/", "moderator", 200),
        ("/staff/qualification-approvals/", "staff", 200),
        ("/staff/qualification-approvals/", "centre_admin", 403),
        ("/staff/moderators/", "staff", 200),
        ("/staff/moderators/", "moderator", 403),
        ("/staff/moderation/", "staff", 200),
        ("/staff/moderation/", "centre_admin", 403),
        ("/staff/moderation/", "moderator", 403),
        ("/staff/moderation/results/", "staff", 200),
        ("/staff/moderation/results/", "moderator", 403),
        ("/staff/grades/export/", "staff", 200),
        ("/staff/grades/export/", "centre_admin", 403),
        ("/staff/grades/export/", "moderator", 403),
        ("/staff/grades/export/1/download/", "staff", 404),
        ("/staff/grades/export/1/download/", "head_of_centre", 403),
        ("/staff/grades/export/1/download/", "moderator", 403),
    ],
)
def test_site_pages(client, people, url, person, status):
    client.force_login(people[person])
    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", ["/", "/staff/", "/notifications/"])
def test_site_pages_need_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
