"""The bulk entry upload form: one spreadsheet."""

from django import forms

from ocradmin.imports import SpreadsheetField


class EntryUploadForm(forms.Form):
    file = SpreadsheetField(label="Entries file (CSV or Excel .xlsx)")
