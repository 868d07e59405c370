"""The centre's entries: the list with each entry's state, new named and unnamed entries,
amending a waiting entry, and withdrawing one."""

from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timeuntil
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from centres.tenancy import CentreMixin
from ocradmin import audit
from ocradmin.exports import export_response
from ocradmin.identifiers import parse_id
from ocradmin.links import row_link
from ocradmin.sorting import SortMixin
from ocradmin.templatetags.dates import Times

from ..filters import EntryFilter
from ..forms.entries import AmendEntryForm, NamedEntryForm, UnnamedEntryForm
from ..forms.withdraw import WithdrawEntryForm
from ..models import Entry
from ..selectors import (
    allocations_for,
    centre_entries,
    entry_page_rows,
    search_candidates,
)
from ..services import EntryError
from ..services.entries import (
    amend_entry,
    make_named_entry,
    make_unnamed_entry,
    withdraw_entry,
    withdrawal_blocker,
)

ENTRY_SORTS = {
    "submitted": ("Submitted", ["submitted_at"]),
    "candidate": ("Candidate", ["candidate__last_name", "candidate__first_name"]),
    "number": ("Candidate number", ["candidate__candidate_number"]),
    "qualification": ("Qualification", ["qualification__entry_code"]),
    "unit": ("Unit", ["unit__number"]),
    "state": ("State", ["status"]),
}

EXPORT_COLUMNS = [
    "submitted_at",
    "candidate_number",
    "last_name",
    "first_name",
    "uci",
    "unnamed_quantity",
    "entry_code",
    "qualification",
    "unit",
    "option_code",
    "state",
    "process_by",
    "processed_at",
    "rejection_reason",
    "withdrawn_at",
    "withdrawal_reason",
]
EXPORT_FIELDS = [
    "submitted_at",
    "candidate__candidate_number",
    "candidate__last_name",
    "candidate__first_name",
    "candidate__uci",
    "kind",
    "quantity",
    "qualification__entry_code",
    "qualification__title",
    "unit__number",
    "option_code",
    "status",
    "process_by",
    "processed_at",
    "rejection_reason",
    "withdrawn_at",
    "withdrawal_reason",
]


def entry_export_rows(entries):
    states = dict(Entry.Status.choices)
    zone = timezone.get_current_timezone()

    def _local(value) -> str:
        """A moment as the centre reads it: UK time, to the minute (``2021-05-03 14:05``),
        written out directly (``strftime`` costs several times as much; a file has thousands)."""
        if not value:
            return ""
        v = value.astimezone(zone)
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}"

    for row in entries.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000):
        (submitted, number, last, first, uci, kind, quantity, code, title, unit, option,
         status, process_by, processed, rejection, withdrawn, withdrawal) = row  # fmt: skip
        yield (
            _local(submitted),
            number or "",
            last or "",
            first or "",
            uci or "",
            quantity if kind == Entry.Kind.UNNAMED else "",
            code,
            title,
            unit if unit is not None else "full award",
            option,
            states.get(status, status),
            _local(process_by),
            _local(processed),
            rejection,
            _local(withdrawn),
            withdrawal,
        )


class EntryListMixin(SortMixin):
    sort_columns = ENTRY_SORTS
    default_sort = "-submitted"
    default_sort_description = "newest first"

    def filtered_entries(self):
        self.filterset = EntryFilter(
            self.request.GET, queryset=centre_entries(self.centre), centre=self.centre
        )
        return self.sort(self.filterset.qs)


# The entries list's rows, written here rather than by the template: ~30 variable lookups a
# row cost more than the rest of the page (as for the grades grid). Every value is escaped with
# the standard library's ``html.escape``.
_ROW = """<tr>
      <td class="entry-submitted">{submitted}</td>
      <td>{candidate}</td>
      <td><span class="ident">{code}</span> <span class="small text-muted">{title}</span></td>
      <td>{unit}</td>
      <td class="d-none d-md-table-cell">{option}</td>
      <td>
        {state}
      </td>{actions}
    </tr>"""
_CANDIDATE = '<span class="ident">{number}</span> <a href="{url}">{last_name}, {first_name}</a>'
_ACTIONS = """
      <td class="text-nowrap">
        {change}
        {withdraw}
      </td>"""
_CHANGE = '<a href="{url}">Change<span class="visually-hidden"> entry {pk}</span></a>'
_WITHDRAW = (
    '<a class="link-danger ms-2" href="{url}?next={next}">Withdraw'
    '<span class="visually-hidden"> entry {pk}</span></a>'
)
_OVERDUE = '<span class="deadline-breach">(overdue; the awarding body has been told)</span>'


@dataclass(frozen=True)
class EntryRow:
    pk: int
    html: str


def _state(
    status, process_by, processed_at, rejection, withdrawn_at, withdrawal, now, times
) -> str:
    """The state cell: what happened to the entry, or when it will be processed."""
    if status == Entry.Status.SUBMITTED:
        if process_by > now:
            left = f'<span class="text-muted">({escape(timeuntil(process_by, now))} left)</span>'
        else:
            left = _OVERDUE
        return f"Submitted — will be processed by {times.element(process_by)}\n          {left}"
    if status == Entry.Status.NEEDS_REVIEW:
        return f"With awarding-body staff — due by {times.element(process_by)}"
    if status == Entry.Status.ACCEPTED:
        if not processed_at:
            return "Accepted"
        return f"Accepted {times.element(processed_at, with_time=False)}"
    if status == Entry.Status.REJECTED:
        return f"Rejected: {escape(rejection or 'no reason given')}"
    withdrawn = (
        f"Withdrawn {times.element(withdrawn_at, with_time=False)}" if withdrawn_at else "Withdrawn"
    )
    return f"{withdrawn}: {escape(withdrawal)}" if withdrawal else withdrawn


