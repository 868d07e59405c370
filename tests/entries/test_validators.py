"""The UCI and ULN check characters (DESIGN.md §3)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from entries.validators import (
    UCI_CHECK_LETTERS,
    make_uci,
    uci_check_letter,
    validate_uci,
    validate_uln,
)


def refused(validator, value) -> str:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value.code


# --- UCI --------------------------------------------------------------------------------------


def test_published_uci_example_is_valid():
    validate_uci("681990012058G")
    # The JCQ example: weighted sum 550, remainder 6 → G.
    assert uci_check_letter("681990012058") == "G"


def test_the_check_letter_table_leaves_out_confusable_letters():
    assert len(UCI_CHECK_LETTERS) == 17
    assert not set("IJNOPQSUZ") & set(UCI_CHECK_LETTERS)


@pytest.mark.parametrize("letter", sorted(set("ABCDEFHKLMRTVWXY") | set("IJNOPQSUZ")))
def test_every_other_check_letter_is_refused(letter):
    assert refused(validate_uci, f"681990012058{letter}") == "uci_check"


@pytest.mark.parametrize(
    "value",
    [
        "681990012058",  # no check letter
        "68199001205G",  # 11 digits
        "6819900120580G",  # 13 digits
        "681990012058GG",
        "68199O012058G",  # a letter O in the digits
        "68199-012058G",
        "681990012058 G",
        "6819900120587",  # a digit in place of the letter
        "",
        None,
    ],
)
def test_malformed_ucis_are_refused(value):
    assert refused(validate_uci, value) == "uci_format"


def test_lowercase_and_surrounding_spaces_are_accepted_as_the_validator_normalises():
    validate_uci("681990012058g")
    validate_uci("  681990012058G ")
    assert refused(validate_uci, "681990012058h") == "uci_check"


def test_make_uci_builds_centre_country_year_number_and_letter():
    uci = make_uci(centre_number="12345", year=2026, candidate_number="42")
    assert uci[:12] == "123450260042"
    assert uci[12] == uci_check_letter("123450260042")
    validate_uci(uci)


def test_check_letter_needs_twelve_digits():
    with pytest.raises(ValueError):
        uci_check_letter("12345")


@given(
    centre=st.integers(min_value=10000, max_value=99999),
    year=st.integers(min_value=0, max_value=2099),
    number=st.integers(min_value=1, max_value=9999),
)
def test_make_uci_round_trips_through_validate_uci(centre, year, number):
    uci = make_uci(centre_number=str(centre), year=year, candidate_number=f"{number:04d}")
    assert len(uci) == 13
    validate_uci(uci)
    validate_uci(uci.lower())


@given(
    centre=st.integers(min_value=10000, max_value=99999),
    number=st.integers(min_value=1, max_value=9999),
    position=st.integers(min_value=0, max_value=11),
    delta=st.integers(min_value=1, max_value=9),
)
def test_changing_one_digit_changes_the_check_letter(centre, number, position, delta):
    uci = make_uci(centre_number=str(centre), year=26, candidate_number=str(number))
    digits = list(uci[:12])
    digits[position] = str((int(digits[position]) + delta) % 10)
    # Weights 16…5 are all non-zero mod 17 (a prime), so one changed digit always shows.
    with pytest.raises(ValidationError):
        validate_uci("".join(digits) + uci[12])


# --- ULN --------------------------------------------------------------------------------------


def test_published_uln_example_is_valid():
    validate_uln("9276308686")
    validate_uln(" 9276308686 ")


@pytest.mark.parametrize("last", list("012345789"))
def test_uln_with_the_wrong_check_digit_is_refused(last):
    assert refused(validate_uln, f"927630868{last}") == "uln_check"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0276308686", "uln_format"),  # leading 0
        ("927630868", "uln_format"),  # 9 digits
        ("92763086860", "uln_format"),  # 11 digits
        ("92763O8686", "uln_format"),  # a letter
        ("ABCDEFGHIJ", "uln_format"),
        ("9276 308686", "uln_format"),
        ("", "uln_format"),
    ],
)
def test_malformed_ulns_are_refused(value, code):
    assert refused(validate_uln, value) == code


def uln_with_check(first_nine: str) -> str | None:
    """The ULN ending these nine digits, if one exists (some prefixes have none)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    last = (10 - total) % 11
    return f"{first_nine}{last}" if last < 10 else None


@given(st.integers(min_value=100_000_000, max_value=999_999_999))
def test_ulns_built_with_the_check_rule_validate(prefix):
    uln = uln_with_check(str(prefix))
    if uln is not None:
        validate_uln(uln)
