"""Qualification approvals: request, approve, reject, withdraw; the centre's page, the staff's
queue, the dashboard and staff-board panels; the approved-qualification check entries use."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centres.hooks import withdrawal_blockers
from centres.models import (
    Centre,
    HeadOfCentre,
    Qualification,
    QualificationApproval,
    QualificationType,
)
from centres.services import CentreError
from centres.services import approvals as services
from ocradmin.models import AuditEvent, Notification

from ..factories import CentreFactory, UserFactory

Status = QualificationApproval.Status
NEXT_YEAR = date(timezone.localdate().year + 1, 9, 1)


def make_qualification(code, **fields):
    defaults = {
        "title": f"Cambridge Technical in Test {code} (Certificate)",
        "qualification_type": QualificationType.CAMBRIDGE_TECHNICAL,
        "level": "Level 3",
        "grade_scale": ["D*", "D", "M", "P", "U"],
        "is_remotely_moderated": True,
    }
    return Qualification.objects.create(entry_code=code, **{**defaults, **fields})


def make_approval(centre, qualification, status=Status.APPROVED, **fields):
    return QualificationApproval.objects.create(
        centre=centre,
        qualification=qualification,
        status=status,
        delivered_by="Vocational department",
        planned_start=date(2026, 9, 1),
        **fields,
    )


@pytest.fixture
def vocational(db):
    return make_qualification("T0001")


@pytest.fixture
def gcse(db):
    return make_qualification(
        "T0002",
        title="GCSE Test Studies",
        qualification_type=QualificationType.GCSE,
        grade_scale=["9", "8", "7", "6", "5", "4", "3", "2", "1", "U"],
        is_remotely_moderated=False,
        available_for_tags=True,
    )


@pytest.fixture
def requested(centre, people, vocational):
    return make_approval(
        centre, vocational, status=Status.REQUESTED, requested_by=people["centre_admin"]
    )


@pytest.fixture
def blocker(monkeypatch):
    """A receiver of ``withdrawal_blockers`` that always objects, for this test only."""

    def live_work(centre, qualification):
        return "3 entries are still being processed."

    monkeypatch.setattr(withdrawal_blockers, "receivers", (live_work,))
    return live_work


def request(centre, qualification, by, **overrides):
    kwargs = {
        "centre": centre,
        "qualification": qualification,
        "delivered_by": "Ms Khan, IT department",
        "planned_start": NEXT_YEAR,
        "by": by,
    }
    return services.request_approval(**{**kwargs, **overrides})


def events(action):
    return AuditEvent.objects.filter(action=action)


# --- Request ---------------------------------------------------------------------------------


def test_request_creates_a_requested_approval_audits_and_tells_staff(
    centre, people, vocational, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approval = request(centre, vocational, people["centre_admin"])

    approval.refresh_from_db()
    assert approval.status == Status.REQUESTED
    assert approval.requested_by == people["centre_admin"]
    assert approval.delivered_by == "Ms Khan, IT department"
    event = events("qualification_approval.requested").get()
    assert event.centre == centre
    assert event.actor == people["centre_admin"]
    assert event.data["qualification"] == "T0001"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [settings.STAFF_EMAIL]
    assert "12345" in mail.outbox[0].subject and "T0001" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("inactive", "no longer offered"),
        ("not_vocational", "not a remotely moderated vocational qualification"),
        ("already_requested", "already requested approval"),
        ("already_approved", "already approved"),
        ("past_start", "cannot be in the past"),
        ("no_delivery", "who will deliver"),
        ("suspended_centre", "not an approved centre"),
    ],
)
def test_request_refusals_write_nothing(
    centre, people, vocational, gcse, case, message, django_capture_on_commit_callbacks
):
    qualification, overrides = vocational, {}
    if case == "inactive":
        Qualification.objects.filter(pk=vocational.pk).update(is_active=False)
    elif case == "not_vocational":
        qualification = gcse
    elif case == "already_requested":
        make_approval(centre, vocational, status=Status.REQUESTED)
    elif case == "already_approved":
        make_approval(centre, vocational, status=Status.APPROVED)
    elif case == "past_start":
        overrides["planned_start"] = timezone.localdate() - timedelta(days=1)
    elif case == "no_delivery":
        overrides["delivered_by"] = "   "
    elif case == "suspended_centre":
        Centre.objects.filter(pk=centre.pk).update(status=Centre.Status.SUSPENDED)
    before = QualificationApproval.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CentreError) as error:
        request(centre, qualification, people["centre_admin"], **overrides)

    assert message in str(error.value)
    assert QualificationApproval.objects.count() == before
    assert not events("qualification_approval.requested").exists()
    assert mail.outbox == []


def test_a_request_racing_past_the_check_meets_the_constraint_as_a_clear_error(
    centre, people, vocational, monkeypatch
):
    make_approval(centre, vocational, status=Status.REQUESTED)
    monkeypatch.setattr(services, "live_approval", lambda **kwargs: None)

    with pytest.raises(CentreError, match="already has a request or approval for T0001"):
        request(centre, vocational, people["centre_admin"])

    assert QualificationApproval.objects.filter(centre=centre).count() == 1
    assert not events("qualification_approval.requested").exists()


def test_a_rejected_or_withdrawn_qualification_can_be_requested_again(centre, people, vocational):
    make_approval(centre, vocational, status=Status.REJECTED)
    make_approval(centre, vocational, status=Status.WITHDRAWN)

    approval = request(centre, vocational, people["centre_admin"])

    assert approval.status == Status.REQUESTED


# --- Approve and reject ------------------------------------------------------------------------


def test_approve_tells_the_requester_and_the_head_of_centre(
    centre, people, requested, django_capture_on_commit_callbacks
):
    HeadOfCentre.objects.create(
        centre=centre, name="Dr Head", job_title="Principal", email="principal@northfield.example"
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_approval(approval=requested, by=people["staff"])

    requested.refresh_from_db()
    assert requested.status == Status.APPROVED
    assert requested.decided_by == people["staff"]
    assert requested.decided_at is not None
    assert events("qualification_approval.approved").get().centre == centre
    assert Notification.objects.filter(user=people["centre_admin"]).count() == 1
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["officer@northfield.example", "principal@northfield.example"]
    assert all("Approved to offer T0001" in m.subject for m in mail.outbox)


def test_approving_twice_is_refused_as_already_decided(centre, people, requested):
    services.approve_approval(approval=requested, by=people["staff"])

    with pytest.raises(CentreError, match="already been decided"):
        services.approve_approval(approval=requested, by=people["staff"])

    assert events("qualification_approval.approved").count() == 1


def test_reject_needs_a_reason_and_changes_nothing_without_one(
    centre, people, requested, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CentreError):
        services.reject_approval(approval=requested, reason="  ", by=people["staff"])

    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED
    assert not events("qualification_approval.rejected").exists()
    assert mail.outbox == []


def test_reject_records_the_reason_and_tells_the_centre(
    centre, people, requested, django_capture_on_commit_callbacks
):
    HeadOfCentre.objects.create(
        centre=centre, name="Dr Head", job_title="Principal", email="principal@northfield.example"
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.reject_approval(
            approval=requested, reason="No assessor named.", by=people["staff"]
        )

    requested.refresh_from_db()
    assert requested.status == Status.REJECTED
    assert requested.rejection_reason == "No assessor named."
    event = events("qualification_approval.rejected").get()
    assert event.data["reason"] == "No assessor named."
    assert len(mail.outbox) == 2
    assert all("No assessor named." in m.body for m in mail.outbox)


def test_a_decided_request_cannot_be_rejected(centre, people, requested):
    services.approve_approval(approval=requested, by=people["staff"])

    with pytest.raises(CentreError, match="already been decided"):
        services.reject_approval(approval=requested, reason="Changed mind", by=people["staff"])

    requested.refresh_from_db()
    assert requested.status == Status.APPROVED


# --- Withdraw --------------------------------------------------------------------------------


def test_withdraw_an_approved_qualification(centre, people, vocational):
    approval = make_approval(centre, vocational)

    services.withdraw_approval(approval=approval, by=people["centre_admin"])

    approval.refresh_from_db()
    assert approval.status == Status.WITHDRAWN
    assert approval.withdrawn_at is not None
    assert events("qualification_approval.withdrawn").get().data["was"] == "approved"


def test_withdraw_is_refused_while_a_blocker_gives_a_reason(centre, people, vocational, blocker):
    approval = make_approval(centre, vocational)

    with pytest.raises(CentreError, match="3 entries are still being processed"):
        services.withdraw_approval(approval=approval, by=people["centre_admin"])

    approval.refresh_from_db()
    assert approval.status == Status.APPROVED
    assert not events("qualification_approval.withdrawn").exists()


def test_a_request_can_be_cancelled_and_nothing_past_can_be_withdrawn(centre, people, requested):
    services.withdraw_approval(approval=requested, by=people["centre_admin"])
    requested.refresh_from_db()
    assert requested.status == Status.WITHDRAWN

    with pytest.raises(CentreError, match="already withdrawn"):
        services.withdraw_approval(approval=requested, by=people["centre_admin"])
    assert events("qualification_approval.withdrawn").count() == 1


def test_a_centre_cannot_withdraw_a_general_qualification_it_did_not_request(
    login, centre, people, gcse
):
    approval = make_approval(centre, gcse)

    with pytest.raises(CentreError, match="ask the awarding body"):
        services.withdraw_approval(approval=approval, by=people["centre_admin"])
    page = login(people["centre_admin"]).get(withdraw_url(centre, approval)).content.decode()

    assert "data-confirm" not in page and "ask the awarding body" in page
    approval.refresh_from_db()
    assert approval.status == Status.APPROVED


# --- The check later apps call ---------------------------------------------------------------


@pytest.mark.parametrize(
    "case", ["unapproved", "requested", "rejected", "withdrawn", "suspended", "inactive"]
)
def test_require_approved_qualification_refuses(centre, vocational, case):
    if case in ("requested", "rejected", "withdrawn"):
        make_approval(centre, vocational, status=case)
    elif case in ("suspended", "inactive"):
        make_approval(centre, vocational)
        if case == "suspended":
            Centre.objects.filter(pk=centre.pk).update(status=Centre.Status.SUSPENDED)
            centre.refresh_from_db()
        else:
            Qualification.objects.filter(pk=vocational.pk).update(is_active=False)
            vocational.refresh_from_db()

    with pytest.raises(CentreError):
        services.require_approved_qualification(centre=centre, qualification=vocational)


def test_require_approved_qualification_passes_when_approved(centre, other_centre, vocational):
    make_approval(centre, vocational)

    assert services.require_approved_qualification(centre=centre, qualification=vocational) is None
    assert services.approved_qualification_ids(centre) == {vocational.pk}
    assert services.approved_qualification_ids(other_centre) == set()
    with pytest.raises(CentreError):
        services.require_approved_qualification(centre=other_centre, qualification=vocational)


# --- The centre's page -----------------------------------------------------------------------


def approvals_url(centre):
    return reverse("centres:approvals", args=[centre.number])


def test_the_page_shows_status_and_history(login, centre, people, vocational):
    make_approval(
        centre,
        vocational,
        status=Status.REJECTED,
        rejection_reason="No assessor named.",
        decided_by=people["staff"],
        decided_at=timezone.now(),
    )
    make_approval(centre, vocational, status=Status.REQUESTED)

    response = login(people["teacher"]).get(approvals_url(centre))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Rejected" in content and "No assessor named." in content
    assert "Requested — waiting for staff" in content
    assert "Request approval</a>" not in content  # a teacher may look, not ask


@pytest.mark.parametrize(("person", "status"), [("aam_user", 403), ("other_centre_admin", 404)])
def test_the_page_refuses_aam_users_and_other_centres(login, centre, people, person, status):
    assert login(people[person]).get(approvals_url(centre)).status_code == status


def test_the_request_form_offers_only_eligible_qualifications(login, centre, people, gcse):
    eligible = make_qualification("T0010")
    inactive = make_qualification("T0011", is_active=False)
    live = make_qualification("T0012")
    make_approval(centre, live)
    rejected = make_qualification("T0013")
    make_approval(centre, rejected, status=Status.REJECTED)

    response = login(people["centre_admin"]).get(
        reverse("centres:approval-request", args=[centre.number])
    )

    offered = set(response.context["form"].fields["qualification"].queryset)
    assert eligible in offered and rejected in offered
    assert not {gcse, inactive, live} & offered


def test_a_centre_admin_requests_approval_through_the_form(login, centre, people, vocational):
    client = login(people["centre_admin"])
    url = reverse("centres:approval-request", args=[centre.number])

    response = client.post(
        url,
        {
            "qualification": vocational.pk,
            "delivered_by": "Business studies team",
            "planned_start": NEXT_YEAR.isoformat(),
        },
    )

    assert response.status_code == 302
    approval = QualificationApproval.objects.get(centre=centre)
    assert approval.status == Status.REQUESTED
    assert approval.requested_by == people["centre_admin"]


def test_the_form_refuses_a_past_start_date(login, centre, people, vocational):
    response = login(people["centre_admin"]).post(
        reverse("centres:approval-request", args=[centre.number]),
        {"qualification": vocational.pk, "delivered_by": "Team", "planned_start": "2020-01-01"},
    )

    assert response.status_code == 200
    assert "cannot be in the past" in response.content.decode()
    assert not QualificationApproval.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_teacher_cannot_request(login, centre, people, vocational, method):
    client = login(people["teacher"])
    url = reverse("centres:approval-request", args=[centre.number])
    data = {"qualification": vocational.pk, "delivered_by": "x", "planned_start": "2099-09-01"}

    response = getattr(client, method)(url, data if method == "post" else None)

    assert response.status_code == 403
    assert not QualificationApproval.objects.exists()


def withdraw_url(centre, approval):
    return reverse("centres:approval-withdraw", args=[centre.number, approval.pk])


def test_withdraw_page_confirms_then_withdraws(login, centre, people, vocational):
    approval = make_approval(centre, vocational)
    client = login(people["centre_admin"])

    page = client.get(withdraw_url(centre, approval)).content.decode()
    assert 'data-confirm="Are you sure' in page

    response = client.post(withdraw_url(centre, approval))

    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.status == Status.WITHDRAWN


def test_withdraw_page_shows_the_blocker_and_the_post_is_refused(
    login, centre, people, vocational, blocker
):
    approval = make_approval(centre, vocational)
    client = login(people["centre_admin"])

    page = client.get(withdraw_url(centre, approval)).content.decode()
    assert "3 entries are still being processed." in page
    assert "data-confirm" not in page

    response = client.post(withdraw_url(centre, approval), follow=True)

    assert "cannot be withdrawn" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == Status.APPROVED


def test_withdraw_is_for_centre_admins_of_this_centre_only(
    login, centre, other_centre, people, vocational
):
    approval = make_approval(centre, vocational)

    assert login(people["teacher"]).post(withdraw_url(centre, approval)).status_code == 403
    other_admin = login(people["other_centre_admin"])
    assert other_admin.post(withdraw_url(centre, approval)).status_code == 404
    # This centre's approval id under the other admin's own centre is 404 as well.
    assert other_admin.get(withdraw_url(other_centre, approval)).status_code == 404
    assert other_admin.post(withdraw_url(other_centre, approval)).status_code == 404
    approval.refresh_from_db()
    assert approval.status == Status.APPROVED


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_with_1_or_many_approvals(login, centre, people):
    client = login(people["centre_admin"])
    make_approval(centre, make_qualification("Q0000"), requested_by=people["centre_admin"])
    one = count_queries(client, approvals_url(centre))
    for n in range(1, 30):
        make_approval(
            centre,
            make_qualification(f"Q{n:04d}"),
            status=Status.REJECTED,
            requested_by=people["centre_admin"],
            decided_by=people["staff"],
        )
    assert count_queries(client, approvals_url(centre)) == one


# --- The staff's queue -----------------------------------------------------------------------


MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_staff_queue_is_oldest_first_with_age_in_working_days(login, centre, other_centre, people):
    older = make_approval(
        other_centre, make_qualification("Q0001"), status=Status.REQUESTED, requested_at=MONDAY
    )
    newer = make_approval(
        centre,
        make_qualification("Q0002"),
        status=Status.REQUESTED,
        requested_at=MONDAY + timedelta(days=2),
    )
    make_approval(centre, make_qualification("Q0003"))  # decided: not in the queue

    with time_machine.travel(datetime(2026, 3, 9, 10, 0, tzinfo=UTC), tick=False):
        response = login(people["staff"]).get(reverse("centres:staff-approvals"))

    approvals = response.context["approvals"]
    assert [a.pk for a in approvals] == [older.pk, newer.pk]
    assert [a.age_in_working_days for a in approvals] == [5, 3]
    assert "5 working days old" in response.content.decode()


def test_staff_queue_costs_the_same_queries_at_any_length(login, centre, people):
    client = login(people["staff"])
    url = reverse("centres:staff-approvals")
    make_approval(centre, make_qualification("Q0000"), status=Status.REQUESTED)
    client.get(url)  # the working-day calendar's closure days, read once and cached
    one = count_queries(client, url)
    for n in range(1, 50):
        make_approval(
            centre,
            make_qualification(f"Q{n:04d}"),
            status=Status.REQUESTED,
            requested_at=MONDAY + timedelta(days=n),
        )
    assert count_queries(client, url) == one


@pytest.mark.parametrize("person", ["centre_admin", "moderator"])
def test_the_staff_pages_are_staff_only(login, people, requested, person):
    client = login(people[person])
    assert client.get(reverse("centres:staff-approvals")).status_code == 403
    url = reverse("centres:staff-approval-approve", args=[requested.pk])
    assert client.post(url).status_code == 403
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED


def test_staff_approve_from_the_queue(login, people, requested):
    client = login(people["staff"])

    response = client.post(
        reverse("centres:staff-approval-approve", args=[requested.pk]), follow=True
    )

    requested.refresh_from_db()
    assert requested.status == Status.APPROVED
    assert "approved for" in response.content.decode()

    again = client.post(reverse("centres:staff-approval-approve", args=[requested.pk]), follow=True)
    assert "already been decided" in again.content.decode()


def test_staff_reject_from_the_queue_needs_a_reason(login, people, requested):
    client = login(people["staff"])
    url = reverse("centres:staff-approval-reject", args=[requested.pk])

    response = client.post(url, {"reason": ""}, follow=True)
    assert "Give the reason" in response.content.decode()
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED

    client.post(url, {"reason": "Centre not ready"})
    requested.refresh_from_db()
    assert requested.status == Status.REJECTED
    assert requested.rejection_reason == "Centre not ready"


# --- Panels ----------------------------------------------------------------------------------


def test_staff_board_lists_waiting_requests(login, centre, people):
    make_approval(centre, make_qualification("Q0001"), status=Status.REQUESTED)

    content = login(people["staff"]).get(reverse("staff-board")).content.decode()

    assert "Qualification approvals waiting" in content
    assert "Q0001" in content
    assert "1 request waiting" in content


def test_dashboard_shows_a_centre_admin_the_decisions_of_the_last_30_days(login, centre, people):
    now = timezone.now()
    make_approval(centre, make_qualification("Q0001"), decided_at=now - timedelta(days=2))
    make_approval(
        centre,
        make_qualification("Q0002"),
        status=Status.REJECTED,
        decided_at=now - timedelta(days=1),
        rejection_reason="No assessor named.",
    )
    make_approval(centre, make_qualification("Q0003"), decided_at=now - timedelta(days=60))
    make_approval(centre, make_qualification("Q0004"), status=Status.REQUESTED)

    content = login(people["centre_admin"]).get(reverse("dashboard")).content.decode()
    assert "Make entries for Q0001: approved" in content
    assert "Request to offer Q0002 rejected" in content and "No assessor named." in content
    assert "Q0003" not in content and "Q0004" not in content


def test_dashboard_hides_decisions_from_people_who_administer_no_centre(login, centre, people):
    make_approval(centre, make_qualification("Q0001"), decided_at=timezone.now())
    response = login(people["teacher"]).get(reverse("dashboard"))
    assert "Q0001" not in response.content.decode()


# --- Locking ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_at_once_only_one_succeeds():
    centre = CentreFactory(number="34567")
    qualification = make_qualification("Q9999")
    approval = make_approval(centre, qualification, status=Status.REQUESTED)
    staff = [UserFactory(email=f"staff{i}@ocradmin.example", is_staff=True) for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            barrier.wait()
            services.approve_approval(approval=approval, by=user)
            outcomes.append("approved")
        except CentreError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("approved") == 1
    refused = [outcome for outcome in outcomes if outcome != "approved"]
    assert len(refused) == 1 and "already been decided" in refused[0]
    assert AuditEvent.objects.filter(action="qualification_approval.approved").count() == 1


def test_admin_approves_requests_and_links_to_the_staff_queue_to_reject(client, requested):
    client.force_login(UserFactory(email="root@ocradmin.example", is_staff=True, is_superuser=True))
    change = client.get(reverse("admin:centres_qualificationapproval_change", args=[requested.pk]))
    queue = reverse("centres:staff-approvals") + f"?q={requested.centre.number}"
    assert f'<a href="{queue}">Approve or reject with a reason</a>' in change.content.decode()

    response = client.post(
        reverse("admin:centres_qualificationapproval_changelist"),
        {"action": "approve_selected", "_selected_action": [requested.pk]},
    )
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.status == Status.APPROVED
    assert AuditEvent.objects.filter(action="qualification_approval.approved").count() == 1
