"""A list's filter fields, drawn by ``templates/filter_form.html`` without crispy-forms (whose
nested field templates cost more than the rest of a list page's form): each field's input with
Bootstrap's class, and marked invalid when the address held a bad value (Django itself adds
``aria-invalid`` and points ``aria-describedby`` at the error).

The HTML of a select box or a text, date or number input is written here from the widget's own
context (``Widget.get_context``: its name, value, attributes and options, selected as Django
selects them) rather than through Django's widget templates, which render every option through
a template of its own (~2.5 ms for a list page's four fields). The markup is the same as
Django's, byte for byte (``tests/platform/test_form_controls.py``); any other widget is still
rendered by Django."""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

# The input widgets whose template is Django's ``input.html`` included alone.
_INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in ("text", "date", "number", "email", "url", "search", "tel")
}
_SELECT = forms.Select.template_name
_OPTION = forms.Select.option_template_name


@register.filter
def control(field: BoundField):
    widget = field.field.widget
    classes = [
        widget.attrs.get("class", ""),
        "form-select" if isinstance(widget, forms.Select) else "form-control",
        "is-invalid" if field.errors else "",
    ]
    attrs = {"class": " ".join(filter(None, classes))}
    if not _written_here(field, widget):
        return field.as_widget(attrs=attrs)
    # What BoundField.as_widget passes to the widget, without rendering it.
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if isinstance(widget, forms.Select):
        return mark_safe(_select(context))
    value = context["value"]
    return mark_safe(
        f'<input type="{conditional_escape(context["type"])}" '
        f'name="{conditional_escape(context["name"])}"'
        + ("" if value is None else f' value="{conditional_escape(value)}"')
        + _attrs(context["attrs"])
        + ">"
    )


def _written_here(field, widget) -> bool:
    """A plain select box (one choice) or a plain input, drawn by Django's own templates."""
    if field.field.localize:
        return False
    if isinstance(widget, forms.Select):
        return (
            not widget.allow_multiple_selected
            and widget.template_name == _SELECT
            and widget.option_template_name == _OPTION
        )
    return widget.template_name in _INPUTS


def _attrs(attrs: dict) -> str:
    """Django's ``attrs.html``: ``True`` as a bare name, ``False`` left out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _select(context: dict) -> str:
    """Django's ``select.html`` and ``select_option.html`` (each option ends with the line
    break of its template)."""
    parts = [f'<select name="{conditional_escape(context["name"])}"{_attrs(context["attrs"])}>']
    for group_name, options, _index in context["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(localize(option['label']))}"
                "</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
