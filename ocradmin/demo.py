"""Demo people who are not tied to a centre: awarding-body staff and an examiner-moderator."""

from django.contrib.auth.models import Group

from .models import STAFF_GROUP, User


def ensure_user(email: str, *, full_name: str, password: str, **flags) -> User:
    """The demo user with this email, created with the demo password if missing."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=full_name, **flags)
    return user


def seed_notice(user, *, notice: str, context: dict | None = None, url: str = "") -> None:
    """A notice the demo's story would have sent this person, in the app only (no email), made
    once: skipped when they already have one with the same subject."""
    from .notifications import notify, render_notice

    if user is None:
        return
    subject, _ = render_notice(notice, context)
    if not user.notifications.filter(subject=subject).exists():
        notify(user=user, notice=notice, context=context, url=url, email=False)


def seed(*, password: str, log) -> None:
    staff = ensure_user(
        "staff@ocradmin.example", full_name="Sam Okafor", password=password, is_staff=True
    )
    # Django admin through the staff group (made by a migration); not a superuser.
    staff.groups.add(Group.objects.get(name=STAFF_GROUP))
    ensure_user(
        "moderator@ocradmin.example",
        full_name="Morgan Price",
        password=password,
        is_examiner_moderator=True,
    )
    log("platform: staff and examiner-moderator accounts")
