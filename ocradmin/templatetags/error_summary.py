"""The error summary every form page shows (GOV.UK Design System): ``base.html`` asks for
``{% forms_with_errors as error_forms %}`` once, prefixes the page title with "Error: " when
there are any, and includes ``error_summary.html`` at the top of the main content."""

from django import template

from ocradmin import forms

register = template.Library()


@register.simple_tag(takes_context=True)
def forms_with_errors(context):
    found = forms.forms_with_errors(context)
    for form in found:
        # Its errors are listed in the summary: crispy's box above the fields is not needed.
        form.error_summary_shown = True
    return found


@register.filter
def error_list(form):
    return forms.error_list(form)
