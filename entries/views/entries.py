"""The centre's entries: the list with each entry's state, new named and unnamed entries,
amending a waiting entry, and withdrawing one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from centres.tenancy import CentreMixin
from ocradmin.identifiers import parse_id

from ..filters import EntryFilter
from ..forms.entries import AmendEntryForm, NamedEntryForm, UnnamedEntryForm
from ..models import Entry
from ..selectors import allocations_for, centre_entries, search_candidates
from ..services import EntryError
from ..services.entries import amend_entry, make_named_entry, make_unnamed_entry, withdraw_entry


class EntryListView(CentreMixin, ListView):
    template_name = "entries/entries/list.html"
    centre_permission = "entries.view_entries"
    centre_section = "entries"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = EntryFilter(
            self.request.GET, queryset=centre_entries(self.centre), centre=self.centre
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            allocations=list(allocations_for(self.centre)),
            can_manage=self.request.user.has_perm("entries.manage_entries", self.centre),
            now=timezone.now(),
        )
        return context


class _NewEntryView(CentreMixin, FormView):
    centre_permission = "entries.manage_entries"
    centre_section = "entries"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def form_valid(self, form):
        try:
            entry = self.make(form.cleaned_data)
        except EntryError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Entry made: {entry}. It will be processed by "
            f"{dateformat.format(timezone.localtime(entry.process_by), 'j M Y, H:i')}.",
        )
        return redirect("entries:list", self.centre.number)


class NamedEntryCreateView(_NewEntryView):
    template_name = "entries/entries/new_named.html"
    form_class = NamedEntryForm

    def get_initial(self):
        candidate = self.request.GET.get("candidate", "")
        return {"candidate": candidate} if parse_id(candidate) else {}

    def make(self, data):
        return make_named_entry(
            centre=self.centre,
            candidate=data["candidate"],
            qualification=data["qualification"],
            unit=data["unit"],
            option_code=data.get("option_code", ""),
            by=self.request.user,
        )


class EntryFieldsView(CentreMixin, TemplateView):
    """The unit list and option codes of the qualification chosen on a new entry form (htmx
    swaps them in when the qualification changes)."""

    template_name = "entries/entries/_qualification_fields.html"
    centre_permission = "entries.manage_entries"

    def get_context_data(self, **kwargs):
        form_class = (
            UnnamedEntryForm if self.request.GET.get("kind") == "unnamed" else NamedEntryForm
        )
        qualification = self.request.GET.get("qualification", "")
        form = form_class(
            centre=self.centre,
            initial={"qualification": qualification} if parse_id(qualification) else {},
        )
        return {**super().get_context_data(**kwargs), "form": form}


class CandidateSearchView(CentreMixin, TemplateView):
    """Up to ``LIMIT`` of the centre's candidates whose name or number matches what was typed
    on the named entry form, as radio buttons to choose from."""

    template_name = "entries/entries/_candidate_results.html"
    centre_permission = "entries.manage_entries"
    LIMIT = 20

    def get_context_data(self, **kwargs):
        query = (self.request.GET.get("candidate_query") or self.request.GET.get("q") or "")[:100]
        found = list(search_candidates(self.centre, query, limit=self.LIMIT + 1))
        return {
            **super().get_context_data(**kwargs),
            "query": query.strip(),
            "candidates": found[: self.LIMIT],
            "more": len(found) > self.LIMIT,
            "limit": self.LIMIT,
        }


class UnnamedEntryCreateView(_NewEntryView):
    template_name = "entries/entries/new_unnamed.html"
    form_class = UnnamedEntryForm

    def make(self, data):
        return make_unnamed_entry(
            centre=self.centre,
            qualification=data["qualification"],
            quantity=data["quantity"],
            unit=data["unit"],
            by=self.request.user,
        )


class AmendEntryView(CentreMixin, FormView):
    template_name = "entries/entries/amend.html"
    centre_permission = "entries.manage_entries"
    centre_section = "entries"
    form_class = AmendEntryForm

    def get_entry(self):
        if not hasattr(self, "entry"):
            self.entry = get_object_or_404(
                Entry.objects.select_related("qualification", "unit", "candidate"),
                centre=self.centre,
                pk=self.kwargs["pk"],
            )
        return self.entry

    def get(self, request, *args, **kwargs):
        if self.get_entry().status != Entry.Status.SUBMITTED:
            messages.error(request, "Only entries waiting to be processed can be changed.")
            return redirect("entries:list", self.centre.number)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "entry": self.get_entry()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(entry=self.get_entry(), **kwargs)

    def form_valid(self, form):
        try:
            amend_entry(entry=self.get_entry(), by=self.request.user, **form.cleaned_data)
        except EntryError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"Entry changed: {self.entry}.")
        return redirect("entries:list", self.centre.number)


class WithdrawEntryView(CentreMixin, View):
    centre_permission = "entries.manage_entries"
    http_method_names = ["post"]

    def post(self, request, number, pk):
        entry = get_object_or_404(Entry, centre=self.centre, pk=pk)
        try:
            entry = withdraw_entry(entry=entry, by=request.user)
        except EntryError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Entry withdrawn: {entry}.")
        back = request.POST.get("next", "")
        list_url = reverse("entries:list", args=[self.centre.number])
        return redirect(back if back.startswith(list_url) else list_url)
