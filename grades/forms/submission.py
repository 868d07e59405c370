from django import forms

from ocradmin.forms import Form, ModelForm

from ..models import CentreSubmission
from ..services.submission import CONFIRMATIONS


class DeclarationForm(ModelForm):
    class Meta:
        model = CentreSubmission
        fields = ["head_name", "head_job_title", *CONFIRMATIONS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CONFIRMATIONS:
            self.fields[name].required = True


class ReturnForm(Form):
    comment = forms.CharField(
        label="What needs to change", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
