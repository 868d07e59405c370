"""The page benchmark: ``make benchmark-pages`` (``python -m tests.benchmarks.pages``).

Serves the site with gunicorn on the configured database (``DATABASE_URL``; build it first with
``manage.py seed_national``), signs in the demo accounts, and measures each key page: its
queries (one request in this process), then p50 and p95 over HTTP with 1 client and with 20
clients at once, and the ratio of each p50 to two floors measured in the same run — a trivial
view, and the signed-in page shell (the base template, no app queries). Prints a table; asserts
nothing about time.

Environment: ``BENCH_RUNS`` requests per page with 1 client (default 15), ``BENCH_RUNS_20``
requests per client with 20 clients (default 2), ``BENCH_WORKERS`` gunicorn workers (default
2), ``BENCH_PORT`` (default 8765), ``BENCH_ONLY`` a substring of the page names to measure.
"""

import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# Plain HTTP on 127.0.0.1, for gunicorn (which inherits these) and for this process.
os.environ["HTTPS"] = "false"
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"

from tests.benchmarks.wsgi import settings  # sets Django up, with the benchmark's URLs

# isort: split
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocradmin.models import User
from ocradmin.twofactor import HAS_DEVICE

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
RUNS_20 = int(os.environ.get("BENCH_RUNS_20", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
CENTRE = "12345"
GRID = "H240"

ACCOUNTS = {
    "officer": "officer@northfield.example",
    "teacher": "teacher@northfield.example",
    "head": "head@northfield.example",
    "materials": "materials@northfield.example",
    "moderator": "moderator@ocradmin.example",
    "staff": "staff@ocradmin.example",
    # Django admin needs model permissions: a superuser the benchmark adds if missing.
    "admin": "benchmark-admin@ocradmin.example",
}

C = f"/centres/{CENTRE}"


def largest_review() -> str:
    """The review page of the demo moderator's claim with the most lines."""
    from django.db.models import Count

    from claims.models import Claim

    claim = (
        Claim.objects.filter(moderator__email=ACCOUNTS["moderator"], status="with_moderator")
        .annotate(n=Count("lines"))
        .order_by("-n")
        .first()
    )
    if claim is None:
        raise SystemExit("No claim is with moderator@ocradmin.example: run seed_demo first.")
    return f"/moderation/claims/{claim.pk}/"


def prepared_export() -> str:
    """The staff's submitted grades file, prepared here (its task run in this process, on the
    same storage gunicorn serves it from) unless a current one exists: its download address."""
    from grades.models import GradeSeries
    from grades.services.exports import request_export
    from ocradmin.celery import app

    app.conf.task_always_eager = True
    series = GradeSeries.objects.get(is_current=True)
    export, _ = request_export(series=series, by=User.objects.get(email=ACCOUNTS["staff"]))
    export.refresh_from_db()
    if export.status != "ready":
        raise SystemExit(f"The submitted grades file was not prepared: {export.error}")
    return f"/staff/grades/export/{export.pk}/download/"


def export_page() -> str:
    prepared_export()
    return "/staff/grades/export/"


def largest_claim() -> str:
    """The demo centre's claim page with the most lines."""
    from django.db.models import Count

    from claims.models import Claim

    claim = (
        Claim.objects.filter(centre__number=CENTRE)
        .annotate(n=Count("lines"))
        .order_by("-n")
        .first()
    )
    if claim is None:
        raise SystemExit(f"Centre {CENTRE} has no claims: run seed_demo first.")
    return f"{C}/claims/{claim.pk}/"


# (name, who, address — or a function giving it); the two floors come first.
PAGES = [
    ("floor: trivial view", "officer", "/benchmark/trivial/"),
    ("floor: signed-in shell", "officer", "/benchmark/shell/"),
    ("dashboard, centre admin", "officer", "/"),
    ("dashboard, teacher", "teacher", "/"),
    ("dashboard, head of centre", "head", "/"),
    ("dashboard, materials user", "materials", "/"),
    ("dashboard, moderator", "moderator", "/"),
    ("dashboard, staff", "staff", "/"),
    ("centre home", "officer", f"{C}/"),
    ("candidates", "officer", f"{C}/candidates/"),
    ("candidates ?q=smith", "officer", f"{C}/candidates/?q=smith"),
    ("candidates ?page=50", "officer", f"{C}/candidates/?page=50"),
    ("candidates export.csv", "officer", f"{C}/candidates/export.csv"),
    ("entries", "officer", f"{C}/entries/"),
    ("entries ?q=smith", "officer", f"{C}/entries/?q=smith"),
    ("entries ?status=accepted", "officer", f"{C}/entries/?status=accepted"),
    ("entries ?page=50", "officer", f"{C}/entries/?page=50"),
    ("entries export.csv", "officer", f"{C}/entries/export.csv"),
    ("access arrangements", "officer", f"{C}/access-arrangements/"),
    ("grades index", "officer", f"{C}/grades/"),
    ("grades grid, 300 candidates", "teacher", f"{C}/grades/{GRID}/"),
    ("grades template.csv", "teacher", f"{C}/grades/{GRID}/template.csv"),
    ("head's review", "head", f"{C}/grades/review/"),
    ("audit trail", "officer", f"{C}/audit/"),
    ("audit trail ?action=grade", "officer", f"{C}/audit/?action=grade"),
    ("audit trail ?page=50", "officer", f"{C}/audit/?page=50"),
    ("claims", "officer", f"{C}/claims/"),
    ("claim page, largest claim", "officer", largest_claim),
    ("moderation reports", "officer", f"{C}/claims/reports/"),
    ("moderation queue", "moderator", "/moderation/"),
    ("moderation review, largest claim", "moderator", largest_review),
    ("staff board", "staff", "/staff/"),
    ("staff grades progress", "staff", "/staff/grades/"),
    ("staff entries queue", "staff", "/staff/entries/"),
    ("staff arrangements queue", "staff", "/staff/access-arrangements/"),
    ("staff qualification approvals", "staff", "/staff/qualification-approvals/"),
    ("staff applications", "staff", "/staff/applications/"),
    ("staff moderators", "staff", "/staff/moderators/"),
    ("staff claims", "staff", "/staff/claims/"),
    ("staff moderation load", "staff", "/staff/moderation/"),
    ("staff results clock", "staff", "/staff/moderation/results/"),
    ("staff grades export page, file prepared", "staff", export_page),
    ("staff grades export download", "staff", prepared_export),
    ("admin entries", "admin", "/admin/entries/entry/"),
    ("admin entries ?q=12345", "admin", "/admin/entries/entry/?q=12345"),
    ("admin entries ?status=submitted", "admin", "/admin/entries/entry/?status__exact=submitted"),
    ("admin candidates", "admin", "/admin/entries/candidate/"),
    ("admin candidates ?q=smith", "admin", "/admin/entries/candidate/?q=smith"),
    ("admin grades", "admin", "/admin/grades/grade/"),
    ("admin grades ?q=12345", "admin", "/admin/grades/grade/?q=12345"),
    ("admin audit events", "admin", "/admin/ocradmin/auditevent/"),
    ("admin audit events ?q=grade", "admin", "/admin/ocradmin/auditevent/?q=grade.changed"),
    ("admin centres ?q=Leeds", "admin", "/admin/centres/centre/?q=Leeds"),
    ("admin memberships", "admin", "/admin/centres/membership/"),
    ("admin users ?q=officer", "admin", "/admin/ocradmin/user/?q=officer"),
]


@dataclass
class Figures:
    name: str
    queries: int
    size: int
    one: list[float]
    twenty: list[float]


def sessions() -> dict[str, str]:
    """A session cookie per account, made as the sign-in view would after the password and a
    two-factor code (each account is given an authenticator device if it has none)."""
    cookies = {}
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    if not User.objects.filter(email=ACCOUNTS["admin"]).exists():
        User.objects.create_superuser(ACCOUNTS["admin"], None, full_name="Benchmark Admin")
    for who, email in ACCOUNTS.items():
        user = User.objects.get(email=email)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store[HAS_DEVICE] = True
        store.create()
        cookies[who] = store.session_key
    return cookies


def keep_figures() -> None:
    """What beat keeps for the pages while the site runs (the benchmark serves without beat):
    the grades progress (``grades.tasks.keep_progress``)."""
    from grades.tasks import keep_progress

    keep_progress()


def count_queries(cookie: str, address: str) -> tuple[int, int]:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        size = len(b"".join(response) if response.streaming else response.content)
    if response.status_code != 200:
        raise SystemExit(f"{address} answered {response.status_code}")
    return len(queries), size


def fetch(conn: http.client.HTTPConnection, address: str, cookie: str) -> float:
    started = time.perf_counter()
    conn.request("GET", address, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})
    response = conn.getresponse()
    while response.read(1 << 16):
        pass
    seconds = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"{address} answered {response.status} over HTTP")
    return seconds


