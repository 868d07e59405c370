from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from centres.tenancy import CentreMixin
from ocradmin.views import StaffRequiredMixin

from ..forms.materials import MaterialForm
from ..models import AssessmentMaterial
from ..selectors import current_series, materials_for_centre
from ..services import GradeError, window
from ..services.materials import add_material, record_download


class SeriesMixin:
    """Resolves the current series; without one the grades pages have nothing to show."""

    def dispatch(self, request, *args, **kwargs):
        self.series = current_series()
        if self.series is None:
            raise Http404("There is no grade series.")
        return super().dispatch(request, *args, **kwargs)


class MaterialListView(CentreMixin, SeriesMixin, TemplateView):
    template_name = "grades/materials/list.html"
    centre_permission = "grades.view_materials"
    centre_section = "materials"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        materials_window = window(self.series, "materials")
        context["series"] = self.series
        context["now"] = timezone.now()
        context["window"] = materials_window
        context["window_open"] = materials_window.is_open()
        if context["window_open"]:
            context["materials"] = materials_for_centre(self.centre, self.series)
        return context


class MaterialDownloadView(CentreMixin, SeriesMixin, View):
    centre_permission = "grades.view_materials"

    def get(self, request, number, pk):
        material = get_object_or_404(materials_for_centre(self.centre, self.series), pk=pk)
        try:
            record_download(material=material, centre=self.centre, by=request.user)
        except GradeError as error:
            messages.error(request, str(error))
            return redirect("grades:materials", self.centre.number)
        return FileResponse(
            material.file.open("rb"), as_attachment=True, filename=material.original_name
        )


class StaffMaterialsView(StaffRequiredMixin, SeriesMixin, FormView):
    template_name = "grades/materials/staff.html"
    form_class = MaterialForm

    def get_initial(self):
        return {"available_from": self.series.materials_open_at}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["series"] = self.series
        context["materials"] = AssessmentMaterial.objects.filter(series=self.series).select_related(
            "qualification", "uploaded_by"
        )
        return context

    def form_valid(self, form):
        try:
            material = add_material(
                series=self.series,
                qualification=form.cleaned_data["qualification"],
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                available_from=form.cleaned_data["available_from"],
                by=self.request.user,
            )
        except GradeError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"{material} added.")
        return redirect(reverse("grades:staff-materials"))
