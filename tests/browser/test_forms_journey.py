"""Forms as a user meets them: an empty form answered with the error summary (focused, the
title starting "Error: "), whose links move to each field; and the named entry form, where
the candidate is found by typing and the unit list follows the qualification.
"""

import re

from playwright.sync_api import expect

from ..entries.factories import (
    ApprovalFactory,
    CandidateFactory,
    QualificationFactory,
    UnitFactory,
)


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_an_empty_form_shows_the_summary_and_its_links_reach_the_fields(
    page, url, sign_in, assert_accessible, people, centre
):
    sign_in(page, people["centre_admin"].email)
    page.goto(url("/centres/12345/candidates/add/"))
    page.get_by_role("button", name="Add candidate").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    for message in (
        "Enter the candidate's first name",
        "Enter the candidate's last name",
        "Enter the candidate's date of birth",
        "Choose the candidate's sex as recorded for exams",
    ):
        expect(summary.get_by_role("link", name=message)).to_be_visible()
        # The same message beside the field.
        expect(page.locator(".invalid-feedback", has_text=message)).to_be_visible()
    assert "This field is required" not in page.content()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    expect(summary).to_be_in_viewport()
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    summary.get_by_role("link", name="Enter the candidate's last name").click()
    assert focused_id(page) == "id_last_name"
    summary.get_by_role("link", name="Enter the candidate's date of birth").click()
    assert focused_id(page) == "id_date_of_birth_0"
    summary.get_by_role("link", name="Choose the candidate's sex as recorded for exams").click()
    assert focused_id(page) == "id_sex_0"

    # A month missing and a ULN that fails its check, reported together.
    page.get_by_label(re.compile(r"^\s*Last name")).fill("Hopper")
    page.get_by_label(re.compile(r"^\s*First name")).fill("Grace")
    born = page.get_by_role("group", name=re.compile("Date of birth"))
    born.get_by_label("Day").fill("9")
    born.get_by_label("Year").fill("2009")
    page.get_by_label(re.compile(r"^\s*ULN")).fill("9276308687")
    page.get_by_label("Female").check()
    page.get_by_role("button", name="Add candidate").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary.get_by_role("link", name="Date of birth must include a month")).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("ULN"))).to_be_visible()
    summary.get_by_role("link", name="Date of birth must include a month").click()
    assert focused_id(page) == "id_date_of_birth_1"  # the month, the box missing


def test_the_entry_form_finds_the_candidate_by_typing(
    page, url, sign_in, assert_accessible, people, centre
):
    qualification = QualificationFactory(entry_code="79001", title="Digital Media")
    for number in ("10", "2", "1"):
        UnitFactory(qualification=qualification, number=number, title=f"Media unit {number}")
    other = QualificationFactory(entry_code="79002", title="Sport", option_codes=["A", "B"])
    UnitFactory(qualification=other, number="1", title="Sport unit 1")
    for approved in (qualification, other):
        ApprovalFactory(centre=centre, qualification=approved)
    CandidateFactory(centre=centre, candidate_number="0008", first_name="Grace", last_name="Hopper")
    CandidateFactory(centre=centre, candidate_number="0009", first_name="Ada", last_name="Lovelace")

    sign_in(page, people["centre_admin"].email)
    page.goto(url("/centres/12345/entries/new/"))
    search = page.get_by_role("searchbox", name=re.compile("Candidate"))
    search.focus()
    page.keyboard.type("hopp")
    grace = page.get_by_role("radio", name=re.compile(r"^0008 Hopper, Grace"))
    expect(grace).to_be_checked()  # the only match
    expect(page.get_by_role("radio", name=re.compile("Lovelace"))).to_have_count(0)
    page.keyboard.press("Tab")
    expect(grace).to_be_focused()  # the results are next in the keyboard order
    assert_accessible(page)

    units = page.get_by_label(re.compile(r"^\s*Unit"))
    expect(units.locator("option")).to_have_count(5)  # full award + every approved unit
    page.get_by_label(re.compile(r"^\s*Qualification")).select_option(label=str(other))
    expect(page.get_by_label(re.compile(r"^\s*Option code")).locator("option")).to_have_text(
        ["Choose an option code", "A", "B"]
    )
    page.get_by_label(re.compile(r"^\s*Qualification")).select_option(label=str(qualification))
    expect(units.locator("option")).to_have_text(
        [
            "Full award (no unit)",
            "Unit 1: Media unit 1",
            "Unit 2: Media unit 2",
            "Unit 10: Media unit 10",
        ]
    )
    expect(page.get_by_label(re.compile(r"^\s*Option code"))).to_have_count(0)
    units.select_option(label="Unit 2: Media unit 2")
    page.get_by_role("button", name="Make entry").click()

    expect(page).to_have_url(url("/centres/12345/entries/"))
    expect(page.get_by_role("alert")).to_contain_text("0008 Hopper, Grace")
