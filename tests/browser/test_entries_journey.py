"""Entries in a real browser: from a new candidate to accepted entries with an examiner-moderator.

The centre admin of 12345 (approved for a remotely moderated qualification) adds a candidate,
taking the suggested candidate number and a generated UCI; makes a named entry for them and
an unnamed entry (a number of candidates), each shown waiting with its processing deadline;
uploads a CSV file of named entries with one bad row, sees the problem by row and column with
nothing written, corrects the file, sees the preview and confirms it. The processing job then
runs, and the entries list shows every entry accepted and the examiner-moderator allocated
for the qualification.

Every distinct page is checked with axe-core, and (``page_problems``) for console errors.
"""

import csv
import io
import re
from datetime import date

from django.utils import timezone
from playwright.sync_api import expect

from centres.models import ModeratorProfile
from entries import tasks
from entries.models import Candidate, Entry, EntryUpload, ModeratorAllocation
from entries.services.rows import COLUMNS
from entries.validators import make_uci

from ..entries.factories import (
    ApprovalFactory,
    CandidateFactory,
    QualificationFactory,
    UnitFactory,
)

# Not in the seeded catalogue, so the factory makes it afresh whatever the database holds.
ENTRY_CODE = "79001"
TITLE = "Cambridge Technical in Digital Media (Certificate)"
MODERATOR_NAME = "Priya Moderator"


def exactly(label: str) -> re.Pattern:
    """A field's label, whole; a required field's label ends with crispy's asterisk."""
    return re.compile(rf"^\s*{re.escape(label)}\*?\s*$")


