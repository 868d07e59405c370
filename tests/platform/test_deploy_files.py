"""The deployment files: docker-compose.yml, the Dockerfile and .dockerignore.

No Docker engine runs here, so these tests read the files: the compose topology, the shared
environment (every name one that settings.py reads), one beat, a non-root image; and they run
the image's build-time collectstatic the way the Dockerfile does.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
APP_SERVICES = {"migrate", "web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile():
    text = (BASE_DIR / "Dockerfile").read_text()
    # Join continuation lines so each instruction is one line.
    return re.sub(r"\\\n\s*", " ", text)


def command_of(service) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_has_the_production_topology(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", *APP_SERVICES}
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("db", "redis"):
        assert services[name]["healthcheck"]["test"], name


def test_exactly_one_beat(compose):
    beats = [name for name, s in compose["services"].items() if " beat" in command_of(s)]
    assert beats == ["beat"]
    assert compose["services"]["beat"].get("deploy", {}).get("replicas", 1) == 1
    workers = [name for name, s in compose["services"].items() if " worker" in command_of(s)]
    assert workers == ["worker"]


def test_the_app_services_run_what_they_should(compose):
    services = compose["services"]
    assert command_of(services["migrate"]) == "python manage.py migrate --noinput"
    assert services["migrate"]["restart"] == "no"
    assert command_of(services["web"]).startswith("gunicorn ocradmin.wsgi --bind 0.0.0.0:8000")
    assert command_of(services["worker"]).startswith("celery -A ocradmin worker")
    assert command_of(services["beat"]).startswith("celery -A ocradmin beat")
    assert (BASE_DIR / "ocradmin" / "wsgi.py").exists()
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name


def test_every_app_service_shares_the_environment(compose):
    shared = compose["x-app-env"]
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["environment"] == shared, name
        assert service["image"] == compose["services"]["web"]["image"]
        assert "media:/app/media" in service["volumes"], name
    assert "media" in compose["volumes"]


def test_the_shared_environment_is_production(compose):
    env = compose["x-app-env"]
    for key in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        assert env[key], key
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert env["CACHE_URL"].startswith("redis://redis:6379/")
    assert env["CACHE_URL"] != env["CELERY_BROKER_URL"]
    # Required: compose refuses to start without them (no default secret).
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", env["SECRET_KEY"])
    assert re.fullmatch(r"\$\{ALLOWED_HOSTS:\?[^}]+\}", env["ALLOWED_HOSTS"])
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert env["DEBUG"] == "false"
    assert env["HTTPS"] == "true"
    assert env["BEHIND_PROXY"] == "true"


def test_every_environment_name_is_one_settings_reads(compose):
    source = (BASE_DIR / "ocradmin" / "settings.py").read_text()
    read = set(re.findall(r"""(?:environ(?:\.get)?|env_bool|env_list)\(\s*["'](\w+)["']""", source))
    read |= set(re.findall(r"""environ\[["'](\w+)["']\]""", source))
    unknown = set(compose["x-app-env"]) - read
    assert not unknown, f"settings.py does not read {sorted(unknown)}"


def test_dockerfile_base_image_and_system_libraries(dockerfile):
    assert re.search(r"^FROM python:3\.11-slim-bookworm\s*$", dockerfile, re.M)
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz0b",
        "libffi8",
        "fonts-dejavu-core",
    ):
        assert package in dockerfile, package
    assert "rm -rf /var/lib/apt/lists/*" in dockerfile


def test_dockerfile_runs_as_a_non_root_user(dockerfile):
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users, "no USER instruction"
    assert users[-1] not in {"root", "0", "0:0"}
    # The user switch comes before the command the container runs.
    assert dockerfile.index(f"USER {users[-1]}") < dockerfile.index("\nCMD ")
    assert re.search(rf"useradd .*\b{re.escape(users[-1])}\b", dockerfile)


def test_dockerfile_installs_collects_static_and_serves(dockerfile):
    assert re.search(r"^RUN pip install \.\s*$", dockerfile, re.M)
    collect = re.search(r"^RUN (.*collectstatic.*)$", dockerfile, re.M)
    assert collect and "SECRET_KEY=" in collect.group(1)
    assert re.search(r"^HEALTHCHECK ", dockerfile, re.M)
    cmd = re.search(r"^CMD (.*)$", dockerfile, re.M).group(1)
    assert cmd.startswith('["gunicorn", "ocradmin.wsgi", "--bind", "0.0.0.0:8000"')
    assert re.search(r"^EXPOSE 8000\s*$", dockerfile, re.M)


def test_dockerignore_keeps_local_state_out_of_the_image():
    lines = {
        line.strip()
        for line in (BASE_DIR / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in (".venv", "var", ".git", "staticfiles", "__pycache__"):
        assert entry in lines, entry


@pytest.mark.subprocess
def test_the_build_time_collectstatic_works(tmp_path):
    """What the Dockerfile runs: DEBUG off, a throwaway key, hashed and compressed files."""
    skip = {"DEBUG", "STATIC_MANIFEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        DJANGO_SETTINGS_MODULE="ocradmin.settings",
        SECRET_KEY="collectstatic-only-not-a-secret",
        DEBUG="false",
        VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    static = tmp_path / "static"
    assert (static / "staticfiles.json").exists()  # the manifest: hashed names
    assert list(static.glob("css/app.*.css"))
    assert list(static.glob("vendor/bootstrap/bootstrap.min.*.css.gz"))
