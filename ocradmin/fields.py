"""Form fields every app's forms use in place of Django's model choice fields.

Django passes whatever was posted to the database as a key: a 23-digit number overflows
SQLite's integers (``OverflowError``, a server error) and a superscript digit breaks ``int``.
These fields refuse anything that cannot be an id as an invalid choice before any query.
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

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


# --- A date typed as day, month and year (GOV.UK "date input") --------------------------------

_DAY_MONTH = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]{4}")
_PARTS = ("day", "month", "year")


class DateInputs(forms.MultiWidget):
    """Three boxes, Day, Month and Year, in a fieldset whose legend is the field's label.
    Digits only (ASCII), so ``inputmode="numeric"`` rather than ``type="number"``."""

    template_name = "ocradmin/widgets/date_input.html"
    # The boxes (0 day, 1 month, 2 year) the last error is about; empty: all of them.
    error_parts: frozenset = frozenset()

    def __init__(self, attrs=None):
        def box(size, autocomplete):
            return forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "maxlength": size,
                    "size": size,
                    "autocomplete": autocomplete,
                }
            )

        super().__init__(
            [box(2, "bday-day"), box(2, "bday-month"), box(4, "bday-year")], attrs=attrs
        )

    def decompress(self, value):
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        subwidgets = context["widget"]["subwidgets"]
        for index, (subwidget, part) in enumerate(zip(subwidgets, _PARTS, strict=True)):
            subwidget["part"] = part
            subwidget["label"] = part.capitalize()
            if self.error_parts and index not in self.error_parts:
                # Only the boxes in error are marked (GOV.UK): a missing month, not the day.
                attrs = subwidget["attrs"]
                attrs["class"] = " ".join(
                    name for name in str(attrs.get("class", "")).split() if name != "is-invalid"
                )
                attrs.pop("aria-invalid", None)
        # crispy-forms marks each box invalid; the group shows its error message then.
        context["widget"]["invalid"] = any(
            "is-invalid" in str(sub["attrs"].get("class", "")) or sub["attrs"].get("aria-invalid")
            for sub in subwidgets
        )
        return context


class DayMonthYearField(forms.MultiValueField):
    """A date typed as day, month and year, with the GOV.UK date input's messages: "Date of
    birth must include a month", "Date of birth must be a real date" and, with
    ``past=True``, "Date of birth must be in the past". Cleans to a ``datetime.date``."""

    widget = DateInputs

    def __init__(self, *, past: bool = False, **kwargs):
        self.past = past
        parts = [forms.CharField(required=False, max_length=10) for _ in _PARTS]
        super().__init__(parts, require_all_fields=False, **kwargs)

    def _label(self) -> str:
        from .forms import field_noun  # ocradmin.forms imports Django's auth forms

        noun = field_noun(self).replace("%%", "%")
        return noun[0].upper() + noun[1:]

    def clean(self, value):
        # Missing parts and impossible dates are this field's own messages, whatever
        # MultiValueField would say about its sub-fields.
        if not isinstance(value, list | tuple):
            value = [None, None, None]
        value = [str(part).strip() if part is not None else "" for part in value][:3]
        value += [""] * (3 - len(value))
        if not any(value):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        out = self.compress(value)
        self.validate(out)
        self.run_validators(out)
        return out

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        label = self._label()
        self.widget.error_parts = frozenset()
        missing = [part for part, text in zip(_PARTS, data_list, strict=True) if not text]
        if missing:
            self.widget.error_parts = frozenset(_PARTS.index(part) for part in missing)
            raise ValidationError(
                f"{label} must include a {' and '.join(missing)}", code="incomplete"
            )
        day, month, year = data_list
        if not (_DAY_MONTH.fullmatch(day) and _DAY_MONTH.fullmatch(month)):
            raise ValidationError(f"{label} must be a real date", code="invalid")
        if not _YEAR.fullmatch(year):
            self.widget.error_parts = frozenset({2})
            raise ValidationError("Year must include 4 numbers", code="invalid_year")
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{label} must be a real date", code="invalid") from None
        if self.past and value >= timezone.localdate():
            raise ValidationError(f"{label} must be in the past", code="not_past")
        return value