def entries_csv(rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return out.getvalue().encode("utf-8")


def upload_file(page, name: str, content: bytes):
    page.get_by_label(exactly("Entries file (CSV or Excel .xlsx)")).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Upload and check").click()


def test_a_centre_admin_enters_candidates_and_sees_them_accepted_with_a_moderator(
    page, url, sign_in, assert_accessible, people, centre
):
    qualification = QualificationFactory(entry_code=ENTRY_CODE, title=TITLE)
    UnitFactory(qualification=qualification, number="1", title="Media products")
    UnitFactory(qualification=qualification, number="2", title="Pre-production")
    ApprovalFactory(centre=centre, qualification=qualification)
    moderator = people["moderator"]
    moderator.full_name = MODERATOR_NAME
    moderator.save(update_fields=["full_name"])
    profile = ModeratorProfile.objects.create(user=moderator, capacity=5)
    profile.qualifications.add(qualification)
    # The centre has candidate 0007 already, so 0008 is the next free number.
    CandidateFactory(centre=centre, candidate_number="0007", first_name="Alan", last_name="Turing")

    year = timezone.localdate().year
    dob = date(year - 16, 3, 1)

    # --- A new candidate: the number suggested, the UCI generated ----------------------------
    sign_in(page, people["centre_admin"].email)
    page.goto(url("/centres/12345/"))
    tabs = page.get_by_role("navigation", name="Centre sections")
    tabs.get_by_role("link", name="Candidates").click()
    expect(page).to_have_url(url("/centres/12345/candidates/"))
    expect(page.get_by_role("heading", name="Candidates", exact=True)).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Turing, Alan")
    assert_accessible(page)

    page.get_by_role("link", name="Add a candidate").click()
    expect(page).to_have_url(url("/centres/12345/candidates/add/"))
    expect(page.get_by_role("heading", name="Add a candidate")).to_be_visible()
    expect(page.get_by_label(exactly("Candidate number"))).to_have_value("0008")
    expect(page.get_by_label(exactly("UCI (unique candidate identifier)"))).to_have_value("")
    assert_accessible(page)

    page.get_by_label(exactly("First name")).fill("Grace")
    page.get_by_label(exactly("Last name")).fill("Hopper")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill(str(dob.day))
    born.get_by_label("Month").fill(str(dob.month))
    born.get_by_label("Year").fill(str(dob.year))
    page.get_by_label("Female").check()
    page.get_by_role("button", name="Add candidate").click()

    uci = make_uci(centre_number="12345", year=year, candidate_number="0008")
    expect(page.get_by_role("alert")).to_contain_text(
        f"Candidate 0008 Grace Hopper added with UCI {uci}."
    )
    expect(page.get_by_role("heading", name="0008 Grace Hopper")).to_be_visible()
    assert_accessible(page)
    grace = Candidate.objects.get(centre=centre, candidate_number="0008")
    assert grace.uci == uci

    # --- A named entry, from the candidate's page --------------------------------------------
    page.get_by_role("link", name="Make an entry").click()
    expect(page).to_have_url(re.compile(r"/centres/12345/entries/new/\?candidate=\d+$"))
    expect(page.get_by_role("heading", name="New named entry")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile(r"^0008 Hopper, Grace"))).to_be_checked()
    assert_accessible(page)
    page.get_by_label(exactly("Qualification")).select_option(label=str(qualification))
    # The unit list follows the qualification (htmx) before the form is sent.
    units = page.get_by_label(exactly("Unit")).locator("option")
    expect(units).to_have_text(
        ["Full award (no unit)", "Unit 1: Media products", "Unit 2: Pre-production"]
    )
    page.get_by_role("button", name="Make entry").click()

    expect(page).to_have_url(url("/centres/12345/entries/"))
    expect(page.get_by_role("alert")).to_contain_text(
        f"Entry made: {ENTRY_CODE} (full award) — 0008 Hopper, Grace. It will be processed by"
    )
    table = page.get_by_role("table", name=re.compile(r"entr(y|ies), newest first"))
    named_row = table.locator("tbody tr").filter(has_text="0008 Hopper, Grace")
    expect(named_row).to_contain_text("Full award")
    expect(named_row).to_contain_text("Submitted — will be processed by")
    moderators = page.get_by_role("region", name="Examiner-moderators allocated to this centre")
    expect(moderators).to_contain_text("None yet.")
    assert_accessible(page)

    # --- An unnamed entry: a number of candidates --------------------------------------------
    page.get_by_role("link", name="New unnamed entries").click()
    expect(page).to_have_url(url("/centres/12345/entries/new-unnamed/"))
    expect(page.get_by_role("heading", name="New unnamed entries")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(exactly("Qualification")).select_option(label=str(qualification))
    # The unit list follows the qualification (htmx): its options then name no entry code.
    page.get_by_label(exactly("Unit")).select_option(label="Unit 1: Media products")
    page.get_by_label(exactly("Number of candidates")).fill("12")
    page.get_by_role("button", name="Make entries").click()

    expect(page).to_have_url(url("/centres/12345/entries/"))
    expect(page.get_by_role("alert")).to_contain_text(
        f"Entry made: {ENTRY_CODE} (Unit 1: Media products) — 12 unnamed. It will be processed by"
    )
    unnamed_row = table.locator("tbody tr").filter(has_text="12 unnamed candidates")
    expect(unnamed_row).to_contain_text("Unit 1")
    expect(unnamed_row).to_contain_text("Submitted — will be processed by")
    expect(table.locator("tbody tr")).to_have_count(2)

    # --- A CSV file with one bad row: the problem by row and column, nothing written ---------
    page.get_by_role("link", name="Upload entries (CSV or Excel)").click()
    expect(page).to_have_url(url("/centres/12345/entries/upload/"))
    expect(page.get_by_role("heading", name="Upload entries")).to_be_visible()
    expect(page.get_by_role("link", name="Download the template (CSV)")).to_be_visible()
    expect(page.get_by_role("region", name="Recent uploads")).to_contain_text(
        "No files have been uploaded for this centre yet."
    )
    assert_accessible(page)

    def person(number, first, last, unit):
        return {
            "candidate_number": number,
            "first_name": first,
            "last_name": last,
            "date_of_birth": dob.isoformat(),
            "sex": "M" if first == "Charles" else "F",
            "entry_code": ENTRY_CODE,
            "unit_number": unit,
        }

    good_rows = [
        person("0009", "Ada", "Lovelace", "1"),
        person("0009", "Ada", "Lovelace", "2"),
        person("0010", "Charles", "Babbage", "1"),
    ]
    bad_rows = [good_rows[0], {**good_rows[1], "date_of_birth": "31/02/2009"}, good_rows[2]]
    upload_file(page, "summer-entries.csv", entries_csv(bad_rows))

    expect(page).to_have_url(re.compile(r"/centres/12345/entries/upload/\d+/$"))
    expect(page.get_by_role("heading", name="Upload: summer-entries.csv")).to_be_visible()
    problems = page.get_by_role("region", name="1 problem to correct")
    expect(problems).to_contain_text("Nothing from this file has been saved.")
    error_rows = problems.get_by_role("table").locator("tbody tr")
    expect(error_rows).to_have_count(1)
    cells = error_rows.first.locator("td")
    expect(cells.nth(0)).to_have_text("3")  # the header is row 1
    expect(cells.nth(1)).to_have_text("date_of_birth")
    expect(cells.nth(2)).to_contain_text("'31/02/2009' is not a real date.")
    expect(page.get_by_role("button", name="Confirm and save these entries")).to_have_count(0)
    assert_accessible(page)
    assert Entry.objects.count() == 2
    assert not Candidate.objects.filter(candidate_number__in=["0009", "0010"]).exists()
    assert EntryUpload.objects.get().status == EntryUpload.Status.FAILED

    # --- The corrected file: the preview, then confirm --------------------------------------
    problems.get_by_role("link", name="Upload a corrected file").click()
    expect(page).to_have_url(url("/centres/12345/entries/upload/"))
    recent = page.get_by_role("region", name="Recent uploads")
    expect(recent.get_by_role("link", name="summer-entries.csv")).to_be_visible()
    upload_file(page, "summer-entries-corrected.csv", entries_csv(good_rows))

    expect(page.get_by_role("heading", name="Upload: summer-entries-corrected.csv")).to_be_visible()
    preview = page.get_by_role("region", name="What will be saved")
    expect(preview).to_contain_text("3 entries will be created (2 new candidates).")
    to_write = preview.get_by_role("table").locator("tbody tr")
    expect(to_write).to_have_count(3)
    expect(to_write.filter(has_text="Lovelace").first).to_contain_text("new candidate")
    assert Entry.objects.count() == 2  # still nothing written before the confirmation
    assert_accessible(page)

    preview.get_by_role("button", name="Confirm and save these entries").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Saving 3 entries from summer-entries-corrected.csv."
    )
    expect(page.get_by_role("status")).to_contain_text("Done: 3 entries saved.")
    expect(page.get_by_text("3 entries created, with 2 new candidates.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="See the centre's entries").click()
    expect(page).to_have_url(url("/centres/12345/entries/"))
    expect(table.locator("tbody tr")).to_have_count(5)
    expect(
        table.locator("tbody tr").filter(has_text="Submitted — will be processed by")
    ).to_have_count(5)
    expect(table.locator("tbody tr").filter(has_text="0009 Lovelace, Ada")).to_have_count(2)
    expect(table.locator("tbody tr").filter(has_text="0010 Babbage, Charles")).to_have_count(1)
    assert set(
        Candidate.objects.filter(centre=centre).values_list("candidate_number", flat=True)
    ) == {"0007", "0008", "0009", "0010"}

    # --- The processing job: every entry accepted, a moderator allocated ---------------------
    outcome = tasks.process_entries()
    assert "accepted" in outcome, outcome
    assert set(Entry.objects.values_list("status", flat=True)) == {Entry.Status.ACCEPTED}
    allocation = ModeratorAllocation.objects.get(centre=centre, qualification=qualification)
    assert allocation.moderator == moderator

    page.reload()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.filter(has_text="Accepted")).to_have_count(5)
    expect(rows.filter(has_text="Submitted")).to_have_count(0)
    allocated = moderators.get_by_role("table").locator("tbody tr")
    expect(allocated).to_have_count(1)
    expect(allocated).to_contain_text(f"{ENTRY_CODE} {TITLE}")
    expect(allocated).to_contain_text(MODERATOR_NAME)
    assert_accessible(page)
