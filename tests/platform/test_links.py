from django.urls import reverse

from ocradmin.links import row_link


def test_a_row_link_is_the_address_reverse_gives():
    candidate = row_link("entries:candidate", "12345")
    assert candidate(42) == reverse("entries:candidate", args=["12345", 42])
    assert candidate(7) == reverse("entries:candidate", args=["12345", 7])
    save = row_link("grades:save", "12345", "H240")
    assert save(9) == reverse("grades:save", args=["12345", "H240", 9])
    assert row_link("grades:staff-remind")("54321") == reverse(
        "grades:staff-remind", args=["54321"]
    )
