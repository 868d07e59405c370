"""Entering grades: the centre's qualifications, a qualification's grid (saved row by row with
htmx, or whole without JavaScript), the template download and the upload."""

from dataclasses import dataclass, replace
from functools import lru_cache
from html import escape
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import ListView, TemplateView

from centres.tenancy import CentreMixin
from entries.models import Candidate
from ocradmin import imports
from ocradmin.links import row_link
from ocradmin.spreadsheets import write_csv, write_xlsx

from ..forms.grading import GradeUploadForm, grid_changes
from ..forms.submission import ReturnForm
from ..models import CentreSubmission, GradeUpload, QualificationGrades
from ..rules import grading_access
from ..selectors import (
    current_series,
    entered_candidates,
    entered_tag_qualifications,
    grade_distribution,
    grades_by_candidate,
    grading_progress,
    grid_rows,
    qualifications_for_viewer,
)
from ..services import GradeError
from ..services.grading import (
    StaleGrade,
    StaleGrades,
    qualification_grades_for,
    read_only_reason,
    record_grades_download,
    save_grade,
    save_grades,
    submission_window_message,
)
from ..uploads import GRADE_COLUMNS, IMPORTER, grade_template_rows

GRID_PAGE_SIZE = 300  # three fields a row keeps a whole page under Django's 1,000-field limit


