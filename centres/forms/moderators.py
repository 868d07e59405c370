"""Staff forms for examiner-moderators' specialisms and capacity."""

from django import forms
from django.contrib.auth import get_user_model

from ocradmin.fields import ModelMultipleChoiceField
from ocradmin.forms import Form

from ..models import ModeratorProfile
from ..services.moderators import moderatable_qualifications


class ModeratorProfileForm(Form):
    qualifications = ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Qualifications they may moderate",
    )
    capacity = forms.IntegerField(
        label="Capacity",
        min_value=1,
        max_value=500,
        help_text="How many centre-qualification allocations they can hold at once.",
    )
    is_available = forms.BooleanField(
        label="Available for new allocations",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualifications"].queryset = moderatable_qualifications()


class AddModeratorForm(ModeratorProfileForm):
    email = forms.EmailField(
        label="Email address of an existing user",
        help_text="They must already have an ocradmin account.",
    )

    field_order = ["email", "qualifications", "capacity", "is_available"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError("No user has this email address.")
        if not user.is_active:
            raise forms.ValidationError("This user's account is deactivated.")
        if ModeratorProfile.objects.filter(user=user).exists():
            raise forms.ValidationError(
                "This user is already an examiner-moderator; edit their profile instead."
            )
        self.user = user
        return email
