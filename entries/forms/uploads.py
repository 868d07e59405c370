"""The bulk entry upload form: one spreadsheet."""

from ocradmin.forms import Form
from ocradmin.imports import SpreadsheetField


class EntryUploadForm(Form):
    file = SpreadsheetField(label="Entries file (CSV or Excel .xlsx)")
