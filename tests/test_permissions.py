"""The tenancy and permission matrix: every centre URL × every kind of user.

Each row names a URL and the centre roles that may open it. A member with one of those roles
gets 200, a member without gets 403, another centre's admin and a user with no roles get 404,
staff get 200, and an anonymous visitor is sent to sign in. Later features add rows.
"""

import pytest
from django.urls import reverse

from centres.models import Role

ALL_ROLES = frozenset(Role)

CENTRE_PAGES = [
    ("centres:home", ALL_ROLES),
    ("centres:audit", {Role.CENTRE_ADMIN, Role.HEAD_OF_CENTRE}),
    ("centres:users", {Role.CENTRE_ADMIN}),
    ("centres:users-invite", {Role.CENTRE_ADMIN}),
    ("centres:users-head", {Role.CENTRE_ADMIN}),
    ("centres:approvals", {Role.CENTRE_ADMIN, Role.HEAD_OF_CENTRE, Role.TEACHER}),
    ("entries:candidates", {Role.CENTRE_ADMIN, Role.TEACHER, Role.HEAD_OF_CENTRE}),
    ("entries:arrangements", {Role.CENTRE_ADMIN, Role.TEACHER, Role.HEAD_OF_CENTRE}),
    ("entries:list", {Role.CENTRE_ADMIN, Role.TEACHER, Role.HEAD_OF_CENTRE}),
    ("entries:upload", {Role.CENTRE_ADMIN}),
    ("entries:upload-template-csv", {Role.CENTRE_ADMIN}),
    ("entries:upload-template-xlsx", {Role.CENTRE_ADMIN}),
    ("grades:index", {Role.CENTRE_ADMIN, Role.TEACHER, Role.HEAD_OF_CENTRE}),
]

MEMBER_ROLES = {
    "centre_admin": Role.CENTRE_ADMIN,
    "teacher": Role.TEACHER,
    "head_of_centre": Role.HEAD_OF_CENTRE,
    "aam_user": Role.AAM_USER,
}


def expected_status(person: str, allowed_roles) -> int:
    if person == "staff":
        return 200
    if person in MEMBER_ROLES:
        return 200 if MEMBER_ROLES[person] in allowed_roles else 403
    return 404  # another centre's admin, a moderator, a user with no roles


@pytest.mark.parametrize(("url_name", "allowed_roles"), CENTRE_PAGES)
@pytest.mark.parametrize(
    "person",
    [*MEMBER_ROLES, "other_centre_admin", "moderator", "outsider", "staff"],
)
def test_centre_page_permissions(client, people, centre, url_name, allowed_roles, person):
    client.force_login(people[person])
    response = client.get(reverse(url_name, args=[centre.number]))
    assert response.status_code == expected_status(person, allowed_roles)


@pytest.mark.parametrize(("url_name", "allowed_roles"), CENTRE_PAGES)
def test_anonymous_is_sent_to_sign_in(client, centre, url_name, allowed_roles):
    url = reverse(url_name, args=[centre.number])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("url_name", "allowed_roles"), CENTRE_PAGES)
def test_unknown_centre_is_404_even_for_staff(client, people, url_name, allowed_roles):
    client.force_login(people["staff"])
    assert client.get(reverse(url_name, args=["99999"])).status_code == 404


@pytest.mark.parametrize(
    ("url", "person", "status"),
    [
        ("/staff/", "staff", 200),
        ("/staff/", "centre_admin", 403),
        ("/staff/", "moderator", 403),
        ("/", "centre_admin", 200),
        ("/", "outsider", 200),
        ("/notifications/", "teacher", 200),
        ("/qualifications/", "outsider", 200),
        ("/qualifications/", "moderator", 200),
        ("/staff/qualification-approvals/", "staff", 200),
        ("/staff/qualification-approvals/", "centre_admin", 403),
        ("/staff/moderators/", "staff", 200),
        ("/staff/moderators/", "moderator", 403),
    ],
)
def test_site_pages(client, people, url, person, status):
    client.force_login(people[person])
    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", ["/", "/staff/", "/notifications/"])
def test_site_pages_need_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
