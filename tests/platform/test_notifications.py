"""Notices: texts from templates, recipients by role, and an email marked sent only once sent."""

import re
from pathlib import Path
from smtplib import SMTPException, SMTPServerDisconnected
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.template.loader import get_template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import Role
from centres.selectors import centre_people, people_by_centre
from ocradmin import tasks
from ocradmin.models import Notification
from ocradmin.notifications import render_notice

from ..factories import CentreFactory, MembershipFactory

BASE_DIR = Path(settings.BASE_DIR)


def every_notice() -> list[str]:
    names = []
    for path in sorted(BASE_DIR.glob("**/templates/*/notices/*.txt")):
        if ".venv" not in path.parts:
            names.append(f"{path.parent.parent.name}/{path.stem}")
    return names


def test_there_are_notices_for_every_app():
    apps = {name.split("/")[0] for name in every_notice()}
    assert {"ocradmin", "centres", "entries", "grades"} <= apps


@pytest.mark.parametrize("notice", every_notice())
def test_every_notice_has_a_one_line_subject_and_a_body(notice):
    source = get_template(f"{notice.replace('/', '/notices/')}.txt").template.source
    subject, _, body = source.partition("\n")
    assert subject.strip() and body.strip(), notice


def test_a_notice_renders_without_html_escaping_and_with_a_one_line_subject():
    subject, body = render_notice(
        "entries/entry_rejected_by_staff",
        {"entry": {"centre": {"number": "12345\nBcc: x@example.org"}}, "reason": "O'Neil & Co"},
    )
    assert subject == "An entry was rejected at 12345 Bcc: x@example.org"
    assert "\n" not in subject
    assert body.endswith(": O'Neil & Co")


def test_an_unknown_notice_name_is_refused():
    with pytest.raises(ValueError, match="<app>/<name>"):
        render_notice("no-app-here")


# --- Recipients ------------------------------------------------------------------------------


def test_centre_people_are_the_active_holders_of_the_roles_each_once(db):
    centre, other = CentreFactory(), CentreFactory()
    admin = MembershipFactory(centre=centre, role=Role.CENTRE_ADMIN).user
    MembershipFactory(centre=centre, role=Role.HEAD_OF_CENTRE, user=admin)  # both roles
    head = MembershipFactory(centre=centre, role=Role.HEAD_OF_CENTRE).user
    MembershipFactory(centre=centre, role=Role.HEAD_OF_CENTRE, user__is_active=False)
    MembershipFactory(centre=centre, role=Role.TEACHER)
    MembershipFactory(centre=other, role=Role.HEAD_OF_CENTRE)

    people = centre_people(centre, Role.HEAD_OF_CENTRE, Role.CENTRE_ADMIN)
    assert sorted(u.pk for u in people) == sorted([admin.pk, head.pk])
    assert centre_people(centre.pk, Role.AAM_USER) == []
    assert set(people_by_centre([centre.pk, other.pk], Role.HEAD_OF_CENTRE)) == {
        centre.pk,
        other.pk,
    }
    with pytest.raises(ValueError, match="roles"):
        centre_people(centre)


# --- Sending ---------------------------------------------------------------------------------


def unsent(user, subject="Entries rejected at 12345: 2"):
    return Notification.objects.create(user=user, subject=subject, body="Look.", url="/x/")


def test_a_header_error_leaves_the_notification_unsent(db, people):
    notification = unsent(people["teacher"], subject="Results\nBcc: everyone@example.org")
    tasks.send_notification_email(notification.pk)
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_a_failed_send_is_not_marked_and_is_retried_until_it_goes(db, people):
    notification = unsent(people["teacher"])
    down = SMTPServerDisconnected("server went away")
    with mock.patch("ocradmin.tasks.send_mail", side_effect=[down, down, 1]) as send:
        # Eagerly, Celery runs each retry at once instead of after the backoff.
        tasks.send_notification_email.apply(args=[notification.pk])
    assert send.call_count == 3
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_send_that_keeps_failing_stops_after_the_last_retry_unsent(db, people):
    notification = unsent(people["teacher"])
    down = SMTPServerDisconnected("server went away")
    with mock.patch("ocradmin.tasks.send_mail", side_effect=down) as send:
        result = tasks.send_notification_email.apply(args=[notification.pk])
    assert result.failed()
    assert send.call_count == 1 + tasks.send_notification_email.max_retries
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_email_retries_are_bounded_with_backoff():
    for task in (tasks.send_notification_email, tasks.send_plain_email):
        assert task.max_retries == 8
        assert task.retry_backoff == 30
        assert task.autoretry_for == (SMTPException, OSError)


def test_a_plain_email_with_a_bad_header_is_dropped_without_retrying(db):
    tasks.send_plain_email(to=["ops@example.org"], subject="New\nBcc: x@example.org", body=".")
    assert mail.outbox == []


# --- The header's unread count on the dashboard ------------------------------------------------


def _badge(html):
    match = re.search(r'badge[^"]*">(\d+)<span class="visually-hidden"> unread', html)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("unread", [0, 1, 4, 5, 6, 12])
def test_the_dashboards_unread_count_is_right_whether_or_not_its_panel_lists_them_all(
    db, people, client, unread
):
    """The dashboard's panel reads the first five unread with how many there are in all; the
    header shows that number, with no query of its own."""
    me = people["teacher"]
    Notification.objects.bulk_create(
        [Notification(user=me, subject=f"Notice {i}") for i in range(unread)]
    )
    Notification.objects.create(user=people["head_of_centre"], subject="Not yours")
    client.force_login(me)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("dashboard")).content.decode()
    assert _badge(html) == unread
    counts = [
        q for q in queries if 'COUNT(*) AS "__count" FROM "ocradmin_notification"' in q["sql"]
    ]
    assert counts == []
    assert html.count("Notice ") == min(unread, 5)
    # Any other page counts them as before.
    assert _badge(client.get(reverse("notifications")).content.decode()) == unread
