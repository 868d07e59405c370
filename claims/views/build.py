"""Building a draft claim by candidate (the units of one learner) or by unit (one unit across
learners). Each grade is saved as it is chosen (htmx, answering with the row) or, without
JavaScript, by the row's own Save button."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from centres.models import Unit
from entries.models import Candidate
from ocradmin.identifiers import parse_id

from ..models import ClaimLine
from ..selectors import (
    achieved_units,
    claim_candidates,
    claim_units,
    full_award_candidate_ids,
    taken_elsewhere,
)
from ..services import ClaimError
from ..services.claims import award_shortfall, mark_full_award, save_line, unmark_full_award
from .mixins import ClaimMixin


@dataclass
class Row:
    candidate: Candidate
    unit: Unit
    grade: str
    blocked: str = ""  # why the pair cannot be claimed here
    message: str = ""
    kind: str = ""  # "saved" or "error"
    mode: str = "candidate"  # the page: rows are units ("candidate") or candidates ("unit")
    arrangements: tuple = ()
    achieved: bool = False

    @property
    def key(self) -> str:
        return f"{self.candidate.pk}-{self.unit.pk}"


class BuildMixin(ClaimMixin):
    centre_permission = "claims.build_claims"

    def get(self, request, *args, **kwargs):
        claim = self.get_claim()
        if not claim.is_draft:
            messages.info(
                request,
                f"Claim {claim.number} has been submitted; only the examiner-moderator can "
                "change it now.",
            )
            return redirect("claims:claim", self.centre.number, claim.pk)
        return super().get(request, *args, **kwargs)

    def draft(self):
        return self.get_claim()

    def candidates(self):
        return {row["candidate"].pk: row for row in claim_candidates(self.get_claim())}


def _rows(claim, pairs, mode, eligible, arrangements=None):
    """One row per (candidate, unit) pair with its grade and why it is blocked, if it is."""
    candidate_ids = {c.pk for c, _ in pairs}
    grades = {
        (c, u): g
        for c, u, g in ClaimLine.objects.filter(
            claim=claim, candidate_id__in=candidate_ids
        ).values_list("candidate_id", "unit_id", "grade")
    }
    elsewhere = taken_elsewhere(claim, candidate_ids)
    achieved = achieved_units(claim.qualification, candidate_ids, exclude_claim_id=claim.pk)
    rows = []
    for candidate, unit in pairs:
        key = (candidate.pk, unit.pk)
        blocked = ""
        if key in elsewhere:
            blocked = f"Claimed on {elsewhere[key]}"
        elif unit.pk not in eligible.get(candidate.pk, set()):
            blocked = "No accepted entry for this unit"
        rows.append(
            Row(
                candidate=candidate,
                unit=unit,
                grade=grades.get(key, ""),
                blocked=blocked,
                mode=mode,
                arrangements=tuple((arrangements or {}).get(candidate.pk, ())),
                achieved=unit.pk in achieved.get(candidate.pk, set()),
            )
        )
    return rows


class BuildByCandidateView(BuildMixin, TemplateView):
    template_name = "claims/build/candidate.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.draft()
        candidates = self.candidates()
        row = candidates.get(self.kwargs["candidate_pk"])
        if row is None:
            raise Http404("That candidate has no accepted entry for this qualification.")
        candidate = row["candidate"]
        units = claim_units(claim)
        eligible = {candidate.pk: row["unit_ids"]}
        context.update(
            candidate=candidate,
            arrangements=row["arrangements"],
            full_award_entry=row["full_award_entry"],
            is_full_award=candidate.pk in full_award_candidate_ids(claim),
            shortfall=award_shortfall(claim, candidate, units) if row["full_award_entry"] else None,
            rows=_rows(claim, [(candidate, u) for u in units], "candidate", eligible),
            others=list(candidates.values()),
        )
        return context


class BuildByUnitView(BuildMixin, TemplateView):
    template_name = "claims/build/unit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.draft()
        units = claim_units(claim)
        unit = next((u for u in units if u.pk == self.kwargs["unit_pk"]), None)
        if unit is None:
            raise Http404("That unit is not in this qualification.")
        candidates = [row for row in self.candidates().values() if unit.pk in row["unit_ids"]]
        eligible = {row["candidate"].pk: row["unit_ids"] for row in candidates}
        arrangements = {row["candidate"].pk: row["arrangements"] for row in candidates}
        context.update(
            unit=unit,
            units=units,
            rows=_rows(
                claim,
                [(row["candidate"], unit) for row in candidates],
                "unit",
                eligible,
                arrangements,
            ),
        )
        return context


class ChooseView(BuildMixin, View):
    """The claim page's "build by candidate / by unit" pickers (a GET form without JavaScript)."""

    def get(self, request, *args, **kwargs):
        claim = self.draft()
        candidate, unit = request.GET.get("candidate", ""), request.GET.get("unit", "")
        if candidate_id := parse_id(candidate):
            return redirect("claims:build-candidate", self.centre.number, claim.pk, candidate_id)
        if unit_id := parse_id(unit):
            return redirect("claims:build-unit", self.centre.number, claim.pk, unit_id)
        messages.error(request, "Choose a candidate or a unit.")
        return redirect("claims:claim", self.centre.number, claim.pk)


