from django import forms

from ..models import CentreSubmission
from ..services.submission import CONFIRMATIONS


class DeclarationForm(forms.ModelForm):
    class Meta:
        model = CentreSubmission
        fields = ["head_name", "head_job_title", *CONFIRMATIONS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CONFIRMATIONS:
            self.fields[name].required = True


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="What needs to change", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
