"""Factories for the entries app's tests (and the apps after it).

``CandidateFactory(centre=...)`` numbers candidates 0001, 0002 … per test run and gives each a
valid UCI for its centre; ``ApprovalFactory(centre=..., qualification=...)`` is an *approved*
``QualificationApproval``; ``QualificationFactory`` makes a remotely moderated Cambridge
Technical; ``UnitFactory(qualification=...)`` one of its units.
"""

from datetime import date

import factory

from centres.models import Qualification, QualificationApproval, QualificationType, Unit
from entries.models import Candidate
from entries.validators import make_uci

from ..factories import CentreFactory

__all__ = ["ApprovalFactory", "CandidateFactory", "QualificationFactory", "UnitFactory"]


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification
        django_get_or_create = ["entry_code"]

    entry_code = factory.Sequence(lambda n: f"{70000 + n:05d}")
    title = factory.Sequence(lambda n: f"Cambridge Technical in Test Studies {n} (Certificate)")
    qualification_type = QualificationType.CAMBRIDGE_TECHNICAL
    level = "Level 3"
    size = "Certificate"
    guided_learning_hours = 180
    units_required = 3
    grade_scale = factory.LazyFunction(lambda: ["D*", "D", "M", "P", "U"])
    is_remotely_moderated = True
    is_active = True


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ["qualification", "number"]

    qualification = factory.SubFactory(QualificationFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Test unit {n + 1}")
    guided_learning_hours = 60
    is_mandatory = False
    grade_scale = factory.LazyFunction(lambda: ["D", "M", "P", "U"])


class ApprovalFactory(factory.django.DjangoModelFactory):
    """An approved qualification approval (the centre may enter candidates for it)."""

    class Meta:
        model = QualificationApproval

    centre = factory.SubFactory(CentreFactory)
    qualification = factory.SubFactory(QualificationFactory)
    status = QualificationApproval.Status.APPROVED
    delivered_by = "Vocational department"
    planned_start = date(2025, 9, 1)


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    centre = factory.SubFactory(CentreFactory)
    candidate_number = factory.Sequence(lambda n: f"{n % 9999 + 1:04d}")
    uci = factory.LazyAttribute(
        lambda o: make_uci(
            centre_number=o.centre.number, year=2025, candidate_number=o.candidate_number
        )
    )
    uln = ""
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = date(2007, 6, 15)
    sex = Candidate.Sex.FEMALE
