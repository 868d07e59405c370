"""One way to write a count everywhere: ``{{ value|count }}`` — 86,145 (British English).

Written out directly rather than through ``humanize``'s ``intcomma``, which goes through the
locale machinery for every figure: a board shows a hundred of them."""

from django import template

register = template.Library()


@register.filter
def count(value):
    """An integer with thousands separators; anything else as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return value
