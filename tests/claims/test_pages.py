"""The claims pages: the permission matrix for every URL, building with and without htmx,
the draft message with its link, the work page, downloads, the moderator's side, the
candidate page and the dashboard, and constant queries on the list and the claim page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, ClaimLine, Evidence
from claims.services.claims import add_line, start_claim, submit_claim
from claims.services.work import add_evidence
from ocradmin.models import AuditEvent

from ..entries.factories import CandidateFactory
from ..factories import UserFactory
from .conftest import make_entry
from .files import PDF, upload

BUILDERS = {"centre_admin", "teacher"}
READERS = BUILDERS | {"head_of_centre"}


@pytest.fixture
def draft(setup, centre, people):
    claim = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    add_line(
        claim=claim,
        candidate=setup["full"],
        unit=setup["units"]["1"],
        grade="D",
        by=people["teacher"],
    )
    return claim


@pytest.fixture
def submitted(draft, setup, people):
    claim = submit_claim(claim=draft, declaration=True, by=people["teacher"])
    add_evidence(
        claim=claim,
        candidate=setup["full"],
        unit=setup["units"]["1"],
        file=upload("portfolio.pdf", PDF),
        by=people["teacher"],
    )
    return Claim.objects.get(pk=claim.pk)


def centre_urls(centre, claim, setup):
    number = centre.number
    evidence = Evidence.objects.filter(claim=claim).first()
    return {
        "list": (reverse("claims:list", args=[number]), READERS),
        "start": (reverse("claims:start", args=[number]), BUILDERS),
        "claim": (reverse("claims:claim", args=[number, claim.pk]), READERS),
        "build-candidate": (
            reverse("claims:build-candidate", args=[number, claim.pk, setup["full"].pk]),
            BUILDERS,
        ),
        "build-unit": (
            reverse("claims:build-unit", args=[number, claim.pk, setup["units"]["1"].pk]),
            BUILDERS,
        ),
        "submit": (reverse("claims:submit", args=[number, claim.pk]), BUILDERS),
        "work": (reverse("claims:work", args=[number, claim.pk]), READERS),
        "work-file": (
            reverse("claims:work-file", args=[number, claim.pk, evidence.pk]) if evidence else None,
            READERS,
        ),
    }


def expected(person, allowed):
    if person == "staff":
        return 200
    if person in {"centre_admin", "teacher", "head_of_centre", "aam_user"}:
        return 200 if person in allowed else 403
    return 404


PEOPLE = [
    "centre_admin",
    "teacher",
    "head_of_centre",
    "aam_user",
    "other_centre_admin",
    "moderator",
    "outsider",
    "staff",
]


@pytest.mark.parametrize(
    "page", ["list", "start", "claim", "build-candidate", "build-unit", "submit"]
)
@pytest.mark.parametrize("person", PEOPLE)
def test_draft_pages_permission_matrix(client, people, centre, setup, draft, page, person):
    url, allowed = centre_urls(centre, draft, setup)[page]
    client.force_login(people[person])
    response = client.get(url)
    status = expected(person, allowed)
    if allowed is BUILDERS and person == "staff":
        status = 403  # staff read claims; they do not build them
    assert response.status_code == status


@pytest.mark.parametrize("page", ["claim", "work", "work-file"])
@pytest.mark.parametrize("person", PEOPLE)
def test_submitted_pages_permission_matrix(client, people, centre, setup, submitted, page, person):
    url, allowed = centre_urls(centre, submitted, setup)[page]
    client.force_login(people[person])
    assert client.get(url).status_code == expected(person, allowed)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("claims:save-line", {"candidate": "C", "unit": "U", "grade": "M"}),
        ("claims:full-award", {"candidate": "C", "full_award": "yes"}),
        ("claims:submit", {"declaration": "on"}),
    ],
)
@pytest.mark.parametrize(
    "person", ["head_of_centre", "aam_user", "other_centre_admin", "moderator"]
)
def test_building_posts_are_refused_to_others(
    client, people, centre, setup, draft, name, args, person
):
    data = {
        key: {"C": setup["full"].pk, "U": setup["units"]["2"].pk}.get(value, value)
        for key, value in args.items()
    }
    client.force_login(people[person])
    response = client.post(reverse(name, args=[centre.number, draft.pk]), data)
    assert response.status_code == (403 if person in {"head_of_centre", "aam_user"} else 404)
    assert ClaimLine.objects.count() == 1
    assert Claim.objects.get().status == Claim.Status.DRAFT


@pytest.mark.parametrize(
    "person", ["head_of_centre", "aam_user", "other_centre_admin", "moderator"]
)
def test_work_posts_are_refused_to_others(client, people, centre, setup, draft, person):
    claim = submit_claim(claim=draft, declaration=True, by=people["teacher"])
    client.force_login(people[person])
    line = f"{setup['full'].pk}-{setup['units']['1'].pk}"
    upload_response = client.post(
        reverse("claims:work-upload", args=[centre.number, claim.pk]),
        {"line": line, "file": upload("a.pdf", PDF)},
    )
    post_response = client.post(
        reverse("claims:work-post", args=[centre.number, claim.pk]),
        {"posted_on": "2020-01-01", "carrier": "Royal Mail", "tracking_reference": "X"},
    )
    status = 403 if person in {"head_of_centre", "aam_user"} else 404
    assert upload_response.status_code == post_response.status_code == status
    assert not Evidence.objects.exists()


def test_another_centres_claim_is_404_for_its_own_admin(client, people, other_centre, setup, draft):
    client.force_login(people["other_centre_admin"])
    url = reverse("claims:claim", args=[other_centre.number, draft.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("person", "status"), [("moderator", 200), ("other_moderator", 404), ("centre_admin", 403)]
)
def test_moderator_pages_are_scoped_by_allocation(client, people, setup, submitted, person, status):
    people = {**people, "other_moderator": UserFactory(is_examiner_moderator=True)}
    evidence = Evidence.objects.get()
    client.force_login(people[person])
    assert client.get(reverse("moderation:claim", args=[submitted.pk])).status_code == status
    file_url = reverse("moderation:file", args=[submitted.pk, evidence.pk])
    assert client.get(file_url).status_code == status
    receipt = client.post(reverse("moderation:receipt", args=[submitted.pk]))
    assert receipt.status_code == (302 if status == 200 else status)


def test_a_moderator_never_sees_a_draft(client, people, draft):
    client.force_login(people["moderator"])
    assert client.get(reverse("moderation:claim", args=[draft.pk])).status_code == 404


def test_a_download_is_streamed_and_audited(client, people, centre, submitted):
    evidence = Evidence.objects.get()
    client.force_login(people["head_of_centre"])
    response = client.get(
        reverse("claims:work-file", args=[centre.number, submitted.pk, evidence.pk])
    )
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == PDF
    assert 'filename="portfolio.pdf"' in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="claim.evidence_downloaded")
    assert event.actor == people["head_of_centre"] and event.data["file"] == "portfolio.pdf"


def test_saving_a_line_with_htmx_answers_with_the_row(client, people, centre, setup, draft):
    client.force_login(people["teacher"])
    candidate, unit = setup["full"], setup["units"]["2"]
    response = client.post(
        reverse("claims:save-line", args=[centre.number, draft.pk]),
        {"candidate": candidate.pk, "unit": unit.pk, f"grade-{candidate.pk}-{unit.pk}": "M"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Saved" in response.content and b'<tr id="line-' in response.content
    assert ClaimLine.objects.get(claim=draft, unit=unit).grade == "M"


def test_a_refused_line_with_htmx_shows_the_reason_in_the_row(client, people, centre, setup, draft):
    client.force_login(people["teacher"])
    candidate, unit = setup["unit_only"], setup["units"]["1"]
    response = client.post(
        reverse("claims:save-line", args=[centre.number, draft.pk]),
        {"candidate": candidate.pk, "unit": unit.pk, "grade": "D", "mode": "unit"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"no accepted entry" in response.content
    assert not ClaimLine.objects.filter(candidate=candidate).exists()


def test_saving_a_line_without_javascript_redirects_back(client, people, centre, setup, draft):
    client.force_login(people["centre_admin"])
    candidate, unit = setup["unit_only"], setup["units"]["3"]
    response = client.post(
        reverse("claims:save-line", args=[centre.number, draft.pk]),
        {"candidate": candidate.pk, "unit": unit.pk, "grade": "P", "mode": "unit"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "claims:build-unit", args=[centre.number, draft.pk, unit.pk]
    )
    assert b"Saved" in response.content
    assert ClaimLine.objects.get(candidate=candidate).grade == "P"


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999999", "١٢"])
def test_crafted_ids_are_refused_not_500(client, people, centre, draft, value):
    client.force_login(people["teacher"])
    response = client.post(
        reverse("claims:save-line", args=[centre.number, draft.pk]),
        {"candidate": value, "unit": value, "grade": "D"},
        follow=True,
    )
    assert response.status_code == 200
    assert b"Choose a candidate and a unit." in response.content
    assert ClaimLine.objects.count() == 1


def test_the_build_pages_show_access_arrangements(client, people, centre, setup, draft):
    from entries.models import AccessArrangement

    AccessArrangement.objects.create(
        centre=centre,
        candidate=setup["full"],
        qualification=setup["qualification"],
        kind="extra_time",
        extra_time_percent=25,
        evidence="Form 8",
        first_assessment_on="2026-01-01",
        status="approved",
    )
    client.force_login(people["teacher"])
    unit_page = client.get(
        reverse("claims:build-unit", args=[centre.number, draft.pk, setup["units"]["1"].pk])
    )
    assert b"Extra time 25%" in unit_page.content
    candidate_page = client.get(
        reverse("claims:build-candidate", args=[centre.number, draft.pk, setup["full"].pk])
    )
    assert b"Extra time 25%" in candidate_page.content


def test_starting_a_second_draft_links_to_the_open_one(client, people, centre, setup, draft):
    client.force_login(people["centre_admin"])
    response = client.post(
        reverse("claims:start", args=[centre.number]),
        {"qualification": setup["qualification"].pk},
    )
    assert response.status_code == 200
    assert b"already open" in response.content
    assert reverse("claims:claim", args=[centre.number, draft.pk]).encode() in response.content
    assert Claim.objects.count() == 1


def test_start_then_submit_through_the_pages(client, people, centre, setup):
    client.force_login(people["teacher"])
    response = client.post(
        reverse("claims:start", args=[centre.number]), {"qualification": setup["qualification"].pk}
    )
    claim = Claim.objects.get()
    assert response["Location"] == reverse("claims:claim", args=[centre.number, claim.pk])
    assert claim.built_by == people["teacher"]
    submit_url = reverse("claims:submit", args=[centre.number, claim.pk])
    empty = client.post(submit_url, {"declaration": "on"})
    assert b"no lines yet" in empty.content
    add_line(
        claim=claim,
        candidate=setup["full"],
        unit=setup["units"]["1"],
        grade="D",
        by=people["teacher"],
    )
    page = client.get(submit_url)
    assert b"D \xc3\x97 1" in page.content  # the summary by unit and grade
    assert b"Confirm the authentication declaration" in client.post(submit_url, {}).content
    response = client.post(submit_url, {"declaration": "on"})
    claim.refresh_from_db()
    assert response["Location"] == reverse("claims:work", args=[centre.number, claim.pk])
    assert claim.status == Claim.Status.SUBMITTED and claim.submitted_by == people["teacher"]


def test_the_candidate_page_lists_their_claim_lines(client, people, centre, setup, draft):
    client.force_login(people["head_of_centre"])
    response = client.get(reverse("entries:candidate", args=[centre.number, setup["full"].pk]))
    assert b"Claims" in response.content and b"Unit 1:" in response.content


def test_the_dashboard_lists_drafts_and_work_due(client, people, setup, draft):
    client.force_login(people["teacher"])
    assert b"Finish and submit the draft" in client.get("/").content
    submit_claim(claim=draft, declaration=True, by=people["teacher"])
    assert b"left)" in client.get("/").content


def _claims_with_lines(centre, qualification, units, lines_per_claim, by):
    """Five claims (four submitted and a draft) with ``lines_per_claim`` lines between them."""
    candidates = [CandidateFactory(centre=centre) for _ in range(lines_per_claim)]
    for candidate in candidates:
        make_entry(centre, qualification, candidate)
    for index in range(5):
        claim = Claim.objects.create(centre=centre, qualification=qualification, built_by=by)
        ClaimLine.objects.bulk_create(
            ClaimLine(
                claim=claim,
                candidate=candidate,
                unit=units[index % len(units)],
                entry=candidate.entries.first(),
                grade="P",
            )
            for candidate in candidates
        )
        if index < 4:
            submit_claim(claim=claim, declaration=True, by=by)


@pytest.mark.parametrize("page", ["list", "claim", "claim-by-unit", "work", "build-unit"])
def test_list_and_claim_pages_take_constant_queries(client, people, centre, setup, page):
    units = list(setup["units"].values())
    client.force_login(people["centre_admin"])

    def count(lines):
        Claim.objects.all().delete()
        _claims_with_lines(centre, setup["qualification"], units, lines, people["teacher"])
        claim = Claim.objects.exclude(status="draft").order_by("pk").first()
        draft = Claim.objects.get(status="draft")
        url = {
            "build-unit": reverse(
                "claims:build-unit", args=[centre.number, draft.pk, setup["units"]["1"].pk]
            ),
            "list": reverse("claims:list", args=[centre.number]),
            "claim": reverse("claims:claim", args=[centre.number, claim.pk]),
            "claim-by-unit": reverse("claims:claim", args=[centre.number, claim.pk]) + "?by=unit",
            "work": reverse("claims:work", args=[centre.number, claim.pk]),
        }[page]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count(1) == count(500)


def test_the_moderator_list_shows_only_their_submitted_claims(client, people, setup, submitted):
    other = UserFactory(is_examiner_moderator=True)
    client.force_login(people["moderator"])
    assert submitted.number.encode() in client.get(reverse("moderation:queue")).content
    client.force_login(other)
    assert submitted.number.encode() not in client.get(reverse("moderation:queue")).content


def test_the_build_pages_of_a_submitted_claim_lead_back_to_it(client, people, centre, setup, draft):
    submit_claim(claim=draft, declaration=True, by=people["teacher"])
    client.force_login(people["teacher"])
    response = client.get(
        reverse("claims:build-unit", args=[centre.number, draft.pk, setup["units"]["1"].pk]),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("claims:claim", args=[centre.number, draft.pk])
    assert b"only the examiner-moderator can change it now" in response.content
