"""Form fields every app's forms use in place of Django's model choice fields.

Django passes whatever was posted to the database as a key: a 23-digit number overflows
SQLite's integers (``OverflowError``, a server error) and a superscript digit breaks ``int``.
These fields refuse anything that cannot be an id as an invalid choice before any query.
"""

from django import forms
from django.core.exceptions import ValidationError

from .identifiers import parse_id


class ModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        is_instance = isinstance(value, self.queryset.model)
        if self.to_field_name is None and not is_instance and parse_id(value) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if self.to_field_name is None and isinstance(value, list | tuple):
            for pk in value:
                if parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)
