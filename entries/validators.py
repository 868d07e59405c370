"""Candidate identifiers (DESIGN.md §3): the UCI and the ULN, with their check characters."""

import re

from django.core.exceptions import ValidationError

# JCQ: the 12 digits weighted 16, 15 … 5, summed, remainder mod 17 → this letter table.
UCI_CHECK_LETTERS = "ABCDEFGHKLMRTVWXY"
UCI_WEIGHTS = range(16, 4, -1)
UCI_RE = re.compile(r"^[0-9]{12}[A-Z]$")

ULN_RE = re.compile(r"^[1-9][0-9]{9}$")


def uci_check_letter(first_twelve: str) -> str:
    if not re.fullmatch(r"[0-9]{12}", first_twelve):
        raise ValueError("a UCI's check letter is computed from 12 digits")
    total = sum(int(d) * w for d, w in zip(first_twelve, UCI_WEIGHTS, strict=True))
    return UCI_CHECK_LETTERS[total % 17]


def make_uci(*, centre_number: str, year: int, candidate_number: str) -> str:
    """Centre number (5) + ``0`` for the UK + year (2) + candidate number (4) + check letter."""
    body = f"{centre_number}0{year % 100:02d}{int(candidate_number):04d}"
    return body + uci_check_letter(body)


def validate_uci(value: str) -> None:
    value = (value or "").strip().upper()
    if not UCI_RE.match(value):
        raise ValidationError(
            "A UCI is 13 characters: 12 digits and a check letter, e.g. 681990012058G.",
            code="uci_format",
        )
    if uci_check_letter(value[:12]) != value[12]:
        raise ValidationError(
            "This UCI's check letter does not match its digits; check it was copied correctly.",
            code="uci_check",
        )


def validate_uln(value: str) -> None:
    """ULN: 10 digits, first not 0; digits weighted 10 … 1 sum to ≡ 10 (mod 11)."""
    value = (value or "").strip()
    if not ULN_RE.match(value):
        raise ValidationError("A ULN is 10 digits and does not start with 0.", code="uln_format")
    if sum(int(d) * w for d, w in zip(value, range(10, 0, -1), strict=True)) % 11 != 10:
        raise ValidationError(
            "This ULN's check digit does not match; check it was copied correctly.",
            code="uln_check",
        )
