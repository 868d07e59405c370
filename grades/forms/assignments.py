from django.contrib.auth import get_user_model

from centres.models import Role
from ocradmin.fields import ModelChoiceField
from ocradmin.forms import Form

from ..selectors import tag_qualifications_approved_at


class TeacherChoiceField(ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.full_name} ({user.email})"


class AssignmentForm(Form):
    """Choices narrowed to the centre: its teachers, its approved TAG qualifications."""

    teacher = TeacherChoiceField(queryset=None)
    qualification = ModelChoiceField(queryset=None)

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = (
            get_user_model()
            .objects.filter(memberships__centre=centre, memberships__role=Role.TEACHER)
            .order_by("full_name")
        )
        self.fields["qualification"].queryset = tag_qualifications_approved_at(centre)
