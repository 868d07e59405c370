"""The work of a submitted claim: upload each candidate's evidence or record the postal
dispatch; download a file (streamed, audited)."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from ..forms.work import DispatchForm, EvidenceForm
from ..models import Dispatch, Evidence
from ..selectors import claim_evidence, claim_lines, evidence_bytes
from ..services import ClaimError
from ..services.work import add_evidence, record_dispatch, record_download
from .mixins import ClaimMixin


def work_rows(lines, evidence):
    """One row per line (candidate × unit) with its files."""
    files = {}
    for item in evidence:
        files.setdefault((item.candidate_id, item.unit_id), []).append(item)
    return [
        {"line": line, "files": files.get((line.candidate_id, line.unit_id), [])} for line in lines
    ]


def dispatch_of(claim):
    return Dispatch.objects.filter(claim=claim).first()


class WorkView(ClaimMixin, TemplateView):
    template_name = "claims/work/work.html"

    def get(self, request, *args, **kwargs):
        if self.get_claim().is_draft:
            messages.info(request, "Submit the claim first; then send the candidates' work.")
            return redirect("claims:claim", self.centre.number, self.get_claim().pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.get_claim()
        lines = claim_lines(claim)
        evidence = claim_evidence(claim)
        rows = work_rows(lines, evidence)
        context.update(
            rows=rows,
            missing=sum(1 for row in rows if not row["files"]),
            dispatch=dispatch_of(claim),
            evidence_form=kwargs.get("evidence_form") or EvidenceForm(lines=lines),
            dispatch_form=kwargs.get("dispatch_form") or DispatchForm(),
            used_bytes=evidence_bytes(claim),
            now=timezone.now(),
        )
        return context


class UploadEvidenceView(WorkView):
    centre_permission = "claims.build_claims"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        claim = self.get_claim()
        form = EvidenceForm(request.POST, request.FILES, lines=claim_lines(claim))
        if form.is_valid():
            line = form.cleaned_data["line"]
            try:
                add_evidence(
                    claim=claim,
                    candidate=line.candidate,
                    unit=line.unit,
                    file=form.cleaned_data["file"],
                    by=request.user,
                )
            except ClaimError as error:
                form.add_error("file", str(error))
            else:
                messages.success(
                    request,
                    f"{form.cleaned_data['file'].name} uploaded for "
                    f"{line.candidate.candidate_number}, unit {line.unit.number}.",
                )
                return redirect("claims:work", self.centre.number, claim.pk)
        return self.render_to_response(self.get_context_data(evidence_form=form))


class RecordDispatchView(WorkView):
    centre_permission = "claims.build_claims"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        claim = self.get_claim()
        form = DispatchForm(request.POST)
        if form.is_valid():
            try:
                record_dispatch(claim=claim, by=request.user, **form.cleaned_data)
            except ClaimError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    "The postal dispatch is recorded: the work is sent. The examiner-moderator "
                    "will confirm when it arrives.",
                )
                return redirect("claims:work", self.centre.number, claim.pk)
        return self.render_to_response(self.get_context_data(dispatch_form=form))


def stream(evidence, user) -> FileResponse:
    record_download(evidence=evidence, by=user)
    response = FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )
    response["Content-Type"] = evidence.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


class DownloadEvidenceView(ClaimMixin, View):
    def get(self, request, *args, **kwargs):
        evidence = (
            Evidence.objects.filter(claim=self.get_claim(), pk=kwargs["evidence_pk"])
            .select_related("claim__centre", "candidate", "unit")
            .first()
        )
        if evidence is None:
            raise Http404("No such file.")
        return stream(evidence, request.user)
