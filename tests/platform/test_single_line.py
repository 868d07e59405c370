"""Names and single-line answers refuse control characters (a newline in a centre's name once
broke every email whose subject held it)."""

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from centres.models import CentreApplication
from centres.services import CentreError
from centres.services.people import invite_person, update_head_of_centre
from ocradmin.registration import RegistrationForm
from ocradmin.validators import SingleLineCharField, validate_single_line

pytestmark = pytest.mark.django_db

HOSTILE = [
    "Hillside\nSchool",
    "Hillside\r\nBcc: x@y.example",
    "Hill\tside",
    "Hill\x1bside",
    "Hill\u2028side",
]

# Machine-set or strictly formatted by their own validators: not free text people type.
NOT_FREE_TEXT = {
    ("ocradmin", "User", "password"),
    ("ocradmin", "AuditEvent", "action"),
    ("ocradmin", "AuditEvent", "target_id"),
    ("ocradmin", "AuditEvent", "target_repr"),
    ("ocradmin", "Notification", "subject"),
    ("ocradmin", "Notification", "url"),
    ("ocradmin", "Heartbeat", "name"),
    ("ocradmin", "SentNotice", "key"),
    ("ocradmin", "SentNotice", "recipient"),
    ("centres", "Centre", "number"),
    ("centres", "Invitation", "token"),
    ("centres", "HeadOfCentre", "token"),
    ("centres", "Qualification", "entry_code"),
    ("centres", "Unit", "number"),
    ("centres", "CentreApplication", "organisation_key"),
    ("entries", "Candidate", "candidate_number"),
    ("entries", "Candidate", "uci"),
    ("entries", "Candidate", "uln"),
    ("entries", "Entry", "option_code"),
    ("entries", "EntryUpload", "original_name"),
    ("grades", "GradeSeries", "code"),
    ("grades", "AssessmentMaterial", "original_name"),
    ("grades", "Grade", "grade"),
    ("grades", "GradeUpload", "original_name"),
    # Copies of the candidate's own (checked) fields, made when the grades are submitted.
    ("grades", "Grade", "submitted_candidate_number"),
    ("grades", "Grade", "submitted_uci"),
    ("grades", "Grade", "submitted_first_name"),
    ("grades", "Grade", "submitted_last_name"),
}


def test_every_free_text_model_field_refuses_control_characters():
    missing = []
    for app in ("ocradmin", "centres", "entries", "grades"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, models.CharField) or field.choices:
                    continue
                if isinstance(field, models.EmailField):
                    continue
                if (app, model.__name__, field.name) in NOT_FREE_TEXT:
                    continue
                if validate_single_line not in field.validators:
                    missing.append(f"{app}.{model.__name__}.{field.name}")
    assert missing == []


@pytest.mark.parametrize("value", HOSTILE)
def test_a_newline_in_an_organisation_name_is_refused(login, people, value):
    response = login(people["outsider"]).post(
        reverse("centres:apply-new"), {"name": value, "action": "save"}
    )
    assert response.status_code == 400
    assert "control characters" in " ".join(response.context["form"].errors["name"])
    assert not CentreApplication.objects.exists()


def test_ordinary_names_are_kept():
    for value in ("Sìne O'Brien-Ng", "École Saint-Martin", "Ysgol Gyfun Llangefni"):
        validate_single_line(value)
    assert SingleLineCharField().clean("  Ann  Other ") == "Ann  Other"


def test_registration_refuses_a_newline_in_the_name():
    form = RegistrationForm({"email": "a@b.example", "full_name": "Ann\nOther"})
    assert not form.is_valid()
    assert "control characters" in form.errors["full_name"][0]


def test_the_invite_form_refuses_a_newline_and_sends_nothing(login, people, centre, mailoutbox):
    response = login(people["centre_admin"]).post(
        reverse("centres:users-invite", args=[centre.number]),
        {"email": "new@northfield.example", "full_name": "Nia\nTeacher", "roles": ["teacher"]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["full_name"]
    assert mailoutbox == []


def test_the_services_refuse_control_characters_too(people, centre):
    with pytest.raises(CentreError, match="control characters"):
        invite_person(
            centre=centre,
            email="new@northfield.example",
            full_name="Nia\rTeacher",
            roles=["teacher"],
            by=people["centre_admin"],
        )
    with pytest.raises(CentreError, match="control characters"):
        update_head_of_centre(
            centre=centre,
            name="Helen Hill",
            job_title="Head\nteacher",
            email="new.head@northfield.example",
            by=people["centre_admin"],
        )
