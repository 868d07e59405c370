"""The base of every list's filters (django-filter): its form has the plain-English messages of
``ocradmin.forms``, so a bad value in the address ("?status=bogus") reads "Choose the status
from the list", not Django's "Select a valid choice…"; and its lists of objects (a centre's
qualifications) are read with one plain query."""

import django_filters
from django import forms

from .forms import PlainErrorsMixin


class ChoicesInOneQuery(forms.models.ModelChoiceIterator):
    """Django iterates a model choice field's queryset through ``iterator()``: on PostgreSQL a
    server-side cursor, three round trips (declare, fetch, close) for a list of a few dozen."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListsInOneQuery:
    """A filter or search form mixin: its lists of objects are read by ``ChoicesInOneQuery``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = ChoicesInOneQuery
                field.widget.choices = field.choices


class FilterSet(django_filters.FilterSet):
    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (PlainErrorsMixin, ListsInOneQuery, form_class), {})
