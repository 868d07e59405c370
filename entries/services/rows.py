"""The shape of one named entry as it arrives in bulk (an uploaded file, or a form),
shared by the upload's importer and the bulk entries service that checks and writes the rows.
A problem with a row is an ``ocradmin.spreadsheets.RowError``."""

from dataclasses import dataclass
from datetime import date

from ocradmin.spreadsheets import RowError

__all__ = ["COLUMNS", "NamedEntryRow", "RowError"]

# The upload template's headers, in order; ``RowError.column`` is one of these.
COLUMNS = (
    "candidate_number",
    "uci",
    "uln",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "entry_code",
    "unit_number",
    "option_code",
)


@dataclass(frozen=True)
class NamedEntryRow:
    """One row: a candidate (existing, matched by candidate number, or new) and one entry.

    ``row_number`` is the row as the user sees it in their file (the header is row 1).
    A blank ``uci`` means "generate one" for a new candidate; a blank ``unit_number`` means
    a full-award entry.
    """

    row_number: int
    candidate_number: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    sex: str
    entry_code: str
    unit_number: str = ""
    option_code: str = ""
    uci: str = ""
    uln: str = ""