class SaveLineView(BuildMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        claim = self.get_claim()
        candidate_pk, unit_pk = (
            parse_id(request.POST.get("candidate")),
            parse_id(request.POST.get("unit")),
        )
        if candidate_pk is None or unit_pk is None:
            messages.error(request, "Choose a candidate and a unit.")
            return redirect("claims:claim", self.centre.number, claim.pk)
        candidate = get_object_or_404(Candidate, centre=self.centre, pk=candidate_pk)
        unit = get_object_or_404(Unit, qualification_id=claim.qualification_id, pk=unit_pk)
        mode = "unit" if request.POST.get("mode") == "unit" else "candidate"
        grade = request.POST.get(f"grade-{candidate.pk}-{unit.pk}", request.POST.get("grade", ""))
        try:
            line = save_line(
                claim=claim, candidate=candidate, unit=unit, grade=grade, by=request.user
            )
            message, kind = ("Saved" if line else "Removed"), "saved"
        except ClaimError as error:
            message, kind = str(error), "error"
        if not request.htmx:
            (messages.success if kind == "saved" else messages.error)(
                request, f"{candidate.candidate_number} unit {unit.number}: {message}"
            )
            return redirect(self._back(claim, candidate, unit, mode))
        eligible = {row["candidate"].pk: row["unit_ids"] for row in claim_candidates(claim)}
        row = _rows(claim, [(candidate, unit)], mode, eligible)[0]
        row.message, row.kind = message, kind
        return render(
            request,
            "claims/build/_row.html",
            {"row": row, "claim": claim, "centre": self.centre, "can_build": claim.is_draft},
        )

    def _back(self, claim, candidate, unit, mode):
        if mode == "unit":
            return reverse("claims:build-unit", args=[self.centre.number, claim.pk, unit.pk])
        return reverse("claims:build-candidate", args=[self.centre.number, claim.pk, candidate.pk])


class FullAwardView(BuildMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        claim = self.get_claim()
        candidate_pk = parse_id(request.POST.get("candidate"))
        if candidate_pk is None:
            messages.error(request, "Choose a candidate.")
            return redirect("claims:claim", self.centre.number, claim.pk)
        candidate = get_object_or_404(Candidate, centre=self.centre, pk=candidate_pk)
        try:
            if request.POST.get("full_award") == "yes":
                mark_full_award(claim=claim, candidate=candidate, by=request.user)
                messages.success(
                    request, f"{candidate.candidate_number} is claimed for the full award."
                )
            else:
                unmark_full_award(claim=claim, candidate=candidate, by=request.user)
                messages.success(
                    request,
                    f"{candidate.candidate_number} is no longer claimed for the full award.",
                )
        except ClaimError as error:
            messages.error(request, str(error))
        return redirect("claims:build-candidate", self.centre.number, claim.pk, candidate.pk)
