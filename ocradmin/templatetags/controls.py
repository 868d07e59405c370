"""A list's filter fields, drawn by ``templates/filter_form.html`` without crispy-forms (whose
nested field templates cost more than the rest of a list page's form): each field's input with
Bootstrap's class, and marked invalid when the address held a bad value (Django itself adds
``aria-invalid`` and points ``aria-describedby`` at the error)."""

from django import forms, template

register = template.Library()


@register.filter
def control(field):
    widget = field.field.widget
    classes = [
        widget.attrs.get("class", ""),
        "form-select" if isinstance(widget, forms.Select) else "form-control",
        "is-invalid" if field.errors else "",
    ]
    return field.as_widget(attrs={"class": " ".join(filter(None, classes))})
