from ocradmin.forms import Form
from ocradmin.imports import SpreadsheetField


class LinesUploadForm(Form):
    file = SpreadsheetField(label="Lines file (CSV or Excel .xlsx)")
