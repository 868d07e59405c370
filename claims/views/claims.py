"""The centre's claims: the list, starting a claim, the claim page and submission."""

from collections import Counter, defaultdict

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView

from centres.tenancy import CentreMixin
from ocradmin.links import row_link

from ..filters import ClaimFilter
from ..forms.claims import StartClaimForm, SubmitClaimForm
from ..pages import claim_page
from ..selectors import (
    arrangements_for,
    centre_claims,
    claim_candidates,
    claim_lines,
    claim_units,
    full_award_candidate_ids,
)
from ..services import ClaimError
from ..services.claims import DraftExists, start_claim, submit_claim
from .mixins import ClaimMixin
from .rows import LIST_COLUMNS, list_row


class ClaimListView(CentreMixin, ListView):
    template_name = "claims/list.html"
    centre_permission = "claims.view_claims"
    centre_section = "claims"
    context_object_name = "claims"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = ClaimFilter(
            self.request.GET, queryset=centre_claims(self.centre), centre=self.centre
        )
        return self.filterset.qs.values(*LIST_COLUMNS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            filter=self.filterset,
            can_build=self.request.user.has_perm("claims.build_claims", self.centre),
            **kwargs,
        )
        # The rows are written here (``list_row``), not by the template cell by cell.
        now = timezone.now()
        claim_url = row_link("claims:claim", self.centre.number)
        context["rows"] = [list_row(claim, now, claim_url) for claim in context["claims"]]
        return context


class StartClaimView(CentreMixin, FormView):
    template_name = "claims/start.html"
    centre_permission = "claims.build_claims"
    centre_section = "claims"
    form_class = StartClaimForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def form_valid(self, form):
        try:
            claim = start_claim(
                centre=self.centre,
                qualification=form.cleaned_data["qualification"],
                by=self.request.user,
            )
        except DraftExists as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form, open_draft=error.draft))
        except ClaimError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Draft claim started for {claim.qualification.entry_code}. Add candidates by "
            "candidate or by unit; it is saved as you go.",
        )
        return redirect("claims:claim", self.centre.number, claim.pk)


def lines_by_candidate(lines, arrangements):
    rows = {}
    for line in lines:
        row = rows.setdefault(
            line.candidate_id,
            {
                "candidate": line.candidate,
                "lines": [],
                "arrangements": arrangements.get(line.candidate_id, []),
            },
        )
        row["lines"].append(line)
    return list(rows.values())


def lines_by_unit(lines, units):
    grouped = defaultdict(list)
    for line in lines:
        grouped[line.unit_id].append(line)
    return [
        {
            "unit": unit,
            "lines": grouped[unit.pk],
            "grades": sorted(
                Counter(line.grade for line in grouped[unit.pk]).items(),
                key=lambda item: (
                    unit.grade_scale.index(item[0]) if item[0] in unit.grade_scale else 99
                ),
            ),
        }
        for unit in units
        if grouped[unit.pk]
    ]


class ClaimDetailView(ClaimMixin, TemplateView):
    template_name = "claims/claim.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.get_claim()
        units = claim_units(claim)
        lines = claim_lines(claim, units)
        candidate_ids = {line.candidate_id for line in lines}
        by_unit = self.request.GET.get("by") == "unit"
        context.update(
            by_unit=by_unit,
            units=units,
            lines=lines,
            candidate_count=len(candidate_ids),
            rows=lines_by_unit(lines, units)
            if by_unit
            else lines_by_candidate(lines, arrangements_for(claim, candidate_ids)),
            full_awards=full_award_candidate_ids(claim),
            eligible=claim_candidates(claim) if context["can_build"] else [],
            now=timezone.now(),
            claim_panels=claim_page.render_list(self.request, claim),
        )
        return context


class SubmitClaimView(ClaimMixin, FormView):
    template_name = "claims/submit.html"
    centre_permission = "claims.build_claims"
    form_class = SubmitClaimForm

    def get(self, request, *args, **kwargs):
        if not self.get_claim().is_draft:
            messages.info(request, f"Claim {self.get_claim().number} has already been submitted.")
            return redirect("claims:claim", self.centre.number, self.get_claim().pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.get_claim()
        units = claim_units(claim)
        lines = claim_lines(claim, units)
        context.update(
            summary=lines_by_unit(lines, units),
            lines=lines,
            candidate_count=len({line.candidate_id for line in lines}),
            full_award_count=len(full_award_candidate_ids(claim)),
        )
        return context

    def form_valid(self, form):
        try:
            claim = submit_claim(claim=self.get_claim(), declaration=True, by=self.request.user)
        except ClaimError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Claim {claim.number} submitted. Send the candidates' work to the "
            f"examiner-moderator by {timezone.localtime(claim.work_due_at):%-d %B %Y, %H:%M}.",
        )
        return redirect("claims:work", self.centre.number, claim.pk)
