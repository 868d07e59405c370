"""Opening a notification marks it read and goes to what it is about; nobody opens another's."""

from django.urls import reverse

from ocradmin.models import Notification


def test_opening_a_notification_marks_it_read_and_follows_its_link(login, people):
    me = people["teacher"]
    notice = Notification.objects.create(user=me, subject="J351 returned", url="/centres/12345/")
    other = Notification.objects.create(user=me, subject="Something else", url="/")
    client = login(me)
    listing = client.get(reverse("notifications")).content.decode()
    assert reverse("notification-open", args=[notice.pk]) in listing

    response = client.post(reverse("notification-open", args=[notice.pk]))

    assert response.status_code == 302 and response.url == "/centres/12345/"
    notice.refresh_from_db()
    other.refresh_from_db()
    assert notice.read_at is not None and other.read_at is None


def test_a_notification_without_a_link_is_marked_read_on_the_list(login, people):
    me = people["teacher"]
    notice = Notification.objects.create(user=me, subject="Hello")
    response = login(me).post(reverse("notification-open", args=[notice.pk]))
    assert response.url == reverse("notifications")
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_someone_elses_notification_is_404_and_stays_unread(login, people):
    notice = Notification.objects.create(user=people["head_of_centre"], subject="Yours", url="/")
    client = login(people["teacher"])
    assert client.post(reverse("notification-open", args=[notice.pk])).status_code == 404
    assert client.get(reverse("notification-open", args=[notice.pk])).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_link_off_the_site_is_not_followed(login, people):
    me = people["teacher"]
    notice = Notification.objects.create(user=me, subject="Odd", url="https://evil.example/")
    response = login(me).post(reverse("notification-open", args=[notice.pk]))
    assert response.url == reverse("notifications")
