"""At a phone's width (390 px): the page never scrolls sideways (a wide table scrolls inside
its own box), the centre's sections fold into one menu, and the grading grid's grade control is
on screen and works.

The 2021 series is re-seeded and the clock set inside its submission window, as in the grades
journey.
"""

import pytest
import time_machine
from playwright.sync_api import expect

from entries.services.entries import make_named_entry, make_unnamed_entry
from grades.models import TeacherAssignment

from ..entries.factories import ApprovalFactory, CandidateFactory, QualificationFactory
from ..grades.conftest import IN_WINDOW, enter, make_tag_qualification, summer_2021

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def series(transactional_db):
    with time_machine.travel(IN_WINDOW, tick=True):
        yield summer_2021()


def assert_no_sideways_scroll(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def assert_on_screen(page, locator):
    """Visible, and wholly inside the viewport's width (not off to the right of a table)."""
    expect(locator).to_be_visible()
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_the_grading_grid_at_phone_width(
    page, url, sign_in, assert_accessible, people, centre, series
):
    page.set_viewport_size(PHONE)
    qualification = make_tag_qualification("79201")
    TeacherAssignment.objects.create(
        series=series, centre=centre, qualification=qualification, teacher=people["teacher"]
    )
    candidates = []
    for number, first, last in [
        ("1001", "Bartholomew", "Featherstonehaugh-Smythe"),
        ("1002", "Alan", "Turing"),
    ]:
        candidate = CandidateFactory(
            centre=centre, candidate_number=number, first_name=first, last_name=last
        )
        enter(candidate, qualification)
        candidates.append(candidate)

    sign_in(page, people["teacher"].email)
    page.goto(url(f"/centres/12345/grades/{qualification.entry_code}/"))
    assert_no_sideways_scroll(page)
    first = candidates[0]
    control = page.get_by_label(
        f"Grade for {first.candidate_number} {first.first_name} {first.last_name}"
    )
    assert_on_screen(page, control)
    control.select_option("M")
    row = page.locator(f"#grade-row-{first.pk}")
    expect(row.get_by_role("status")).to_have_text("Saved")
    assert_on_screen(page, row.get_by_label(f"Grade for {first.candidate_number}", exact=False))
    assert_no_sideways_scroll(page)
    assert_accessible(page)


def test_the_entries_list_at_phone_width(page, url, sign_in, assert_accessible, people, centre):
    page.set_viewport_size(PHONE)
    qualification = QualificationFactory(
        entry_code="79202", title="Cambridge Technical in Engineering (Extended Diploma)"
    )
    ApprovalFactory(centre=centre, qualification=qualification)
    admin = people["centre_admin"]
    for n in range(1, 4):
        candidate = CandidateFactory(
            centre=centre, candidate_number=f"{n:04d}", last_name=f"Longsurname-Example{n}"
        )
        make_named_entry(centre=centre, candidate=candidate, qualification=qualification, by=admin)
    make_unnamed_entry(centre=centre, qualification=qualification, quantity=5, by=admin)

    sign_in(page, admin.email)
    page.goto(url("/centres/12345/entries/"))
    assert_no_sideways_scroll(page)
    # The wide table scrolls inside its box, not the page.
    table_box = page.locator(".table-responsive").filter(has=page.locator("#entries-heading"))
    scroller = page.locator(".table-responsive").last
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
    assert table_box.count() == 0  # the heading sits outside the scrolling box
    assert_on_screen(page, page.get_by_role("button", name="Filter"))

    # The centre's sections: one button showing where you are, opening every section.
    sections = page.get_by_role("navigation", name="Centre sections")
    toggle = sections.get_by_role("button", name="Section: Entries")
    assert_on_screen(page, toggle)
    expect(sections.get_by_role("link", name="Candidates")).to_be_hidden()
    toggle.click()
    candidates_link = sections.get_by_role("link", name="Candidates")
    expect(candidates_link).to_be_visible()
    assert_on_screen(page, candidates_link)
    assert_accessible(page)
    with page.expect_navigation():
        candidates_link.click()
    expect(sections.get_by_role("button", name="Section: Candidates")).to_be_visible()
    assert_no_sideways_scroll(page)


def test_the_sections_are_tabs_on_a_wide_screen(page, url, sign_in, people, centre):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, people["centre_admin"].email)
    page.goto(url("/centres/12345/entries/"))
    sections = page.get_by_role("navigation", name="Centre sections")
    expect(sections.get_by_role("button")).to_be_hidden()
    expect(sections.get_by_role("link", name="Candidates")).to_be_visible()
    expect(sections.get_by_role("link", name="Entries")).to_have_attribute("aria-current", "page")
