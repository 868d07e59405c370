"""A board panel's first rows and its total: one query when the rows fit."""

import pytest

from ocradmin.models import User
from ocradmin.pages import first_and_total


@pytest.mark.django_db
def test_first_and_total_counts_only_when_the_rows_do_not_fit(django_assert_num_queries):
    users = User.objects.filter(email__endswith="@panel.example").order_by("email")
    for i in range(3):
        User.objects.create_user(email=f"u{i:02d}@panel.example", password="x")
    with django_assert_num_queries(1):
        first, total = first_and_total(users, 3)
    assert (len(first), total) == (3, 3)
    for i in range(3, 12):
        User.objects.create_user(email=f"u{i:02d}@panel.example", password="x")
    with django_assert_num_queries(2):
        first, total = first_and_total(users, 10)
    assert total == 12
    assert [u.email for u in first] == [f"u{i:02d}@panel.example" for i in range(10)]
