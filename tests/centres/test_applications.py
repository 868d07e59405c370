"""Centre approval: the applicant's form (drafts, submission, resubmission) and the staff's
queue and decisions (approve → a centre with the next number; reject with a reason)."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centres.models import (
    Centre,
    CentreApplication,
    HeadOfCentre,
    Membership,
    Qualification,
    Role,
)
from centres.selectors import with_ages
from centres.services import CentreError
from centres.services import applications as services
from ocradmin.models import AuditEvent, Notification
from ocradmin.workdays import working_days_since

from ..factories import CentreFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = CentreApplication.Status
LONDON = ZoneInfo("Europe/London")


# --- Helpers ---------------------------------------------------------------------------------


@pytest.fixture
def qualifications(db):
    def qualification(code, title, qualification_type="cambridge_technical", **flags):
        return Qualification.objects.create(
            entry_code=code,
            title=title,
            qualification_type=qualification_type,
            level="Level 3",
            is_remotely_moderated=flags.pop("is_remotely_moderated", True),
            **flags,
        )

    return {
        "it": qualification("T0101", "Test Technical in IT"),
        "sport": qualification("T0102", "Test National in Sport", "cambridge_national"),
        "gcse": qualification("T0103", "Test GCSE", "gcse"),
        "retired": qualification("T0104", "Retired Technical", is_active=False),
        "exam_only": qualification("T0105", "Examined Only", is_remotely_moderated=False),
    }


@pytest.fixture
def applicant(db):
    return UserFactory(email="applicant@hillside.example", full_name="Ann Applicant")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what a view or service queues on commit (emails), as a real request would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def answers(qualifications, **overrides) -> dict:
    data = {
        "name": "Hillside School",
        "organisation_type": "secondary",
        "address_line1": "1 Hill Road",
        "address_line2": "",
        "town": "Leeds",
        "postcode": "ls6 2ab",
        "nation": "england",
        "phone": "0113 496 0000",
        "head_name": "Helen Hill",
        "head_job_title": "Headteacher",
        "head_email": "head@hillside.example",
        "officer_name": "Ann Applicant",
        "officer_email": "applicant@hillside.example",
        "officer_phone": "0113 496 0001",
        "intended_qualifications": [qualifications["it"].pk, qualifications["sport"].pk],
        "declare_accurate": "on",
        "declare_regulations": "on",
        "declare_head_agrees": "on",
        "action": "submit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_application(applicant, *, status=Status.SUBMITTED, submitted_at=None, **fields):
    values = {
        "name": "Hillside School",
        "organisation_type": "secondary",
        "address_line1": "1 Hill Road",
        "town": "Leeds",
        "postcode": "LS6 2AB",
        "nation": "england",
        "phone": "0113 496 0000",
        "head_name": "Helen Hill",
        "head_job_title": "Headteacher",
        "head_email": "head@hillside.example",
        "officer_name": "Ann Applicant",
        "officer_email": applicant.email,
        "officer_phone": "0113 496 0001",
        "declare_accurate": True,
        "declare_regulations": True,
        "declare_head_agrees": True,
        **fields,
    }
    values["organisation_key"] = CentreApplication.key_for(values["name"], values["postcode"])
    if status != Status.DRAFT and submitted_at is None:
        submitted_at = timezone.now()
    return CentreApplication.objects.create(
        applicant=applicant, status=status, submitted_at=submitted_at, **values
    )


def snapshot(application) -> dict:
    application = CentreApplication.objects.get(pk=application.pk)
    return {
        "fields": {
            f.name: getattr(application, f.attname) for f in application._meta.concrete_fields
        },
        "qualifications": set(application.intended_qualifications.values_list("pk", flat=True)),
    }


# --- The applicant ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (reverse("centres:apply"), reverse("centres:apply-new")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_new_applicant_goes_straight_to_the_form(login, applicant, qualifications):
    client = login(applicant)
    response = client.get(reverse("centres:apply"))
    assert response.status_code == 302
    assert response["Location"] == reverse("centres:apply-new")

    page = client.get(reverse("centres:apply-new"))
    assert page.status_code == 200
    choices = set(page.context["form"].fields["intended_qualifications"].queryset)
    assert {qualifications["it"], qualifications["sport"]} <= choices
    assert not {qualifications[k] for k in ("gcse", "retired", "exam_only")} & choices
    assert all(q.is_active and q.is_remotely_moderated for q in choices)
    html = page.content.decode()
    assert "Save draft" in html and "Submit application" in html
    assert page.context["form"].fields["town"].required  # marked as needed to submit
    assert not page.context["form"].fields["address_line2"].required


def test_the_form_says_so_when_no_qualification_is_open(login, applicant):
    Qualification.objects.update(is_active=False)
    page = login(applicant).get(reverse("centres:apply-new"))
    assert "No remotely moderated vocational qualifications" in page.content.decode()


def test_a_draft_needs_only_a_name_and_can_be_finished_later(login, applicant, qualifications):
    client = login(applicant)
    response = client.post(
        reverse("centres:apply-new"),
        {"name": "Hillside School", "postcode": "ls62ab", "action": "save"},
    )

    application = CentreApplication.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response["Location"] == reverse("centres:apply-detail", args=[application.pk])
    assert application.status == Status.DRAFT
    assert application.postcode == "LS6 2AB"
    assert application.organisation_key == "hillside school|LS62AB"
    assert application.submitted_at is None
    assert AuditEvent.objects.filter(action="application.saved", target_id=str(application.pk))

    # Coming back: the form again, with what was saved.
    page = client.get(reverse("centres:apply-detail", args=[application.pk]))
    assert page.status_code == 200
    assert page.context["form"]["postcode"].value() == "LS6 2AB"
    listing = client.get(reverse("centres:apply"))
    assert listing.status_code == 200
    assert "Hillside School" in listing.content.decode()

    # And finishing it.
    data = answers(qualifications, action="save")
    client.post(reverse("centres:apply-detail", args=[application.pk]), data)
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert application.town == "Leeds"
    assert set(application.intended_qualifications.all()) == {
        qualifications["it"],
        qualifications["sport"],
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"postcode": "NOT A CODE"}, "postcode"),
        ({"head_email": "head-at-hillside"}, "head_email"),
        ({"officer_phone": "call me"}, "officer_phone"),
    ],
)
def test_a_draft_still_checks_formats(login, applicant, overrides, field):
    response = login(applicant).post(
        reverse("centres:apply-new"), {"name": "Hillside School", "action": "save", **overrides}
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "There is a problem" in response.content.decode()
    assert not CentreApplication.objects.exists()


def test_submitting_locks_the_application_and_tells_people(
    login, applicant, qualifications, on_commit
):
    client = login(applicant)
    with on_commit():
        response = client.post(reverse("centres:apply-new"), answers(qualifications))

    application = CentreApplication.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert application.status == Status.SUBMITTED
    assert application.submitted_at is not None
    assert application.postcode == "LS6 2AB"
    assert application.declare_accurate and application.declare_head_agrees
    assert AuditEvent.objects.filter(action="application.submitted", target_id=str(application.pk))
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["applicant@hillside.example", "operations@ocradmin.example"]

    # Read-only from now on.
    page = client.get(reverse("centres:apply-detail", args=[application.pk]))
    assert "form" not in page.context
    assert "Save draft" not in page.content.decode()
    assert "reviewing this application" in page.content.decode()
    before = snapshot(application)
    response = client.post(
        reverse("centres:apply-detail", args=[application.pk]),
        answers(qualifications, name="Changed", action="save"),
    )
    assert response.status_code == 302
    assert snapshot(application) == before


def test_submitting_a_saved_draft(login, applicant, qualifications):
    client = login(applicant)
    client.post(reverse("centres:apply-new"), {"name": "Hillside School", "action": "save"})
    application = CentreApplication.objects.get()
    client.post(reverse("centres:apply-detail", args=[application.pk]), answers(qualifications))
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert CentreApplication.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"postcode": "ZZ99 ZZZZ"}, "postcode", "UK postcode"),
        ({"head_email": "helen.hill"}, "head_email", "in the correct format"),
        ({"officer_email": "ann@"}, "officer_email", "in the correct format"),
        ({"declare_regulations": None}, "declare_regulations", "Tick this declaration"),
        ({"declare_head_agrees": None}, "declare_head_agrees", "Tick this declaration"),
        ({"intended_qualifications": None}, "intended_qualifications", "at least one"),
        ({"town": ""}, "town", "Enter the town or city"),
        ({"phone": "12"}, "phone", "phone number"),
        ({"nation": "atlantis"}, "nation", "Choose the nation from the list"),
    ],
)
def test_submission_refuses_bad_or_missing_answers_and_changes_nothing(
    login, applicant, qualifications, overrides, field, message, on_commit
):
    draft = make_application(applicant, status=Status.DRAFT, town="Old Town")
    before = snapshot(draft)

    with on_commit():
        response = login(applicant).post(
            reverse("centres:apply-detail", args=[draft.pk]), answers(qualifications, **overrides)
        )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert snapshot(draft) == before
    assert not AuditEvent.objects.exists()
    assert not mail.outbox


def test_the_applicant_cannot_name_themselves_head_of_centre(login, applicant, qualifications):
    response = login(applicant).post(
        reverse("centres:apply-new"), answers(qualifications, head_email=applicant.email.upper())
    )
    assert response.status_code == 400
    assert "head of centre must be someone other than you" in response.content.decode()
    assert not CentreApplication.objects.filter(status=Status.SUBMITTED).exists()


def test_a_qualification_outside_the_catalogue_is_refused(login, applicant, qualifications):
    response = login(applicant).post(
        reverse("centres:apply-new"),
        answers(qualifications, intended_qualifications=[qualifications["gcse"].pk]),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["intended_qualifications"]
    assert not CentreApplication.objects.exists()


def test_the_service_checks_completeness_itself(applicant, qualifications):
    draft = make_application(applicant, status=Status.DRAFT, declare_head_agrees=False, phone="")
    with pytest.raises(CentreError, match="tick all three declarations") as refused:
        services.submit_application(application=draft, by=applicant)
    assert "phone is missing" in str(refused.value)
    assert "at least one qualification" in str(refused.value)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_second_pending_application_for_the_organisation_is_refused(
    login, applicant, qualifications
):
    make_application(UserFactory(email="someone@else.example"), name="Hillside School")
    draft = make_application(applicant, status=Status.DRAFT, name="Draft name")
    before = snapshot(draft)

    response = login(applicant).post(
        reverse("centres:apply-detail", args=[draft.pk]),
        answers(qualifications, name="HILLSIDE  school", postcode="ls6 2ab"),
    )

    assert response.status_code == 400
    assert "is already waiting for a decision" in response.content.decode()
    assert snapshot(draft) == before
    assert CentreApplication.objects.filter(status=Status.SUBMITTED).count() == 1


def test_a_new_duplicate_submission_leaves_nothing_behind(login, applicant, qualifications):
    make_application(UserFactory(email="someone@else.example"))
    response = login(applicant).post(reverse("centres:apply-new"), answers(qualifications))
    assert response.status_code == 400
    assert not CentreApplication.objects.filter(applicant=applicant).exists()


def test_the_database_constraint_backs_the_duplicate_check(applicant, qualifications, monkeypatch):
    make_application(UserFactory(email="someone@else.example"))
    draft = make_application(applicant, status=Status.DRAFT)
    draft.intended_qualifications.set([qualifications["it"]])
    # As if the other submission committed between the check and the save.
    monkeypatch.setattr(services, "_another_pending", lambda application: False)

    with pytest.raises(CentreError, match="already waiting for a decision"):
        services.submit_application(application=draft, by=applicant)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not AuditEvent.objects.exists()


def test_another_users_application_is_404(login, applicant, people, qualifications):
    application = make_application(applicant, status=Status.DRAFT)
    url = reverse("centres:apply-detail", args=[application.pk])
    client = login(people["outsider"])
    assert client.get(url).status_code == 404
    assert client.post(url, answers(qualifications, action="save")).status_code == 404
    application.refresh_from_db()
    assert application.name == "Hillside School"


def test_the_services_refuse_someone_elses_application(applicant, people):
    application = make_application(applicant, status=Status.DRAFT)
    with pytest.raises(CentreError, match="not yours"):
        services.save_draft(
            application=application,
            fields={"name": "Mine now"},
            qualifications=[],
            by=people["outsider"],
        )


# --- Staff: the queue --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        lambda app: reverse("centres:staff-applications"),
        lambda app: reverse("centres:staff-application", args=[app.pk]),
    ],
)
@pytest.mark.parametrize(("person", "status"), [("outsider", 403), ("centre_admin", 403)])
def test_staff_pages_are_for_staff(login, people, applicant, url, person, status):
    application = make_application(applicant)
    assert login(people[person]).get(url(application)).status_code == status


@pytest.mark.parametrize(
    "action", ["centres:staff-application-approve", "centres:staff-application-reject"]
)
def test_decisions_are_for_staff(client, login, people, applicant, action):
    application = make_application(applicant)
    url = reverse(action, args=[application.pk])
    assert client.post(url, {"reason": "No"}).status_code == 302  # anonymous: sign in
    assert login(applicant).post(url, {"reason": "No"}).status_code == 403
    assert login(people["centre_admin"]).post(url, {"reason": "No"}).status_code == 403
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not Centre.objects.filter(name="Hillside School").exists()


@time_machine.travel(datetime(2024, 6, 20, 12, 0, tzinfo=LONDON))
def test_the_queue_lists_waiting_applications_oldest_first_with_their_age(login, people):
    newer = make_application(
        UserFactory(), name="Newer", submitted_at=datetime(2024, 6, 19, 9, tzinfo=LONDON)
    )
    older = make_application(
        UserFactory(), name="Older", submitted_at=datetime(2024, 6, 13, 9, tzinfo=LONDON)
    )
    make_application(UserFactory(), name="A draft", status=Status.DRAFT)
    make_application(UserFactory(), name="Rejected", status=Status.REJECTED)

    page = login(people["staff"]).get(reverse("centres:staff-applications"))

    assert page.status_code == 200
    rows = page.context["applications"]
    assert [a.name for a in rows] == ["Older", "Newer"]
    assert [a.age_in_working_days for a in rows] == [5, 1]
    assert "Older" in page.content.decode()

    search = login(people["staff"]).get(reverse("centres:staff-applications"), {"q": "newer"})
    assert [a.pk for a in search.context["applications"]] == [newer.pk]
    assert older.pk


@pytest.mark.parametrize(
    ("submitted", "now"),
    [
        (datetime(2024, 5, 24, 16, tzinfo=LONDON), datetime(2024, 5, 28, 9, tzinfo=LONDON)),
        (datetime(2024, 12, 23, 23, 30, tzinfo=LONDON), datetime(2025, 1, 3, 9, tzinfo=LONDON)),
        (datetime(2024, 6, 15, 10, tzinfo=LONDON), datetime(2024, 6, 17, 9, tzinfo=LONDON)),
        (datetime(2024, 6, 17, 10, tzinfo=LONDON), datetime(2024, 6, 17, 11, tzinfo=LONDON)),
    ],
)
def test_queue_ages_agree_with_the_working_day_calendar(applicant, submitted, now):
    application = make_application(applicant, submitted_at=submitted)
    with time_machine.travel(now):
        (aged,) = with_ages([application], at="submitted_at")
        assert aged.age_in_working_days == working_days_since(submitted)


@time_machine.travel(datetime(2024, 6, 20, 12, 0, tzinfo=LONDON))
def test_the_queue_costs_the_same_queries_for_1_or_50_applications(login, people, qualifications):
    client = login(people["staff"])
    url = reverse("centres:staff-applications")

    def add(count, start):
        for n in range(start, start + count):
            application = make_application(
                UserFactory(),
                name=f"School {n}",
                submitted_at=datetime(2024, 6, 1, 9, tzinfo=LONDON) + timedelta(hours=n * 7),
            )
            application.intended_qualifications.set([qualifications["it"]])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add(1, 0)
    client.get(url)  # the working-day calendar's closure days, read once and cached
    one = queries()
    add(49, 1)
    fifty = queries()
    assert one == fifty


# --- Staff: decisions --------------------------------------------------------------------------


def test_approving_creates_the_centre_with_the_next_number(
    login, people, centre, other_centre, qualifications, on_commit
):
    applicant = UserFactory(email="applicant@hillside.example", full_name="Ann Applicant")
    head = UserFactory(email="head@hillside.example")
    application = make_application(applicant, address_line2="Hillside", nation="wales")
    client = login(people["staff"])

    detail = client.get(reverse("centres:staff-application", args=[application.pk]))
    assert detail.status_code == 200
    assert 'data-confirm="Are you sure' in detail.content.decode()

    with on_commit():
        response = client.post(reverse("centres:staff-application-approve", args=[application.pk]))

    assert response.status_code == 302
    new = Centre.objects.get(number="23457")  # after 12345 and 23456
    assert (new.name, new.town, new.postcode, new.nation, new.address_line2) == (
        "Hillside School",
        "Leeds",
        "LS6 2AB",
        "wales",
        "Hillside",
    )
    assert new.status == Centre.Status.APPROVED
    assert Membership.objects.filter(user=applicant, centre=new, role=Role.CENTRE_ADMIN).exists()
    head_record = HeadOfCentre.objects.get(centre=new)
    # Named, not yet head: the role is held once they accept by their own link.
    assert (head_record.name, head_record.job_title, head_record.user) == (
        "Helen Hill",
        "Headteacher",
        None,
    )
    assert not Membership.objects.filter(user=head, centre=new).exists()
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.centre == new
    assert application.decided_by == people["staff"]
    assert application.decided_at is not None
    approved = AuditEvent.objects.get(action="application.approved")
    assert approved.centre == new and approved.actor == people["staff"]
    assert AuditEvent.objects.filter(action="membership.granted", centre=new).exists()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == [
        "applicant@hillside.example",
        "head@hillside.example",
        "head@hillside.example",
    ]
    assert all("23457" in m.subject for m in mail.outbox)
    (link_mail,) = [m for m in mail.outbox if "Confirm you are head" in m.subject]
    assert "/head-of-centre/" in link_mail.body
    assert Notification.objects.get(user=applicant).url == reverse("centres:home", args=["23457"])

    # The applicant now reaches the centre as its admin.
    assert login(applicant).get(reverse("centres:home", args=["23457"])).status_code == 200


def test_centre_numbers_start_at_10000_and_follow_the_highest():
    assert not Centre.objects.exists()
    assert services.next_centre_number() == "10000"
    CentreFactory(number="00042")
    assert services.next_centre_number() == "10000"
    CentreFactory(number="12345")
    CentreFactory(number="23456")
    assert services.next_centre_number() == "23457"
    CentreFactory(number="99999")
    with pytest.raises(CentreError, match="Every five-digit centre number is in use"):
        services.next_centre_number()


def test_the_first_approved_centre_is_10000(applicant):
    staff = UserFactory(email="staff@ocradmin.example", is_staff=True)
    centre = services.approve_application(application=make_application(applicant), by=staff)
    assert centre.number == "10000"


def test_with_no_head_of_centre_account_the_head_record_has_no_user(people, applicant):
    centre = services.approve_application(
        application=make_application(applicant), by=people["staff"]
    )
    assert centre.head.user is None
    assert centre.head.email == "head@hillside.example"


def test_approving_twice_says_who_decided_and_makes_one_centre(login, people, applicant):
    application = make_application(applicant)
    services.approve_application(application=application, by=people["staff"])
    centres = Centre.objects.count()

    second_staff = UserFactory(email="second@ocradmin.example", is_staff=True)
    response = login(second_staff).post(
        reverse("centres:staff-application-approve", args=[application.pk]), follow=True
    )

    (message,) = [str(m) for m in response.context["messages"]]
    assert "already been decided by" in message
    assert people["staff"].get_full_name() in message
    assert Centre.objects.count() == centres
    assert AuditEvent.objects.filter(action="application.approved").count() == 1
    with pytest.raises(CentreError, match="already been decided"):
        services.reject_application(application=application, reason="Late", by=second_staff)


def test_a_draft_cannot_be_decided(people, applicant):
    draft = make_application(applicant, status=Status.DRAFT)
    with pytest.raises(CentreError, match="not waiting for a decision"):
        services.approve_application(application=draft, by=people["staff"])
    assert not Centre.objects.filter(name="Hillside School").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_needs_a_reason(login, people, applicant, reason):
    application = make_application(applicant)
    response = login(people["staff"]).post(
        reverse("centres:staff-application-reject", args=[application.pk]), {"reason": reason}
    )
    assert response.status_code == 400
    assert response.context["reject_form"].errors["reason"]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not AuditEvent.objects.exists()
    with pytest.raises(CentreError, match="Give the reason"):
        services.reject_application(application=application, reason=reason, by=people["staff"])


def test_reject_then_amend_resubmit_and_approve(
    login, people, applicant, qualifications, centre, on_commit
):
    application = make_application(applicant, head_email="wrong@hillside.example")
    application.intended_qualifications.set([qualifications["it"]])
    staff = login(people["staff"])

    with on_commit():
        staff.post(
            reverse("centres:staff-application-reject", args=[application.pk]),
            {"reason": "The head of centre's email bounces."},
        )
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.rejection_reason == "The head of centre's email bounces."
    assert AuditEvent.objects.filter(action="application.rejected").exists()
    assert mail.outbox[-1].to == ["applicant@hillside.example"]
    assert "bounces" in mail.outbox[-1].body

    # The applicant sees why, on the form and on the dashboard, and amends it.
    client = login(applicant)
    page = client.get(reverse("centres:apply-detail", args=[application.pk]))
    assert "The head of centre&#x27;s email bounces." in page.content.decode()
    assert "form" in page.context
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Reason: The head of centre&#x27;s email bounces." in dashboard
    client.post(
        reverse("centres:apply-detail", args=[application.pk]),
        answers(qualifications, head_email="helen@hillside.example"),
    )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.head_email == "helen@hillside.example"
    assert AuditEvent.objects.filter(action="application.resubmitted").exists()
    assert application.decided_by is None

    staff = login(people["staff"])
    staff.post(reverse("centres:staff-application-approve", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.centre.number == "23457"
    assert application.centre.head.email == "helen@hillside.example"


def test_the_dashboard_shows_the_applicant_each_state(login, applicant, people):
    make_application(applicant, status=Status.DRAFT, name="Draft School", postcode="LS1 1AA")
    make_application(applicant, name="Waiting School", postcode="LS2 2AA")
    rejected = make_application(applicant, name="Rejected School", postcode="LS3 3AA")
    approved = make_application(applicant, name="Approved School", postcode="LS4 4AA")
    services.reject_application(application=rejected, reason="Missing details", by=people["staff"])
    centre = services.approve_application(application=approved, by=people["staff"])

    html = login(applicant).get(reverse("dashboard")).content.decode()

    assert "Your centre applications" in html
    for text in ("Draft School", "Waiting School", "Reason: Missing details", "Approved School"):
        assert text in html
    assert reverse("centres:home", args=[centre.number]) in html


def test_the_dashboard_panel_is_hidden_without_applications(login, people):
    html = login(people["teacher"]).get(reverse("dashboard")).content.decode()
    assert "Your centre applications" not in html


def test_the_staff_board_lists_waiting_applications(login, people):
    for n in range(12):
        make_application(
            UserFactory(),
            name=f"School {n:02d}",
            postcode=f"LS{n + 1} 1AA",
            submitted_at=timezone.now() - timedelta(days=12 - n),
        )
    page = login(people["staff"]).get(reverse("staff-board"))
    html = page.content.decode()
    assert "Centre applications waiting" in html
    assert "12 waiting for a decision" in html
    assert "School 00" in html and "School 09" in html and "School 10" not in html
    assert reverse("centres:staff-applications") in html


def test_the_apply_link_shows_for_people_without_a_centre(login, people):
    link = reverse("centres:apply")
    assert f'href="{link}"' in login(people["outsider"]).get(reverse("dashboard")).content.decode()
    html = login(people["centre_admin"]).get(reverse("dashboard")).content.decode()
    assert f'href="{link}"' not in html


def test_admin_lists_applications(client, applicant):
    admin_user = UserFactory(email="root@ocradmin.example", is_staff=True, is_superuser=True)
    application = make_application(applicant)
    client.force_login(admin_user)
    listing = client.get(
        reverse("admin:centres_centreapplication_changelist"), {"status": "submitted"}
    )
    assert listing.status_code == 200
    assert "Hillside School" in listing.content.decode()
    change = client.get(reverse("admin:centres_centreapplication_change", args=[application.pk]))
    assert change.status_code == 200
    # Rejecting needs a reason, so the change page leads to the staff page that asks for one.
    review = reverse("centres:staff-application", args=[application.pk])
    assert f'<a href="{review}">Approve or reject with a reason</a>' in change.content.decode()
    response = client.post(
        reverse("admin:centres_centreapplication_changelist"),
        {"action": "approve_selected", "_selected_action": [application.pk]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_the_demo_application_is_seeded_once(qualifications):
    from centres import demo

    for _ in range(2):
        demo.seed(password="demo-password-1", log=lambda message: None)
    application = CentreApplication.objects.get(applicant__email="applicant@hillside.example")
    assert application.status == Status.SUBMITTED
    assert application.name == "Hillside School"
    assert application.applicant.check_password("demo-password-1")
    assert services.missing_for_submission(application) == []


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------


def run_together(*calls):
    """Start the calls at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except CentreError as error:
            outcomes[index] = ("refused", str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_one_application_at_once_make_one_centre():
    CentreFactory(number="12345")
    first = UserFactory(email="first@ocradmin.example", is_staff=True)
    second = UserFactory(email="second@ocradmin.example", is_staff=True)
    application = make_application(UserFactory(email="applicant@hillside.example"))

    outcomes = run_together(
        lambda: services.approve_application(application=application, by=first).number,
        lambda: services.approve_application(application=application, by=second).number,
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
    refusal = next(detail for kind, detail in outcomes if kind == "refused")
    assert "already been decided by" in refusal
    assert Centre.objects.filter(name="Hillside School").count() == 1
    assert AuditEvent.objects.filter(action="application.approved").count() == 1
    assert HeadOfCentre.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_get_different_numbers():
    CentreFactory(number="12345")
    first = UserFactory(email="first@ocradmin.example", is_staff=True)
    second = UserFactory(email="second@ocradmin.example", is_staff=True)
    one = make_application(UserFactory(), name="One School", postcode="LS1 1AA")
    two = make_application(UserFactory(), name="Two School", postcode="LS2 2AA")

    outcomes = run_together(
        lambda: services.approve_application(application=one, by=first).number,
        lambda: services.approve_application(application=two, by=second).number,
    )

    assert [kind for kind, _ in outcomes] == ["ok", "ok"]
    assert sorted(number for _, number in outcomes) == ["12346", "12347"]
    assert set(Centre.objects.values_list("number", flat=True)) == {"12345", "12346", "12347"}
