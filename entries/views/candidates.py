"""The centre's candidates: list and search, add, edit, and a page per candidate."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from centres.tenancy import CentreMixin
from ocradmin import audit
from ocradmin.exports import export_response
from ocradmin.links import row_link
from ocradmin.sorting import SortMixin

from ..filters import CandidateFilter
from ..forms.candidates import CandidateForm, CorrectionForm
from ..models import Candidate
from ..pages import candidate_page
from ..selectors import (
    candidate_arrangements,
    candidate_corrections,
    candidate_entries,
    candidates_in,
)
from ..services import EntryError
from ..services.candidates import (
    EDITABLE_FIELDS,
    IDENTITY_FIELDS,
    InvalidFields,
    create_candidate,
    next_candidate_number,
    results_exist,
    update_candidate,
)
from ..services.corrections import request_correction


def show_refusal(form, error: EntryError) -> None:
    """Put a service's refusal on the form: per field when it says which, else on top."""
    if isinstance(error, InvalidFields):
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, str(error))


CANDIDATE_SORTS = {
    "number": ("Number", ["candidate_number"]),
    "name": ("Name", ["last_name", "first_name"]),
    "uci": ("UCI", ["uci"]),
    "date_of_birth": ("Date of birth", ["date_of_birth"]),
}

EXPORT_COLUMNS = [
    "candidate_number",
    "last_name",
    "first_name",
    "uci",
    "uln",
    "date_of_birth",
    "sex",
]


class CandidateListMixin(SortMixin):
    sort_columns = CANDIDATE_SORTS
    default_sort = "number"
    default_sort_description = "by candidate number"

    def filtered_candidates(self):
        self.filterset = CandidateFilter(self.request.GET, queryset=candidates_in(self.centre))
        return self.sort(self.filterset.qs)


class CandidateListView(CentreMixin, CandidateListMixin, ListView):
    template_name = "entries/candidates/list.html"
    centre_permission = "entries.view_candidates"
    centre_section = "candidates"
    paginate_by = 50

    def get_queryset(self):
        return self.filtered_candidates()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page_url = row_link("entries:candidate", self.centre.number)
        edit_url = row_link("entries:candidate-edit", self.centre.number)
        for candidate in context["object_list"]:
            candidate.page_url = page_url(candidate.pk)
            candidate.edit_url = edit_url(candidate.pk)
        context.update(
            filter=self.filterset,
            can_manage=self.request.user.has_perm("entries.manage_candidates", self.centre),
        )
        return context


class CandidateExportView(CentreMixin, CandidateListMixin, View):
    """The candidates the list shows (its search and order), every page, as CSV or Excel."""

    centre_permission = "entries.view_candidates"
    file_format = "csv"

    def get(self, request, *args, **kwargs):
        candidates = self.filtered_candidates()
        rows = (
            (number, last, first, uci, uln, born.isoformat(), sex)
            for number, last, first, uci, uln, born, sex in candidates.values_list(
                *EXPORT_COLUMNS
            ).iterator(chunk_size=2000)
        )
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action="candidates.exported",
                centre=self.centre,
                data={"format": self.file_format, "filters": self.export_query()},
            )
        return export_response(
            file_format=self.file_format,
            name=f"candidates-{self.centre.number}",
            columns=EXPORT_COLUMNS,
            rows=rows,
            title=f"Candidates {self.centre.number}",
            dates=("date_of_birth",),
        )


class CandidateDetailView(CentreMixin, DetailView):
    template_name = "entries/candidates/detail.html"
    centre_permission = "entries.view_candidates"
    centre_section = "candidates"
    context_object_name = "candidate"

    def get_object(self, queryset=None):
        return get_object_or_404(Candidate, centre=self.centre, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            entries=list(candidate_entries(self.object)),
            arrangements=list(candidate_arrangements(self.object)),
            corrections=list(candidate_corrections(self.object)),
            identity_fixed=results_exist(self.object),
            can_manage=user.has_perm("entries.manage_candidates", self.centre),
            can_view_arrangements=user.has_perm("entries.view_arrangements", self.centre),
            can_manage_arrangements=user.has_perm("entries.manage_arrangements", self.centre),
            can_manage_entries=user.has_perm("entries.manage_entries", self.centre),
            candidate_panels=candidate_page.render_list(self.request, self.object),
        )
        return context


class CandidateCreateView(CentreMixin, FormView):
    template_name = "entries/candidates/form.html"
    centre_permission = "entries.manage_candidates"
    centre_section = "candidates"
    form_class = CandidateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def get_initial(self):
        return {"candidate_number": next_candidate_number(self.centre) or ""}

    def form_valid(self, form):
        try:
            candidate = create_candidate(
                centre=self.centre, by=self.request.user, **form.cleaned_data
            )
        except EntryError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Candidate {candidate.candidate_number} {candidate.full_name} added "
            f"with UCI {candidate.uci}.",
        )
        return redirect("entries:candidate", self.centre.number, candidate.pk)


class CandidateUpdateView(CentreMixin, FormView):
    template_name = "entries/candidates/form.html"
    centre_permission = "entries.manage_candidates"
    centre_section = "candidates"
    form_class = CandidateForm

    def get_candidate(self):
        if not hasattr(self, "candidate"):
            self.candidate = get_object_or_404(Candidate, centre=self.centre, pk=self.kwargs["pk"])
        return self.candidate

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "editing": True,
            "centre": self.centre,
            "candidate": self.get_candidate(),
        }

    def get_initial(self):
        candidate = self.get_candidate()
        return {name: getattr(candidate, name) for name in EDITABLE_FIELDS}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["candidate"] = self.get_candidate()
        context["identity_fixed"] = results_exist(self.get_candidate())
        return context

    def form_valid(self, form):
        candidate = self.get_candidate()
        try:
            update_candidate(candidate=candidate, by=self.request.user, **form.cleaned_data)
        except EntryError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Candidate details saved.")
        return redirect("entries:candidate", self.centre.number, candidate.pk)


class CandidateCorrectionView(CentreMixin, FormView):
    """Ask staff to correct the identity of a candidate whose grades or results are in."""

    template_name = "entries/candidates/correction.html"
    centre_permission = "entries.manage_candidates"
    centre_section = "candidates"
    form_class = CorrectionForm

    def get_candidate(self):
        if not hasattr(self, "candidate"):
            self.candidate = get_object_or_404(Candidate, centre=self.centre, pk=self.kwargs["pk"])
        return self.candidate

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "centre": self.centre,
            "candidate": self.get_candidate(),
        }

    def get_initial(self):
        candidate = self.get_candidate()
        return {name: getattr(candidate, name) for name in IDENTITY_FIELDS}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "candidate": self.get_candidate()}

    def form_valid(self, form):
        candidate = self.get_candidate()
        try:
            request_correction(candidate=candidate, by=self.request.user, **form.cleaned_data)
        except EntryError as error:
            show_refusal(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            "Correction requested. The awarding body's staff will decide it and you will be "
            "told; the details change only if they approve it.",
        )
        return redirect("entries:candidate", self.centre.number, candidate.pk)
