"""Bulk upload of named entries: the upload page (template, form, recent uploads), and an
upload's status page (its progress, errors or the rows to be written), on the shared pipeline's
views (``ocradmin.imports``)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from centres.models import QualificationApproval
from centres.tenancy import CentreMixin
from ocradmin import imports
from ocradmin.spreadsheets import MAX_ROWS, describe_size, max_bytes

from ..forms.uploads import EntryUploadForm
from ..models import EntryUpload
from ..uploads import COLUMNS, IMPORTER, example_row, template_csv, template_xlsx


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
            .defer("errors", "preview")
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_upload"] = self.request.user.has_perm("entries.manage_entries", self.centre)
        context.setdefault("form", EntryUploadForm())
        context["columns"] = COLUMNS
        context["max_rows"] = MAX_ROWS
        context["max_size"] = describe_size(max_bytes())
        return context

    def post(self, request, *args, **kwargs):
        self.require("entries.manage_entries")
        form = EntryUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = imports.start_import(
                    IMPORTER, centre=self.centre, file=form.cleaned_data["file"], by=request.user
                )
            except imports.ImportRefused as error:
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
        approval = (
            QualificationApproval.objects.filter(
                centre=self.centre, status=QualificationApproval.Status.APPROVED
            )
            .select_related("qualification")
            .order_by("qualification__entry_code")
            .first()
        )
        return example_row(approval, timezone.localdate().year)


class UploadObjectMixin(imports.ImportPageMixin, CentreMixin):
    centre_permission = "entries.view_uploads"
    centre_section = "entries"
    importer = IMPORTER

    def get_upload(self):
        # Through the centre: another centre's upload is 404.
        return get_object_or_404(
            EntryUpload.objects.select_related("uploaded_by"),
            centre=self.centre,
            pk=self.kwargs["pk"],
        )

    def links(self, upload) -> dict:
        args = [self.centre.number, upload.pk]
        return {
            "back": reverse("entries:upload", args=[self.centre.number]),
            "back_label": "Upload entries",
            "status": reverse("entries:upload-status", args=args),
            "progress": reverse("entries:upload-progress", args=args),
            "confirm": reverse("entries:upload-confirm", args=args),
            "done": reverse("entries:list", args=[self.centre.number]),
            "done_label": "See the centre's entries",
        }

    def may_confirm(self) -> bool:
        return self.request.user.has_perm("entries.manage_entries", self.centre)


class EntryUploadStatusView(UploadObjectMixin, imports.ImportStatusView):
    """One upload: progress while checking or importing, then its errors or its preview."""


class EntryUploadProgressView(UploadObjectMixin, imports.ImportProgressView):
    """The fragment the status page polls while the upload is busy."""


class EntryUploadConfirmView(UploadObjectMixin, imports.ImportConfirmView):
    """POST: make the entries of a checked upload."""

    centre_permission = "entries.manage_entries"
