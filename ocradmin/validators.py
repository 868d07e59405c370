"""One rule for every name and single-line free-text field: no control characters.

A line break in a centre's name once went into email subjects (``BadHeaderError``); tabs and
other control characters break exports and headers the same way. Model fields take
``validate_single_line`` (so ModelForms and admin refuse them); plain forms use
``SingleLineCharField``; services that take such text from elsewhere call the validator too.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

SINGLE_LINE_MESSAGE = "Remove the line breaks, tabs or other control characters from this answer."


def has_control_characters(value: str) -> bool:
    # Cc: C0/C1 controls (newline, tab, NUL, ESC...); Zl/Zp: Unicode line and paragraph
    # separators, which some mail headers treat as line breaks.
    return any(unicodedata.category(char) in {"Cc", "Zl", "Zp"} for char in value or "")


def validate_single_line(value) -> None:
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="control_characters")


class SingleLineCharField(forms.CharField):
    """A text input that refuses control characters (and strips the ends, as CharField does)."""

    default_validators = [validate_single_line]
