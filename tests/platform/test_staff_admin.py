"""Staff use Django admin through the staff group made by a migration; superuser stays apart."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from grades.models import GradeSeries
from ocradmin import demo
from ocradmin.models import STAFF_GROUP, User

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    demo.seed(password=PASSWORD, log=lambda *_: None)
    return User.objects.get(email="staff@ocradmin.example")


def test_the_demo_staff_account_is_in_the_staff_group_and_not_a_superuser(staff):
    assert staff.groups.filter(name=STAFF_GROUP).exists()
    assert staff.is_staff and not staff.is_superuser


def test_staff_edit_the_grade_series_and_closure_days_in_admin(client, staff):
    client.force_login(staff)
    index = client.get(reverse("admin:index")).content.decode()
    assert "permission to view or edit anything" not in index
    series = GradeSeries.objects.first()
    assert (
        client.get(reverse("admin:grades_gradeseries_change", args=[series.pk])).status_code == 200
    )
    assert client.get(reverse("admin:ocradmin_closureday_add")).status_code == 200
    assert client.get(reverse("admin:centres_centre_changelist")).status_code == 200
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200


def test_staff_cannot_manage_groups_or_make_a_superuser(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:ocradmin_user_add")).status_code == 403
    page = client.get(reverse("admin:ocradmin_user_change", args=[staff.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="is_superuser"' not in html
    assert 'name="groups"' not in html
    assert 'name="is_active"' in html


def test_the_group_holds_no_permission_over_permissions():
    group = Group.objects.get(name=STAFF_GROUP)
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert labels == {"centres", "entries", "grades", "ocradmin", "axes"}
    assert not group.permissions.filter(codename__in=["add_user", "delete_user"]).exists()
