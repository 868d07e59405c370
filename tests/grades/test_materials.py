"""Assessment materials: staff upload, centres download from 31 March, every download audited;
the AAM user sees materials and nothing else."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grades.models import AssessmentMaterial
from grades.services import GradeError
from grades.services.materials import MAX_MATERIAL_BYTES, add_material
from ocradmin.models import AuditEvent

from ..entries.factories import ApprovalFactory
from .conftest import IN_WINDOW

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MATERIALS_OPEN = datetime(2021, 3, 30, 23, 0, tzinfo=UTC)


@pytest.fixture
def approved(centre, qualification):
    ApprovalFactory(centre=centre, qualification=qualification)
    return qualification


@pytest.fixture
def material(series, approved, people):
    return add_material(
        series=series,
        qualification=approved,
        title="Set task 2021",
        upload=SimpleUploadedFile("set-task.pdf", PDF),
        available_from=MATERIALS_OPEN,
        by=people["staff"],
    )


def download_url(centre, material):
    return reverse("grades:material-download", args=[centre.number, material.pk])


@pytest.mark.parametrize("person", ["centre_admin", "teacher", "head_of_centre", "aam_user"])
def test_every_centre_role_downloads_and_each_download_is_audited(
    client, people, centre, material, person
):
    client.force_login(people[person])
    page = client.get(reverse("grades:materials", args=[centre.number]))
    assert "Set task 2021" in page.content.decode()

    response = client.get(download_url(centre, material))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="set-task.pdf"')
    assert b"".join(response.streaming_content) == PDF
    event = AuditEvent.objects.get(action="material.downloaded")
    assert (event.actor, event.centre) == (people[person], centre)


def test_before_31_march_the_page_says_when_and_downloads_are_refused(
    client, people, centre, material
):
    client.force_login(people["aam_user"])
    with time_machine.travel(MATERIALS_OPEN - timedelta(seconds=1), tick=False):
        page = client.get(reverse("grades:materials", args=[centre.number])).content.decode()
        assert "can be downloaded from" in page
        assert "31 March 2021, 00:00" in page
        response = client.get(download_url(centre, material), follow=True)
    assert "opens on 31 March 2021" in response.content.decode()
    assert not AuditEvent.objects.filter(action="material.downloaded").exists()


def test_a_material_not_yet_available_is_listed_without_a_link(
    client, people, centre, series, approved
):
    later = add_material(
        series=series,
        qualification=approved,
        title="Later task",
        upload=SimpleUploadedFile("later.pdf", PDF),
        available_from=IN_WINDOW + timedelta(days=2),
        by=people["staff"],
    )
    client.force_login(people["teacher"])
    page = client.get(reverse("grades:materials", args=[centre.number])).content.decode()
    assert "Available from" in page
    assert download_url(centre, later) not in page
    response = client.get(download_url(centre, later), follow=True)
    assert "available from 03 June 2021" in response.content.decode()


def test_other_centres_and_unapproved_qualifications_are_404(
    client, people, centre, other_centre, material
):
    client.force_login(people["other_centre_admin"])
    assert client.get(download_url(centre, material)).status_code == 404
    # Riverside is not approved for the qualification: its own URL does not serve it either.
    assert client.get(download_url(other_centre, material)).status_code == 404


@pytest.mark.parametrize(
    ("person", "status"), [("moderator", 404), ("outsider", 404), ("staff", 200)]
)
def test_people_outside_the_centre(client, people, centre, material, person, status):
    client.force_login(people[person])
    assert client.get(reverse("grades:materials", args=[centre.number])).status_code == status


def test_staff_upload_checks_content_and_size(client, people, series, qualification):
    client.force_login(people["staff"])
    url = reverse("grades:staff-materials")
    form = {
        "qualification": qualification.pk,
        "title": "Pretend PDF",
        "available_from": "2021-03-31T00:00",
    }

    fake = client.post(url, {**form, "file": SimpleUploadedFile("task.pdf", b"MZ\x90\x00exe")})
    assert "content is not one of" in fake.content.decode()
    assert not AssessmentMaterial.objects.exists()

    good = client.post(url, {**form, "file": SimpleUploadedFile("task.pdf", PDF)})
    assert good.status_code == 302
    assert AssessmentMaterial.objects.get().original_name == "task.pdf"


def test_an_oversized_file_is_refused_before_it_is_read(series, qualification, people):
    class Huge(SimpleUploadedFile):
        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("read a file that was too big")

    upload = Huge("big.pdf", b"")
    upload.size = MAX_MATERIAL_BYTES + 1
    with pytest.raises(GradeError, match="the limit is 20 MB"):
        add_material(
            series=series,
            qualification=qualification,
            title="Big",
            upload=upload,
            available_from=IN_WINDOW,
            by=people["staff"],
        )
    assert not AssessmentMaterial.objects.exists()


@pytest.mark.parametrize("person", ["centre_admin", "teacher", "aam_user"])
def test_the_staff_page_is_for_staff(client, people, person):
    client.force_login(people[person])
    assert client.get(reverse("grades:staff-materials")).status_code == 403


def test_materials_page_queries_do_not_grow(
    client, people, centre, series, approved, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            add_material(
                series=series,
                qualification=approved,
                title=f"Task {i}",
                upload=SimpleUploadedFile(f"t{i}.pdf", PDF),
                available_from=MATERIALS_OPEN,
                by=people["staff"],
            )

    client.force_login(people["teacher"])
    url = reverse("grades:materials", args=[centre.number])
    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add(30)
    with django_assert_max_num_queries(len(one)):
        client.get(url)


def test_an_available_material_tells_the_materials_users_of_approved_centres_once(
    people, centre, other_centre, series, approved
):
    from ocradmin.models import Notification

    add_material(
        series=series,
        qualification=approved,
        title="Set task 2021",
        upload=SimpleUploadedFile("set-task.pdf", PDF),
        available_from=MATERIALS_OPEN,
        by=people["staff"],
    )
    notices = list(Notification.objects.all())
    assert [n.user for n in notices] == [people["aam_user"]]
    assert notices[0].url == reverse("grades:materials", args=[centre.number])
    assert "Set task 2021" in notices[0].subject
    # Not yet available: nobody is told now (it shows on their dashboard once it is).
    Notification.objects.all().delete()
    add_material(
        series=series,
        qualification=approved,
        title="Later task",
        upload=SimpleUploadedFile("later.pdf", PDF),
        available_from=IN_WINDOW + timedelta(days=2),
        by=people["staff"],
    )
    assert not Notification.objects.exists()
