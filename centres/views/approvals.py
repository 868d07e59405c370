"""Qualification approvals: the centre's page (``/centres/<number>/qualifications/``) with its
request and withdraw actions, and the staff's queue (``/staff/qualification-approvals/``)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from ocradmin.views import StaffRequiredMixin

from ..filters import ApprovalFilter, StaffApprovalFilter
from ..forms.approvals import RejectApprovalForm, RequestApprovalForm
from ..models import QualificationApproval
from ..selectors import centre_approvals, waiting_approvals, with_ages
from ..services import CentreError
from ..services import approvals as services
from ..tenancy import CentreMixin


class ApprovalListView(CentreMixin, ListView):
    template_name = "centres/approvals/list.html"
    centre_permission = "centres.view_approvals"
    centre_section = "qualifications"
    context_object_name = "approvals"
    paginate_by = 25

    def get_queryset(self):
        self.filterset = ApprovalFilter(self.request.GET, queryset=centre_approvals(self.centre))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["can_manage"] = self.request.user.has_perm("centres.manage_approvals", self.centre)
        return context


class ApprovalRequestView(CentreMixin, FormView):
    template_name = "centres/approvals/request.html"
    centre_permission = "centres.manage_approvals"
    centre_section = "qualifications"
    form_class = RequestApprovalForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            approval = services.request_approval(
                centre=self.centre,
                qualification=data["qualification"],
                delivered_by=data["delivered_by"],
                planned_start=data["planned_start"],
                by=self.request.user,
            )
        except CentreError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Approval requested for {approval.qualification}. Staff will decide and you will "
            "be emailed.",
        )
        return redirect("centres:approvals", self.centre.number)


class ApprovalWithdrawView(CentreMixin, TemplateView):
    """Confirmation (with the reason it cannot be withdrawn, if any), then the withdrawal."""

    template_name = "centres/approvals/withdraw.html"
    centre_permission = "centres.manage_approvals"
    centre_section = "qualifications"

    def get_approval(self):
        return get_object_or_404(
            QualificationApproval.objects.select_related("qualification"),
            centre=self.centre,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        approval = self.get_approval()
        context["approval"] = approval
        context["is_live"] = approval.status in QualificationApproval.LIVE
        context["blocked_because"] = (
            services.withdrawal_blocked_because(
                centre=self.centre, qualification=approval.qualification
            )
            if approval.status == QualificationApproval.Status.APPROVED
            else None
        )
        return context

    def post(self, request, *args, **kwargs):
        approval = self.get_approval()
        try:
            services.withdraw_approval(approval=approval, by=request.user)
        except CentreError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{approval.qualification} withdrawn.")
        return redirect("centres:approvals", self.centre.number)


class StaffApprovalQueueView(StaffRequiredMixin, ListView):
    template_name = "centres/approvals/staff_queue.html"
    context_object_name = "approvals"
    paginate_by = 25

    def get_queryset(self):
        self.filterset = StaffApprovalFilter(self.request.GET, queryset=waiting_approvals())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["approvals"] = with_ages(context["object_list"], at="requested_at")
        context["filter"] = self.filterset
        context["reject_form"] = RejectApprovalForm()
        return context


class StaffApproveView(StaffRequiredMixin, View):
    def post(self, request, pk):
        approval = get_object_or_404(QualificationApproval, pk=pk)
        try:
            approval = services.approve_approval(approval=approval, by=request.user)
        except CentreError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Centre {approval.centre.number} approved for {approval.qualification}; "
                "the centre has been told.",
            )
        return redirect("centres:staff-approvals")


class StaffRejectView(StaffRequiredMixin, View):
    def post(self, request, pk):
        approval = get_object_or_404(QualificationApproval, pk=pk)
        form = RejectApprovalForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            approval = services.reject_approval(approval=approval, reason=reason, by=request.user)
        except CentreError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Request from centre {approval.centre.number} for "
                f"{approval.qualification.entry_code} rejected; the centre has been told.",
            )
        return redirect("centres:staff-approvals")
