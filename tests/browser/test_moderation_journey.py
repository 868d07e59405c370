"""Moderation in a real browser: the examiner-moderator opens a claim from the queue, adjusts a
line (saved at once), confirms the rest of a candidate's lines, withdraws a unit, writes the
centre feedback report and completes; the centre admin sees the outcome on the claim's page and
opens the report.

Every distinct page is checked with axe-core, and (``page_problems``) for console errors.
"""

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, ClaimLine
from claims.services.work import confirm_receipt
from moderation.models import FeedbackReport, LineDecision

from ..claims.conftest import claimable
from ..moderation.conftest import big_claim, send_work, submitted_claim


@pytest.fixture
def with_moderator(centre, people):
    setup = claimable(centre, people)
    claim = submitted_claim(centre, people, setup)
    send_work(claim, setup, people)
    return confirm_receipt(claim=claim, by=people["moderator"]), setup


def test_a_moderator_moderates_a_claim_and_the_centre_opens_the_report(
    page, url, sign_in, assert_accessible, people, centre, with_moderator
):
    claim, setup = with_moderator
    full = setup["full"]
    sign_in(page, people["moderator"].email)

    # --- The queue --------------------------------------------------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation").click()
    expect(page).to_have_url(url("/moderation/"))
    expect(page.get_by_role("heading", name=re.compile("Ready to moderate"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=claim.number).click()
    expect(page).to_have_url(url(f"/moderation/claims/{claim.pk}/"))
    expect(page.get_by_text("0 of 4 lines decided")).to_be_visible()
    assert_accessible(page)

    # --- Adjust a line without a reason (refused), then with one -----------------------------
    row = page.locator(f"#line-{_line(claim, full, '2').pk}")
    row.get_by_label(re.compile("Moderated grade for")).select_option("P")
    row.get_by_role("button", name=re.compile("^Adjust")).click()
    expect(page.locator(f"#line-{_line(claim, full, '2').pk}")).to_contain_text(
        "Give the reason for adjusting"
    )
    assert not LineDecision.objects.exists()
    row = page.locator(f"#line-{_line(claim, full, '2').pk}")
    row.get_by_label(re.compile("Reason for adjusting")).fill("Merit criteria M2 not evidenced")
    row.get_by_role("button", name=re.compile("^Adjust")).click()
    expect(page.locator(f"#line-{_line(claim, full, '2').pk}")).to_contain_text("Adjusted to P.")
    expect(page.get_by_text("1 of 4 lines decided")).to_be_visible()
    assert_accessible(page)

    # --- Confirm the rest of the full-award candidate's lines at once -----------------------
    page.get_by_role(
        "button", name=f"Confirm the remaining lines of candidate {full.candidate_number}"
    ).click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"2 lines of candidate {full.candidate_number} confirmed"
    )
    expect(page.get_by_text("3 of 4 lines decided")).to_be_visible()

    # --- Withdraw unit 3 ----------------------------------------------------------------------
    page.get_by_role("link", name="Withdraw units or the claim").click()
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    page.get_by_label(re.compile("Selected units")).check()
    page.get_by_label(re.compile("Unit 3: ")).check()
    page.get_by_label("Reason (the centre reads it)").fill(
        "Unit 3 work is not annotated; re-assess it against the criteria."
    )
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("alert")).to_contain_text("Unit 3 withdrawn and the centre told")
    assert ClaimLine.objects.filter(claim=claim, released_at__isnull=False).count() == 2
    expect(page.get_by_text("4 of 4 lines decided")).to_be_visible()

    # --- The feedback report, then complete ------------------------------------------------
    page.get_by_role("link", name="Write the feedback report and complete").click()
    expect(page.get_by_text("Every line is decided: 1 adjusted; unit 3 withdrawn")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Overall comments").fill("A well-organised claim; annotation was clear.")
    for number in ("1", "2"):
        page.get_by_label(f"Unit {number}: what the centre did well").fill(
            f"Unit {number}: clear cover sheets."
        )
        page.get_by_role("group", name=re.compile(f"Unit {number}: were the")).get_by_label(
            "Yes"
        ).check()
    page.get_by_role("button", name="Submit the report and complete").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Claim {claim.number} is moderated: Adjusted"
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.MODERATED and claim.moderation_outcome == "adjusted"
    report = FeedbackReport.objects.get(review__claim=claim)
    assert report.pdf  # rendered once by the task when the completion committed

    # --- The centre opens the report --------------------------------------------------------
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    sign_in(page, people["centre_admin"].email)
    page.goto(url(f"/centres/12345/claims/{claim.pk}/"))
    main = page.locator("main")
    expect(main).to_contain_text("Moderated")
    expect(main).to_contain_text("Merit criteria M2 not evidenced")
    expect(main).to_contain_text("Unit 3 work is not annotated")
    assert_accessible(page)
    link = page.get_by_role("link", name="Centre feedback report (PDF)")
    response = page.request.get(url(link.get_attribute("href")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    page.get_by_role("link", name="All feedback reports").click()
    expect(page).to_have_url(url("/centres/12345/claims/reports/"))
    expect(page.get_by_role("table")).to_contain_text(claim.number)
    expect(page.get_by_role("table")).to_contain_text("Moderated: adjusted")
    assert_accessible(page)


def _line(claim, candidate, unit_number):
    return ClaimLine.objects.get(claim=claim, candidate=candidate, unit__number=unit_number)


def test_a_moderator_pages_through_a_large_claim(
    page, url, sign_in, assert_accessible, people, centre
):
    # 30 candidates x 4 units: 12 candidates (48 lines) a page.
    claim = big_claim(centre, people["moderator"], 120, units=4, entry_code="05941")
    order = list(
        ClaimLine.objects.filter(claim=claim)
        .order_by("candidate__candidate_number", "unit__number", "pk")
        .values_list("pk", flat=True)
    )
    sign_in(page, people["moderator"].email)
    page.goto(url(f"/moderation/claims/{claim.pk}/"))
    expect(page.get_by_text("0 of 120 lines decided")).to_be_visible()
    pages = page.get_by_role("navigation", name="Pages of lines", exact=True)
    expect(pages).to_contain_text("Page 1 of 3: lines 1–48 of 120")
    assert_accessible(page)
    pages.get_by_role("link", name="Next", exact=True).click()
    expect(page).to_have_url(url(f"/moderation/claims/{claim.pk}/?page=2"))

    # A decision on page 2 is saved at once and the whole claim's progress follows.
    row = page.locator(f"#line-{order[48]}")
    row.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.locator(f"#line-{order[48]}")).to_contain_text("Confirmed at M.")
    expect(page.get_by_text("1 of 120 lines decided")).to_be_visible()
    assert LineDecision.objects.filter(line_id=order[48]).exists()

    # Confirming every remaining line covers every page, and comes back to page 2.
    page.get_by_role("button", name="Confirm every remaining line").click()
    expect(page.get_by_role("alert")).to_contain_text("119 lines of the claim confirmed")
    expect(page).to_have_url(url(f"/moderation/claims/{claim.pk}/?page=2"))
    expect(page.get_by_text("120 of 120 lines decided")).to_be_visible()