class GradesIndexView(CentreMixin, ListView):
    """The current series' qualifications at the centre that the user may see."""

    template_name = "grades/grading/index.html"
    centre_permission = "grades.view_grades"
    centre_section = "grades"
    paginate_by = 50

    def get_queryset(self):
        """A list (a centre has a few dozen qualifications at most), so the page and its count
        come from one query."""
        self.series = current_series()
        if self.series is None:
            return []
        return list(
            qualifications_for_viewer(self.request.user, self.centre, self.series).order_by(
                "title", "entry_code"
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["series"] = series = self.series
        context["perms_approve"] = self.request.user.has_perm("grades.approve_grades", self.centre)
        if series is None:
            return context
        qualifications = list(context["object_list"])
        states = qualification_grades_for(
            series=series, centre=self.centre, qualifications=qualifications
        )
        progress = grading_progress(series, self.centre, [q.pk for q in qualifications])
        window_message = submission_window_message(series)
        submission = CentreSubmission.objects.filter(series=series, centre=self.centre).first()
        context.update(
            window_message=window_message,
            submission=submission,
            rows=[
                {
                    "qualification": q,
                    "state": states[q.pk],
                    "graded": progress[q.pk][0],
                    "total": progress[q.pk][1],
                    "open": window_message is None
                    and submission is None
                    and states[q.pk].is_editable,
                }
                for q in qualifications
            ],
        )
        return context


class QualificationMixin:
    """Put after ``CentreMixin``: resolves the series, the qualification (404 unless the centre
    has entries for it) and what the user may do with its grades (403 for an unassigned
    teacher)."""

    def dispatch(self, request, *args, **kwargs):
        self.series = current_series()
        if self.series is None:
            raise Http404("No grades series is open.")
        self.qualification = get_object_or_404(
            entered_tag_qualifications(self.centre), entry_code=kwargs["entry_code"]
        )
        self.access = grading_access(request.user, self.centre, self.series, self.qualification)
        if not self.access.may_view:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def require_edit(self):
        if not self.access.may_edit:
            raise PermissionDenied

    @property
    def qualification_grades(self):
        if not hasattr(self, "_qualification_grades"):
            self._qualification_grades = qualification_grades_for(
                series=self.series, centre=self.centre, qualifications=[self.qualification]
            )[self.qualification.pk]
            self._qualification_grades.qualification = self.qualification
        return self._qualification_grades

    def read_only(self) -> str | None:
        return read_only_reason(
            series=self.series,
            centre=self.centre,
            qualification_grades=self.qualification_grades,
            user=self.request.user,
            access=self.access,
        )

    def grid_url(self) -> str:
        return reverse(
            "grades:qualification", args=[self.centre.number, self.qualification.entry_code]
        )


class QualificationPage(CentreMixin, QualificationMixin):
    centre_permission = "grades.view_grades"
    centre_section = "grades"


class GridCandidate(NamedTuple):
    """What a grid row shows of its candidate (``grid_rows``), in place of the model."""

    pk: int
    candidate_number: str
    first_name: str
    last_name: str
    uci: str

    def __str__(self):
        return f"{self.candidate_number} {self.last_name}, {self.first_name}"


@dataclass(frozen=True)
class GridRow:
    candidate: Candidate | GridCandidate
    grade: str  # the value shown
    version: int  # the version the shown value belongs to
    original: str  # the saved value at that version
    message: str = ""
    kind: str = ""  # "saved" or "error"
    html: str = ""  # the row's <tr>, every value escaped (``prepared``)

    @property
    def key(self) -> str:
        return str(self.candidate.pk)


@lru_cache(maxsize=512)
def _options(scale: tuple, selected: str) -> str:
    def option(value, label):
        return format_html(
            '<option value="{}"{}>{}</option>',
            value,
            mark_safe(" selected") if value == selected else "",
            label,
        )

    return mark_safe("".join([option("", "No grade"), *(option(v, v) for v in scale)]))


_ROW = """<tr id="grade-row-{key}" data-version="{version}">
  <td><span class="ident">{number}</span></td>
  <th scope="row">{last_name}, {first_name}</th>
  <td class="grade-cell">{cell}</td>
  <td class="grade-status">{status}</td>
  <td class="d-none d-md-table-cell"><span class="ident">{uci}</span></td>
</tr>"""
_SELECT = """
    <label class="visually-hidden" for="grade-{key}">Grade for {number} {first_name} {last_name}</label>
    <select class="form-select form-select-sm grade-select" id="grade-{key}" name="grade-{key}"
            hx-post="{save_url}" hx-trigger="change" hx-target="closest tr" hx-swap="outerHTML"
            hx-include="closest tr" hx-params="grade-{key},version-{key},original-{key}"{described}>{options}</select>
    <input type="hidden" name="version-{key}" value="{version}">
    <input type="hidden" name="original-{key}" value="{original}">
  """  # noqa: E501
_MESSAGE = '<span id="grade-message-{key}" {role}>{message}</span>'
_SAVED, _ERROR = 'role="status" class="text-success"', 'role="alert" class="text-danger"'


def prepared(rows, centre, qualification, *, editable: bool) -> list[GridRow]:
    """The rows with their HTML, written here rather than by a template included per row: a
    300-row grid is most of its page's time in the template engine otherwise. Every value is
    escaped with the standard library's ``html.escape`` (Django's ``escape`` is the same, with
    a wrapper for lazy strings that costs as much again)."""
    save_url = row_link("grades:save", centre.number, qualification.entry_code)
    scale = tuple(qualification.grade_scale)
    prepared_rows = []
    for row in rows:
        candidate, key = row.candidate, row.key
        names = {
            "key": key,
            "number": escape(candidate.candidate_number),
            "first_name": escape(candidate.first_name),
            "last_name": escape(candidate.last_name),
        }
        if editable:
            described = f' aria-describedby="grade-message-{key}"' if row.message else ""
            cell = _SELECT.format(
                **names,
                save_url=escape(save_url(key)),
                described=described,
                options=_options(scale, row.grade),
                version=row.version,
                original=escape(row.original),
            )
        else:
            cell = escape(row.grade or "—")
        status = (
            _MESSAGE.format(
                key=key, role=_SAVED if row.kind == "saved" else _ERROR, message=escape(row.message)
            )
            if row.message
            else ""
        )
        html = _ROW.format(
            **names, version=row.version, cell=cell, status=status, uci=escape(candidate.uci)
        )
        # Built directly (``dataclasses.replace`` costs twice the rest of a row); the page
        # marks its rows' HTML safe once, as a whole.
        prepared_rows.append(
            GridRow(candidate, row.grade, row.version, row.original, row.message, row.kind, html)
        )
    return prepared_rows


class QualificationGridView(QualificationPage, TemplateView):
    """One row per entered candidate. GET shows it; POST saves the changed rows together."""

    template_name = "grades/grading/qualification.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.require_edit()
        page = self.page()
        rows = self.rows(page)
        changes, posted = grid_changes(request.POST, rows)
        try:
            saved = save_grades(
                series=self.series,
                centre=self.centre,
                qualification=self.qualification,
                changes=changes,
                by=request.user,
            )
        except StaleGrades as stale:
            conflicts = {c.candidate_id: c for c in stale.conflicts}
            changed = {c[0] for c in changes}
            shown = []
            for row in rows:
                key = row.candidate.pk
                if key in conflicts:
                    c = conflicts[key]
                    row = GridRow(row.candidate, c.current, c.version, c.current, str(c), "error")
                elif key in changed:
                    row = replace(row, grade=posted[key])
                shown.append(row)
            rows = shown
            messages.error(request, str(stale))
            return self.render_to_response(self.get_context_data(page=page, rows=rows))
        except GradeError as error:
            changed = {c[0] for c in changes}
            rows = [
                replace(r, grade=posted[r.candidate.pk])
                if r.candidate.pk in changed and posted[r.candidate.pk] in self.scale()
                else r
                for r in rows
            ]
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data(page=page, rows=rows))
        if saved:
            count = len(saved)
            messages.success(request, f"{count} grade{'s' if count != 1 else ''} saved.")
        else:
            messages.info(request, "No grades were changed.")
        url = self.grid_url()
        if page.number > 1:
            url += f"?page={page.number}"
        return redirect(url)

    def page(self):
        """The page asked for. The first page is read with one row more than it holds: when the
        rows fit on it, their number is the count, without a query to count them."""
        paginator = Paginator(entered_candidates(self.centre, self.qualification), GRID_PAGE_SIZE)
        number = self.request.GET.get("page")
        self._first_rows = None
        if number in (None, "", "1"):
            first = self.read_rows(0, GRID_PAGE_SIZE + 1)
            if len(first) <= GRID_PAGE_SIZE:
                paginator.count = len(first)
            self._first_rows = first[:GRID_PAGE_SIZE]
        return paginator.get_page(number)

    def rows(self, page) -> list[GridRow]:
        if page.number == 1 and self._first_rows is not None:
            return self._first_rows
        start = (page.number - 1) * GRID_PAGE_SIZE
        return self.read_rows(start, start + GRID_PAGE_SIZE)

    def read_rows(self, start: int, stop: int) -> list[GridRow]:
        rows = []
        for *candidate, grade, version in grid_rows(
            self.series, self.centre, self.qualification, start, stop
        ):
            value = grade or ""
            rows.append(GridRow(GridCandidate(*candidate), value, version or 0, value))
        return rows

    def scale(self):
        return list(self.qualification.grade_scale)

    def get_context_data(self, page=None, rows=None, **kwargs):
        context = super().get_context_data(**kwargs)
        page = page or self.page()
        read_only = self.read_only()
        decision = self.head_decision()
        if decision:
            read_only = decision
        shown = prepared(
            rows if rows is not None else self.rows(page),
            self.centre,
            self.qualification,
            editable=read_only is None,
        )
        context.update(
            series=self.series,
            qualification=self.qualification,
            state=self.qualification_grades,
            page_obj=page,
            rows=shown,
            # One string for the template: a {% for %} over 300 rows costs more than the rows.
            rows_html=mark_safe("\n".join(row.html for row in shown)),
            scale=self.scale(),
            editable=read_only is None,
            read_only=read_only,
            may_edit=self.access.may_edit,
            may_decide=bool(decision),
            return_form=ReturnForm() if decision else None,
            distribution=grade_distribution(self.series, self.centre, [self.qualification])[
                self.qualification.pk
            ],
        )
        return context

    def head_decision(self) -> str:
        """For the head of centre, while they can approve or return these grades: what to do
        (shown in place of the read-only notice); else ""."""
        Status = QualificationGrades.Status
        state = self.qualification_grades
        if (
            not self.request.user.has_perm("grades.approve_grades", self.centre)
            or state.status not in (Status.SENT, Status.APPROVED)
            or submission_window_message(self.series)
            or CentreSubmission.objects.filter(series=self.series, centre=self.centre).exists()
        ):
            return ""
        if state.status == Status.SENT:
            return (
                "The teachers sent you these grades. Check them, then approve them or return "
                "them with a comment saying what needs to change."
            )
        return "You approved these grades. Return them to the teachers if a grade must change."


class SaveGradeView(QualificationPage, View):
    """Save one grade from the grid (htmx) and answer with the row."""

    def post(self, request, *args, candidate_id, **kwargs):
        candidate = get_object_or_404(Candidate, centre=self.centre, pk=candidate_id)
        self.require_edit()
        grade = request.POST.get(f"grade-{candidate.pk}", request.POST.get("grade", ""))
        version = request.POST.get(f"version-{candidate.pk}", request.POST.get("version", ""))
        editable = True
        try:
            saved = save_grade(
                series=self.series,
                centre=self.centre,
                qualification=self.qualification,
                candidate=candidate,
                grade=grade,
                expected_version=int(version),
                by=request.user,
            )
            row = GridRow(candidate, saved.grade, saved.version, saved.grade, "Saved", "saved")
        except StaleGrade as stale:
            row = GridRow(
                candidate, stale.current, stale.version, stale.current, str(stale), "error"
            )
        except (GradeError, ValueError) as error:
            message = (
                str(error)
                if isinstance(error, GradeError)
                else "This page is out of date; reload it and try again."
            )
            current = grades_by_candidate(
                self.series, self.centre, self.qualification, [candidate.pk]
            ).get(candidate.pk)
            value = current.grade if current else ""
            row = GridRow(
                candidate, value, current.version if current else 0, value, message, "error"
            )
            editable = self.read_only() is None
        if not request.htmx:
            level = messages.success if row.kind == "saved" else messages.error
            level(request, f"{candidate}: {row.message}")
            return redirect(self.grid_url())
        return HttpResponse(
            prepared([row], self.centre, self.qualification, editable=editable)[0].html
        )


class GradeTemplateView(QualificationPage, View):
    """The grades file for the qualification: the entered candidates and their current grades."""

    file_format = "csv"

    def get(self, request, *args, **kwargs):
        rows = grade_template_rows(self.series, self.centre, self.qualification)
        record_grades_download(
            series=self.series,
            centre=self.centre,
            qualification=self.qualification,
            file_format=self.file_format,
            by=request.user,
        )
        name = f"grades-{self.centre.number}-{self.qualification.entry_code}.{self.file_format}"
        if self.file_format == "xlsx":
            body = write_xlsx(
                GRADE_COLUMNS,
                rows,
                title=self.qualification.entry_code,
                choices={"grade": self.qualification.grade_scale},
            )
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body, content_type = write_csv(GRADE_COLUMNS, rows), "text/csv; charset=utf-8"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class GradeUploadView(QualificationPage, TemplateView):
    """Upload a grades file; it is checked, then its status page shows what would change."""

    template_name = "grades/grading/upload.html"

    def get(self, request, *args, **kwargs):
        self.require_edit()
        return self.render_to_response(self.get_context_data(form=GradeUploadForm()))

    def post(self, request, *args, **kwargs):
        self.require_edit()
        form = GradeUploadForm(request.POST, request.FILES)
        if self.read_only() or not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            upload = imports.start_import(
                IMPORTER,
                centre=self.centre,
                file=form.cleaned_data["file"],
                by=request.user,
                series=self.series,
                qualification=self.qualification,
            )
        except imports.ImportRefused as error:
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form))
        return redirect(
            "grades:upload-status", self.centre.number, self.qualification.entry_code, upload.pk
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            series=self.series,
            qualification=self.qualification,
            read_only=self.read_only(),
        )
        return context