def timings(address: str, cookie: str, clients: int, runs: int) -> list[float]:
    results: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        mine = []
        barrier.wait()
        for _ in range(runs):
            mine.append(fetch(conn, address, cookie))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def serve() -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "tests.benchmarks.wsgi",
            f"--bind=127.0.0.1:{PORT}",
            f"--workers={WORKERS}",
            "--timeout=600",
            "--log-level=warning",
        ],
        cwd=ROOT,
    )
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/benchmark/trivial/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    only = os.environ.get("BENCH_ONLY", "")
    pages = [page for page in PAGES if page[0].startswith("floor") or only in page[0]]
    database = connection.settings_dict
    print(
        f"Page benchmark on {connection.vendor} {database['NAME']}: gunicorn, {WORKERS} "
        f"workers; {RUNS} requests with 1 client, 20 clients × {RUNS_20} requests"
    )
    call_command("collectstatic", interactive=False, verbosity=0)  # as a deployment would
    keep_figures()
    cookies = sessions()
    server = serve()
    figures = []
    try:
        for name, who, address in pages:
            address = address() if callable(address) else address
            timings(address, cookies[who], 1, 2)  # warm up both workers' caches
            queries, size = count_queries(cookies[who], address)  # as the timed requests run
            one = timings(address, cookies[who], 1, RUNS)
            twenty = timings(address, cookies[who], 20, RUNS_20)
            figures.append(Figures(name, queries, size, one, twenty))
            print(f"  {name}: p50 {statistics.median(one) * 1000:.0f} ms", file=sys.stderr)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    report(figures)


