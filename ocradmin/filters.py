"""The base of every list's filters (django-filter): its form has the plain-English messages of
``ocradmin.forms``, so a bad value in the address ("?status=bogus") reads "Choose the status
from the list", not Django's "Select a valid choice…"."""

import django_filters

from .forms import PlainErrorsMixin


class FilterSet(django_filters.FilterSet):
    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (PlainErrorsMixin, form_class), {})
