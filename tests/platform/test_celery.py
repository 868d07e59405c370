"""Celery: tasks queued on commit only, idempotent emails, and real workers on the real broker.

The worker tests switch eager mode off and send messages through the configured transport:
the spool folder by default (pointed at a temporary folder here, so a running ``make run``
worker cannot take the messages), Redis when ``CELERY_BROKER_URL`` is set (CI's second run).
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import OperationalError, transaction

from ocradmin import spool, tasks
from ocradmin.celery import app
from ocradmin.models import Heartbeat, Notification
from ocradmin.notifications import notify

BASE_DIR = Path(settings.BASE_DIR)
USING_SPOOL = not os.environ.get("CELERY_BROKER_URL")


class Boom(Exception):
    pass


REJECTED = {
    "notice": "entries/entries_processed",
    "context": {"centre": {"number": "12345"}, "accepted": 1, "rejected": 2},
}


# --- delay_on_commit -----------------------------------------------------------------------


def test_notify_sends_nothing_when_the_transaction_rolls_back(transactional_db, people):
    user = people["teacher"]
    with mock.patch.object(tasks.send_notification_email, "apply_async") as send:
        with pytest.raises(Boom), transaction.atomic():
            notify(user=user, **REJECTED, url="/centres/12345/")
            raise Boom
        send.assert_not_called()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_notify_queues_the_email_once_when_the_transaction_commits(transactional_db, people):
    user = people["teacher"]
    with mock.patch.object(tasks.send_notification_email, "apply_async") as send:
        with transaction.atomic():
            notification = notify(user=user, **REJECTED)
            send.assert_not_called()  # not before the commit
        send.assert_called_once()
    assert send.call_args.args[0] == (notification.pk,)


def test_notify_emails_on_commit_in_eager_mode(transactional_db, people):
    with transaction.atomic():
        notify(user=people["teacher"], **REJECTED)
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["teacher@northfield.example"]
    assert mail.outbox[0].subject == "[ocradmin] Entries processed at 12345: 1 accepted, 2 rejected"


def test_a_rolled_back_notify_sends_no_email_in_eager_mode(transactional_db, people):
    with pytest.raises(Boom), transaction.atomic():
        notify(user=people["teacher"], **REJECTED)
        raise Boom
    assert mail.outbox == []


def test_notify_without_email_queues_nothing(transactional_db, people):
    with transaction.atomic():
        notify(user=people["teacher"], **REJECTED, email=False)
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None


# --- the email task ------------------------------------------------------------------------


def test_send_notification_email_is_idempotent(db, people):
    notification = Notification.objects.create(
        user=people["teacher"], subject="Claim overdue", body="Send the work.", url="/claims/1/"
    )
    tasks.send_notification_email(notification.pk)
    tasks.send_notification_email(notification.pk)  # a redelivered message
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["teacher@northfield.example"]
    assert message.body == f"Send the work.\n\n{settings.SITE_URL}/claims/1/"
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_send_notification_email_for_a_deleted_notification_does_nothing(db):
    tasks.send_notification_email(999_999)
    assert mail.outbox == []


def test_notify_many_tells_each_person_once(transactional_db, people):
    from ocradmin.notifications import notify_many

    teacher = people["teacher"]
    with transaction.atomic():
        notify_many(users=[teacher, people["head_of_centre"], teacher], **REJECTED)
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "head@northfield.example",
        "teacher@northfield.example",
    ]


def test_send_plain_email(db):
    tasks.send_plain_email(to=["ops@example.org"], subject="New application", body="Look.")
    assert mail.outbox[0].to == ["ops@example.org"]
    assert mail.outbox[0].subject == "[ocradmin] New application"


def test_heartbeat_records_the_time(db):
    tasks.heartbeat()
    first = Heartbeat.objects.get(name="beat").last_run_at
    tasks.heartbeat()
    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get(name="beat").last_run_at >= first


def test_beat_schedules_the_heartbeat_in_utc():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover the tasks
    assert app.conf.timezone == "UTC"
    entry = app.conf.beat_schedule["heartbeat"]
    assert entry["task"] == "ocradmin.tasks.heartbeat"
    assert entry["task"] in app.tasks
    # Every scheduled task exists (a typo in a task name would never run).
    for name, scheduled in app.conf.beat_schedule.items():
        assert scheduled["task"] in app.tasks, name


# --- the spool transport --------------------------------------------------------------------


@pytest.mark.skipif(not USING_SPOOL, reason="the spool transport is the default only")
def test_the_spool_transport_is_the_one_that_writes_whole_messages():
    assert app.conf.broker_transport == "ocradmin.spool:Transport"
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, spool.Transport)


@pytest.mark.parametrize("transport", [spool.Transport])
def test_a_spool_message_appears_only_once_complete(tmp_path, transport):
    """A worker polling the folder must never find a message file that is not yet written.

    (kombu's own filesystem transport fails this: it creates the file, then writes into it.)
    """
    from kombu import Connection
    from kombu.transport import filesystem

    options = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
        "control_folder": str(tmp_path / "control"),
    }
    visible_while_writing = []

    def encode(text, real=filesystem.str_to_bytes):
        # Called while the message is being written: what would a polling worker see now?
        visible_while_writing.extend(p.name for p in tmp_path.glob("*.msg"))
        return real(text)

    with (
        Connection("filesystem://", transport=transport, transport_options=options) as c,
        mock.patch.object(filesystem, "str_to_bytes", encode),
        mock.patch.object(spool, "str_to_bytes", encode),
    ):
        # kombu keeps declared queues per process, so each run gets its own queue name.
        name = f"spool{uuid.uuid4().hex}"
        queue = c.SimpleQueue(name)
        queue.put({"hello": "world"})
        assert visible_while_writing == []
        assert len(list(tmp_path.glob(f"*.{name}.msg"))) == 1
        message = queue.get(timeout=5)
        assert message.payload == {"hello": "world"}
        message.ack()
        queue.close()
    assert list(tmp_path.glob("*.msg")) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- a real worker in this process -----------------------------------------------------------


def drop_connections():
    """Forget the app's pooled connections and producers, so the next use builds them again
    from the current transport options. kombu's pools are shared and keyed by those options,
    so they are dropped, not closed (a closed pool would be handed out again)."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def real_broker(tmp_path):
    """Eager mode off; the spool transport pointed at a temporary folder (Redis left as is)."""
    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_transport_options": app.conf.broker_transport_options,
    }
    app.conf.task_always_eager = False
    if USING_SPOOL:
        for sub in ("queue", "processed", "control"):
            (tmp_path / sub).mkdir()
        app.conf.broker_transport_options = {
            **app.conf.broker_transport_options,
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "processed_folder": str(tmp_path / "processed"),
            "control_folder": str(tmp_path / "control"),
        }
    drop_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        drop_connections()


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:  # SQLite's shared cache: the worker holds the table lock
            pass
        time.sleep(0.2)
    return False


