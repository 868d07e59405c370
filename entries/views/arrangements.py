"""Access arrangements: the centre's list and application form; the staff referral queue."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, ListView

from centres.tenancy import CentreMixin
from ocradmin.identifiers import parse_id
from ocradmin.sorting import SortMixin
from ocradmin.views import StaffRequiredMixin
from ocradmin.workdays import working_days_ages

from ..filters import ArrangementFilter
from ..forms.arrangements import ArrangementForm, RejectArrangementForm
from ..models import AccessArrangement, Candidate
from ..selectors import arrangements_in, referred_arrangements
from ..services import EntryError
from ..services.arrangements import (
    apply_for_arrangement,
    approve_arrangement,
    reject_arrangement,
)
from .candidates import show_refusal


class ArrangementListView(CentreMixin, SortMixin, ListView):
    template_name = "entries/arrangements/list.html"
    centre_permission = "entries.view_arrangements"
    centre_section = "arrangements"
    paginate_by = 50
    sort_columns = {
        "candidate": ("Candidate", ["candidate__last_name", "candidate__first_name"]),
        "qualification": ("Qualification", ["qualification__entry_code"]),
        "first_assessment": ("First assessment", ["first_assessment_on"]),
        "applied": ("Applied", ["requested_at"]),
        "status": ("Status", ["status"]),
    }
    default_sort = "-applied"
    default_sort_description = "newest first"

    def get_queryset(self):
        self.filterset = ArrangementFilter(
            self.request.GET, queryset=arrangements_in(self.centre), centre=self.centre
        )
        return self.sort(self.filterset.qs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            can_manage=self.request.user.has_perm("entries.manage_arrangements", self.centre),
            delegated_limit=AccessArrangement.EXTRA_TIME_DELEGATED_LIMIT,
        )
        return context


class ArrangementCreateView(CentreMixin, FormView):
    template_name = "entries/arrangements/form.html"
    centre_permission = "entries.manage_arrangements"
    centre_section = "arrangements"
    form_class = ArrangementForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def get_initial(self):
        initial = super().get_initial()
        pk = parse_id(self.request.GET.get("candidate"))
        if pk and Candidate.objects.filter(centre=self.centre, pk=pk).exists():
            initial["candidate"] = pk
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["delegated_limit"] = AccessArrangement.EXTRA_TIME_DELEGATED_LIMIT
        return context

    def form_valid(self, form):
        try:
            arrangement = apply_for_arrangement(
                centre=self.centre, by=self.request.user, **form.cleaned_data
            )
        except EntryError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        if arrangement.status == AccessArrangement.Status.APPROVED:
            messages.success(
                self.request,
                f"{arrangement} approved: it is within the centre's delegated authority.",
            )
        else:
            messages.info(
                self.request,
                f"{arrangement} referred to the awarding body; you will be told the decision.",
            )
        return redirect("entries:arrangements", self.centre.number)


class StaffArrangementQueueView(StaffRequiredMixin, ListView):
    template_name = "entries/arrangements/staff_queue.html"
    paginate_by = 50

    def get_queryset(self):
        return referred_arrangements()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        arrangements = list(context["object_list"])
        ages = working_days_ages(a.requested_at for a in arrangements)
        for arrangement, age in zip(arrangements, ages, strict=True):
            arrangement.age_working_days = age
        context["reject_form"] = RejectArrangementForm()
        return context


class StaffArrangementDecisionView(StaffRequiredMixin, View):
    def post(self, request, pk):
        arrangement = get_object_or_404(AccessArrangement, pk=pk)
        try:
            if request.POST.get("decision") == "approve":
                approve_arrangement(arrangement=arrangement, by=request.user)
                messages.success(request, f"{arrangement} approved; the centre has been told.")
            else:
                form = RejectArrangementForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                reject_arrangement(arrangement=arrangement, by=request.user, reason=reason)
                messages.success(request, f"{arrangement} rejected; the centre has been told.")
        except EntryError as error:
            messages.error(request, str(error))
        return redirect("entries:staff-arrangements")
