from django import forms

from centres.models import Qualification
from ocradmin.fields import ModelChoiceField
from ocradmin.forms import Form
from ocradmin.validators import SingleLineCharField


class MaterialForm(Form):
    qualification = ModelChoiceField(
        queryset=Qualification.objects.filter(available_for_tags=True, is_active=True)
    )
    title = SingleLineCharField(max_length=200)
    file = forms.FileField(help_text="A PDF or an Office document, up to 20 MB.")
    available_from = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Centres can download it from this moment (and not before materials open).",
        error_messages={"required": "Enter the date and time centres can download it from"},
    )
