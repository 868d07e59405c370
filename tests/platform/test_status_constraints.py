"""Every status field of the project's models is held to its choices by a CheckConstraint
built from the ``TextChoices`` (``status__in=Status.values``), so a value added to the choices
reaches the database through a migration and a value typed by hand cannot drift."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models


def project_models():
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if base in Path(config.path).resolve().parents:
            for model in config.get_models():
                if not model._meta.abstract and not model._meta.proxy:
                    yield model


def status_fields():
    return [
        pytest.param(model, field, id=f"{model._meta.label}.{field.name}")
        for model in project_models()
        for field in model._meta.local_fields
        if field.name == "status"
    ]


def test_the_walk_finds_the_status_fields():
    found = {p.id for p in status_fields()}
    assert {
        "centres.Centre.status",
        "centres.Invitation.status",
        "centres.QualificationApproval.status",
        "centres.CentreApplication.status",
        "claims.Claim.status",
        "entries.Entry.status",
    } <= found


@pytest.mark.parametrize(("model", "field"), status_fields())
def test_every_status_field_has_a_check_constraint_of_its_choices(model, field):
    assert field.choices, f"{model._meta.label}.status has no choices"
    values = [value for value, _ in field.flatchoices]
    checks = [
        c.condition.children
        for c in model._meta.constraints
        if isinstance(c, models.CheckConstraint)
    ]
    assert [("status__in", values)] in checks or [("status__in", sorted(values))] in checks, (
        f"{model._meta.label}: add models.CheckConstraint("
        f"condition=models.Q(status__in=<the TextChoices>.values), …)"
    )
