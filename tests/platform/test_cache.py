"""The site's cache is one for every process: without ``CACHE_URL`` it is files under
``VAR_DIR``, which gunicorn's workers and the Celery worker of one machine all read, so the
staff board shows every worker the same progress figures and a throttle counts every worker's
requests. (The tests themselves run on a cache of their own: ``tests/conftest.py``.)"""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.cache.backends.filebased import FileBasedCache
from django.test import override_settings

from ocradmin import settings as site_settings
from ocradmin.throttles import allow_email

from .test_celery import BASE_DIR, subprocess_env

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("CACHE_URL")), reason="CACHE_URL is set: the cache is Redis"
)


def shared_cache_config(location) -> dict:
    """The site's cache as settings make it without CACHE_URL, in ``location``."""
    return {**site_settings.CACHES["default"], "LOCATION": str(location)}


def test_without_cache_url_the_cache_is_files_in_var_dir():
    config = site_settings.CACHES["default"]
    assert config["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert config["LOCATION"] == site_settings.VAR_DIR / "cache"


def test_a_throttle_counts_the_requests_every_process_receives(tmp_path, rf):
    """Three password-reset emails for one address are asked of one process; a fourth, asked
    of another process (its own cache object on the same files), is refused."""
    config = shared_cache_config(tmp_path)
    request = rf.post("/accounts/password_reset/", REMOTE_ADDR="203.0.113.9")
    with override_settings(CACHES={"default": config}, EMAIL_THROTTLE_PER_ADDRESS=3):
        assert all(allow_email("reset", email="head@x.example", request=request) for _ in "abc")
        other_process = FileBasedCache(config["LOCATION"], config)
        with mock.patch("ocradmin.throttles.cache", other_process):
            assert not allow_email("reset", email="head@x.example", request=request)


def test_on_the_file_cache_a_throttle_counts_for_its_whole_window(tmp_path, rf):
    """The file cache's ``incr`` sets an entry's expiry back to five minutes: the throttle
    sets it again, so a count lasts its window (an hour), not five minutes after the last."""
    request = rf.post("/accounts/password_reset/", REMOTE_ADDR="203.0.113.9")
    window_starts = datetime(2021, 6, 1, 12, tzinfo=UTC)
    with (
        override_settings(
            CACHES={"default": shared_cache_config(tmp_path)},
            EMAIL_THROTTLE_PER_ADDRESS=1,
            EMAIL_THROTTLE_WINDOW_SECONDS=3600,
        ),
        time_machine.travel(window_starts, tick=False) as clock,
    ):
        assert allow_email("reset", email="head@x.example", request=request)
        clock.shift(timedelta(minutes=10))
        assert not allow_email("reset", email="head@x.example", request=request)
        clock.shift(timedelta(minutes=45))
        assert not allow_email("reset", email="head@x.example", request=request)
        clock.shift(timedelta(minutes=6))
        assert allow_email("reset", email="head@x.example", request=request)


@pytest.mark.subprocess
def test_two_processes_see_the_same_values(tmp_path):
    def in_a_new_process(code: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", f"import django; django.setup()\n{code}"],
            cwd=BASE_DIR,
            env=subprocess_env(tmp_path),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout.strip()

    in_a_new_process(
        "from django.core.cache import cache\n"
        "cache.set('grades:series-progress:1', 'as at 12:00', 300)\n"
        "cache.add('throttle', 0, 300)\n"
        "cache.incr('throttle')"
    )
    assert (tmp_path / "cache").is_dir()
    assert in_a_new_process(
        "from django.core.cache import cache\n"
        "print(cache.get('grades:series-progress:1'), cache.incr('throttle'))"
    ) == ("as at 12:00 2")
