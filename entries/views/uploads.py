"""Bulk upload of named entries: the upload page (template, form, recent uploads), an
upload's status page (its progress, errors or preview) and its confirmation."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView

from centres.models import QualificationApproval
from centres.tenancy import CentreMixin

from ..forms.uploads import EntryUploadForm
from ..models import EntryUpload
from ..services import EntryError
from ..services.uploads import ERRORS_KEPT, confirm_upload, start_upload
from ..uploads import (
    COLUMNS,
    MAX_ROWS,
    describe_size,
    max_upload_bytes,
    template_csv,
    template_xlsx,
)

IN_PROGRESS = (EntryUpload.Status.CHECKING, EntryUpload.Status.IMPORTING)


class EntryUploadView(CentreMixin, ListView):
    """GET: the template, the form and the centre's recent uploads. POST: upload a file."""

    template_name = "entries/uploads/upload.html"
    centre_permission = "entries.view_uploads"
    centre_section = "entries"
    paginate_by = 20

    def get_queryset(self):
        return (
            EntryUpload.objects.filter(centre=self.centre)
            .select_related("uploaded_by")
            .defer("errors")
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_upload"] = self.request.user.has_perm("entries.manage_entries", self.centre)
        context.setdefault("form", EntryUploadForm())
        context["columns"] = COLUMNS
        context["max_rows"] = MAX_ROWS
        context["max_size"] = describe_size(max_upload_bytes())
        return context

    def post(self, request, *args, **kwargs):
        self.require("entries.manage_entries")
        form = EntryUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = start_upload(
                    centre=self.centre, file=form.cleaned_data["file"], by=request.user
                )
            except EntryError as error:
                form.add_error("file", str(error))
            else:
                return redirect("entries:upload-status", self.centre.number, upload.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class EntryUploadTemplateView(CentreMixin, View):
    """The template file, with the header row and one example row."""

    centre_permission = "entries.view_uploads"
    fmt = "csv"

    def get(self, request, *args, **kwargs):
        example = self.example_row()
        filename = f"entries-template-{self.centre.number}.{self.fmt}"
        if self.fmt == "xlsx":
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            body = template_xlsx(example)
        else:
            content_type = "text/csv; charset=utf-8"
            body = template_csv(example)
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def example_row(self) -> dict:
        """An example with one of the centre's approved qualifications, when it has one."""
        approval = (
            QualificationApproval.objects.filter(
                centre=self.centre, status=QualificationApproval.Status.APPROVED
            )
            .select_related("qualification")
            .order_by("qualification__entry_code")
            .first()
        )
        entry_code, unit_number, option_code = "05838", "1", ""
        if approval is not None:
            qualification = approval.qualification
            entry_code = qualification.entry_code
            unit = qualification.units.order_by("number").first()
            unit_number = unit.number if unit else ""
            option_code = str((qualification.option_codes or [""])[0])
        year = timezone.localdate().year
        return {
            "candidate_number": "0001",
            "uci": "",
            "uln": "9276308686",
            "first_name": "Amelia",
            "last_name": "Khan",
            "date_of_birth": f"{year - 17}-09-14",
            "sex": "F",
            "entry_code": entry_code,
            "unit_number": unit_number,
            "option_code": option_code,
        }


class UploadObjectMixin(CentreMixin):
    centre_permission = "entries.view_uploads"
    centre_section = "entries"

    def get_upload(self):
        # Through the centre: another centre's upload is 404.
        return get_object_or_404(
            EntryUpload.objects.select_related("uploaded_by"),
            centre=self.centre,
            pk=self.kwargs["pk"],
        )


class EntryUploadStatusView(UploadObjectMixin, DetailView):
    """One upload: progress while checking or importing, then its errors or its preview."""

    template_name = "entries/uploads/status.html"
    context_object_name = "upload"

    def get_object(self, queryset=None):
        return self.get_upload()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        upload = self.object
        context["can_confirm"] = upload.status == EntryUpload.Status.READY and (
            self.request.user.has_perm("entries.manage_entries", self.centre)
        )
        context["in_progress"] = upload.status in IN_PROGRESS
        error_count = upload.summary.get("error_count", len(upload.errors))
        context["error_count"] = error_count
        context["errors_cut"] = error_count > len(upload.errors)
        context["errors_kept"] = ERRORS_KEPT
        return context


class EntryUploadProgressView(UploadObjectMixin, DetailView):
    """The fragment the status page polls (htmx, every second) while the upload is busy.

    Once the upload has settled the answer asks htmx to reload the whole page, which then
    shows the errors or the preview.
    """

    template_name = "entries/uploads/_progress.html"
    context_object_name = "upload"

    def get_object(self, queryset=None):
        return self.get_upload()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status not in IN_PROGRESS:
            if not request.htmx:
                return redirect("entries:upload-status", self.centre.number, self.object.pk)
            response = HttpResponse()
            response["HX-Refresh"] = "true"
            return response
        context = self.get_context_data(object=self.object, in_progress=True)
        return self.render_to_response(context)


class EntryUploadConfirmView(UploadObjectMixin, View):
    """POST: make the entries of a checked upload."""

    centre_permission = "entries.manage_entries"

    def post(self, request, *args, **kwargs):
        upload = self.get_upload()
        try:
            upload = confirm_upload(upload=upload, by=request.user)
        except EntryError as error:
            messages.error(request, str(error))
        else:
            entries = upload.summary.get("entries", upload.row_count)
            messages.info(request, f"Creating {entries} entries from {upload.original_name}.")
        return redirect("entries:upload-status", self.centre.number, upload.pk)
