"""Centres in a real browser: from a stranger's self-registration to an approved centre that
offers a qualification and has a teacher.

Someone registers and confirms the emailed link, signs in and fills the vocational centre
approval form (a draft first, finished and submitted later); staff see it waiting, with its
age, and approve it; the applicant is the new centre's admin, requests approval for a
qualification, which staff grant; the admin invites a teacher, who follows the emailed link,
sets a password and signs in to find the centre. A second test shows the form refusing an
incomplete submission.

Every distinct page is checked with axe-core, and (``page_problems``) for console errors.
"""

import re
from datetime import timedelta
from importlib import import_module

from django.apps import apps as django_apps
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from centres.models import (
    Centre,
    CentreApplication,
    Invitation,
    Membership,
    Qualification,
    QualificationApproval,
    Role,
)
from centres.selectors import with_ages
from centres.services.applications import next_centre_number

APPLICANT_EMAIL = "nadia.applicant@hillside.example"
APPLICANT_PASSWORD = "vocational-moderation-42"
TEACHER_EMAIL = "tom.teacher@hillside.example"
TEACHER_PASSWORD = "marking-portfolios-2021"
ORGANISATION = "Hillside Training Partnership"
INTENDED = "05840"  # Cambridge Technical in IT (Certificate), from the catalogue
REQUESTED = "05834"  # Cambridge Technical in Business (Certificate)
DECLARATIONS = [
    "The information in this application is accurate and complete.",
    "The centre will follow the awarding body's and JCQ's regulations for centres.",
    "The head of centre has agreed to this application.",
]


def the_catalogue() -> None:
    """The qualification catalogue as migration centres 0003 seeds it; a transactional test
    elsewhere may have flushed it."""
    if Qualification.objects.filter(entry_code__in=[INTENDED, REQUESTED]).count() < 2:
        seed = import_module("centres.migrations.0003_seed_catalogue").seed
        seed(django_apps, None)


def exactly(label: str) -> re.Pattern:
    """A field's label, whole; a required field's label ends with crispy's asterisk."""
    return re.compile(rf"^\s*{re.escape(label)}\*?\s*$")


def qualification_label(entry_code: str) -> str:
    return str(Qualification.objects.get(entry_code=entry_code))


def emailed_path(to: str, subject: str, pattern: str) -> str:
    """The path of the link in the newest email to ``to`` whose subject contains ``subject``
    (the link starts with SITE_URL, not the live server's address)."""
    messages = [m for m in mail.outbox if m.to == [to] and subject in m.subject]
    assert messages, [(m.to, m.subject) for m in mail.outbox]
    match = re.search(r"https?://[^/\s]+(" + pattern + r")", messages[-1].body)
    assert match, messages[-1].body
    return match.group(1)


def sign_out(page):
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()


def fill_organisation(page, postcode="ls6 2ab"):
    page.get_by_label(exactly("Type of organisation")).select_option(label="Training provider")
    page.get_by_label(exactly("Address line 1")).fill("4 Mill Lane")
    page.get_by_label(exactly("Town or city")).fill("Leeds")
    page.get_by_label(exactly("Postcode")).fill(postcode)
    page.get_by_label(exactly("Nation")).select_option(label="England")
    page.get_by_label(exactly("Organisation's phone number")).fill("0113 496 0000")


def fill_people(page):
    page.get_by_label(exactly("Head of centre's name")).fill("Harriet Head")
    page.get_by_label(exactly("Head of centre's job title")).fill("Principal")
    page.get_by_label(exactly("Head of centre's email")).fill("principal@hillside.example")
    page.get_by_label(exactly("Exams officer's name")).fill("Nadia Applicant")
    page.get_by_label(exactly("Exams officer's email")).fill(APPLICANT_EMAIL)
    page.get_by_label(exactly("Exams officer's phone")).fill("0113 496 0001")