def report(figures: list[Figures]) -> None:
    trivial, shell = (statistics.median(f.one) for f in figures[:2])
    width = max(len(f.name) for f in figures)
    print(
        f"\n{'page':<{width}}  queries      size   p50 1c   p95 1c  p50 20c  p95 20c"
        "  ×trivial  ×shell"
    )
    for f in figures:
        one = statistics.median(f.one)
        print(
            f"{f.name:<{width}}  {f.queries:7d}  {f.size / 1024:7.0f}K"
            f"  {one * 1000:5.0f}ms  {p(f.one, 0.95) * 1000:5.0f}ms"
            f"  {statistics.median(f.twenty) * 1000:5.0f}ms  {p(f.twenty, 0.95) * 1000:5.0f}ms"
            f"  {one / trivial:8.1f}  {one / shell:6.1f}"
        )
    for f in figures:
        if f.size > 1 << 20:  # a file: its transfer rate with 1 client
            one = statistics.median(f.one)
            print(f"{f.name}: {f.size / 1e6:.1f} MB in {one:.2f} s, {f.size / 1e6 / one:.0f} MB/s")
    worst = max(figures[2:], key=lambda f: statistics.median(f.one))
    print(
        f"\nFloors: trivial view {trivial * 1000:.1f} ms, signed-in shell {shell * 1000:.1f} ms. "
        f"Slowest page: {worst.name}, {statistics.median(worst.one) / shell:.1f}× the shell."
    )


if __name__ == "__main__":
    main()
