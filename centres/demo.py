"""Demo centres and the four centre roles at each."""

from ocradmin.demo import ensure_user

from .models import Centre, Membership, Role

DEMO_CENTRES = [
    ("12345", "Northfield Academy", "northfield.example"),
    ("23456", "Riverside College", "riverside.example"),
]

DEMO_PEOPLE = [
    ("officer", "Exams Officer", Role.CENTRE_ADMIN),
    ("teacher", "Teacher", Role.TEACHER),
    ("head", "Head of Centre", Role.HEAD_OF_CENTRE),
    ("materials", "Materials User", Role.AAM_USER),
]


def seed(*, password: str, log) -> None:
    for number, name, domain in DEMO_CENTRES:
        centre, _ = Centre.objects.get_or_create(number=number, defaults={"name": name})
        town = name.split()[0]
        for local, title, role in DEMO_PEOPLE:
            user = ensure_user(f"{local}@{domain}", full_name=f"{town} {title}", password=password)
            Membership.objects.get_or_create(user=user, centre=centre, role=role)
    log("centres: Northfield Academy (12345) and Riverside College (23456) with their people")
