from django import forms

from ocradmin.imports import SpreadsheetField


class LinesUploadForm(forms.Form):
    file = SpreadsheetField(label="Lines file (CSV or Excel .xlsx)")
