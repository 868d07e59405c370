"""Claims in a real browser: a teacher builds a claim by unit and by candidate (each grade
saved as it is chosen), claims a full award, checks and submits it with the authentication
declaration, uploads every candidate's work and sees the work sent, the clock stopped.

Every distinct page is checked with axe-core, and (``page_problems``) for console errors.
"""

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, ClaimLine, Evidence, FullAwardRequest

from ..claims.conftest import claimable
from ..claims.files import PDF, docx

CLAIM_PAGE = re.compile(r"/centres/12345/claims/(\d+)/$")


@pytest.fixture
def setup(centre, people):
    return claimable(centre, people)


def test_a_teacher_builds_submits_and_sends_the_work_of_a_claim(
    page, url, sign_in, assert_accessible, people, centre, setup
):
    full, unit_only = setup["full"], setup["unit_only"]
    qualification = setup["qualification"]
    sign_in(page, people["teacher"].email)
    page.goto(url("/centres/12345/"))
    page.get_by_role("navigation", name="Centre sections").get_by_role(
        "link", name="Claims"
    ).click()
    expect(page).to_have_url(url("/centres/12345/claims/"))
    expect(page.get_by_role("table")).to_contain_text("No claims yet.")
    assert_accessible(page)

    # --- Start a draft -------------------------------------------------------------------------
    page.get_by_role("link", name="Start a claim").click()
    assert_accessible(page)
    page.get_by_label("Qualification").select_option(label=str(qualification))
    page.get_by_role("button", name="Start the claim").click()
    expect(page).to_have_url(CLAIM_PAGE)
    expect(page.get_by_role("alert")).to_contain_text("Draft claim started")
    assert_accessible(page)
    claim = Claim.objects.get()

    # --- By unit: unit 3 for both candidates -----------------------------------------------
    page.get_by_label("By unit: grade one unit across candidates").select_option(
        str(setup["units"]["3"].pk)
    )
    page.get_by_role("button", name="Grade this unit").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Unit 3:"))).to_be_visible()
    assert_accessible(page)
    for candidate, grade in ((unit_only, "P"), (full, "M")):
        row = page.locator(f"#line-{candidate.pk}-{setup['units']['3'].pk}")
        row.get_by_role("combobox").select_option(grade)
        expect(page.locator(f"#line-{candidate.pk}-{setup['units']['3'].pk}")).to_contain_text(
            "Saved"
        )
    assert ClaimLine.objects.filter(claim=claim, unit=setup["units"]["3"]).count() == 2
    page.get_by_role("link", name="Back to the claim").click()

    # --- By candidate: units 1 and 2 for the full-award candidate, then the full award -------
    page.get_by_label("By candidate: the units of one candidate").select_option(str(full.pk))
    page.get_by_role("button", name="Claim for this candidate").click()
    expect(
        page.get_by_role("heading", name=re.compile(rf"^{full.candidate_number} "))
    ).to_be_visible()
    assert_accessible(page)
    for number in ("1", "2"):
        key = f"{full.pk}-{setup['units'][number].pk}"
        page.locator(f"#line-{key}").get_by_role("combobox").select_option("D")
        expect(page.locator(f"#line-{key}")).to_contain_text("Saved")
    page.get_by_role("button", name="Claim the full award").click()
    expect(page.get_by_role("alert")).to_contain_text("is claimed for the full award")
    assert FullAwardRequest.objects.filter(claim=claim, candidate=full).exists()
    page.get_by_role("link", name="Back to the claim").click()

    expect(page.get_by_role("table")).to_contain_text("Unit 1: D; Unit 2: D; Unit 3: M")
    page.get_by_role("link", name="By unit").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Unit 3:"))).to_contain_text(
        "M × 1, P × 1"
    )
    assert_accessible(page)

    # --- From a spreadsheet: unit 5 for the full-award candidate -----------------------------
    page.goto(url(f"/centres/12345/claims/{claim.pk}/"))
    page.get_by_role("link", name="Add lines from a spreadsheet").click()
    expect(
        page.get_by_role("heading", name=re.compile("Add lines from a spreadsheet"))
    ).to_be_visible()
    assert_accessible(page)
    lines = (
        "candidate_number,last_name,first_name,unit_number,grade\r\n"
        f"{full.candidate_number},{full.last_name},{full.first_name},5,P\r\n"
    ).encode()
    page.get_by_label("Lines file (CSV or Excel .xlsx)").set_input_files(
        {"name": "lines.csv", "mimeType": "text/csv", "buffer": lines}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("1 line will be added")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm and save these lines").click()
    expect(page.get_by_text("1 line saved.")).to_be_visible()
    page.get_by_role("link", name="See the claim").click()
    expect(page.get_by_role("table")).to_contain_text("Unit 5: P")

    # --- Check and submit -------------------------------------------------------------------
    page.get_by_role("link", name="Check and submit").click()
    expect(page.get_by_role("table", name="Lines by unit and grade")).to_contain_text("D × 1")
    assert_accessible(page)
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.locator("main")).to_contain_text("Confirm the authentication declaration")
    page.get_by_label(re.compile("I confirm that the work")).check()
    page.get_by_role("button", name="Submit the claim").click()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    expect(page).to_have_url(url(f"/centres/12345/claims/{claim.pk}/work/"))
    expect(page.get_by_role("alert")).to_contain_text(f"Claim {claim.number} submitted")
    expect(page.get_by_text("Submitted — work due by")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+\shours?,\s\d+\sminutes?\sleft"))).to_be_visible()
    assert_accessible(page)

    # --- Upload the work: a wrong file is refused, then every line gets a file ---------------
    lines = list(ClaimLine.objects.filter(claim=claim).select_related("candidate", "unit"))
    first = lines[0]
    page.get_by_label("Candidate and unit").select_option(f"{first.candidate_id}-{first.unit_id}")
    page.get_by_label("File of the candidate's work").set_input_files(
        {"name": "essay.pdf", "mimeType": "application/pdf", "buffer": docx()}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("main")).to_contain_text("its content is a Word")
    assert not Evidence.objects.exists()
    for line in lines:
        page.get_by_label("Candidate and unit").select_option(f"{line.candidate_id}-{line.unit_id}")
        page.get_by_label("File of the candidate's work").set_input_files(
            {"name": f"work-{line.pk}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_role("alert")).to_contain_text(f"work-{line.pk}.pdf uploaded")

    expect(page.locator("main")).to_contain_text(re.compile(r"Status:\s*Work sent"))
    expect(page.get_by_text("Submitted — work due by")).to_have_count(0)
    assert_accessible(page)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.WORK_SENT and claim.results_due_on
