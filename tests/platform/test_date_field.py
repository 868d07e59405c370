"""The date typed as day, month and year (``ocradmin.fields.DayMonthYearField``), with the
GOV.UK date input's messages."""

from datetime import date

import pytest
import time_machine
from django import forms

from ocradmin.fields import DayMonthYearField
from ocradmin.forms import Form


class BornForm(Form):
    date_of_birth = DayMonthYearField(label="Date of birth", past=True)


class OptionalForm(Form):
    date_of_birth = DayMonthYearField(label="Date of birth", required=False)


def posted(day="", month="", year="", form=BornForm):
    return form({"date_of_birth_0": day, "date_of_birth_1": month, "date_of_birth_2": year})


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(date(2026, 3, 2), tick=False):
        yield


def test_a_real_date():
    form = posted("7", "03", "2009")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == date(2009, 3, 7)


def test_nothing_typed():
    assert posted().errors["date_of_birth"] == ["Enter the date of birth"]
    form = posted(form=OptionalForm)
    assert form.is_valid() and form.cleaned_data["date_of_birth"] is None


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("7", "", "2009"), "Date of birth must include a month"),
        (("", "3", "2009"), "Date of birth must include a day"),
        (("7", "3", ""), "Date of birth must include a year"),
        (("", "", "2009"), "Date of birth must include a day and month"),
        (("7", "", ""), "Date of birth must include a month and year"),
    ],
)
def test_a_missing_part(parts, message):
    assert posted(*parts).errors["date_of_birth"] == [message]


@pytest.mark.parametrize(
    "parts",
    [
        ("30", "2", "2009"),
        ("31", "4", "2009"),
        ("0", "1", "2009"),
        ("1", "13", "2009"),
        ("x", "1", "2009"),
        ("١", "1", "2009"),  # other scripts' digits are not accepted
        ("1" * 23, "1", "2009"),
        ("29", "2", "2009"),
    ],
)
def test_not_a_real_date(parts):
    assert posted(*parts).errors["date_of_birth"] == ["Date of birth must be a real date"]


def test_29_february_in_a_leap_year():
    assert posted("29", "2", "2008").is_valid()


@pytest.mark.parametrize("year", ["09", "20091", "0x09"])
def test_a_year_of_four_numbers(year):
    assert posted("1", "1", year).errors["date_of_birth"] == ["Year must include 4 numbers"]


@pytest.mark.parametrize("parts", [("2", "3", "2026"), ("3", "3", "2026"), ("1", "1", "2030")])
def test_in_the_future(parts):
    assert posted(*parts).errors["date_of_birth"] == ["Date of birth must be in the past"]


def test_yesterday_is_in_the_past():
    assert posted("1", "3", "2026").is_valid()


def test_the_boxes_have_labels_inside_a_fieldset():
    form = BornForm(initial={"date_of_birth": date(2009, 3, 7)})
    html = str(form["date_of_birth"])
    for index, label in enumerate(["Day", "Month", "Year"]):
        assert (
            f'<label class="form-label mb-1" for="id_date_of_birth_{index}">{label}</label>' in html
        )
    assert 'value="7"' in html and 'value="3"' in html and 'value="2009"' in html
    assert 'inputmode="numeric"' in html and 'autocomplete="bday-year"' in html
    assert form["date_of_birth"].use_fieldset


def test_a_form_with_the_date_renders_errors_beside_it_with_the_summary_link():
    from django.template import Context, Template

    form = posted("7", "", "2009")
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))
    assert "<legend" in html and "Date of birth" in html
    assert "Date of birth must include a month" in html
    assert 'class="date-input is-invalid"' in html
    # Only the month box is marked.
    assert html.count('aria-invalid="true"') == 1
    assert (
        'class="textinput form-control is-invalid" aria-invalid="true" id="id_date_of_birth_1"'
        in html
    )
    from ocradmin.forms import error_list

    assert error_list(form) == [
        {"text": "Date of birth must include a month", "anchor": "id_date_of_birth_1"}
    ]


def test_a_hostile_post_is_an_error_not_a_crash():
    form = BornForm({"date_of_birth_0": ["1", "2"], "date_of_birth": "2009-01-01"})
    assert not form.is_valid()
    assert isinstance(form.fields["date_of_birth"], forms.MultiValueField)
