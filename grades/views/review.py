"""Sending a qualification's grades to the head of centre, and the head's review of them."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from centres.models import Role
from centres.selectors import roles_at
from centres.tenancy import CentreMixin

from ..forms.submission import ReturnForm
from ..models import CentreSubmission
from ..selectors import (
    entered_tag_qualifications,
    grade_distribution,
    grading_progress,
    qualifications_for_grader,
    qualifications_for_viewer,
    sees_every_qualification,
)
from ..services import GradeError
from ..services.approval import approve_grades, return_grades, send_for_approval
from ..services.grading import qualification_grades_for, submission_window_message
from .materials import SeriesMixin


class ReviewView(CentreMixin, SeriesMixin, TemplateView):
    """Every qualification's state at the centre, for the head of centre to act on."""

    template_name = "grades/review/review.html"
    centre_permission = "grades.view_grades"
    centre_section = "grades"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        qualifications = list(entered_tag_qualifications(self.centre).order_by("entry_code"))
        states = qualification_grades_for(
            series=self.series, centre=self.centre, qualifications=qualifications
        )
        progress = grading_progress(self.series, self.centre, [q.pk for q in qualifications])
        user = self.request.user
        is_head = user.has_perm("grades.approve_grades", self.centre)
        # Every entered qualification (those just read) but for a teacher.
        viewable = (
            {q.pk for q in qualifications}
            if sees_every_qualification(user, self.centre)
            else {
                q.pk for q in qualifications_for_viewer(user, self.centre, self.series).only("pk")
            }
        )
        if not user.has_perm("grades.enter_grades", self.centre):
            gradable = set()
        elif Role.CENTRE_ADMIN in roles_at(user, self.centre):
            gradable = {q.pk for q in qualifications}  # every entered one
        else:
            gradable = {
                q.pk for q in qualifications_for_grader(user, self.centre, self.series).only("pk")
            }
        distribution = grade_distribution(self.series, self.centre, qualifications)
        context.update(
            series=self.series,
            window_message=submission_window_message(self.series),
            submission=CentreSubmission.objects.filter(
                series=self.series, centre=self.centre
            ).first(),
            is_head=is_head,
            page_title="Review, approve and submit" if is_head else "Send for approval",
            may_see_receipt=user.has_perm("grades.view_receipt", self.centre),
            return_form=ReturnForm(),
            rows=[
                {
                    "qualification": q,
                    "state": states[q.pk],
                    "graded": progress[q.pk][0],
                    "total": progress[q.pk][1],
                    "may_open": q.pk in viewable,
                    "may_send": q.pk in gradable,
                    "given": [(g, n) for g, n in distribution[q.pk] if n],
                }
                for q in qualifications
                if q.pk in viewable  # a teacher: the qualifications assigned to them
            ],
            all_approved=bool(qualifications)
            and all(states[q.pk].status == "approved" for q in qualifications),
        )
        return context


class QualificationActionView(CentreMixin, SeriesMixin, View):
    """POST: send (teacher or centre admin), approve or return (head of centre)."""

    PERMISSIONS = {
        "send": "grades.enter_grades",
        "approve": "grades.approve_grades",
        "return": "grades.approve_grades",
    }
    action = None

    @property
    def centre_permission(self):
        return self.PERMISSIONS[self.action]

    def post(self, request, number, entry_code):
        qualification = (
            entered_tag_qualifications(self.centre).filter(entry_code=entry_code).first()
        )
        if qualification is None:
            raise Http404("No such qualification at this centre.")
        where = {"series": self.series, "centre": self.centre, "qualification": qualification}
        try:
            if self.action == "send":
                send_for_approval(**where, by=request.user)
                messages.success(request, f"{entry_code} grades sent to the head of centre.")
                return redirect("grades:qualification", self.centre.number, entry_code)
            if self.action == "approve":
                approve_grades(**where, by=request.user)
                messages.success(request, f"{entry_code} grades approved.")
            else:
                form = ReturnForm(request.POST)
                comment = form.cleaned_data["comment"] if form.is_valid() else ""
                return_grades(**where, comment=comment, by=request.user)
                messages.success(request, f"{entry_code} grades returned to the teachers.")
        except GradeError as error:
            messages.error(request, str(error))
            if self.action == "send":
                return redirect("grades:qualification", self.centre.number, entry_code)
        if request.POST.get("back") == "grid":
            # Decided on the qualification's grades page: back there.
            return redirect("grades:qualification", self.centre.number, entry_code)
        return redirect("grades:review", self.centre.number)
