"""``|count``: a figure with thousands separators, as the staff board shows its counts."""

import pytest
from django.template import engines


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (999, "999"), (1000, "1,000"), (86145, "86,145"), (1234567, "1,234,567"),
     (None, "None"), ("12345", "12345"), (True, "True")],
)  # fmt: skip
def test_count(value, shown):
    template = engines["django"].from_string("{{ value|count }}")
    assert template.render({"value": value}) == shown
