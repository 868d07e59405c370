"""Identifiers people type or send (candidate and centre numbers, UCIs, ULNs, entry codes,
ids in forms and query strings): ASCII digits only.

Python's ``\\d`` and ``str.isdigit`` also accept the digits of other scripts (``١٢٣٤``),
full-width ones (``１２３５``) and superscripts (``²``); ``int`` reads some of them and fails
on others, and none of them belongs in an identifier. Regular expressions in the project
spell digits ``[0-9]``; code that tests a string for digits calls ``is_ascii_digits``.
"""

# The largest primary key any supported database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def is_ascii_digits(value) -> bool:
    """True for a non-empty string of the digits 0–9 and nothing else."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


def parse_id(value) -> int | None:
    """A database id from a query string or a form field, or None when it cannot be one:
    anything but ASCII digits, or a number no key can hold."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif is_ascii_digits(value) and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None