@pytest.mark.subprocess
def test_a_real_worker_runs_a_task_sent_through_the_broker(transactional_db, tmp_path):
    with real_broker(tmp_path), start_worker(app, perform_ping_check=False, shutdown_timeout=30):
        assert not Heartbeat.objects.exists()
        result = tasks.heartbeat.delay()
        assert result.id
        assert wait_for(lambda: Heartbeat.objects.filter(name="beat").exists(), timeout=30)


@pytest.mark.subprocess
def test_a_real_worker_sends_the_email_queued_on_commit(transactional_db, tmp_path, people):
    with real_broker(tmp_path), start_worker(app, perform_ping_check=False, shutdown_timeout=30):
        with transaction.atomic():
            notification = notify(user=people["teacher"], **REJECTED)
        assert wait_for(
            lambda: Notification.objects.filter(
                pk=notification.pk, emailed_at__isnull=False
            ).exists(),
            timeout=30,
        )
        assert wait_for(lambda: len(mail.outbox) == 1, timeout=5)
    assert mail.outbox[0].subject == "[ocradmin] Entries processed at 12345: 1 accepted, 2 rejected"


# --- beat and a worker as separate processes ------------------------------------------------


def subprocess_env(var_dir: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "CACHE_URL",
            "CELERY_TASK_ALWAYS_EAGER",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest
        }
        and not key.startswith("PYTEST")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ocradmin.settings",
            "VAR_DIR": str(var_dir),  # the SQLite file, the spool folder and beat's schedule
            "HEARTBEAT_INTERVAL_SECONDS": "1",
            "DEBUG": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def heartbeat_rows(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT count(*) FROM ocradmin_heartbeat").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.mark.subprocess
@pytest.mark.skipif(not USING_SPOOL, reason="proves the server-free transport; Redis run skips")
def test_beat_and_a_worker_in_separate_processes_meet_in_the_spool_folder(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = subprocess_env(var_dir)
    database = var_dir / "ocradmin.sqlite3"
    celery = [sys.executable, "-m", "celery", "-A", "ocradmin"]

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert database.exists()
    assert heartbeat_rows(database) == 0

    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("worker", "beat")}
    worker = subprocess.Popen(
        [*celery, "worker", "--pool=solo", "--loglevel=INFO", "--without-heartbeat"],
        cwd=BASE_DIR,
        env=env,
        stdout=logs["worker"],
        stderr=subprocess.STDOUT,
    )
    beat = subprocess.Popen(
        [*celery, "beat", "--loglevel=INFO"],
        cwd=BASE_DIR,
        env=env,
        stdout=logs["beat"],
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and heartbeat_rows(database) == 0:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert beat.poll() is None, (tmp_path / "beat.log").read_text()
            time.sleep(0.5)
        found = heartbeat_rows(database)
    finally:
        stop(beat)
        stop(worker)
        for log in logs.values():
            log.close()
    assert found == 1, (
        "no heartbeat within 60 s\n--- worker\n"
        + (tmp_path / "worker.log").read_text()[-3000:]
        + "\n--- beat\n"
        + (tmp_path / "beat.log").read_text()[-3000:]
    )
    # The messages went through the temporary spool folder, not the checkout's var/.
    assert (var_dir / "celery-spool" / "queue").is_dir()
