"""Withdrawing an entry: the centre says why."""

from django import forms

from ocradmin.forms import Form

from ..services.entries import WITHDRAWAL_REASON_MAX


class WithdrawEntryForm(Form):
    reason = forms.CharField(
        label="Why are you withdrawing this entry?",
        help_text="For example, 'Candidate has left the centre'. It is kept in the audit trail.",
        max_length=WITHDRAWAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the reason for withdrawing the entry.",
            "max_length": f"The reason must be {WITHDRAWAL_REASON_MAX} characters or fewer.",
        },
    )
