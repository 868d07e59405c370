"""The reason staff give with a decision on the staff queues (processing, corrections): read
through a form so that what is saved is clean text (no NUL characters, bounded length)."""

from django import forms

from ocradmin.forms import Form


class DecisionReasonForm(Form):
    reason = forms.CharField(max_length=1000, required=False)


def posted_reason(data) -> str:
    """The posted reason, or "" when it is not acceptable text (the service then says a
    reason is needed)."""
    form = DecisionReasonForm(data)
    return form.cleaned_data["reason"] if form.is_valid() else ""
