"""Deployment checks, the Content-Security-Policy, templates that keep to it, CSRF, admin."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)


def production_env(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "HTTPS",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "SECURE_HSTS_SECONDS",
            # The browser tests' conftest allows sync ORM calls under Playwright's event loop;
            # a deployment never sets it.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="ocradmin.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="ocradmin.example.org",
        **extra,
    )
    return env


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.subprocess
def test_check_deploy_passes_with_production_settings():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.subprocess
def test_check_deploy_fails_when_https_is_switched_off():
    """The check is live: the same command complains when the hardening is missing."""
    result = check_deploy(production_env(HTTPS="false"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


@pytest.mark.subprocess
def test_debug_is_off_unless_asked_for():
    env = production_env()
    del env["DEBUG"]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s;"
            "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["False", "True", "True", "True"], result.stderr


# --- Content-Security-Policy -------------------------------------------------------------------


def test_every_page_carries_a_strict_content_security_policy(client, db):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_and_error_pages_carry_the_policy_too(login, people, other_centre):
    client = login(people["centre_admin"])
    for url, status in [
        (reverse("dashboard"), 200),
        (reverse("centres:home", args=[other_centre.number]), 404),
        (reverse("staff-board"), 403),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], url


def template_files():
    roots = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
    skip = {".venv", "var", "staticfiles", "node_modules", "build"}
    for root in roots:
        if root.parts[len(BASE_DIR.parts)] in skip:
            continue
        files = (p for p in root.rglob("*") if p.is_file() and p.suffix in {".html", ".txt"})
        yield from sorted(files)


TEMPLATES = list(template_files())

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
REMOTE_ASSET = re.compile(r"""<(script|link)\b[^>]*\b(src|href)\s*=\s*["']?\s*(https?:)?//""", re.I)


def test_the_template_scan_finds_the_templates():
    names = {p.relative_to(BASE_DIR).as_posix() for p in TEMPLATES}
    assert "templates/base.html" in names
    assert any(n.startswith("centres/templates/") for n in names)


@pytest.mark.parametrize(
    "path", TEMPLATES, ids=[p.relative_to(BASE_DIR).as_posix() for p in TEMPLATES]
)
def test_templates_keep_to_the_content_security_policy(path):
    text = path.read_text()
    problems = [
        f"{label}: {match.group(0)!r}"
        for label, pattern in [
            ("inline <script> (no src)", INLINE_SCRIPT),
            ("style= attribute", STYLE_ATTRIBUTE),
            ("<style> element", STYLE_ELEMENT),
            ("inline event handler", EVENT_HANDLER),
            ("javascript: URL", JAVASCRIPT_URL),
            ("script or stylesheet from another site", REMOTE_ASSET),
        ]
        for match in pattern.finditer(text)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("snippet", "pattern"),
    [
        ("<script>alert(1)</script>", INLINE_SCRIPT),
        ('<script type="module">x()</script>', INLINE_SCRIPT),
        ('<div style="color: red">', STYLE_ATTRIBUTE),
        ("<style>p{}</style>", STYLE_ELEMENT),
        ('<button onclick="go()">', EVENT_HANDLER),
        ('<a href="javascript:void(0)">', JAVASCRIPT_URL),
        ('<script src="https://cdn.example.com/x.js"></script>', REMOTE_ASSET),
        ('<link rel="stylesheet" href="//cdn.example.com/x.css">', REMOTE_ASSET),
    ],
)
def test_the_scan_catches_each_kind_of_violation(snippet, pattern):
    assert pattern.search(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'js/app.js' %}\" defer></script>",
        '<link rel="stylesheet" href="{% static \'css/app.css\' %}">',
        '<a href="https://www.gov.uk/">GOV.UK</a>',
    ],
)
def test_the_scan_allows_local_assets_and_ordinary_links(snippet):
    for pattern in (INLINE_SCRIPT, STYLE_ATTRIBUTE, EVENT_HANDLER, REMOTE_ASSET):
        assert not pattern.search(snippet)


STATIC_REFERENCE = re.compile(r"""{% static ['"]([^'"]+)['"] %}""")


def test_every_static_file_a_template_names_exists():
    from django.contrib.staticfiles import finders

    named = {name for path in TEMPLATES for name in STATIC_REFERENCE.findall(path.read_text())}
    assert [name for name in sorted(named) if finders.find(name) is None] == []


def test_the_page_icon_is_inline_so_browsers_do_not_ask_for_favicon_ico():
    base = (BASE_DIR / "templates" / "base.html").read_text()
    assert '<link rel="icon" href="data:image/svg+xml,' in base


# --- CSRF and admin ----------------------------------------------------------------------------


def test_csrf_is_enforced_on_sign_in(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a@b.example", "password": "x"})
    assert response.status_code == 403


def test_csrf_is_enforced_for_signed_in_posts(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["teacher"])
    assert client.post(reverse("notifications-read")).status_code == 403
    assert client.post(reverse("logout")).status_code == 403


def test_a_post_with_the_token_is_accepted(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["teacher"])
    client.get(reverse("notifications"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("notifications-read"), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


def test_admin_requires_staff(client, people):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url

    client.force_login(people["centre_admin"])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url

    client.force_login(people["staff"])
    assert client.get("/admin/").status_code == 200


def test_staff_board_requires_staff(client, people):
    assert client.get(reverse("staff-board")).status_code == 302
    client.force_login(people["centre_admin"])
    assert client.get(reverse("staff-board")).status_code == 403
    client.force_login(people["staff"])
    response = client.get(reverse("staff-board"))
    assert response.status_code == 200
    assert "Background jobs" in response.content.decode()


def test_session_cookie_is_http_only():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"


PROJECT_APPS = ("ocradmin", "centres", "entries", "grades")
PROJECT_MODELS = [
    model
    for app in PROJECT_APPS
    for model in django_apps.get_app_config(app).get_models()
    if not model._meta.auto_created
]


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_every_model_is_in_admin_with_search_and_filters(admin_client, model):
    model_admin = admin.site._registry.get(model)
    assert model_admin is not None, f"{model._meta.label} is not in admin"
    assert model_admin.search_fields and model_admin.list_filter
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(changelist, {"q": "x"}).status_code == 200
