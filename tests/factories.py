from datetime import date

import factory

from centres.models import Centre, Membership, Role
from ocradmin.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ["number"]

    number = factory.Sequence(lambda n: f"{60000 + n:05d}")
    name = factory.Sequence(lambda n: f"Test Centre {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    centre = factory.SubFactory(CentreFactory)
    role = Role.TEACHER


def date_parts(name: str, value) -> dict:
    """The posted values of a day / month / year date field (``ocradmin.fields``)."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return {
        f"{name}_0": str(value.day),
        f"{name}_1": str(value.month),
        f"{name}_2": str(value.year),
    }
