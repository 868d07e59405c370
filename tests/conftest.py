"""Fixtures every test shares: the test environment, and the people of two centres.

``people`` holds one user per role at ``centre``, a centre admin of ``other_centre``, an
examiner-moderator, a member of staff and a user with no roles, which is what every
permission test needs (owner / other centre / wrong role / outsider).
"""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.test import override_settings

from centres.models import Role
from ocradmin.celery import app as celery_app

from .factories import CentreFactory, MembershipFactory, UserFactory

# The rows data migrations make, by the migration that makes them and its function.
MIGRATION_ROWS = [
    ("centres.migrations.0003_seed_catalogue", "seed"),
    ("grades.migrations.0002_seed_summer_2021", "seed"),
    ("ocradmin.migrations.0004_staff_group", "grant_staff_permissions"),
]


@receiver(post_migrate)
def restore_migration_rows(sender, **kwargs):
    """A transactional test (the browser journeys, the concurrency tests) ends by flushing the
    database, which removes the rows data migrations made; Django sends ``post_migrate`` after
    the flush, and this puts them back, so every test starts from the migrated database
    whatever ran before it. Each function is idempotent."""
    if sender is not list(apps.get_app_configs())[-1]:
        return
    for module, function in MIGRATION_ROWS:
        getattr(import_module(module), function)(apps, None)


def pytest_collection_modifyitems(config, items):
    """Row-locking and concurrency tests need PostgreSQL; CI's second run provides it."""
    if connection.vendor == "postgresql":
        return
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skipif(True, reason="needs PostgreSQL: CI's second run"))


@pytest.fixture(scope="session", autouse=True)
def test_environment():
    """Plain HTTP for the test client and live server; fast hashing; a cache and files of the
    tests' own; tasks run in-process."""
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
        # The two-factor tests switch it on; elsewhere signing in is the password alone.
        TWO_FACTOR_REQUIRED=False,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # The site's cache is shared through var/ (or Redis): a test's own keeps the tests
        # apart from a running `make run` and from each other.
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        celery_app.conf.task_always_eager = True
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the email throttles count there, and the staff
    board's progress figures are kept there, keyed by rows another test may have reused."""
    cache.clear()


@pytest.fixture
def centre(db):
    return CentreFactory(number="12345", name="Northfield Academy")


@pytest.fixture
def other_centre(db):
    return CentreFactory(number="23456", name="Riverside College")


@pytest.fixture
def people(centre, other_centre):
    def member(email, role, at=centre):
        user = UserFactory(email=email)
        MembershipFactory(user=user, centre=at, role=role)
        return user

    return {
        "centre_admin": member("officer@northfield.example", Role.CENTRE_ADMIN),
        "teacher": member("teacher@northfield.example", Role.TEACHER),
        "head_of_centre": member("head@northfield.example", Role.HEAD_OF_CENTRE),
        "aam_user": member("materials@northfield.example", Role.AAM_USER),
        "other_centre_admin": member("officer@riverside.example", Role.CENTRE_ADMIN, other_centre),
        "moderator": UserFactory(email="moderator@ocradmin.example", is_examiner_moderator=True),
        "staff": UserFactory(email="staff@ocradmin.example", is_staff=True),
        "outsider": UserFactory(email="nobody@elsewhere.example"),
    }


@pytest.fixture
def login(client):
    """``login(user)`` signs the test client in as that user and returns the client."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
