"""Demo people who are not tied to a centre: awarding-body staff and an examiner-moderator."""

from django.contrib.auth.models import Group

from .models import STAFF_GROUP, User

# The names earlier demo data gave its people, replaced by people's names when seen again.
PLACEHOLDER_NAMES = {
    f"{town} {title}"
    for town in ("Northfield", "Riverside")
    for title in ("Exams Officer", "Teacher", "Head of Centre", "Materials User")
} | {"Hillside Applicant", "Sam Staff", "Morgan Moderator", "Robin Reviewer"}


def ensure_user(email: str, *, full_name: str, password: str, **flags) -> User:
    """The demo user with this email, created with the demo password if missing (a user still
    named as earlier demo data named them gets this name)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=full_name, **flags)
    elif user.full_name in PLACEHOLDER_NAMES and user.full_name != full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
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