def entry_rows(values, centre, *, can_manage: bool, back: str, now) -> list[EntryRow]:
    """The rows of the entries list from ``ENTRY_ROW_FIELDS`` tuples, with their HTML."""
    number = centre.number
    candidate_url = row_link("entries:candidate", number)
    amend_url = row_link("entries:amend", number)
    withdraw_url = row_link("entries:withdraw", number)
    back = escape(quote(back, safe=""))
    live = set(Entry.LIVE)
    times = Times()
    rows = []
    for (pk, candidate_id, candidate_number, first_name, last_name, quantity, code, title,
         unit_id, unit_number, option, status, submitted_at, process_by, processed_at,
         rejection, withdrawn_at, withdrawal) in values:  # fmt: skip
        if candidate_id:
            candidate = _CANDIDATE.format(
                number=escape(candidate_number),
                url=candidate_url(candidate_id),
                last_name=escape(last_name),
                first_name=escape(first_name),
            )
        else:
            candidate = f"{quantity} unnamed candidate{'' if quantity == 1 else 's'}"
        actions = ""
        if can_manage:
            actions = _ACTIONS.format(
                change=_CHANGE.format(url=amend_url(pk), pk=pk)
                if status == Entry.Status.SUBMITTED
                else "",
                withdraw=_WITHDRAW.format(url=withdraw_url(pk), next=back, pk=pk)
                if status in live
                else "",
            )
        html = _ROW.format(
            submitted=times.element(submitted_at),
            candidate=candidate,
            code=escape(code),
            title=escape(title),
            unit=f"Unit {escape(str(unit_number))}" if unit_id else "Full award",
            option=escape(option) if option else "—",
            state=_state(
                status, process_by, processed_at, rejection, withdrawn_at, withdrawal, now, times
            ),
            actions=actions,
        )
        rows.append(EntryRow(pk, mark_safe(html)))
    return rows


class EntryListView(CentreMixin, EntryListMixin, ListView):
    template_name = "entries/entries/list.html"
    centre_permission = "entries.view_entries"
    centre_section = "entries"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        """The ids of the entries the list shows, in its order: the page is cut from them in
        the index, and only the page's rows are read whole (``entry_page_rows``)."""
        return self.filtered_entries().values("pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_manage = self.request.user.has_perm("entries.manage_entries", self.centre)
        context.update(
            entries=entry_rows(
                entry_page_rows(context["page_obj"].object_list, self.get_sorting().apply),
                self.centre,
                can_manage=can_manage,
                back=self.request.get_full_path(),
                now=timezone.now(),
            ),
            filter=self.filterset,
            allocations=list(allocations_for(self.centre)),
            can_manage=can_manage,
        )
        return context


class EntryExportView(CentreMixin, EntryListMixin, View):
    """The entries the list shows (its filters and order), every page, as CSV or Excel."""

    centre_permission = "entries.view_entries"
    file_format = "csv"

    def get(self, request, *args, **kwargs):
        entries = self.filtered_entries()
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action="entries.exported",
                centre=self.centre,
                data={"format": self.file_format, "filters": self.export_query()},
            )
        return export_response(
            file_format=self.file_format,
            name=f"entries-{self.centre.number}",
            columns=EXPORT_COLUMNS,
            rows=entry_export_rows(entries),
            title=f"Entries {self.centre.number}",
        )


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


class OneEntryMixin:
    """The centre's entry named in the address (another centre's: 404), read once."""

    def get_entry(self):
        if not hasattr(self, "entry"):
            self.entry = get_object_or_404(
                Entry.objects.select_related("qualification", "unit", "candidate"),
                centre=self.centre,
                pk=self.kwargs["pk"],
            )
        return self.entry


class AmendEntryView(CentreMixin, OneEntryMixin, FormView):
    template_name = "entries/entries/amend.html"
    centre_permission = "entries.manage_entries"
    centre_section = "entries"
    form_class = AmendEntryForm

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


class WithdrawEntryView(CentreMixin, OneEntryMixin, FormView):
    """A confirmation page naming the candidate and the qualification; the centre gives its
    reason, and the entry is withdrawn (audited with the reason)."""

    template_name = "entries/entries/withdraw.html"
    centre_permission = "entries.manage_entries"
    centre_section = "entries"
    form_class = WithdrawEntryForm

    def back_url(self) -> str:
        back = self.request.POST.get("next") or self.request.GET.get("next", "")
        list_url = reverse("entries:list", args=[self.centre.number])
        # Only back to the entries list (with its filters): never to another site.
        return back if back.startswith(list_url) and "//" not in back else list_url

    def get_context_data(self, **kwargs):
        entry = self.get_entry()
        return super().get_context_data(
            entry=entry,
            blocker=withdrawal_blocker(entry),
            back_url=self.back_url(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            entry = withdraw_entry(
                entry=self.get_entry(), by=self.request.user, reason=form.cleaned_data["reason"]
            )
        except EntryError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"Entry withdrawn: {entry}.")
        return redirect(self.back_url())
