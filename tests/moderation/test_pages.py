"""The moderation pages: the queue, the review page (htmx decisions, stale tabs, bulk
confirmation), evidence downloads and the ZIP, withdrawing, completing, the report for the
moderator and the centre, the claim page's section, the dashboard; query counts."""

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from claims.models import Claim, ClaimLine, Evidence
from moderation.models import LineDecision, Review
from moderation.services.report import store_report
from moderation.services.review import confirm_remaining, decide_line, withdraw_units
from ocradmin.models import AuditEvent

from ..factories import UserFactory
from .conftest import big_claim, line


def review_url(claim, suffix=""):
    return reverse("moderation:claim", args=[claim.pk]) + suffix


def decide_url(claim, ln):
    return reverse("moderation:decide", args=[claim.pk, ln.pk])


HTMX = {"HTTP_HX_REQUEST": "true"}


# --- The queue --------------------------------------------------------------------------------


def test_the_queue_groups_the_moderators_claims(client, people, with_moderator, setup, centre):
    client.force_login(people["moderator"])
    response = client.get(reverse("moderation:queue"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ready to moderate" in content and with_moderator.number in content
    assert "working days left" in content
    decide_line(
        claim=with_moderator,
        line_id=line(with_moderator, setup["full"], "1").pk,
        outcome="confirmed",
        version=0,
        by=people["moderator"],
    )
    content = client.get(reverse("moderation:queue")).content.decode()
    assert "In progress" in content and "1 of 4" in content


def test_the_queue_shows_only_the_moderators_own_claims(client, people, with_moderator):
    client.force_login(UserFactory(is_examiner_moderator=True))
    assert with_moderator.number not in client.get(reverse("moderation:queue")).content.decode()


def test_the_queue_filters_by_centre_and_qualification(client, people, with_moderator, centre):
    client.force_login(people["moderator"])
    url = reverse("moderation:queue")
    assert with_moderator.number in client.get(url, {"centre": centre.pk}).content.decode()
    other = big_claim(centre, people["moderator"], 5)
    content = client.get(url, {"qualification": other.qualification_id}).content.decode()
    assert other.number in content and with_moderator.number not in content


def test_staff_see_every_claim_in_moderation_and_act_on_none(client, people, with_moderator, setup):
    client.force_login(people["staff"])
    assert with_moderator.number in client.get(reverse("moderation:queue")).content.decode()
    page = client.get(review_url(with_moderator))
    assert page.status_code == 200 and b"Confirm D" not in page.content
    ln = line(with_moderator, setup["full"], "1")
    assert client.post(decide_url(with_moderator, ln), {"outcome": "confirmed"}).status_code == 403
    assert not LineDecision.objects.exists()


@pytest.mark.parametrize("person", ["centre_admin", "teacher", "head_of_centre", "outsider"])
def test_people_who_are_not_moderators_get_403(client, people, with_moderator, person):
    client.force_login(people[person])
    assert client.get(reverse("moderation:queue")).status_code == 403
    assert client.get(review_url(with_moderator)).status_code == 403


def test_another_moderators_claim_is_404(client, with_moderator, setup, other_moderator):
    client.force_login(other_moderator)
    assert client.get(review_url(with_moderator)).status_code == 404
    ln = line(with_moderator, setup["full"], "1")
    response = client.post(decide_url(with_moderator, ln), {"outcome": "confirmed", "version": 0})
    assert response.status_code == 404
    assert not LineDecision.objects.exists()


def test_a_draft_is_never_on_the_moderation_pages(client, people, centre, setup):
    from claims.services.claims import start_claim

    draft = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    client.force_login(people["moderator"])
    assert client.get(review_url(draft)).status_code == 404


# --- The review page --------------------------------------------------------------------------


def test_the_review_page_by_candidate_and_by_unit(client, people, with_moderator, setup):
    client.force_login(people["moderator"])
    by_candidate = client.get(review_url(with_moderator)).content.decode()
    assert setup["full"].last_name in by_candidate and "Confirm D" in by_candidate
    assert "0 of 4 lines decided" in by_candidate
    by_unit = client.get(review_url(with_moderator, "?by=unit")).content.decode()
    assert "Unit 3:" in by_unit and "Confirm the remaining lines" in by_unit


def test_access_arrangements_are_shown_beside_the_candidate(client, people, with_moderator, setup):
    from entries.models import AccessArrangement

    AccessArrangement.objects.create(
        centre=setup["full"].centre,
        candidate=setup["full"],
        qualification=setup["qualification"],
        kind=AccessArrangement.Kind.EXTRA_TIME,
        extra_time_percent=25,
        status=AccessArrangement.Status.APPROVED,
        first_assessment_on="2026-06-01",
    )
    client.force_login(people["moderator"])
    content = client.get(review_url(with_moderator)).content.decode()
    assert "Access arrangements:" in content and "25%" in content


def test_confirming_a_line_with_htmx_answers_with_its_row(client, people, with_moderator, setup):
    client.force_login(people["moderator"])
    ln = line(with_moderator, setup["full"], "1")
    response = client.post(
        decide_url(with_moderator, ln), {"outcome": "confirmed", "version": "0"}, **HTMX
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith(f'<tr id="line-{ln.pk}"')
    assert "Confirmed at D." in content and 'role="status"' in content
    assert 'hx-swap-oob="true"' in content and "1 of 4 lines decided" in content
    assert LineDecision.objects.get().outcome == "confirmed"


def test_a_bad_adjustment_answers_with_the_message_and_saves_nothing(
    client, people, with_moderator, setup
):
    client.force_login(people["moderator"])
    ln = line(with_moderator, setup["full"], "2")
    url = decide_url(with_moderator, ln)
    no_reason = client.post(url, {"outcome": "adjusted", "grade": "P", "version": "0"}, **HTMX)
    assert "Give the reason for adjusting" in no_reason.content.decode()
    assert 'role="alert"' in no_reason.content.decode()
    bad_grade = client.post(
        url, {"outcome": "adjusted", "grade": "Z", "reason": "x", "version": "0"}, **HTMX
    )
    assert "Z is not a grade of unit 2" in bad_grade.content.decode()
    no_version = client.post(url, {"outcome": "confirmed"}, **HTMX)
    assert no_version.status_code == 200 and 'role="alert"' in no_version.content.decode()
    assert not LineDecision.objects.exists()


def test_a_stale_tab_is_told_and_changes_nothing(client, people, with_moderator, setup):
    client.force_login(people["moderator"])
    ln = line(with_moderator, setup["full"], "2")
    url = decide_url(with_moderator, ln)
    client.post(url, {"outcome": "adjusted", "grade": "P", "reason": "Tab one", "version": "0"})
    stale = client.post(url, {"outcome": "confirmed", "version": "0"}, **HTMX)
    content = stale.content.decode()
    assert "changed since you opened the page" in content and "adjusted to P" in content
    decision = LineDecision.objects.get()
    assert (decision.outcome, decision.grade, decision.version) == ("adjusted", "P", 1)


def test_without_javascript_a_decision_redirects_with_a_message(
    client, people, with_moderator, setup
):
    client.force_login(people["moderator"])
    ln = line(with_moderator, setup["full"], "1")
    response = client.post(
        decide_url(with_moderator, ln), {"outcome": "confirmed", "version": "0"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(review_url(with_moderator))
    assert "Confirmed at D." in response.content.decode()


def test_confirm_the_remaining_lines_of_a_unit(client, people, with_moderator, setup):
    client.force_login(people["moderator"])
    url = reverse("moderation:confirm-remaining", args=[with_moderator.pk])
    response = client.post(url, {"unit": setup["units"]["3"].pk, "by": "unit"}, follow=True)
    assert "2 lines of unit 3 confirmed" in response.content.decode()
    assert LineDecision.objects.count() == 2
    again = client.post(url, {"unit": setup["units"]["3"].pk}, follow=True)
    assert "already decided" in again.content.decode()
    bad = client.post(url, {"unit": "not-a-number"}, follow=True)
    assert "Choose a unit or a candidate of this claim" in bad.content.decode()
    assert LineDecision.objects.count() == 2


def test_confirm_receipt_of_posted_work(client, people, submitted):
    from django.utils import timezone

    from claims.services.work import record_dispatch

    record_dispatch(
        claim=submitted,
        posted_on=timezone.localdate(),
        carrier="Royal Mail",
        tracking_reference="AB1",
        by=people["teacher"],
    )
    client.force_login(people["moderator"])
    assert b"I have the work" in client.get(review_url(submitted)).content
    response = client.post(reverse("moderation:receipt", args=[submitted.pk]), follow=True)
    assert "Results are due by" in response.content.decode()
    assert Claim.objects.get(pk=submitted.pk).status == "with_moderator"


# --- Evidence ---------------------------------------------------------------------------------


def test_a_file_download_is_streamed_and_audited(client, people, with_moderator):
    evidence = Evidence.objects.filter(claim=with_moderator).first()
    client.force_login(people["moderator"])
    response = client.get(reverse("moderation:file", args=[with_moderator.pk, evidence.pk]))
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="claim.evidence_downloaded").count() == 1


def test_download_all_is_one_streamed_zip_and_every_file_is_audited(client, people, with_moderator):
    client.force_login(people["moderator"])
    response = client.get(reverse("moderation:files-zip", args=[with_moderator.pk]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == 4 and archive.testzip() is None
    assert all(archive.read(name).startswith(b"%PDF") for name in names)
    assert all("/unit-" in name for name in names)
    events = AuditEvent.objects.filter(action="claim.evidence_downloaded")
    assert events.count() == 4 and all(event.data["zip"] for event in events)


# --- Withdrawing and completing ---------------------------------------------------------------


def test_withdrawing_a_unit_through_the_form(client, people, with_moderator, setup, centre):
    client.force_login(people["moderator"])
    url = reverse("moderation:withdraw", args=[with_moderator.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Unit 3" in page.content
    missing = client.post(url, {"scope": "units", "reason": "", "version": "0"})
    content = missing.content.decode()
    assert "There is a problem" in content and "Choose the units to withdraw" in content
    assert "Give the reason" in content
    response = client.post(
        url,
        {"scope": "units", "units": [setup["units"]["3"].pk], "reason": "Re-assess", "version": 0},
        follow=True,
    )
    assert "Unit 3 withdrawn and the centre told" in response.content.decode()
    assert ClaimLine.objects.filter(released_at__isnull=False).count() == 2
    # The centre sees it on the claim's page.
    client.force_login(people["centre_admin"])
    claim_page = client.get(reverse("claims:claim", args=[centre.number, with_moderator.pk]))
    assert "Withdrawn units" in claim_page.content.decode() and "Re-assess" in (
        claim_page.content.decode()
    )


def test_a_stale_withdraw_form_changes_nothing(client, people, with_moderator, setup):
    client.force_login(people["moderator"])
    decide_line(
        claim=with_moderator,
        line_id=line(with_moderator, setup["full"], "1").pk,
        outcome="confirmed",
        version=0,
        by=people["moderator"],
    )
    response = client.post(
        reverse("moderation:withdraw", args=[with_moderator.pk]),
        {"scope": "claim", "reason": "Old page", "version": 0},
    )
    assert "changed since you opened the page" in response.content.decode()
    assert Claim.objects.get(pk=with_moderator.pk).status == "with_moderator"


def report_post(claim, version, *, consistent="yes"):
    data = {"overall_comments": "Well organised; annotation was clear.", "version": version}
    for unit_id in ClaimLine.objects.filter(claim=claim, released_at__isnull=True).values_list(
        "unit_id", flat=True
    ):
        data[f"unit-{unit_id}-did_well"] = "Cover sheets linked evidence to criteria."
        data[f"unit-{unit_id}-needs_attention"] = "Merit evidence thin."
        data[f"unit-{unit_id}-consistent"] = consistent
        data[f"unit-{unit_id}-action_points"] = "Standardise assessors."
    return data


def test_complete_through_the_report_form_and_the_centre_opens_the_report(
    client, people, with_moderator, setup, centre, django_capture_on_commit_callbacks
):
    moderator = people["moderator"]
    client.force_login(moderator)
    url = reverse("moderation:complete", args=[with_moderator.pk])
    # Nothing decided yet: back to the claim with a message.
    assert client.get(url, follow=True).redirect_chain[-1][0] == review_url(with_moderator)
    decide_line(
        claim=with_moderator,
        line_id=line(with_moderator, setup["full"], "2").pk,
        outcome="adjusted",
        grade="P",
        reason="Merit criteria not met",
        version=0,
        by=moderator,
    )
    page = client.get(url)
    assert "3 lines are not decided yet" in page.content.decode()
    confirm_remaining(claim=with_moderator, by=moderator)
    version = Review.objects.get().version
    empty = client.post(url, {"version": version})
    assert "Write the overall comments" in empty.content.decode()
    assert "Say what the centre did well in unit 1" in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, report_post(with_moderator, version), follow=True)
    assert "is moderated: Adjusted" in done.content.decode()
    claim = Claim.objects.get(pk=with_moderator.pk)
    assert claim.status == "moderated" and claim.moderation_outcome == "adjusted"
    # The moderator's copy.
    pdf = client.get(reverse("moderation:report", args=[claim.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # The centre: the list, the PDF, the claim page's section, the status in the list.
    client.force_login(people["head_of_centre"])
    reports = client.get(reverse("moderation:centre-reports", args=[centre.number]))
    assert claim.number in reports.content.decode()
    centre_pdf = client.get(reverse("moderation:centre-report", args=[centre.number, claim.pk]))
    assert centre_pdf.status_code == 200
    assert b"".join(centre_pdf.streaming_content).startswith(b"%PDF")
    claim_page = client.get(reverse("claims:claim", args=[centre.number, claim.pk])).content
    assert b"Moderated" in claim_page and b"Merit criteria not met" in claim_page
    assert b"Centre feedback report (PDF)" in claim_page
    assert (
        b"Moderated: adjusted" in client.get(reverse("claims:list", args=[centre.number])).content
    )


def test_a_report_not_yet_stored_is_never_rendered_on_get(
    client, people, with_moderator, centre, monkeypatch
):
    moderator = people["moderator"]
    confirm_remaining(claim=with_moderator, by=moderator)
    from moderation.services.review import UnitComments, complete_review

    # The task has not run: complete without running on-commit callbacks.
    complete_review(
        claim=with_moderator,
        overall_comments="x",
        units=[
            UnitComments(u, "ok", "", True, "")
            for u in set(ClaimLine.objects.values_list("unit_id", flat=True))
        ],
        version=Review.objects.get().version,
        by=moderator,
    )
    import ocradmin.documents

    monkeypatch.setattr(
        ocradmin.documents, "render_pdf", lambda *a, **k: pytest.fail("rendered on GET")
    )
    client.force_login(people["centre_admin"])
    response = client.get(
        reverse("moderation:centre-report", args=[centre.number, with_moderator.pk])
    )
    assert response.status_code == 202 and response["Refresh"]


def test_the_report_pdf_holds_the_centre_claim_adjustments_and_comments(
    with_moderator, setup, people, centre
):
    moderator = people["moderator"]
    decide_line(
        claim=with_moderator,
        line_id=line(with_moderator, setup["full"], "2").pk,
        outcome="adjusted",
        grade="P",
        reason="Merit criteria M2 not evidenced",
        version=0,
        by=moderator,
    )
    withdraw_units(
        claim=with_moderator,
        unit_ids=[setup["units"]["3"].pk],
        reason="Unit 3 needs re-assessment",
        version=Review.objects.get().version,
        by=moderator,
    )
    confirm_remaining(claim=with_moderator, by=moderator)
    from moderation.services.review import UnitComments, complete_review

    report = complete_review(
        claim=with_moderator,
        overall_comments="Annotation was exemplary throughout.",
        units=[
            UnitComments(setup["units"][n].pk, f"Unit {n} did well", "Attention", True, "Act")
            for n in ("1", "2")
        ],
        version=Review.objects.get().version,
        by=moderator,
    )
    report = store_report(report_id=report.pk)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(report.pdf.read())).pages)
    text = " ".join(text.split())
    assert "12345 Northfield Academy" in text
    assert with_moderator.number in text
    assert "Merit criteria M2 not evidenced" in text
    assert "Unit 3 needs re-assessment" in text
    assert "Annotation was exemplary throughout." in text
    assert "Unit 1 did well" in text
    assert "moderated, adjusted" in text


# --- The dashboard ----------------------------------------------------------------------------


def test_the_moderators_dashboard_lists_each_claim_to_moderate(
    client, people, with_moderator, setup
):
    decide_line(
        claim=with_moderator,
        line_id=line(with_moderator, setup["full"], "1").pk,
        outcome="confirmed",
        version=0,
        by=people["moderator"],
    )
    client.force_login(people["moderator"])
    content = client.get("/").content.decode()
    assert f"Moderate claim {with_moderator.number}" in content
    assert "1 of 4 lines decided" in content and "results due" in content
    client.force_login(people["centre_admin"])
    assert f"Moderate claim {with_moderator.number}" not in client.get("/").content.decode()


# --- Query counts -----------------------------------------------------------------------------


def test_the_review_page_queries_do_not_grow_with_lines(client, people, centre):
    moderator = people["moderator"]
    client.force_login(moderator)

    def count(n, code):
        claim = big_claim(centre, moderator, n, entry_code=code)
        lines = list(ClaimLine.objects.filter(claim=claim)[:2])
        LineDecision.objects.create(
            line=lines[0],
            review=Review.objects.create(claim=claim, moderator=moderator),
            outcome="confirmed",
            grade="M",
        )
        Evidence.objects.create(
            claim=claim,
            candidate=lines[1].candidate,
            unit=lines[1].unit,
            file="x.pdf",
            original_name="x.pdf",
            kind="pdf",
            content_type="application/pdf",
            size=1,
        )
        counts = []
        client.get(review_url(claim))  # the calendar's closure days, read once and cached
        for suffix in ("", "?by=unit"):
            connection.queries_log.clear()  # a full log (9,000) would make the count 0
            with CaptureQueriesContext(connection) as queries:
                assert client.get(review_url(claim, suffix)).status_code == 200
            # Whether the claim has any file is asked only of a page showing none.
            asked = [q for q in queries.captured_queries if q["sql"].startswith("SELECT 1 AS")]
            counts.append(len(queries) - len(asked))
        return counts

    few, many = count(5, "05901"), count(500, "05902")
    assert few == many and min(few) > 5


def test_the_queue_queries_do_not_grow_with_claims(client, people, centre):
    moderator = people["moderator"]
    client.force_login(moderator)
    big_claim(centre, moderator, 5, entry_code="05903")
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("moderation:queue"))
    for i in range(10):
        big_claim(centre, moderator, 5, entry_code=f"0591{i}")
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as eleven:
        client.get(reverse("moderation:queue"))
    assert len(one) == len(eleven)


def test_withdrawing_the_whole_claim_leads_to_the_report(
    client, people, with_moderator, centre, django_capture_on_commit_callbacks
):
    client.force_login(people["moderator"])
    response = client.post(
        reverse("moderation:withdraw", args=[with_moderator.pk]),
        {"scope": "claim", "reason": "Marking inconsistent across assessors", "version": 0},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "moderation:complete", args=[with_moderator.pk]
    )
    content = response.content.decode()
    assert "The whole claim is withdrawn" in content
    version = Review.objects.get().version
    data = {"overall_comments": "Inconsistent.", "version": version}
    for unit_id in ClaimLine.objects.filter(claim=with_moderator).values_list("unit_id", flat=True):
        data[f"unit-{unit_id}-did_well"] = "Tidy portfolios."
        data[f"unit-{unit_id}-consistent"] = "no"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("moderation:complete", args=[with_moderator.pk]), data, follow=True
        )
    assert "emailed to the centre admins" in done.content.decode()
    claim = Claim.objects.get(pk=with_moderator.pk)
    assert claim.status == "withdrawn"
    client.force_login(people["centre_admin"])
    page = client.get(reverse("claims:claim", args=[centre.number, claim.pk])).content.decode()
    assert "withdrew this claim" in page and "Marking inconsistent across assessors" in page
