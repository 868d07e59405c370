"""The centre feedback report's PDF: rendered once and stored (``ocradmin.documents``); for a
claim withdrawn whole, then emailed to the centre admins with the PDF attached, once."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from centres.models import Role
from centres.selectors import centre_people
from ocradmin import documents
from ocradmin.notifications import render_notice

from ..models import FeedbackReport, Review
from ..selectors import report_context

TEMPLATE = "moderation/pdf/report.html"


def report_filename(report: FeedbackReport) -> str:
    return f"feedback-report-{report.review.claim.number}.pdf"


def _report(report_id: int) -> FeedbackReport:
    return FeedbackReport.objects.select_related(
        "review__claim__centre", "review__claim__qualification", "review__moderator"
    ).get(pk=report_id)


def store_report(*, report_id: int) -> FeedbackReport:
    """Render and keep the report's PDF once (a second call finds it stored)."""
    report = _report(report_id)
    documents.store_once(
        report,
        "pdf",
        template_name=TEMPLATE,
        context=lambda: report_context(report),
        filename=report_filename(report),
    )
    return _report(report_id)


def email_withdrawn_report(*, report_id: int) -> bool:
    """For a claim withdrawn whole: email the stored PDF to the centre admins, once (the row is
    claimed by setting ``emailed_at`` first; a failed send gives the claim back for a retry)."""
    report = _report(report_id)
    claim = report.review.claim
    if report.review.outcome != Review.Outcome.WITHDRAWN or not report.pdf:
        return False
    claimed = FeedbackReport.objects.filter(pk=report.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    admins = [user.email for user in centre_people(claim.centre, Role.CENTRE_ADMIN)]
    try:
        if admins:
            subject, body = render_notice(
                "moderation/report_emailed", {"claim": claim, "report": report}
            )
            message = EmailMessage(
                subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=admins
            )
            with report.pdf.open("rb") as pdf:
                message.attach(report_filename(report), pdf.read(), "application/pdf")
            message.send()
    except Exception:
        with transaction.atomic():
            FeedbackReport.objects.filter(pk=report.pk).update(emailed_at=None)
        raise
    return True
