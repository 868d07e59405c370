"""Access arrangements: applying (approved at once or referred), the rules on each field, and
the staff referral queue with its decisions."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import QualificationApproval
from entries.models import AccessArrangement, Candidate, Entry
from entries.services import EntryError
from entries.services.arrangements import (
    InvalidArrangement,
    apply_for_arrangement,
    approve_arrangement,
    needs_referral,
    reject_arrangement,
)
from ocradmin.models import AuditEvent, Notification
from ocradmin.pages import staff_board

from .factories import ApprovalFactory, CandidateFactory, QualificationFactory

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
TODAY = date(2026, 3, 2)
Kind = AccessArrangement.Kind
Status = AccessArrangement.Status


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def qualification(centre):
    return ApprovalFactory(centre=centre).qualification


@pytest.fixture
def candidate(centre):
    return CandidateFactory(centre=centre, first_name="Amelia", last_name="Clarke")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def apply(centre, admin, candidate, qualification, **overrides):
    fields = {
        "kind": Kind.EXTRA_TIME,
        "extra_time_percent": 25,
        "details": "",
        "evidence": "Specialist assessor's report (Form 8), 12 January 2026.",
        "first_assessment_on": TODAY + timedelta(days=30),
    }
    fields.update(overrides)
    return apply_for_arrangement(
        centre=centre, candidate=candidate, qualification=qualification, by=admin, **fields
    )


# --- Applying ---------------------------------------------------------------------------------


def test_straightforward_arrangement_is_approved_at_once(centre, admin, candidate, qualification):
    arrangement = apply(
        centre, admin, candidate, qualification, kind=Kind.READER, extra_time_percent=None
    )
    assert arrangement.status == Status.APPROVED
    assert arrangement.decided_at == NOW and arrangement.decided_by is None
    assert arrangement.requested_by == admin
    event = AuditEvent.objects.get(action="arrangement.approved")
    assert event.centre == centre and event.actor == admin
    assert event.data["within_delegated_authority"] is True
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kind", "percent", "referred"),
    [
        (Kind.EXTRA_TIME, 1, False),
        (Kind.EXTRA_TIME, 25, False),
        (Kind.EXTRA_TIME, 26, True),
        (Kind.EXTRA_TIME, 50, True),
        (Kind.EXTRA_TIME, 100, True),
        (Kind.PRACTICAL_ASSISTANT, None, True),
        (Kind.READER, None, False),
        (Kind.SCRIBE, None, False),
        (Kind.WORD_PROCESSOR, None, False),
        (Kind.SEPARATE_INVIGILATION, None, False),
        (Kind.OTHER, None, False),
    ],
)
def test_referral_rules(
    centre, admin, candidate, qualification, on_commit, settings, kind, percent, referred
):
    settings.STAFF_EMAIL = "ops@ocradmin.example"
    assert needs_referral(kind=kind, extra_time_percent=percent) is referred
    with on_commit():
        arrangement = apply(
            centre,
            admin,
            candidate,
            qualification,
            kind=kind,
            extra_time_percent=percent,
            details="Coloured overlay",
        )
    assert arrangement.status == (Status.REFERRED if referred else Status.APPROVED)
    if referred:
        assert arrangement.decided_at is None
        assert AuditEvent.objects.filter(action="arrangement.referred").count() == 1
        [email] = mail.outbox
        assert email.to == ["ops@ocradmin.example"]
        assert "referred by centre 12345" in email.subject
        assert "/staff/access-arrangements/" in email.body
    else:
        assert mail.outbox == []


def assert_refused(centre, admin, candidate, qualification, field, fragment, **overrides):
    with pytest.raises(InvalidArrangement) as caught:
        apply(centre, admin, candidate, qualification, **overrides)
    assert fragment in caught.value.errors[field]
    assert not AccessArrangement.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="arrangement.").exists()
    return caught.value


@pytest.mark.parametrize("first", [TODAY, TODAY - timedelta(days=1), date(2025, 9, 1)])
def test_first_assessment_today_or_past_is_refused(centre, admin, candidate, qualification, first):
    assert_refused(
        centre,
        admin,
        candidate,
        qualification,
        "first_assessment_on",
        "before the planned first assessment date",
        first_assessment_on=first,
    )


def test_first_assessment_tomorrow_is_fine(centre, admin, candidate, qualification):
    tomorrow = TODAY + timedelta(days=1)
    assert apply(centre, admin, candidate, qualification, first_assessment_on=tomorrow).pk


@pytest.mark.parametrize(
    ("kind", "percent", "fragment"),
    [
        (Kind.EXTRA_TIME, None, "Enter the extra time"),
        (Kind.EXTRA_TIME, 0, "between 1% and 100%"),
        (Kind.EXTRA_TIME, 101, "between 1% and 100%"),
        (Kind.READER, 25, "Leave the percentage empty"),
        (Kind.PRACTICAL_ASSISTANT, 10, "Leave the percentage empty"),
    ],
)
def test_percentage_rules(centre, admin, candidate, qualification, kind, percent, fragment):
    assert_refused(
        centre,
        admin,
        candidate,
        qualification,
        "extra_time_percent",
        fragment,
        kind=kind,
        extra_time_percent=percent,
    )


def test_other_needs_details(centre, admin, candidate, qualification):
    assert_refused(
        centre,
        admin,
        candidate,
        qualification,
        "details",
        "Describe the arrangement",
        kind=Kind.OTHER,
        extra_time_percent=None,
        details="  ",
    )
    arrangement = apply(
        centre,
        admin,
        candidate,
        qualification,
        kind=Kind.OTHER,
        extra_time_percent=None,
        details="Rest breaks",
    )
    assert arrangement.details == "Rest breaks"


def test_evidence_is_required(centre, admin, candidate, qualification):
    assert_refused(
        centre, admin, candidate, qualification, "evidence", "evidence of need", evidence=" "
    )


def test_unapproved_qualification_is_refused(centre, admin, candidate):
    elsewhere = QualificationFactory()
    assert_refused(centre, admin, candidate, elsewhere, "qualification", "is not approved for")


def test_withdrawn_approval_is_refused(centre, admin, candidate):
    approval = ApprovalFactory(centre=centre, status=QualificationApproval.Status.WITHDRAWN)
    assert_refused(
        centre, admin, candidate, approval.qualification, "qualification", "is not approved for"
    )


def test_another_centres_candidate_is_refused(centre, other_centre, admin, qualification):
    theirs = CandidateFactory(centre=other_centre)
    assert_refused(centre, admin, theirs, qualification, "candidate", "this centre's candidates")


def test_the_same_live_arrangement_twice_is_refused(centre, admin, candidate, qualification):
    apply(centre, admin, candidate, qualification)
    with pytest.raises(EntryError, match="already has extra time"):
        apply(centre, admin, candidate, qualification, extra_time_percent=20)
    assert AccessArrangement.objects.count() == 1


# --- Staff decisions --------------------------------------------------------------------------


@pytest.fixture
def referred(centre, admin, candidate, qualification):
    return apply(centre, admin, candidate, qualification, extra_time_percent=50)


def test_staff_approve_a_referral_and_centre_admins_are_told(referred, people, on_commit, centre):
    staff = people["staff"]
    with on_commit():
        decided = approve_arrangement(arrangement=referred, by=staff)
    assert decided.status == Status.APPROVED
    assert decided.decided_by == staff and decided.decided_at == NOW
    event = AuditEvent.objects.get(action="arrangement.approved")
    assert event.actor == staff and event.centre == centre
    notification = Notification.objects.get()
    assert notification.user == people["centre_admin"]
    assert "approved" in notification.subject
    assert [m.to for m in mail.outbox] == [["officer@northfield.example"]]


def test_staff_reject_with_a_reason(referred, people, on_commit):
    with on_commit():
        decided = reject_arrangement(
            arrangement=referred, by=people["staff"], reason="The report predates the course."
        )
    assert decided.status == Status.REJECTED
    assert decided.rejection_reason == "The report predates the course."
    assert AuditEvent.objects.get(action="arrangement.rejected").data["reason"] == (
        "The report predates the course."
    )
    [email] = mail.outbox
    assert email.to == ["officer@northfield.example"]
    assert "The report predates the course." in email.body


def test_reject_needs_a_reason(referred, people):
    with pytest.raises(EntryError, match="reason"):
        reject_arrangement(arrangement=referred, by=people["staff"], reason="  ")
    referred.refresh_from_db()
    assert referred.status == Status.REFERRED
    assert not Notification.objects.exists()


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_deciding_twice_is_refused(referred, people, second):
    staff = people["staff"]
    approve_arrangement(arrangement=referred, by=staff)
    events = AuditEvent.objects.count()
    with pytest.raises(EntryError, match="already approved"):
        if second == "approve":
            approve_arrangement(arrangement=referred, by=staff)
        else:
            reject_arrangement(arrangement=referred, by=staff, reason="No")
    assert AuditEvent.objects.count() == events
    assert Notification.objects.count() == 1


def test_an_arrangement_approved_at_once_cannot_be_decided(
    centre, admin, candidate, qualification, people
):
    arrangement = apply(centre, admin, candidate, qualification)
    with pytest.raises(EntryError, match="only referred arrangements"):
        reject_arrangement(arrangement=arrangement, by=people["staff"], reason="No")


def test_only_staff_decide(referred, people):
    with pytest.raises(EntryError, match="Only awarding-body staff"):
        approve_arrangement(arrangement=referred, by=people["centre_admin"])
    referred.refresh_from_db()
    assert referred.status == Status.REFERRED


# --- Pages ------------------------------------------------------------------------------------


def list_url(centre):
    return reverse("entries:arrangements", args=[centre.number])


def apply_url(centre):
    return reverse("entries:arrangement-apply", args=[centre.number])


def form_data(candidate, qualification, **overrides):
    data = {
        "candidate": candidate.pk,
        "qualification": qualification.pk,
        "kind": Kind.EXTRA_TIME,
        "extra_time_percent": "25",
        "details": "",
        "evidence": "Form 8 on file.",
        "first_assessment_on": (TODAY + timedelta(days=14)).isoformat(),
    }
    data.update(overrides)
    return data


def test_apply_page_approves_and_redirects(centre, admin, candidate, qualification, login):
    client = login(admin)
    response = client.post(apply_url(centre), form_data(candidate, qualification))
    assert response.status_code == 302
    assert response["Location"] == list_url(centre)
    assert AccessArrangement.objects.get().status == Status.APPROVED
    page = client.get(list_url(centre))
    assert "within the centre&#x27;s delegated authority" in page.content.decode()


def test_apply_page_choices_are_narrowed_to_the_centre(
    centre, other_centre, admin, candidate, qualification, login
):
    theirs = CandidateFactory(centre=other_centre)
    unapproved = QualificationFactory()
    ApprovalFactory(centre=other_centre)  # approved elsewhere only
    page = login(admin).get(apply_url(centre) + f"?candidate={candidate.pk}")
    form = page.context["form"]
    assert list(form.fields["candidate"].queryset) == [candidate]
    assert list(form.fields["qualification"].queryset) == [qualification]
    assert form.initial["candidate"] == candidate.pk
    response = login(admin).post(apply_url(centre), form_data(theirs, unapproved))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"candidate", "qualification"}
    assert not AccessArrangement.objects.exists()


def test_apply_page_shows_the_service_refusals(centre, admin, candidate, qualification, login):
    response = login(admin).post(
        apply_url(centre),
        form_data(
            candidate,
            qualification,
            kind=Kind.OTHER,
            extra_time_percent="10",
            first_assessment_on=TODAY.isoformat(),
        ),
    )
    errors = response.context["form"].errors
    assert "Leave the percentage empty" in errors["extra_time_percent"][0]
    assert "Describe the arrangement" in errors["details"][0]
    assert "before the planned first assessment date" in errors["first_assessment_on"][0]
    assert not AccessArrangement.objects.exists()


def test_list_filters(centre, admin, candidate, qualification, login):
    apply(centre, admin, candidate, qualification, extra_time_percent=50)
    reader = apply(
        centre, admin, candidate, qualification, kind=Kind.READER, extra_time_percent=None
    )
    other_qualification = ApprovalFactory(centre=centre).qualification
    word = apply(
        centre,
        admin,
        candidate,
        other_qualification,
        kind=Kind.WORD_PROCESSOR,
        extra_time_percent=None,
    )
    client = login(admin)

    def listed(**params):
        return {a.pk for a in client.get(list_url(centre), params).context["object_list"]}

    assert len(listed()) == 3
    assert listed(status=Status.APPROVED) == {reader.pk, word.pk}
    assert listed(kind=Kind.WORD_PROCESSOR) == {word.pk}
    assert listed(qualification=other_qualification.pk) == {word.pk}
    assert listed(q="clarke") == listed()


def test_list_query_count_does_not_grow(centre, admin, qualification, login):
    client = login(admin)

    def make(n):
        for candidate in CandidateFactory.create_batch(n, centre=centre):
            apply(centre, admin, candidate, qualification)

    make(1)
    client.get(list_url(centre))
    with CaptureQueriesContext(connection) as one:
        client.get(list_url(centre))
    make(49)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(list_url(centre))
    assert len(response.context["object_list"]) == 50
    assert len(fifty) == len(one)


def test_teacher_sees_arrangements_but_cannot_apply(
    centre, people, candidate, qualification, login
):
    client = login(people["teacher"])
    assert client.get(list_url(centre)).status_code == 200
    assert client.get(apply_url(centre)).status_code == 403
    assert client.post(apply_url(centre), form_data(candidate, qualification)).status_code == 403
    assert not AccessArrangement.objects.exists()


def test_aam_user_cannot_see_arrangements(centre, people, login):
    assert login(people["aam_user"]).get(list_url(centre)).status_code == 403


def test_another_centre_is_404(centre, people, login):
    client = login(people["other_centre_admin"])
    assert client.get(list_url(centre)).status_code == 404
    assert client.get(apply_url(centre)).status_code == 404


def test_another_centres_arrangements_are_not_listed(centre, other_centre, people, login):
    theirs = ApprovalFactory(centre=other_centre).qualification
    apply(other_centre, people["other_centre_admin"], CandidateFactory(centre=other_centre), theirs)
    page = login(people["centre_admin"]).get(list_url(centre))
    assert list(page.context["object_list"]) == []


# --- The staff queue --------------------------------------------------------------------------


def queue_url():
    return reverse("entries:staff-arrangements")


def decide_url(arrangement):
    return reverse("entries:staff-arrangement-decide", args=[arrangement.pk])


def test_queue_lists_referrals_oldest_first_with_age_in_working_days(
    centre, admin, qualification, people, login, frozen_time
):
    first = apply(
        centre, admin, CandidateFactory(centre=centre), qualification, extra_time_percent=50
    )
    frozen_time.move_to(NOW + timedelta(days=1))
    second = apply(
        centre,
        admin,
        CandidateFactory(centre=centre),
        qualification,
        kind=Kind.PRACTICAL_ASSISTANT,
        extra_time_percent=None,
    )
    apply(centre, admin, CandidateFactory(centre=centre), qualification)  # approved at once
    frozen_time.move_to(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))  # the next Monday
    page = login(people["staff"]).get(queue_url())
    assert page.status_code == 200
    rows = list(page.context["object_list"])
    assert rows == [first, second]
    assert [r.age_working_days for r in rows] == [5, 4]
    assert "5 working days" in page.content.decode()


def test_queue_is_staff_only(people, login):
    assert login(people["centre_admin"]).get(queue_url()).status_code == 403


def test_staff_approve_from_the_queue(referred, people, login):
    response = login(people["staff"]).post(decide_url(referred), {"decision": "approve"})
    assert response.status_code == 302
    referred.refresh_from_db()
    assert referred.status == Status.APPROVED


def test_staff_reject_from_the_queue_needs_a_reason(referred, people, login):
    client = login(people["staff"])
    response = client.post(decide_url(referred), {"decision": "reject", "reason": ""}, follow=True)
    assert "Give the reason" in response.content.decode()
    referred.refresh_from_db()
    assert referred.status == Status.REFERRED
    client.post(decide_url(referred), {"decision": "reject", "reason": "Insufficient evidence"})
    referred.refresh_from_db()
    assert (referred.status, referred.rejection_reason) == (
        Status.REJECTED,
        "Insufficient evidence",
    )


def test_deciding_twice_from_the_queue_shows_an_error(referred, people, login):
    client = login(people["staff"])
    client.post(decide_url(referred), {"decision": "approve"})
    response = client.post(decide_url(referred), {"decision": "reject", "reason": "x"}, follow=True)
    assert "already approved" in response.content.decode()


def test_centre_admin_cannot_decide(referred, people, login):
    response = login(people["centre_admin"]).post(decide_url(referred), {"decision": "approve"})
    assert response.status_code == 403
    referred.refresh_from_db()
    assert referred.status == Status.REFERRED


def render_section(key, rf, user):
    request = rf.get("/staff/")
    request.user = user
    panel = staff_board._panels[key]
    context = panel.context(request)
    return render_to_string(panel.template, {"panel": {"key": key, **context}})


def test_staff_board_section_shows_count_and_oldest_age(
    centre, admin, qualification, people, rf, frozen_time
):
    assert "None waiting" in render_section("referred_arrangements", rf, people["staff"])
    apply(centre, admin, CandidateFactory(centre=centre), qualification, extra_time_percent=40)
    apply(centre, admin, CandidateFactory(centre=centre), qualification, extra_time_percent=30)
    frozen_time.move_to(datetime(2026, 3, 5, 10, 0, tzinfo=UTC))  # Thursday
    html = render_section("referred_arrangements", rf, people["staff"])
    assert "2 arrangements waiting" in html
    assert "3 working days ago" in html


# --- Demo data --------------------------------------------------------------------------------


def test_demo_seed_skips_arrangements_without_approvals(centre, other_centre):
    from entries import demo

    lines = []
    demo.seed(password="x", log=lines.append)
    assert Candidate.objects.filter(centre=centre).count() == 25
    assert Candidate.objects.filter(centre=other_centre).count() == 15
    assert not AccessArrangement.objects.exists()
    assert any("arrangements" in line and "skipped" in line for line in lines)
    assert not Entry.objects.exists()


def test_demo_seed_is_valid_and_idempotent(centre, other_centre, people):
    from entries import demo

    for code, at in [
        ("05840", centre),
        ("05834", centre),
        ("J817", centre),
        ("05826", other_centre),
    ]:
        ApprovalFactory(centre=at, qualification=QualificationFactory(entry_code=code))
    demo.seed(password="x", log=lambda line: None)
    demo.seed(password="x", log=lambda line: None)
    candidates = list(Candidate.objects.all())
    assert len(candidates) == 40
    for candidate in candidates:
        candidate.full_clean()
        assert 2004 <= candidate.date_of_birth.year <= 2008
    assert sum(1 for c in candidates if c.uln) > 20
    arrangements = AccessArrangement.objects.all()
    assert arrangements.count() == 8
    statuses = {(a.kind, a.extra_time_percent, a.status) for a in arrangements}
    assert (Kind.EXTRA_TIME, 25, Status.APPROVED) in statuses
    assert (Kind.EXTRA_TIME, 50, Status.REFERRED) in statuses
    assert (Kind.READER, None, Status.APPROVED) in statuses
    assert (Kind.WORD_PROCESSOR, None, Status.APPROVED) in statuses
    assert arrangements.filter(status=Status.REJECTED).exclude(rejection_reason="").exists()
    # 05841 is not approved at 23456 here, so the scribe falls back to an approved one.
    scribe = arrangements.get(kind=Kind.SCRIBE)
    assert scribe.qualification.entry_code == "05826"


def test_staff_board_page_shows_the_referral_section(referred, people, login):
    page = login(people["staff"]).get(reverse("staff-board"))
    assert page.status_code == 200
    assert "Referred access arrangements" in page.content.decode()
    assert "1 arrangement waiting" in page.content.decode()


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_at_once_decide_once(centre, people, candidate, qualification):
    arrangement = apply(
        centre, people["centre_admin"], candidate, qualification, extra_time_percent=50
    )
    outcomes, barrier = [], threading.Barrier(2)

    def run(decision):
        try:
            barrier.wait()
            if decision == "approve":
                approve_arrangement(arrangement=arrangement, by=people["staff"])
            else:
                reject_arrangement(arrangement=arrangement, by=people["staff"], reason="No")
            outcomes.append("decided")
        except EntryError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(d,)) for d in ("approve", "reject")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["decided", "refused"]
    decisions = AuditEvent.objects.filter(
        action__in=["arrangement.approved", "arrangement.rejected"], actor=people["staff"]
    )
    assert decisions.count() == 1
    assert Notification.objects.count() == 1


def test_the_staff_queue_costs_the_same_queries_for_1_or_50_referrals(
    centre, admin, qualification, people, login, frozen_time
):
    client = login(people["staff"])

    def refer():
        return apply(
            centre, admin, CandidateFactory(centre=centre), qualification, extra_time_percent=50
        )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(queue_url()).status_code == 200
        return len(captured)

    assert refer().status == AccessArrangement.Status.REFERRED
    client.get(queue_url())  # the working-day calendar's closure days, read once and cached
    one = queries()
    for _ in range(49):
        refer()
    assert queries() == one


def test_apply_page_shows_the_rules_with_the_missing_answers_at_once(
    centre, admin, candidate, qualification, login
):
    response = login(admin).post(
        apply_url(centre),
        form_data(
            candidate,
            qualification,
            kind=Kind.OTHER,
            extra_time_percent="10",
            evidence="",
            first_assessment_on="",
        ),
    )
    errors = response.context["form"].errors
    assert errors["evidence"] == ["Enter the evidence of need"]
    assert errors["first_assessment_on"] == ["Enter the date of the planned first assessment"]
    assert "Leave the percentage empty" in errors["extra_time_percent"][0]
    assert "Describe the arrangement" in errors["details"][0]
    assert not AccessArrangement.objects.exists()