class GradeUploadMixin(imports.ImportPageMixin, QualificationPage):
    importer = IMPORTER

    def get_upload(self):
        # Through the centre and the qualification: anyone else's upload is 404.
        return get_object_or_404(
            GradeUpload.objects.select_related("uploaded_by", "series", "qualification"),
            centre=self.centre,
            series=self.series,
            qualification=self.qualification,
            pk=self.kwargs["pk"],
        )

    def links(self, upload) -> dict:
        args = [self.centre.number, self.qualification.entry_code]
        return {
            "back": reverse("grades:upload", args=args),
            "back_label": f"Upload grades for {self.qualification.entry_code}",
            "status": reverse("grades:upload-status", args=[*args, upload.pk]),
            "progress": reverse("grades:upload-progress", args=[*args, upload.pk]),
            "confirm": reverse("grades:upload-confirm", args=[*args, upload.pk]),
            "done": self.grid_url(),
            "done_label": f"See the grades for {self.qualification.entry_code}",
        }

    def may_confirm(self) -> bool:
        return self.access.may_edit and self.read_only() is None


class GradeUploadStatusView(GradeUploadMixin, imports.ImportStatusView):
    """One grades upload: progress, then its errors or the grades that will change."""


class GradeUploadProgressView(GradeUploadMixin, imports.ImportProgressView):
    """The fragment the status page polls while the upload is busy."""


class GradeUploadConfirmView(GradeUploadMixin, imports.ImportConfirmView):
    """POST: save the grades of a checked upload."""

    def post(self, request, *args, **kwargs):
        self.require_edit()
        return super().post(request, *args, **kwargs)
