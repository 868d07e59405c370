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
        label="What needs to change",
        help_text="The teachers see this comment. Say which candidates and grades to check.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={
            "required": "Say what needs to change: the teachers see your comment.",
            "max_length": "Keep the comment to 2,000 characters or fewer.",
        },
    )
