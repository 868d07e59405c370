"""The bulk entry upload form: one file. The size is checked here, before the file is read;
everything else about the file is checked by ``entries.services.uploads.start_upload``."""

from django import forms

from ..uploads import describe_size, max_upload_bytes

ACCEPT = ",".join(
    [
        ".csv",
        ".xlsx",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
)


class EntryUploadForm(forms.Form):
    file = forms.FileField(
        label="Entries file (CSV or Excel .xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = describe_size(max_upload_bytes())
        self.fields["file"].help_text = f"Up to {limit}, with the template's header row."

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = max_upload_bytes()
        # ``size`` comes from the upload handler: nothing of the file is read to know it.
        if file.size > limit:
            raise forms.ValidationError(
                f"This file is {describe_size(file.size)}; the largest file you can upload is "
                f"{describe_size(limit)}. Split it into smaller files."
            )
        return file