def test_from_registration_to_an_approved_centre_with_a_teacher(
    page, url, sign_in, assert_accessible, people
):
    the_catalogue()
    staff = people["staff"]

    # --- Registering: an inactive account and a confirmation link by email ---------------------
    page.goto(url("/accounts/login/"))
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(url("/accounts/register/"))
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert_accessible(page)

    page.get_by_label(exactly("Email address")).fill(APPLICANT_EMAIL)
    page.get_by_label(exactly("Full name")).fill("Nadia Applicant")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(url("/accounts/register/done/"))
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_accessible(page)

    # The password is chosen on the emailed link, by whoever reads the address's mail.
    confirm_path = emailed_path(
        APPLICANT_EMAIL, "Confirm your email address", r"/accounts/register/confirm/\S+/"
    )
    page.goto(url(confirm_path))
    expect(page.get_by_role("heading", name="Confirm your account")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(exactly("Password")).fill(APPLICANT_PASSWORD)
    page.get_by_label(exactly("Password again")).fill(APPLICANT_PASSWORD)
    page.get_by_role("button", name="Confirm my account").click()
    # Confirming signs the person in and opens the form; sign out to use the password.
    expect(page.get_by_role("heading", name="Apply to become an approved centre")).to_be_visible()
    sign_out(page)

    sign_in(page, APPLICANT_EMAIL, APPLICANT_PASSWORD)
    expect(page).to_have_url(url("/"))
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Apply for centre approval").click()
    expect(page).to_have_url(url("/apply/new/"))

    # --- The application: a draft first ------------------------------------------------------
    form_heading = page.get_by_role("heading", name="Apply to become an approved centre")
    expect(form_heading).to_be_visible()
    assert_accessible(page)
    page.get_by_label(exactly("Organisation name")).fill(ORGANISATION)
    fill_organisation(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_contain_text("Draft saved")
    application = CentreApplication.objects.get(applicant__email=APPLICANT_EMAIL)
    assert application.status == CentreApplication.Status.DRAFT
    assert application.postcode == "LS6 2AB"  # stored normalised
    expect(page).to_have_url(url(f"/apply/{application.pk}/"))
    expect(page.get_by_role("heading", name=f"Centre application: {ORGANISATION}")).to_be_visible()
    assert_accessible(page)

    # ...and coming back to it later from the dashboard.
    page.goto(url("/"))
    drafts = page.get_by_role("region", name="Your centre applications")
    expect(drafts).to_contain_text("Draft")
    assert_accessible(page)
    drafts.get_by_role("link", name="All your applications").click()
    expect(page).to_have_url(url("/apply/"))
    expect(page.get_by_role("table")).to_contain_text(ORGANISATION)
    assert_accessible(page)
    page.get_by_role("table").get_by_role("link", name=ORGANISATION).click()
    expect(page).to_have_url(url(f"/apply/{application.pk}/"))
    expect(page.get_by_label(exactly("Organisation name"))).to_have_value(ORGANISATION)
    expect(page.get_by_label(exactly("Town or city"))).to_have_value("Leeds")
    expect(page.get_by_label(exactly("Postcode"))).to_have_value("LS6 2AB")

    fill_people(page)
    page.get_by_label(qualification_label(INTENDED)).check()
    for declaration in DECLARATIONS:
        page.get_by_label(declaration).check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("alert")).to_contain_text("Your application is submitted")
    expect(page.get_by_text("Submitted — awaiting review")).to_be_visible()
    # Locked while it is reviewed: a read-only copy, no form.
    expect(page.get_by_role("button", name="Submit application")).to_have_count(0)
    expect(page.get_by_role("listitem").filter(has_text=INTENDED)).to_be_visible()
    assert_accessible(page)
    application.refresh_from_db()
    assert application.status == CentreApplication.Status.SUBMITTED

    # It has been waiting a week (calendar days) when staff look at it.
    CentreApplication.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - timedelta(days=7)
    )
    application.refresh_from_db()
    (aged,) = with_ages([application], at="submitted_at")
    sign_out(page)

    # --- Staff: the queue with the age, the detail page, approval ------------------------------
    sign_in(page, staff.email)
    page.goto(url("/staff/applications/"))
    expect(page.get_by_role("heading", name="Centre applications waiting")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=ORGANISATION)
    expect(row).to_contain_text("Leeds LS6 2AB")
    expect(row).to_contain_text(APPLICANT_EMAIL)
    expect(row.get_by_role("cell").nth(4)).to_have_text(str(aged.age_in_working_days))
    assert_accessible(page)

    row.get_by_role("link", name=ORGANISATION).click()
    expect(page).to_have_url(url(f"/staff/applications/{application.pk}/"))
    expect(page.get_by_text(f"({aged.age_in_working_days} working day")).to_be_visible()
    expect(page.get_by_text("Harriet Head")).to_be_visible()
    assert_accessible(page)

    number = next_centre_number()  # 10000 on an empty register, else one past the highest
    assert int(number) >= 10000
    assert not Centre.objects.filter(number=number).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Approve and create the centre").click()
    expect(page).to_have_url(url("/staff/applications/"))
    expect(page.get_by_role("alert")).to_contain_text(
        f"Approved: {ORGANISATION} is centre {number}."
    )
    expect(page.get_by_text("No applications are waiting.")).to_be_visible()
    sign_out(page)

    centre = Centre.objects.get(number=number)
    assert centre.name == ORGANISATION
    assert Membership.objects.filter(
        centre=centre, user__email=APPLICANT_EMAIL, role=Role.CENTRE_ADMIN
    ).exists()

    # --- The applicant is the new centre's admin ---------------------------------------------
    sign_in(page, APPLICANT_EMAIL, APPLICANT_PASSWORD)
    centres = page.get_by_role("region", name="Your centres")
    expect(centres.get_by_role("link", name=f"{number} {ORGANISATION}")).to_be_visible()
    expect(centres).to_contain_text("Centre admin")
    # The applicant no longer needs the "apply" link once they belong to a centre.
    expect(nav.get_by_role("link", name="Apply for centre approval")).to_have_count(0)
    assert_accessible(page)

    centres.get_by_role("link", name=f"{number} {ORGANISATION}").click()
    expect(page).to_have_url(url(f"/centres/{number}/"))
    expect(page.get_by_role("heading", name="Centre home", level=1)).to_be_visible()
    expect(page.locator(".page-caption")).to_contain_text(ORGANISATION)
    assert_accessible(page)

    # --- A qualification approval: requested by the centre, granted by staff ------------------
    tabs = page.get_by_role("navigation", name="Centre sections")
    tabs.get_by_role("link", name="Qualifications").click()
    expect(page).to_have_url(url(f"/centres/{number}/qualifications/"))
    expect(page.get_by_text("No approvals or requests yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Request approval").click()
    expect(page).to_have_url(url(f"/centres/{number}/qualifications/request/"))
    assert_accessible(page)
    page.get_by_label(exactly("Qualification")).select_option(label=qualification_label(REQUESTED))
    page.get_by_label(exactly("Delivered and assessed by")).fill("Business studies department")
    start = timezone.localdate() + timedelta(days=60)
    page.get_by_label(exactly("Planned start of teaching")).fill(start.isoformat())
    page.get_by_role("button", name="Request approval").click()
    expect(page).to_have_url(url(f"/centres/{number}/qualifications/"))
    expect(page.get_by_role("alert")).to_contain_text("Approval requested for")
    request_row = page.get_by_role("row").filter(has_text=REQUESTED)
    expect(request_row).to_contain_text("Requested — waiting for staff")
    expect(request_row).to_contain_text("Business studies department")
    sign_out(page)

    sign_in(page, staff.email)
    page.goto(url("/staff/qualification-approvals/"))
    expect(page.get_by_role("heading", name="Qualification approval requests")).to_be_visible()
    waiting = page.get_by_role("row").filter(has_text=ORGANISATION)
    expect(waiting).to_contain_text(REQUESTED)
    expect(waiting).to_contain_text("0 working days old")
    assert_accessible(page)
    waiting.get_by_role("button", name=f"Approve {REQUESTED} at {number}").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Centre {number} approved for {REQUESTED}")
    expect(page.get_by_text("No requests are waiting.")).to_be_visible()
    sign_out(page)
    assert (
        QualificationApproval.objects.get(centre=centre, qualification__entry_code=REQUESTED).status
        == QualificationApproval.Status.APPROVED
    )

    sign_in(page, APPLICANT_EMAIL, APPLICANT_PASSWORD)
    page.goto(url(f"/centres/{number}/qualifications/"))
    approved_row = page.get_by_role("row").filter(has_text=REQUESTED)
    expect(approved_row.get_by_text("Approved", exact=True)).to_be_visible()
    expect(approved_row).to_contain_text(f"by {staff.get_full_name()}")

    # --- Inviting a teacher ------------------------------------------------------------------
    tabs.get_by_role("link", name="Users").click()
    expect(page).to_have_url(url(f"/centres/{number}/users/"))
    expect(page.get_by_role("region", name="Head of centre")).to_contain_text("Harriet Head")
    assert_accessible(page)
    page.get_by_role("link", name="Add or invite someone").click()
    expect(page).to_have_url(url(f"/centres/{number}/users/invite/"))
    assert_accessible(page)
    page.get_by_label(exactly("Email address")).fill(TEACHER_EMAIL)
    page.get_by_label(exactly("Full name")).fill("Tom Teacher")
    page.get_by_label("Teacher", exact=True).check()
    page.get_by_role("button", name="Add or invite").click()
    expect(page).to_have_url(url(f"/centres/{number}/users/"))
    expect(page.get_by_role("alert")).to_contain_text(f"Invitation sent to {TEACHER_EMAIL}")
    invitations = page.get_by_role("region", name="Invitations waiting to be accepted")
    expect(invitations.get_by_role("row").filter(has_text=TEACHER_EMAIL)).to_contain_text("Teacher")
    sign_out(page)

    # --- The invitee follows the link, sets a password and signs in ---------------------------
    invitation_path = emailed_path(TEACHER_EMAIL, "You are invited to join", r"/invitations/\S+/")
    page.goto(url(invitation_path))
    expect(page.get_by_role("heading", name=f"Join {ORGANISATION}")).to_be_visible()
    expect(page.get_by_label(exactly("Full name"))).to_have_value("Tom Teacher")
    assert_accessible(page)
    page.get_by_label(exactly("Password")).fill(TEACHER_PASSWORD)
    page.get_by_label(exactly("Password again")).fill(TEACHER_PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    expect(page).to_have_url(url(f"/centres/{number}/"))
    expect(page.get_by_role("alert")).to_contain_text(f"you are now teacher at {ORGANISATION}")
    assert Invitation.objects.get(email=TEACHER_EMAIL).status == Invitation.Status.ACCEPTED
    sign_out(page)

    sign_in(page, TEACHER_EMAIL, TEACHER_PASSWORD)
    expect(page).to_have_url(url("/"))
    centres = page.get_by_role("region", name="Your centres")
    teacher_line = centres.get_by_role("listitem").filter(has_text=f"{number} {ORGANISATION}")
    expect(teacher_line).to_contain_text("Teacher")
    expect(teacher_line).not_to_contain_text("Centre admin")
    teacher_line.get_by_role("link", name=f"{number} {ORGANISATION}").click()
    expect(page).to_have_url(url(f"/centres/{number}/"))
    # A teacher is not offered the centre's users.
    sections = page.get_by_role("navigation", name="Centre sections")
    expect(sections.get_by_role("link", name="Centre home")).to_be_visible()
    expect(sections.get_by_role("link", name="Users")).to_have_count(0)


def test_an_incomplete_application_is_refused_with_the_errors_shown(
    page, url, sign_in, assert_accessible, people
):
    the_catalogue()
    applicant = people["outsider"]
    sign_in(page, applicant.email)
    page.goto(url("/apply/"))
    expect(page).to_have_url(url("/apply/new/"))

    page.get_by_label(exactly("Organisation name")).fill(ORGANISATION)
    fill_organisation(page, postcode="NOT A CODE")
    fill_people(page)
    page.get_by_label(qualification_label(INTENDED)).check()
    # The declarations are left unticked.
    page.get_by_role("button", name="Submit application").click()

    problem = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("Enter a UK postcode, such as SW1A 1AA.")
    expect(problem.get_by_role("listitem").filter(has_text="Tick this declaration")).to_have_count(
        3
    )
    # Each error links to its field; what was typed is kept.
    problem.get_by_role("link", name="Postcode").click()
    expect(page.get_by_label(exactly("Postcode"))).to_be_focused()
    expect(page.get_by_label(exactly("Postcode"))).to_have_value("NOT A CODE")
    expect(page.get_by_label(exactly("Town or city"))).to_have_value("Leeds")
    assert_accessible(page)

    # Nothing was saved, let alone submitted.
    assert not CentreApplication.objects.filter(applicant=applicant).exists()
    page.goto(url("/apply/"))
    expect(page).to_have_url(url("/apply/new/"))
