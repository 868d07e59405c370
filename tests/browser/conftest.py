"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

Every test here is marked ``browser``, runs against ``live_server`` with a transactional
database (the server thread must see the rows the test creates), and fails on any console
error (a Content-Security-Policy violation shows as one), uncaught script error, or failed
request for a script, stylesheet or image.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from ..factories import PASSWORD

# Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
# make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    # pytest-base-url (a pytest-playwright dependency) still defines a session fixture as a
    # method; nothing here can change that.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods"
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _live_site(transactional_db, live_server):
    """Every browser test talks to the live server over a transactional database."""
    return live_server


@pytest.fixture
def url(live_server):
    def absolute(path: str) -> str:
        return live_server.url + path

    return absolute


@pytest.fixture(autouse=True)
def page_problems(page):
    """Console errors, page errors and failed sub-resources, checked after every test."""
    problems: list[str] = []

    def on_console(message):
        if message.type != "error":
            return
        text = message.text
        # A page answering 403 or 404 logs this for the document itself; sub-resources are
        # checked by status below, so the message adds nothing.
        if text.startswith("Failed to load resource: the server responded with a status of"):
            return
        problems.append(f"console error on {page.url}: {text}")

    def on_response(response):
        request = response.request
        if request.resource_type != "document" and response.status >= 400:
            problems.append(f"{response.status} for {request.resource_type} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.on("response", on_response)
    yield problems
    assert not problems, "\n".join(problems)


@pytest.fixture
def sign_in(url):
    """``sign_in(page, email, password)`` signs in through the real form and waits."""

    def do_sign_in(page, email: str, password: str = PASSWORD):
        page.goto(url("/accounts/login/"))
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        return page

    return do_sign_in


# axe-core from the npm registry (``npm pack axe-core@4.14.1``), kept here for the tests only:
# it is never served. The package's own copy would change whenever that package is upgraded.
AXE_VERSION = "4.14.1"
AXE_SCRIPT = HERE / "vendor" / f"axe-{AXE_VERSION}.min.js"
_axe = Axe(axe_script=AXE_SCRIPT.read_text(encoding="utf-8"))


@pytest.fixture
def assert_accessible():
    """``assert_accessible(page)`` runs axe-core and fails on serious or critical violations."""

    def check(page):
        results = _axe.run(page)
        serious = [
            v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
        ]
        if serious:
            lines = [f"axe found {len(serious)} serious or critical problem(s) on {page.url}:"]
            for violation in serious:
                lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
                for node in violation["nodes"][:5]:
                    lines.append(f"    {node['target']}: {node['failureSummary']}")
            message = "\n".join(lines)
            print(message)
            pytest.fail(message)
        return results

    return check
