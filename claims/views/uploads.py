"""Lines from a spreadsheet into a draft claim: the pre-filled template, the upload, and the
shared status page (check, preview, confirm: ``ocradmin.imports``)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from ocradmin import imports
from ocradmin.spreadsheets import write_csv, write_xlsx

from ..forms.uploads import LinesUploadForm
from ..models import ClaimUpload
from ..uploads import IMPORTER, LINE_COLUMNS, line_template_rows
from .build import BuildMixin


class LinesUploadView(BuildMixin, TemplateView):
    template_name = "claims/upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", LinesUploadForm())
        return context

    def post(self, request, *args, **kwargs):
        claim = self.get_claim()
        form = LinesUploadForm(request.POST, request.FILES)
        if claim.is_draft and form.is_valid():
            try:
                upload = imports.start_import(
                    IMPORTER,
                    centre=self.centre,
                    file=form.cleaned_data["file"],
                    by=request.user,
                    claim=claim,
                )
            except imports.ImportRefused as error:
                form.add_error("file", str(error))
            else:
                return redirect("claims:upload-status", self.centre.number, claim.pk, upload.pk)
        elif not claim.is_draft:
            form.add_error(None, f"Claim {claim.number} has been submitted; it cannot change.")
        return self.render_to_response(self.get_context_data(form=form))


class LinesTemplateView(BuildMixin, View):
    file_format = "csv"

    def get(self, request, *args, **kwargs):
        claim = self.get_claim()
        rows = line_template_rows(claim)
        code = claim.qualification.entry_code
        name = f"claim-{self.centre.number}-{code}.{self.file_format}"
        if self.file_format == "xlsx":
            body = write_xlsx(LINE_COLUMNS, rows, title=code)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body, content_type = write_csv(LINE_COLUMNS, rows), "text/csv; charset=utf-8"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class LinesUploadMixin(imports.ImportPageMixin, BuildMixin):
    importer = IMPORTER

    def get_upload(self):
        # Through the centre and the claim: anyone else's upload is 404.
        return get_object_or_404(
            ClaimUpload.objects.select_related("uploaded_by", "claim"),
            centre=self.centre,
            claim=self.get_claim(),
            pk=self.kwargs["upload_pk"],
        )

    def links(self, upload) -> dict:
        args = [self.centre.number, self.get_claim().pk]
        return {
            "back": reverse("claims:upload", args=args),
            "back_label": "Upload lines",
            "status": reverse("claims:upload-status", args=[*args, upload.pk]),
            "progress": reverse("claims:upload-progress", args=[*args, upload.pk]),
            "confirm": reverse("claims:upload-confirm", args=[*args, upload.pk]),
            "done": reverse("claims:claim", args=args),
            "done_label": "See the claim",
        }

    def may_confirm(self) -> bool:
        return self.get_claim().is_draft


class LinesUploadStatusView(LinesUploadMixin, imports.ImportStatusView):
    """One lines upload: progress, then its errors or the lines that will be added."""


class LinesUploadProgressView(LinesUploadMixin, imports.ImportProgressView):
    """The fragment the status page polls while the upload is busy."""


class LinesUploadConfirmView(LinesUploadMixin, imports.ImportConfirmView):
    """POST: add the lines of a checked upload."""
