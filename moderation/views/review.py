"""The examiner-moderator's pages: the queue, a claim's review (lines, evidence, decisions),
confirming receipt of the work, withdrawing, completing with the feedback report."""

from html import escape

import django_filters
from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import get_valid_filename
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from centres.models import Unit
from claims.models import Claim, ClaimLine, Evidence
from claims.services import ClaimError
from claims.services.work import confirm_receipt
from claims.views.rows import claim_status
from claims.views.work import stream
from entries.models import Candidate
from ocradmin import audit, documents, workdays
from ocradmin.links import row_link
from ocradmin.templatetags import dates

from ..forms import DecisionForm, QueueFilter, ReportForm, WithdrawForm
from ..models import Review
from ..selectors import (
    QUEUE_STATES,
    Stage,
    claim_units_in_review,
    completion_summary,
    line_with_decision,
    prepare_line,
    queue_claims,
    report_for_claim,
    review_of,
    review_outline,
    review_page,
    working_days_left,
)
from ..services import ModerationError, StaleVersion
from ..services.report import report_filename
from ..services.review import (
    complete_review,
    confirm_remaining,
    decide_line,
    withdraw_claim,
    withdraw_units,
)
from ..zipstream import zip_chunks
from .mixins import ModerationMixin


class QueueView(ModerationMixin, ListView):
    """The moderator's claims (staff: every claim in moderation), 50 a page, grouped by stage.
    The rows and the filter's controls are written here (``queue_rows``, ``filter_controls``)
    rather than by the template engine row by row and option by option."""

    template_name = "moderation/queue.html"
    context_object_name = "claims"
    paginate_by = 50

    def get_queryset(self):
        mine = self.get_allocated_queryset()
        self.filterset = QueueFilter(self.request.GET, queryset=mine, claims=mine)
        if self.request.user.is_staff and not self.request.user.is_examiner_moderator:
            # Staff see the claims of thousands of centres: the centre by its number, not a
            # choice among them all.
            self.filterset.filters["centre"] = django_filters.CharFilter(
                field_name="centre__number", label="Centre number"
            )
        # The choices show each centre's and qualification's str() alone: their other columns
        # (the qualification's JSON among them) are not read.
        for name, columns in (
            ("centre", ("number", "name")),
            ("qualification", ("entry_code", "title")),
        ):
            choice = self.filterset.filters[name]
            if isinstance(choice, django_filters.ModelChoiceFilter):
                choice.queryset = choice.queryset.only(*columns)
        return queue_claims(self.filterset.qs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claims = list(context["claims"])
        now = timezone.now()
        claim_url = row_link("moderation:claim")
        groups: list[dict] = []
        for claim, left in zip(
            claims, workdays.working_days_left([c["results_due_on"] for c in claims]), strict=True
        ):
            stage = claim["stage"]
            if not groups or groups[-1]["stage"] != stage:
                groups.append({"stage": stage, "label": Stage.LABELS[stage], "rows": []})
            groups[-1]["rows"].append(queue_row(claim, left, now, claim_url))
        context.update(
            groups=groups,
            filter_fields=filter_controls(self.filterset.form),
            now=now,
            stages=Stage.LABELS,
        )
        return context


_QUEUE_ROW = """<tr>
      <td><a href="{url}">{number}</a></td>
      <td>{centre_number} {centre_name}</td>
      <td>{entry_code} <span class="small text-muted">{title}</span></td>
      <td>{decided}</td>
      <td>{work_due}</td>
      <td>{results}</td>
      <td>{status}</td>
    </tr>"""


def queue_row(claim, days_left, now, claim_url) -> str:
    """A claim's row of the queue (a row of ``queue_claims``), its values escaped
    (``html.escape``)."""
    due = claim["results_due_on"]
    if due is None:
        results = "—"
    else:
        results = dates.time_element(due, with_time=False)
        if claim["stage"] != Stage.DONE and days_left is not None:
            if days_left < 0:
                css, text = "deadline-breach", f"{-days_left} working day{_s(-days_left)} overdue"
            else:
                css = "text-warning-emphasis" if days_left <= 5 else "text-muted"
                text = f"{days_left} working day{_s(days_left)} left"
            results += f' <span class="small {css}">({text})</span>'
    return mark_safe(
        _QUEUE_ROW.format(
            url=claim_url(claim["pk"]),
            number=escape(claim["number"]),
            centre_number=escape(claim["centre__number"]),
            centre_name=escape(claim["centre__name"]),
            entry_code=escape(claim["qualification__entry_code"]),
            title=escape(claim["qualification__title"]),
            decided="Claim withdrawn"
            if claim["status"] == Claim.Status.WITHDRAWN
            else f"{claim['decided_count']} of {claim['line_count']}",
            work_due=dates.time_element(claim["work_due_at"]),
            results=results,
            status=claim_status(claim, now),
        )
    )


def _s(n) -> str:
    return "" if n == 1 else "s"


def filter_controls(form) -> list[dict]:
    """The queue filter's fields with their controls' HTML: a select's options written here
    (Django renders each option through a template)."""
    fields = []
    for field in form:
        widget = field.field.widget
        invalid = bool(field.errors)
        attrs = f'name="{field.html_name}" id="{field.auto_id}"'
        if invalid:
            attrs += f' aria-invalid="true" aria-describedby="{field.auto_id}_error"'
        value = field.value()
        if isinstance(widget, forms.Select):
            value = "" if value is None else str(value)
            options = [
                f'<option value="{escape(str(choice))}"'
                f"{' selected' if str(choice) == value else ''}>{escape(str(label))}</option>"
                for choice, label in field.field.choices
            ]
            control = (
                f'<select class="form-select{" is-invalid" if invalid else ""}" {attrs}>'
                + "".join(options)
                + "</select>"
            )
        else:
            control = (
                f'<input type="text" class="form-control{" is-invalid" if invalid else ""}" '
                f'{attrs} value="{escape(value or "")}">'
            )
        fields.append(
            {
                "id": field.auto_id,
                "label": field.label,
                "control": mark_safe(control),
                "errors": field.errors,
            }
        )
    return fields


def _can_act(view, claim, review) -> bool:
    return (
        view.is_claims_moderator
        and claim.status in (Claim.Status.WITH_MODERATOR, Claim.Status.WITHDRAWN)
        and (review is None or review.status == Review.Status.IN_PROGRESS)
    )


class ReviewView(ModerationMixin, TemplateView):
    """A claim's lines a page at a time (``?page=``; ``?by=unit`` groups them by unit), with
    the whole claim's progress and a link to the next undecided line. Each line's row is
    written here (``line_row``) rather than by ``moderation/_line.html`` line by line."""

    template_name = "moderation/review.html"
    # The page shows the claim's centre and qualification, none of its people.
    allocation_queryset = Claim.objects.filter(status__in=QUEUE_STATES).select_related(
        "centre", "qualification"
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.get_claim()
        review = review_of(claim)
        by_unit = self.request.GET.get("by") == "unit"
        page = review_page(claim, by_unit=by_unit, number=self.request.GET.get("page", 1))
        can_act = _can_act(self, claim, review) and claim.status == Claim.Status.WITH_MODERATOR
        urls = line_urls(claim)
        csrf_token = get_token(self.request) if can_act else ""
        confirm_url = reverse("moderation:confirm-remaining", args=[claim.pk])
        for row in page.rows:
            row["html"] = mark_safe(
                group_html(
                    row,
                    lines="\n".join(
                        line_row(
                            line, can_act=can_act, by_unit=by_unit, csrf_token=csrf_token, **urls
                        )
                        for line in row["lines"]
                    ),
                    by_unit=by_unit,
                    can_act=can_act,
                    page_number=page.number,
                    confirm_url=confirm_url,
                    csrf_token=csrf_token,
                )
            )
        context.update(
            claim=claim,
            review=review,
            page=page,
            by_unit=by_unit,
            rows=page.rows,
            next_undecided=page.next_undecided,
            can_act=can_act,
            can_complete=_can_act(self, claim, review) and review is not None,
            can_receive=self.is_claims_moderator and claim.status == Claim.Status.WORK_SENT,
            # A report is written at the end of a review: no review, no report to look for.
            report=report_for_claim(claim) if review is not None else None,
            days_left=working_days_left(claim),
            **urls,
            now=timezone.now(),
        )
        return context


_GROUP = """
  <div class="d-flex flex-wrap justify-content-between align-items-baseline gap-2 mt-3">
    {heading}{confirm}
  </div>
  <div class="table-responsive">
  <table class="table table-sm align-middle">
    <caption class="visually-hidden">{name}</caption>
    <thead><tr><th scope="col">{first_column}</th><th scope="col">Work</th><th scope="col">Centre's grade</th><th scope="col">Decision</th><th scope="col"><span class="visually-hidden">Confirm or adjust</span></th></tr></thead>
    <tbody>
    {lines}
    </tbody>
  </table>
  </div>
  {continues}"""  # noqa: E501
_CONFIRM_GROUP = """
    <form method="post" action="{url}"><input type="hidden" name="csrfmiddlewaretoken" value="{csrf_token}"><input type="hidden" name="page" value="{page}">
      {which}
      <button type="submit" class="btn btn-sm btn-outline-success">Confirm the remaining lines<span class="visually-hidden"> of {what}</span>{in_all}</button>
    </form>"""  # noqa: E501


def group_html(row, *, lines, by_unit, can_act, page_number, confirm_url, csrf_token) -> str:
    """A group of the review page (a candidate's lines, or a unit's; ``review_page``'s row)
    with its lines' rows (``lines``): its heading, the button confirming its remaining lines,
    its table. Every value is escaped with ``html.escape``."""
    unit, candidate = row["unit"], row["candidate"]
    continued = " (continued)" if row["continued"] else ""
    if by_unit:
        number = escape(str(unit.number))
        heading = (
            f'<h3 class="h6 mb-1" id="group-{unit.pk}">Unit {number}: {escape(unit.title)}'
            f"{continued}"
            + (' <span class="badge text-bg-secondary">withdrawn</span>' if row["released"] else "")
            + "</h3>"
        )
        name, what = f"Unit {number}", f"unit {number}"
        which = (
            f'<input type="hidden" name="by" value="unit"><input type="hidden" name="unit" '
            f'value="{unit.pk}">'
        )
    else:
        number = escape(candidate.candidate_number)
        arrangements = row["arrangements"]
        heading = (
            f'<h3 class="h6 mb-1" id="group-{candidate.pk}">{number} '
            f"{escape(candidate.last_name)}, {escape(candidate.first_name)}{continued}\n      "
            + (
                '<span class="small fw-normal">· Access arrangements: '
                f"{', '.join(map(escape, arrangements))}</span>"
                if arrangements
                else ""
            )
            + "</h3>"
        )
        name, what = f"Candidate {number}", f"candidate {number}"
        which = f'<input type="hidden" name="candidate" value="{candidate.pk}">'
    confirm = ""
    if can_act and row["undecided"]:
        confirm = _CONFIRM_GROUP.format(
            url=confirm_url,
            csrf_token=escape(csrf_token),
            page=page_number,
            which=which,
            what=what,
            in_all=f" ({row['undecided']} in all)" if row["continued"] or row["continues"] else "",
        )
    return _GROUP.format(
        heading=heading,
        confirm=confirm,
        name=name,
        first_column="Candidate" if by_unit else "Unit",
        lines=lines,
        continues=f'<p class="small text-muted">{name} continues on the next page.</p>'
        if row["continues"]
        else "",
    )


def line_row(
    line, *, can_act, by_unit, decide_base, files_base, csrf_token, message="", kind=""
) -> str:
    """A line's row of the review (``prepare_line`` has been through it), as
    ``moderation/_line.html`` writes it for the htmx answer to a decision (without its
    progress); ``tests/moderation/test_review_pages.py`` checks the two agree for every state.
    Every value is escaped with ``html.escape``."""
    d = line.decision_or_none
    pk = line.pk
    released = line.released_at
    if by_unit:
        heading = escape(line.who)
    else:
        heading = f"Unit {escape(str(line.unit.number))}: {escape(line.unit.title)}"
    if line.files:
        files = "<br>".join(
            f'<a href="{files_base}{item.pk}/">{escape(item.original_name)}</a> '
            f'<span class="small text-muted">({filesizeformat(item.size)})</span>'
            for item in line.files
        )
    else:
        files = '<span class="text-muted small">No files</span>'
    if released:
        decision = "<strong>Withdrawn</strong>"
        if d is not None and d.reason:
            decision += f'<br><span class="small">{escape(d.reason)}</span>'
    elif d is None:
        decision = '<span class="text-muted">Not decided</span>'
    elif d.outcome == "confirmed":
        decision = f"Confirmed <strong>{escape(d.grade)}</strong>"
    else:
        decision = (
            f'Adjusted to <strong>{escape(d.grade)}</strong><br><span class="small">'
            f"{escape(d.reason)}</span>"
        )
    grade = escape(line.grade)
    form = ""
    if can_act and not released:
        tag = escape(line.tag)
        action = f"{decide_base}{pk}/"
        options = "".join(
            f'<option value="{escape(g)}"{" selected" if selected else ""}>{escape(g)}</option>'
            for g, selected in line.options
        )
        confirmed = d is not None and d.outcome == "confirmed"
        described = f' aria-describedby="line-message-{pk}"' if message and kind == "error" else ""
        form = (
            f'\n    <form method="post" action="{action}" class="d-flex flex-wrap gap-1 '
            f'align-items-start" hx-post="{action}" hx-target="#line-{pk}" hx-swap="outerHTML">'
            f'\n      <input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
            + ('<input type="hidden" name="by" value="unit">' if by_unit else "")
            + f'<input type="hidden" name="version" value="{(d.version if d else "") or 0}">'
            f'\n      <button type="submit" name="outcome" value="confirmed" class="btn btn-sm '
            f'{"btn-success" if confirmed else "btn-outline-success"}">Confirm {grade}'
            f'<span class="visually-hidden"> for {tag}</span></button>'
            f'\n      <label class="visually-hidden" for="grade-{pk}">Moderated grade for {tag}'
            "</label>"
            f'\n      <select class="form-select form-select-sm w-auto" id="grade-{pk}" '
            f'name="grade"><option value="">Adjust to…</option>{options}</select>'
            f'\n      <label class="visually-hidden" for="reason-{pk}">Reason for adjusting {tag}'
            "</label>"
            f'\n      <input type="text" class="form-control form-control-sm w-auto" '
            f'id="reason-{pk}" name="reason" maxlength="2000" placeholder="Reason for the '
            f'adjustment" value="{escape(line.reason_value)}"{described}>'
            f'\n      <button type="submit" name="outcome" value="adjusted" class="btn btn-sm '
            f'btn-outline-primary">Adjust<span class="visually-hidden"> {tag}</span></button>'
            "\n    </form>"
        )
    if message:
        role = (
            'role="status" class="small text-success"'
            if kind == "saved"
            else 'role="alert" class="small text-danger"'
        )
        form += f'\n    <div id="line-message-{pk}" {role}>{escape(message)}</div>'
    muted = ' class="text-muted"' if released else ""
    return (
        f'<tr id="line-{pk}"{muted}>'
        f'\n  <th scope="row">{heading}</th>'
        f"\n  <td>{files}</td>"
        f"\n  <td>{grade}</td>"
        f"\n  <td>{decision}</td>"
        f"\n  <td>{form}\n  </td>\n</tr>"
    )


def line_urls(claim) -> dict:
    """The prefixes of a line's and a file's addresses: a row adds its id (no ``{% url %}`` per
    row of a 500-line claim)."""
    base = reverse("moderation:claim", args=[claim.pk])
    return {"decide_base": f"{base}lines/", "files_base": f"{base}files/"}


def review_address(claim, *, by_unit=False, page=1, line=None) -> str:
    """The review page's address: grouped by unit or not, at a page, at a line."""
    query = urlencode(
        {**({"by": "unit"} if by_unit else {}), **({"page": page} if page > 1 else {})}
    )
    return (
        reverse("moderation:claim", args=[claim.pk])
        + (f"?{query}" if query else "")
        + (f"#line-{line}" if line else "")
    )


def _page_number(value) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def render_line(
    request, claim, line, *, can_act, message="", kind="saved", form=None, by_unit=False
):
    if form is not None:
        prepare_line(line, grade=form.data.get("grade", ""), reason=form.data.get("reason", ""))
    return render_to_string(
        "moderation/_line.html",
        {
            **line_urls(claim),
            "claim": claim,
            "line": line,
            "can_act": can_act,
            "message": message,
            "kind": kind,
            "oob": True,
            "by_unit": by_unit,
            **ClaimLine.objects.filter(claim=claim).aggregate(
                decided=Count("decision"), total=Count("pk")
            ),
        },
        request=request,
    )


class DecideLineView(ModerationMixin, View):
    """Confirm or adjust one line: htmx swaps the line's row; without JavaScript, back to the
    claim with a message."""

    acts = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        claim = self.get_claim()
        form = DecisionForm(request.POST)
        htmx = request.headers.get("HX-Request") == "true"
        message, kind = "", "error"
        if not form.is_valid():
            message = " ".join(e for errors in form.errors.values() for e in errors)
        else:
            try:
                decision = decide_line(
                    claim=claim,
                    line_id=kwargs["line_pk"],
                    outcome=form.cleaned_data["outcome"],
                    grade=form.cleaned_data["grade"],
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data["version"],
                    by=request.user,
                )
            except StaleVersion as error:
                message = str(error)
            except ModerationError as error:
                message = str(error)
            else:
                kind = "saved"
                message = (
                    f"Confirmed at {decision.grade}."
                    if decision.outcome == "confirmed"
                    else f"Adjusted to {decision.grade}."
                )
        line = line_with_decision(claim, kwargs["line_pk"])
        if line is None:
            raise Http404("No such line.")
        if htmx:
            review = review_of(claim)
            # After an error the row keeps what was typed (unless the page was stale: then
            # it shows the decision as it is now).
            keep = form if kind == "error" and "changed since" not in message else None
            return HttpResponse(
                render_line(
                    request,
                    claim,
                    line,
                    can_act=_can_act(self, claim, review),
                    message=message,
                    kind=kind,
                    form=keep,
                    by_unit=request.POST.get("by") == "unit",
                )
            )
        (messages.success if kind == "saved" else messages.error)(
            request,
            f"Candidate {line.candidate.candidate_number}, unit {line.unit.number}: {message}",
        )
        by_unit = request.POST.get("by") == "unit"
        page = review_outline(claim, by_unit=by_unit).page_of(line.pk)
        return redirect(review_address(claim, by_unit=by_unit, page=page, line=line.pk))


class ConfirmRemainingView(ModerationMixin, View):
    """Confirm every undecided line of a unit (``unit``) or of a candidate (``candidate``)."""

    acts = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        claim = self.get_claim()
        unit = candidate = None
        lines = ClaimLine.objects.filter(claim=claim)
        try:
            if request.POST.get("unit"):
                unit = Unit.objects.filter(
                    pk=int(request.POST["unit"]), pk__in=lines.values("unit_id")
                ).first()
                if unit is None:
                    raise ValueError
            if request.POST.get("candidate"):
                candidate = Candidate.objects.filter(
                    pk=int(request.POST["candidate"]), pk__in=lines.values("candidate_id")
                ).first()
                if candidate is None:
                    raise ValueError
        except ValueError:
            messages.error(request, "Choose a unit or a candidate of this claim.")
            return redirect("moderation:claim", claim.pk)
        try:
            count = confirm_remaining(claim=claim, unit=unit, candidate=candidate, by=request.user)
        except ModerationError as error:
            messages.error(request, str(error))
        else:
            what = (
                f"unit {unit.number}"
                if unit
                else f"candidate {candidate.candidate_number}"
                if candidate
                else "the claim"
            )
            messages.success(
                request,
                f"{count} line{'s' if count != 1 else ''} of {what} confirmed at the centre's "
                "grades.",
            )
        return redirect(
            review_address(
                claim,
                by_unit=request.POST.get("by") == "unit",
                page=_page_number(request.POST.get("page")),
            )
        )


class ReceiptView(ModerationMixin, View):
    acts = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            claim = confirm_receipt(claim=self.get_claim(), by=request.user)
        except ClaimError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"You have the work of claim {claim.number}. Results are due by "
                f"{claim.results_due_on:%-d %B %Y}.",
            )
        return redirect("moderation:claim", kwargs["pk"])


class EvidenceView(ModerationMixin, View):
    def get(self, request, *args, **kwargs):
        evidence = (
            Evidence.objects.filter(claim=self.get_claim(), pk=kwargs["evidence_pk"])
            .select_related("claim__centre", "candidate", "unit")
            .first()
        )
        if evidence is None:
            raise Http404("No such file.")
        return stream(evidence, request.user)


class DownloadAllView(ModerationMixin, View):
    """Every file of the claim as one ZIP, streamed as it is written (memory stays flat
    whatever the size); each file's download is on the audit trail."""

    def get(self, request, *args, **kwargs):
        claim = self.get_claim()
        files = list(
            Evidence.objects.filter(claim=claim)
            .select_related("candidate", "unit")
            .order_by("candidate__candidate_number", "unit__number", "uploaded_at", "pk")
        )
        if not files:
            messages.info(request, "This claim has no uploaded files.")
            return redirect("moderation:claim", claim.pk)
        with transaction.atomic():
            audit.record_many(
                actor=request.user,
                action="claim.evidence_downloaded",
                centre=claim.centre,
                events=[
                    (
                        claim,
                        {
                            "evidence": item.pk,
                            "candidate": item.candidate.candidate_number,
                            "unit": item.unit.number,
                            "file": item.original_name,
                            "zip": True,
                        },
                    )
                    for item in files
                ],
            )

        def member(item):
            folder = get_valid_filename(
                f"{item.candidate.candidate_number}-{item.candidate.last_name}"
            )
            name = get_valid_filename(item.original_name) or "file"
            return f"{folder}/unit-{get_valid_filename(item.unit.number)}/{item.pk}-{name}"

        response = StreamingHttpResponse(
            zip_chunks((member(item), lambda item=item: item.file.open("rb")) for item in files),
            content_type="application/zip",
        )
        response["Content-Disposition"] = f'attachment; filename="claim-{claim.number}-work.zip"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ClaimActionMixin(ModerationMixin):
    """A form page of an action on the claim; refused (with a message) when it cannot act."""

    acts = True

    def get_context_data(self, **kwargs):
        claim = self.get_claim()
        return super().get_context_data(claim=claim, review=self.review, **kwargs)

    @property
    def review(self):
        if not hasattr(self, "_review"):
            self._review = review_of(self.get_claim())
        return self._review

    def get_initial(self):
        return {"version": self.review.version if self.review else 0}

    def refused(self):
        return None

    def get(self, request, *args, **kwargs):
        refusal = self.refused()
        if refusal:
            messages.error(request, refusal)
            return redirect("moderation:claim", self.get_claim().pk)
        return super().get(request, *args, **kwargs)


class WithdrawView(ClaimActionMixin, FormView):
    template_name = "moderation/withdraw.html"
    form_class = WithdrawForm

    def refused(self):
        claim = self.get_claim()
        if claim.status != Claim.Status.WITH_MODERATOR or (self.review and not self.review.is_open):
            return f"Claim {claim.number} cannot be withdrawn now: it is {_state(claim)}."
        return None

    def live_units(self):
        return claim_units_in_review(self.get_claim())

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": self.live_units()}

    def form_valid(self, form):
        claim = self.get_claim()
        data = form.cleaned_data
        try:
            if data["scope"] == WithdrawForm.WHOLE:
                withdraw_claim(
                    claim=claim,
                    reason=data["reason"],
                    version=data["version"],
                    by=self.request.user,
                )
                messages.success(
                    self.request,
                    f"Claim {claim.number} is withdrawn and the centre told. Now write the "
                    "centre feedback report; it is emailed to the centre admins.",
                )
                return redirect("moderation:complete", claim.pk)
            units = withdraw_units(
                claim=claim,
                unit_ids=data["units"],
                reason=data["reason"],
                version=data["version"],
                by=self.request.user,
            )
        except ModerationError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        numbers = ", ".join(unit.number for unit in units)
        messages.success(
            self.request,
            f"Unit{'s' if len(units) != 1 else ''} {numbers} withdrawn and the centre told; "
            "the centre can claim them again in a new claim.",
        )
        return redirect("moderation:claim", claim.pk)


def _state(claim) -> str:
    if claim.status == Claim.Status.MODERATED:
        return "moderated"
    if claim.status == Claim.Status.WITHDRAWN:
        return "withdrawn"
    return claim.get_status_display().lower()


class CompleteView(ClaimActionMixin, FormView):
    """The centre feedback report, then completion."""

    template_name = "moderation/complete.html"
    form_class = ReportForm

    def refused(self):
        claim = self.get_claim()
        if self.review is None:
            return "Decide the claim's lines first: confirm, adjust or withdraw each."
        if not self.review.is_open:
            return f"The review of claim {claim.number} is already complete."
        return None

    def report_units(self):
        claim = self.get_claim()
        if self.review and self.review.outcome == Review.Outcome.WITHDRAWN:
            return list(
                Unit.objects.filter(
                    pk__in=ClaimLine.objects.filter(claim=claim).values("unit_id")
                ).order_by("number")
            )
        return claim_units_in_review(claim)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": self.report_units()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**completion_summary(self.get_claim()), **kwargs)

    def form_valid(self, form):
        claim = self.get_claim()
        try:
            complete_review(
                claim=claim,
                overall_comments=form.cleaned_data["overall_comments"],
                units=form.unit_comments(),
                version=form.cleaned_data["version"],
                by=self.request.user,
            )
        except ModerationError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        claim.refresh_from_db()
        if claim.status == Claim.Status.WITHDRAWN:
            text = (
                f"The feedback report on withdrawn claim {claim.number} is submitted; it is "
                "emailed to the centre admins."
            )
        else:
            text = (
                f"Claim {claim.number} is moderated: {claim.get_moderation_outcome_display()}. "
                "The centre can open the feedback report."
            )
        messages.success(self.request, text)
        return redirect("moderation:claim", claim.pk)


class ReportView(ModerationMixin, View):
    """The stored PDF of the claim's feedback report (never rendered here)."""

    def get(self, request, *args, **kwargs):
        report = report_for_claim(self.get_claim())
        if report is None:
            raise Http404("This claim has no feedback report yet.")
        return documents.serve(
            request,
            report.pdf,
            filename=report_filename(report),
            title=f"Feedback report for claim {report.review.claim.number}",
        )
