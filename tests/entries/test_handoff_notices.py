"""Entry processing tells each centre's admins once per run (a digest of what was accepted and
rejected, however many batches), the moderator and the centre once per allocation; a decision
on a qualification approval tells the centre's admins once. Nobody else is told."""

from collections import Counter

from django.urls import reverse

from centres.models import QualificationApproval, Role
from centres.services import approvals
from entries.models import Entry
from entries.services import processing
from ocradmin.models import Notification

from ..factories import MembershipFactory, UserFactory
from .test_processing import approve, candidate, moderator, qualification, submit  # noqa: F401


def told(subject="") -> Counter:
    return Counter(
        Notification.objects.filter(subject__contains=subject).values_list("user__email", flat=True)
    )


def test_one_digest_per_centre_per_run_however_many_batches(
    centre,
    other_centre,
    people,
    qualification,  # noqa: F811
):
    approve(centre, qualification)  # the other centre is not approved: its entries are rejected
    moderator("mod1@ocradmin.example", qualification)
    second_admin = UserFactory(email="officer2@northfield.example")
    MembershipFactory(user=second_admin, centre=centre, role=Role.CENTRE_ADMIN)
    for n in range(1, 6):
        submit(centre, qualification, candidate(centre, n))
        submit(other_centre, qualification, candidate(other_centre, n))

    processing.process_pending_entries(batch_size=3)  # four batches

    assert told("Entries processed") == {
        "officer@northfield.example": 1,
        "officer2@northfield.example": 1,
        "officer@riverside.example": 1,
    }
    here = Notification.objects.get(
        user=people["centre_admin"], subject__contains="Entries processed"
    )
    assert here.subject == "Entries processed at 12345: 5 accepted, 0 rejected"
    there = Notification.objects.get(
        user=people["other_centre_admin"], subject__contains="Entries processed"
    )
    assert there.subject == "Entries processed at 23456: 0 accepted, 5 rejected"
    assert there.url == reverse("entries:list", args=["23456"]) + "?status=rejected"
    # The allocation: the moderator and this centre's admins, once each.
    assert told("allocated") == {
        "mod1@ocradmin.example": 1,
        "officer@northfield.example": 1,
        "officer2@northfield.example": 1,
    }
    # Nobody else: teachers, heads, materials users, staff.
    assert set(told()) == {
        "officer@northfield.example",
        "officer2@northfield.example",
        "officer@riverside.example",
        "mod1@ocradmin.example",
    }
    # An idle run tells nobody.
    Notification.objects.all().delete()
    processing.process_pending_entries()
    assert not Notification.objects.exists()
    assert Entry.objects.filter(status=Entry.Status.SUBMITTED).count() == 0


def test_an_approval_decision_tells_the_centre_admins_once_each(
    centre,
    people,
    qualification,  # noqa: F811
):
    requester = people["centre_admin"]
    approval = QualificationApproval.objects.create(
        centre=centre,
        qualification=qualification,
        delivered_by="IT",
        planned_start="2026-09-01",
        requested_by=requester,
    )
    approvals.approve_approval(approval=approval, by=people["staff"])
    assert told() == {"officer@northfield.example": 1}
    notice = Notification.objects.get()
    assert notice.url == reverse("centres:approvals", args=[centre.number])


def test_staff_accepting_an_entry_tells_the_admins_and_a_new_moderator_once(
    centre,
    people,
    qualification,  # noqa: F811
):
    approve(centre, qualification)
    entry = submit(centre, qualification, candidate(centre, 1))
    processing.process_pending_entries()  # no moderator yet: sent to staff
    Notification.objects.all().delete()
    moderator("late@ocradmin.example", qualification)

    processing.accept_reviewed_entry(entry=entry, by=people["staff"])

    assert told("accepted") == {"officer@northfield.example": 1}
    assert told("allocated") == {"late@ocradmin.example": 1, "officer@northfield.example": 1}
    assert set(told()) == {"officer@northfield.example", "late@ocradmin.example"}
