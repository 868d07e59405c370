"""The filter forms' controls (``ocradmin/templatetags/controls.py``) are written without
Django's widget templates: their HTML must be Django's, byte for byte, whatever the value,
the options, the errors or the widget's own attributes."""

import datetime
from unittest import mock

import pytest
from django import forms
from django.template import Context, Template

from centres.filters import (
    ApprovalFilter,
    AuditEventFilter,
    ModeratorFilter,
    QualificationFilter,
    StaffApprovalFilter,
)
from claims.filters import ClaimFilter
from entries.filters import ArrangementFilter, CandidateFilter, EntryFilter
from grades.forms.staff import CentreFilterForm
from ocradmin.templatetags.controls import control
from tests.entries.factories import ApprovalFactory


def django_control(field):
    """What the filter did before: Django's own rendering of the widget."""
    widget = field.field.widget
    classes = [
        widget.attrs.get("class", ""),
        "form-select" if isinstance(widget, forms.Select) else "form-control",
        "is-invalid" if field.errors else "",
    ]
    return field.as_widget(attrs={"class": " ".join(filter(None, classes))})


def assert_same(form):
    for field in form:
        # Written without Django's widget templates...
        with mock.patch.object(forms.Widget, "_render", side_effect=AssertionError):
            html = str(control(field))
        # ...and the same as Django's rendering of them.
        assert html == str(django_control(field)), field.name


class Everything(forms.Form):
    text = forms.CharField(required=False, max_length=10, help_text="Some <help>")
    needed = forms.CharField(label="Needed & wanted")
    number = forms.IntegerField(required=False, min_value=1)
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    plain_date = forms.DateField(required=False)
    choice = forms.ChoiceField(
        required=False,
        choices=[("", "Any <kind>"), ("a&b", 'A & "B"'), ("c", "C"), (3, "Three")],
    )
    grouped = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), ("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")],
    )
    disabled = forms.ChoiceField(required=False, disabled=True, choices=[("a", "A")])
    classed = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"class": "wide", "data-x": "1"})
    )
    boolean = forms.NullBooleanField(required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"text": "<script>", "needed": "x", "number": "5", "date": "2021-05-03", "choice": "a&b"},
        {"text": "far too long a value", "number": "0", "date": "bogus", "choice": "nope"},
        {"choice": "3", "grouped": "y", "plain_date": "3/5/2021", "boolean": "true"},
        {"grouped": "x", "number": "x", "boolean": "bogus", "classed": '"quoted"'},
    ],
)
def test_every_kind_of_field_is_drawn_as_django_draws_it(data):
    form = Everything(data, initial={"date": datetime.date(2021, 5, 3), "choice": "c"})
    if data is not None:
        form.is_valid()
    assert_same(form)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": "smith", "status": "accepted", "kind": "named"},
        {"q": "x" * 300, "status": "bogus", "kind": "bogus", "qualification": "bogus"},
    ],
)
@pytest.mark.django_db
def test_the_lists_filters_are_drawn_as_django_draws_them(data, centre):
    for filterset in (
        EntryFilter(data, centre=centre),
        ArrangementFilter(data, centre=centre),
        CandidateFilter(data),
        ClaimFilter(data, centre=centre),
        AuditEventFilter({**data, "since": "2021-05-03", "until": "bogus"}),
        ModeratorFilter({**data, "is_available": "true"}),
        QualificationFilter(data),
        ApprovalFilter(data),
        StaffApprovalFilter(data),
    ):
        filterset.is_valid()
        assert_same(filterset.form)
    form = CentreFilterForm(data)
    form.is_valid()
    assert_same(form)


@pytest.mark.django_db
def test_a_chosen_qualification_is_selected(centre):
    qualification = ApprovalFactory(
        centre=centre, qualification__title="Art & <Design>"
    ).qualification
    ApprovalFactory(centre=centre)
    filterset = EntryFilter({"qualification": str(qualification.pk)}, centre=centre)
    filterset.is_valid()
    assert_same(filterset.form)
    html = str(control(filterset.form["qualification"]))
    assert f'<option value="{qualification.pk}" selected>' in html
    assert "Art &amp; &lt;Design&gt;" in html
    assert html.count(" selected") == 1


@pytest.mark.django_db
def test_the_audit_filters_grouped_actions_are_drawn_as_django_draws_them():
    actions = ["entries.made", "entries.withdrawn", "claims.submitted", "centres.approved"]
    for value in ("", "entries", "claims.submitted", "bogus"):
        filterset = AuditEventFilter({"action": value}, actions=actions)
        filterset.is_valid()
        assert_same(filterset.form)
    assert "<optgroup" in str(control(filterset.form["action"]))


def test_the_filter_form_template_marks_an_error_for_assistive_technology():
    form = Everything({"number": "0", "needed": "x"})
    form.is_valid()
    html = Template("{% load controls %}{{ field|control }}").render(
        Context({"field": form["number"]})
    )
    assert 'class="form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_number_error"' in html
    assert 'id="id_number"' in html


class Others(forms.Form):
    notes = forms.CharField(required=False, widget=forms.Textarea)
    several = forms.MultipleChoiceField(required=False, choices=[("a", "A"), ("b", "B")])
    tick = forms.BooleanField(required=False)


def test_any_other_widget_is_still_drawn_by_django():
    form = Others({"several": ["a", "b"], "tick": "on"})
    form.is_valid()
    for field in form:
        assert str(control(field)) == str(django_control(field))
    assert "<textarea" in str(control(form["notes"]))
