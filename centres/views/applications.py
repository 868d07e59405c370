"""The centre approval form for applicants (``/apply/``) and the staff's queue and decisions
(``/staff/applications/``)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import DetailView, ListView

from ocradmin.views import StaffRequiredMixin

from ..forms.applications import CentreApplicationForm, RejectApplicationForm
from ..models import CentreApplication
from ..selectors import pending_applications, with_ages
from ..services import CentreError
from ..services import applications as services


class ApplicationListView(LoginRequiredMixin, ListView):
    """The signed-in user's applications; with none yet, straight to a new form."""

    template_name = "centres/applications/list.html"
    context_object_name = "applications"
    paginate_by = 20

    def get_queryset(self):
        return (
            CentreApplication.objects.filter(applicant=self.request.user)
            .select_related("centre")
            .order_by("-created_at", "-pk")
        )

    def get(self, request, *args, **kwargs):
        if not self.get_queryset().exists():
            return redirect("centres:apply-new")
        return super().get(request, *args, **kwargs)


class ApplicationView(LoginRequiredMixin, View):
    """``/apply/new/`` and ``/apply/<pk>/``: the form while the application is a draft or was
    rejected, a read-only copy once it is submitted or approved."""

    form_template = "centres/applications/form.html"
    detail_template = "centres/applications/detail.html"

    def get_application(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            CentreApplication.objects.select_related("centre", "decided_by").prefetch_related(
                "intended_qualifications"
            ),
            pk=self.kwargs["pk"],
            applicant=self.request.user,
        )

    def get(self, request, *args, **kwargs):
        application = self.get_application()
        if application is not None and not application.is_editable:
            return render(request, self.detail_template, {"application": application})
        # Shown as for submission, so the labels mark what a submission needs (the form has
        # ``novalidate``, so a draft can still be saved half-filled).
        form = CentreApplicationForm(instance=application, submitting=True)
        return self.render_form(form, application)

    def post(self, request, *args, **kwargs):
        application = self.get_application()
        if application is not None and not application.is_editable:
            messages.error(request, "This application can no longer be changed.")
            return redirect("centres:apply-detail", pk=application.pk)
        submitting = request.POST.get("action") == "submit"
        form = CentreApplicationForm(
            request.POST,
            instance=application or CentreApplication(applicant=request.user),
            submitting=submitting,
        )
        if not form.is_valid():
            return self.render_form(form, application, status=400)
        service = services.submit_application if submitting else services.save_draft
        try:
            saved = service(
                application=application,
                fields=form.service_fields(),
                qualifications=form.cleaned_data["intended_qualifications"],
                by=request.user,
            )
        except CentreError as error:
            form.add_error(None, str(error))
            return self.render_form(form, application, status=400)
        if submitting:
            messages.success(
                request,
                "Your application is submitted. We will email you when it has been decided.",
            )
        else:
            messages.success(request, "Draft saved. You can come back and finish it later.")
        return redirect("centres:apply-detail", pk=saved.pk)

    def render_form(self, form, application, status=200):
        return render(
            self.request,
            self.form_template,
            {"form": form, "application": application},
            status=status,
        )


# --- Staff -----------------------------------------------------------------------------------


class StaffApplicationQueueView(StaffRequiredMixin, ListView):
    template_name = "centres/applications/staff_queue.html"
    context_object_name = "applications"
    paginate_by = 25

    def get_queryset(self):
        applications = pending_applications()
        self.q = self.request.GET.get("q", "").strip()
        if self.q:
            applications = applications.filter(
                Q(name__icontains=self.q)
                | Q(postcode__icontains=self.q)
                | Q(town__icontains=self.q)
                | Q(applicant__email__icontains=self.q)
            )
        return applications

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["applications"] = with_ages(context["page_obj"].object_list, at="submitted_at")
        context["q"] = self.q
        return context


class StaffApplicationDetailView(StaffRequiredMixin, DetailView):
    template_name = "centres/applications/staff_detail.html"
    context_object_name = "application"
    queryset = CentreApplication.objects.select_related(
        "applicant", "decided_by", "centre"
    ).prefetch_related("intended_qualifications")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("reject_form", RejectApplicationForm())
        if self.object.status == CentreApplication.Status.SUBMITTED:
            (aged,) = with_ages([self.object], at="submitted_at")
            context["age_in_working_days"] = aged.age_in_working_days
        return context


class StaffApproveApplicationView(StaffRequiredMixin, View):
    def post(self, request, pk):
        application = get_object_or_404(CentreApplication, pk=pk)
        try:
            centre = services.approve_application(application=application, by=request.user)
        except CentreError as error:
            messages.error(request, str(error))
            return redirect("centres:staff-application", pk=pk)
        messages.success(
            request, f"Approved: {centre.name} is centre {centre.number}. The applicant is told."
        )
        return redirect("centres:staff-applications")


class StaffRejectApplicationView(StaffRequiredMixin, View):
    def post(self, request, pk):
        application = get_object_or_404(CentreApplication, pk=pk)
        form = RejectApplicationForm(request.POST)
        if form.is_valid():
            try:
                services.reject_application(
                    application=application, reason=form.cleaned_data["reason"], by=request.user
                )
            except CentreError as error:
                messages.error(request, str(error))
                return redirect("centres:staff-application", pk=pk)
            messages.success(request, f"Rejected: {application.name}. The applicant is told.")
            return redirect("centres:staff-applications")
        view = StaffApplicationDetailView()
        view.setup(request, pk=pk)
        view.object = view.get_object()
        context = view.get_context_data(reject_form=form)
        return render(request, view.template_name, context, status=400)
