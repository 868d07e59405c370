"""Staff pages of moderation, under ``/staff/moderation/``: every examiner-moderator's load and
queue, moving a claim or a centre's qualification to another moderator (a form, then a
confirmation page, then the move), and the results clock's list. Staff only; 403 for others."""

from html import escape

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import ListView

from claims.models import Claim
from entries.models import ModeratorAllocation
from ocradmin.fields import ModelChoiceField
from ocradmin.forms import Form
from ocradmin.links import row_link
from ocradmin.models import User
from ocradmin.templatetags import dates
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
    date, against their capacity; sortable, paginated; the figures as ``moderator_loads`` keeps
    them (a minute at most), with their time."""

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
        context = super().get_context_data(
            columns=columns,
            sort=self.sort,
            direction=self.direction,
            claim_capacity=claim_capacity(),
            today=business_date(timezone.now()),
            figures_as_at=self.object_list.as_at,
            **kwargs,
        )
        link = row_link("moderation:staff-moderator")
        context["rows"] = [
            load_row(m, link, context["claim_capacity"], context["today"])
            for m in context["moderators"]
        ]
        return context


_LOAD_ROW = """<tr>
      <td><a href="{url}">{name}</a><br><span class="small text-muted">{email}</span>{badges}</td>
      <td class="{allocations_css}">{allocations} of {capacity}</td>
      <td>{submitted} / {work_sent} / {with_moderator}</td>
      <td class="{live_css}">{live} of {claim_capacity}</td>
      <td>{lines_waiting}</td>
      <td>{due}</td>
    </tr>"""
_BADGE = ' <span class="badge text-bg-secondary">{}</span>'


def load_row(m, link, claim_capacity, today) -> str:
    """A moderator's row of the load page (``moderator_loads``' figures), written here rather
    than by the template (a 50-row page's template lookups cost more than its queries). Every
    value is escaped with ``html.escape``."""
    profile = getattr(m, "moderator_profile", None)  # None: no profile (a reverse one-to-one)
    badges = "" if m.is_active else _BADGE.format("deactivated")
    if profile is not None and not profile.is_available:
        badges += _BADGE.format("not available")
    due = m.nearest_due
    if due:
        due = f'<span class="{"deadline-breach" if due < today else ""}">{dates.when(due)}</span>'
    return mark_safe(
        _LOAD_ROW.format(
            url=link(m.pk),
            name=escape(m.get_full_name()),
            email=escape(m.email),
            badges=badges,
            allocations_css="deadline-breach"
            if profile is not None and m.allocation_count >= profile.capacity
            else "",
            allocations=m.allocation_count,
            capacity=(profile.capacity if profile is not None else None) or "—",
            submitted=m.submitted,
            work_sent=m.work_sent,
            with_moderator=m.with_moderator,
            live_css="deadline-breach" if m.live_claims >= claim_capacity else "",
            live=m.live_claims,
            claim_capacity=claim_capacity,
            lines_waiting=m.lines_waiting,
            due=due or "—",
        )
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
        """The ids of the claims the list shows, in its order: the page is cut from them and
        only the page's claims are read whole, with their centres, qualifications and
        moderators (joined before the cut, every claim on the clock was read and sorted with
        them)."""
        self.clock = self.request.GET.get("clock", "waiting")
        if self.clock not in CLOCK_HEADINGS:
            self.clock = "waiting"
        return clock.claims_on_the_clock(self.clock).values_list("pk", flat=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ids = list(context["claims"])
        read = Claim.objects.filter(pk__in=ids).order_by()  # put in the ids' order below
        by_id = {c.pk: c for c in read.select_related("centre", "qualification", "moderator")}
        claims = [by_id[pk] for pk in ids if pk in by_id]
        clock.working_days_left(claims)
        claim_url = _claim_link()
        moderator_url = row_link("moderation:staff-moderator")
        move_url = row_link("moderation:staff-reallocate-claim")
        context.update(
            claims=claims,
            rows=[results_row(c, claim_url, moderator_url, move_url) for c in claims],
            clock=self.clock,
            heading=CLOCK_HEADINGS[self.clock],
            headings=CLOCK_HEADINGS,
        )
        return context


def _claim_link():
    """``reverse("claims:claim", args=[centre number, pk])`` as a function of the two, for the
    cost of one ``reverse()``."""
    number, key = "99999", "987654321"
    before, after = reverse("claims:claim", args=[number, key]).split(f"/{number}/", 1)
    middle, end = after.split(key, 1)
    return lambda centre_number, pk: f"{before}/{centre_number}/{middle}{pk}{end}"


_RESULTS_ROW = """<tr>
      <td><a href="{claim_url}">{number}</a></td>
      <td>{centre_number} {centre_name}</td>
      <td>{entry_code}</td>
      <td>{moderator}</td>
      <td>{received}</td>
      <td>{due}<br><span class="small">{state}</span></td>
      <td><a href="{move_url}">Move<span class="visually-hidden"> claim {number}</span></a></td>
    </tr>"""


def results_row(claim, claim_url, moderator_url, move_url) -> str:
    """A claim's row of the results clock's list, written here rather than by the template
    row by row. Every value is escaped with ``html.escape``."""
    moderator = claim.moderator
    return mark_safe(
        _RESULTS_ROW.format(
            claim_url=claim_url(claim.centre.number, claim.pk),
            number=escape(claim.number),
            centre_number=escape(claim.centre.number),
            centre_name=escape(claim.centre.name),
            entry_code=escape(claim.qualification.entry_code),
            moderator=f'<a href="{moderator_url(moderator.pk)}">'
            f"{escape(moderator.get_full_name())}</a>"
            if moderator
            else "—",
            received=dates.when(claim.work_received_at) or "—",
            due=dates.when(claim.results_due_on),
            state=claim_state(claim.working_days_left, claim.working_days_overdue),
            move_url=move_url(claim.pk),
        )
    )


def claim_state(left, overdue) -> str:
    """What ``moderation/staff/_claim_state.html`` writes of a claim's working days left;
    ``tests/moderation/test_staff.py`` checks the two agree."""
    if left is None:
        return "—"
    if left < 0:
        return f'<span class="deadline-breach">{overdue} working day{_s(overdue)} overdue</span>'
    if left <= 5:
        return f'<span class="deadline-amber">{left} working day{_s(left)} left (at risk)</span>'
    return f"{left} working days left"


def _s(n) -> str:
    return "" if n == 1 else "s"
