"""A correction to a submitted candidate in a real browser.

Riverside's grades are submitted, so its centre admin cannot edit a candidate's surname: the
candidate's page offers a correction instead. The admin asks for it with a reason; the
candidate's page shows it waiting. A member of staff finds it from the staff board, approves
it, and the candidate's surname changes, while the submitted grade keeps the surname it was
submitted with.

Every distinct page is checked with axe-core, and (``page_problems``) for console errors.
"""

import re

from playwright.sync_api import expect

from centres.models import Role
from entries.models import Candidate
from grades.models import Grade

from ..entries.factories import CandidateFactory
from ..factories import CentreFactory, MembershipFactory, UserFactory
from ..grades.conftest import make_tag_qualification, summer_2021


def test_a_correction_is_asked_for_and_approved(page, url, sign_in, assert_accessible):
    riverside = CentreFactory(number="23456", name="Riverside College")
    admin = UserFactory(email="officer@riverside.example", full_name="Rosa Officer")
    MembershipFactory(user=admin, centre=riverside, role=Role.CENTRE_ADMIN)
    UserFactory(email="staff@ocradmin.example", is_staff=True)
    ada = CandidateFactory(centre=riverside, first_name="Ada", last_name="Lovelace")
    Grade.objects.create(
        series=summer_2021(),
        centre=riverside,
        qualification=make_tag_qualification("05838"),
        candidate=ada,
        grade="D",
        **{snapshot: getattr(ada, field) for snapshot, field in Grade.SNAPSHOT.items()},
    )

    sign_in(page, admin.email)
    page.goto(url(f"/centres/23456/candidates/{ada.pk}/"))
    expect(page.get_by_text("change only through a correction")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Request a correction").click()
    expect(page.get_by_role("heading", name=re.compile("Request a correction"))).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^\s*Last name")).fill("Lovelace-Byron")
    page.get_by_label(re.compile(r"^\s*Reason for the correction")).fill(
        "Double-barrelled surname, as on the birth certificate."
    )
    page.get_by_role("button", name="Request the correction").click()
    expect(page.get_by_text("Correction requested.")).to_be_visible()
    expect(page.get_by_text("Last name: Lovelace → Lovelace-Byron")).to_be_visible()
    expect(page.get_by_text("Waiting for the awarding body")).to_be_visible()
    assert_accessible(page)
    assert Candidate.objects.get(pk=ada.pk).last_name == "Lovelace"

    page.context.clear_cookies()
    sign_in(page, "staff@ocradmin.example")
    page.goto(url("/staff/"))
    page.get_by_role("link", name="1 correction waiting for a decision").click()
    expect(page.get_by_role("heading", name="Corrections to candidates' details")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Approve and make the change").click()
    expect(page.get_by_text("approved and made; the centre has been told")).to_be_visible()
    expect(page.get_by_text("No corrections are waiting for staff.")).to_be_visible()

    assert Candidate.objects.get(pk=ada.pk).last_name == "Lovelace-Byron"
    assert Grade.objects.get(candidate=ada).submitted_last_name == "Lovelace"
