"""Staff pages of moderation, under ``/staff/moderation/``: every examiner-moderator's load and
queue, moving a claim or a centre's qualification to another moderator (a form, then a
confirmation page, then the move), and the results clock's list. Staff only; 403 for others."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from claims.models import Claim
from entries.models import ModeratorAllocation
from ocradmin.fields import ModelChoiceField
from ocradmin.forms import Form
from ocradmin.models import User
from ocradmin.views import StaffRequiredMixin
from ocradmin.workdays import business_date

from ..services import clock
from ..services.staff import (
    LIVE,
    SORTS,
    ReallocationError,
    check_allocation_move,
    check_claim_move,
    claim_capacity,
    moderator_allocations,
    moderator_claims,
    moderator_load,
    moderator_loads,
    moderators_who_could_take,
    reallocate_allocation,
    reallocate_claim,
)

SORT_LABELS = {
    "name": "Moderator",
    "allocations": "Allocations",
    "claims": "Live claims",
    "lines": "Lines waiting",
    "due": "Nearest results date",
}


class ModeratorLoadView(StaffRequiredMixin, ListView):
    """Every examiner-moderator's load: claims by state, lines waiting, the nearest results
    date, against their capacity; sortable, paginated, one query per page."""

    template_name = "moderation/staff/load.html"
    context_object_name = "moderators"
    paginate_by = 50

    def get_queryset(self):
        self.sort = self.request.GET.get("sort", "claims")
        if self.sort not in SORTS:
            self.sort = "claims"
        default = "asc" if self.sort in ("name", "due") else "desc"
        self.direction = self.request.GET.get("dir", default)
        if self.direction not in ("asc", "desc"):
            self.direction = default
        return moderator_loads(self.sort, descending=self.direction == "desc")

    def get_context_data(self, **kwargs):
        columns = []
        for key, label in SORT_LABELS.items():
            active = key == self.sort
            flip = "asc" if active and self.direction == "desc" else "desc"
            if not active:
                flip = "asc" if key in ("name", "due") else "desc"
            columns.append(
                {
                    "key": key,
                    "label": label,
                    "active": active,
                    "dir": flip,
                    "aria": ("descending" if self.direction == "desc" else "ascending")
                    if active
                    else "none",
                }
            )
        return super().get_context_data(
            columns=columns,
            sort=self.sort,
            direction=self.direction,
            claim_capacity=claim_capacity(),
            today=business_date(timezone.now()),
            **kwargs,
        )


class ModeratorQueueView(StaffRequiredMixin, ListView):
    """One moderator's queue as staff see it: their allocations and their claims, each with a
    link to move it."""

    template_name = "moderation/staff/moderator.html"
    context_object_name = "claims"
    paginate_by = 50

    def get_queryset(self):
        self.moderator = moderator_load(self.kwargs["pk"])
        if self.moderator is None:
            raise Http404("No such examiner-moderator.")
        return moderator_claims(self.moderator)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        clock.working_days_left(context["claims"])
        context.update(
            moderator=self.moderator,
            allocations=list(moderator_allocations(self.moderator)),
            claim_capacity=claim_capacity(),
            live=LIVE,
            now=timezone.now(),
        )
        return context


class ReallocateForm(Form):
    to = ModelChoiceField(
        label="Move to",
        queryset=User.objects.filter(is_examiner_moderator=True, is_active=True),
        empty_label="Choose a moderator",
        error_messages={
            "required": "Choose the moderator to move it to.",
            "invalid_choice": "Choose one of the moderators listed.",
        },
    )
    reason = forms.CharField(
        label="Reason for the move",
        help_text="Both moderators see it, and it is kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Give the reason for the move; both moderators see it."},
    )
    moderator = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "Open this page again from the moderator's queue.",
            "invalid": "Open this page again from the moderator's queue.",
        },
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].widget.choices = [("", "Choose a moderator")] + [
            (choice.user.pk, choice.label) for choice in choices
        ]


class _ReallocateView(StaffRequiredMixin, View):
    """GET: the form. POST: the confirmation page. POST with ``confirm``: the move."""

    form_template = "moderation/staff/reallocate.html"
    confirm_template = "moderation/staff/reallocate_confirm.html"

    def get_object(self):
        raise NotImplementedError

    def current_moderator(self):
        raise NotImplementedError

    def choices(self):
        raise NotImplementedError

    def check(self, to, expected):
        raise NotImplementedError

    def move(self, to, reason, expected):
        raise NotImplementedError

    def context(self, **extra):
        return {"object": self.object, "current": self.current_moderator(), **extra}

    def form(self, data=None):
        return ReallocateForm(
            data,
            choices=self.choices(),
            initial={"moderator": getattr(self.current_moderator(), "pk", 0)},
        )

    def get(self, request, pk):
        self.object = self.get_object()
        return render(request, self.form_template, self.context(form=self.form()))

    def post(self, request, pk):
        self.object = self.get_object()
        form = self.form(request.POST)
        if not form.is_valid():
            return render(request, self.form_template, self.context(form=form))
        to = form.cleaned_data["to"]
        expected = form.cleaned_data["moderator"]
        try:
            if "confirm" not in request.POST:
                moving = self.check(to, expected)
                return render(
                    request,
                    self.confirm_template,
                    self.context(form=form, to=to, moving=moving),
                )
            message = self.move(to, form.cleaned_data["reason"], expected)
        except ReallocationError as error:
            form.add_error(None, str(error))
            self.object = self.get_object()
            return render(request, self.form_template, self.context(form=form))
        messages.success(request, message)
        return redirect("moderation:staff-moderator", expected)


class ReallocateClaimView(_ReallocateView):
    kind = "claim"

    def get_object(self):
        return get_object_or_404(
            Claim.objects.select_related("centre", "qualification", "moderator").exclude(
                status=Claim.Status.DRAFT
            ),
            pk=self.kwargs["pk"],
        )

    def current_moderator(self):
        return self.object.moderator

    def choices(self):
        return moderators_who_could_take(
            self.object.qualification,
            exclude_id=self.object.moderator_id,
            centre_id=self.object.centre_id,
        )

    def context(self, **extra):
        return super().context(kind="claim", claim=self.object, **extra)

    def check(self, to, expected):
        check_claim_move(claim=self.object, to=to, expected_from_id=expected)
        return [self.object]

    def move(self, to, reason, expected):
        claim = reallocate_claim(
            claim=self.object,
            to=to,
            reason=reason,
            by=self.request.user,
            expected_from_id=expected,
        )
        return (
            f"Claim {claim.number} is now with {to.get_full_name()}; both moderators and the "
            "centre have been told."
        )


class ReallocateAllocationView(_ReallocateView):
    def get_object(self):
        return get_object_or_404(
            ModeratorAllocation.objects.select_related("centre", "qualification", "moderator"),
            pk=self.kwargs["pk"],
        )

    def current_moderator(self):
        return self.object.moderator

    def choices(self):
        return moderators_who_could_take(
            self.object.qualification,
            exclude_id=self.object.moderator_id,
            centre_id=self.object.centre_id,
        )

    def context(self, **extra):
        return super().context(kind="allocation", allocation=self.object, **extra)

    def check(self, to, expected):
        ids = check_allocation_move(allocation=self.object, to=to, expected_from_id=expected)
        return list(Claim.objects.filter(pk__in=ids).order_by("number"))

    def move(self, to, reason, expected):
        allocation, moved = reallocate_allocation(
            allocation=self.object,
            to=to,
            reason=reason,
            by=self.request.user,
            expected_from_id=expected,
        )
        return (
            f"{allocation.qualification.entry_code} at centre {allocation.centre.number} is now "
            f"with {to.get_full_name()}, with {moved} live claim{'s' if moved != 1 else ''}; both "
            "moderators and the centre have been told."
        )


CLOCK_HEADINGS = {
    "waiting": "Claims with the moderator: results due within 21 working days",
    "amber": "Claims with results at risk (5 working days or fewer left)",
    "breach": "Claims with results overdue",
}


class ResultsClockListView(StaffRequiredMixin, ListView):
    """The claims on the results clock, ``?clock=waiting|amber|breach`` (the staff board's
    links), results due soonest first."""

    template_name = "moderation/staff/results.html"
    context_object_name = "claims"
    paginate_by = 50

    def get_queryset(self):
        self.clock = self.request.GET.get("clock", "waiting")
        if self.clock not in CLOCK_HEADINGS:
            self.clock = "waiting"
        return clock.claims_on_the_clock(self.clock)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        clock.working_days_left(context["claims"])
        context.update(
            clock=self.clock,
            heading=CLOCK_HEADINGS[self.clock],
            headings=CLOCK_HEADINGS,
        )
        return context
