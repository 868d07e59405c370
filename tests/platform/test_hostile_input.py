"""Hostile input: identifiers take ASCII digits only, and crafted ids in query strings and
choice fields are refused as invalid choices instead of breaking the page (a 500)."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from centres.models import CentreApplication, ModeratorProfile, centre_number_validator
from entries.models import Candidate, candidate_number_validator
from entries.services.candidates import InvalidCandidate, create_candidate
from entries.validators import make_uci, validate_uci, validate_uln
from ocradmin.identifiers import is_ascii_digits, parse_id

from ..entries.factories import ApprovalFactory, CandidateFactory, QualificationFactory

ROOT = Path(__file__).resolve().parents[2]

# Arabic-Indic, full-width and superscript digits: str.isdigit() and \d accept all three.
FOREIGN_DIGITS = {
    "arabic": "١٢٣٤",
    "full-width": "１２３５",
    "superscript": "¹²³⁴",
    "devanagari": "१२३४",
}


@pytest.mark.parametrize("text", FOREIGN_DIGITS.values(), ids=FOREIGN_DIGITS.keys())
def test_helpers_accept_only_ascii_digits(text):
    assert text.isdigit()
    assert not is_ascii_digits(text)
    assert parse_id(text) is None
    assert parse_id(f"1{text}") is None


def test_parse_id_bounds():
    assert parse_id("42") == 42
    assert parse_id(42) == 42
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    for value in ["", None, "0", "-1", " 1", "1.0", str(2**63), "1" * 23, True, ["1"]]:
        assert parse_id(value) is None, value


@pytest.mark.parametrize("text", FOREIGN_DIGITS.values(), ids=FOREIGN_DIGITS.keys())
def test_a_candidate_number_in_other_digits_is_refused(centre, people, text):
    with pytest.raises(InvalidCandidate) as refused:
        create_candidate(
            centre=centre,
            by=people["centre_admin"],
            candidate_number=text,
            first_name="Amelia",
            last_name="Clarke",
            date_of_birth=date(2008, 4, 12),
            sex="F",
        )
    assert refused.value.errors["candidate_number"] == (
        "A candidate number is four digits, 0001 to 9999."
    )
    assert not Candidate.objects.exists()
    with pytest.raises(ValidationError):
        candidate_number_validator(text)


def translate(text: str, digits: str) -> str:
    return text.translate(str.maketrans("0123456789", digits))


@pytest.mark.parametrize(
    "digits", ["٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９", "⁰¹²³⁴⁵⁶⁷⁸⁹"], ids=["arabic", "wide", "sup"]
)
def test_ucis_ulns_and_centre_numbers_in_other_digits_are_refused(digits):
    uci = make_uci(centre_number="12345", year=26, candidate_number="0001")
    validate_uci(uci)
    validate_uln("9276308686")
    centre_number_validator("12345")
    # The check letter stays right: only the digits' script changes.
    for validator, value in [
        (validate_uci, translate(uci[:12], digits) + uci[12]),
        (validate_uci, translate(uci[:3], digits) + uci[3:]),
        (validate_uln, translate("9276308686", digits)),
        (validate_uln, "92763086" + translate("86", digits)),
        (centre_number_validator, translate("12345", digits)),
    ]:
        with pytest.raises(ValidationError):
            validator(value)


def test_a_centre_number_in_other_digits_is_not_a_centre_address(login, people, centre):
    client = login(people["centre_admin"])
    assert client.get("/centres/12345/").status_code == 200
    assert client.get("/centres/１２３４５/").status_code == 404


def test_no_unicode_digit_patterns_in_the_code():
    """``\\d`` and ``isdigit`` accept any script's digits; the project spells ``[0-9]`` and
    calls ``is_ascii_digits`` (tests and migrations aside)."""
    pattern = re.compile(r"\\d|\.isdigit\(|\.isdecimal\(|\.isnumeric\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in ROOT.iterdir()
        if (app / "__init__.py").exists() and app.name != "tests"
        for path in app.rglob("*.py")
        if "migrations" not in path.parts and path.name != "identifiers.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


# --- Finding: crafted ids ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "١", "1" * 23, "-1", "abc"])
def test_a_crafted_candidate_in_the_arrangement_form_address_is_ignored(
    login, people, centre, value
):
    CandidateFactory(centre=centre)
    client = login(people["centre_admin"])
    url = reverse("entries:arrangement-apply", args=[centre.number])
    assert client.get(url, {"candidate": value}).status_code == 200
    url = reverse("entries:new-named", args=[centre.number])
    assert client.get(url, {"candidate": value}).status_code == 200


HUGE = "1" * 23


def test_a_huge_id_in_the_application_form_is_an_invalid_choice(login, people):
    client = login(people["outsider"])
    response = client.post(
        reverse("centres:apply-new"),
        {"name": "Hillside School", "intended_qualifications": [HUGE]},
    )
    assert response.status_code == 400
    assert "from the list" in response.content.decode()
    assert not CentreApplication.objects.exists()


@pytest.mark.parametrize("value", [HUGE, "²", "١"])
def test_a_huge_id_in_the_moderator_form_is_an_invalid_choice(login, people, value):
    qualification = QualificationFactory()
    client = login(people["staff"])
    response = client.post(
        reverse("centres:staff-moderator-add"),
        {
            "email": people["outsider"].email,
            "qualifications": [str(qualification.pk), value],
            "capacity": "5",
        },
    )
    assert response.status_code == 200
    assert "from the list" in response.content.decode()
    assert not ModeratorProfile.objects.exists()


@pytest.mark.parametrize("value", [HUGE, "²", str(2**63)])
def test_a_huge_id_in_a_single_choice_is_an_invalid_choice(login, people, centre, value):
    qualification = QualificationFactory()
    ApprovalFactory(centre=centre, qualification=qualification)
    candidate = CandidateFactory(centre=centre)
    client = login(people["centre_admin"])
    response = client.post(
        reverse("entries:new-named", args=[centre.number]),
        {"candidate": str(candidate.pk), "qualification": value},
    )
    assert response.status_code == 200
    assert "from the list" in response.content.decode()


def test_a_nul_character_in_a_staff_reason_is_refused_not_saved(login, people, centre):
    from entries.models import Entry

    qualification = QualificationFactory()
    entry = Entry.objects.create(
        centre=centre,
        qualification=qualification,
        kind=Entry.Kind.UNNAMED,
        quantity=3,
        status=Entry.Status.NEEDS_REVIEW,
        process_by="2026-01-01T00:00Z",
    )
    client = login(people["staff"])
    response = client.post(
        reverse("entries:staff-review-decide", args=[entry.pk]),
        {"decision": "reject", "reason": "Wrong\x00code"},
        follow=True,
    )
    assert "Give the reason the centre will see." in response.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.rejection_reason) == (Entry.Status.NEEDS_REVIEW, "")
