"""axe-core on every page the demo roles reach, at 1280 px and at a phone's 390 px.

The demo data (``seed_demo``, as ``make run`` loads it) gives every page something to show. Each
demo person signs in and starts on their main pages (dashboard, centre home, candidates,
entries, grades, the grading grid, claims, the staff board…); from there every link on the site
is followed, one page per kind of address (``/centres/12345/candidates/17/`` stands for every
candidate's page), so a page nobody listed here is checked too. A page fails on a serious or
critical violation; at 390 px it also fails when the page itself scrolls sideways.

Every problem on every page is collected and reported together, so one run lists them all.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from .conftest import _axe

PASSWORD = "ocradmin-demo"
WIDTHS = (1280, 390)

# Each demo person and the pages they start from; the crawl adds what these link to.
ROLES = {
    "officer@northfield.example": [
        "/",
        "/centres/12345/",
        "/centres/12345/candidates/",
        "/centres/12345/entries/",
        "/centres/12345/grades/",
        "/centres/12345/claims/",
        "/centres/12345/audit/",
        "/notifications/",
    ],
    "teacher@northfield.example": [
        "/",
        "/centres/12345/",
        "/centres/12345/candidates/",
        "/centres/12345/entries/",
        "/centres/12345/grades/",
        "/centres/12345/grades/J351/",
        "/centres/12345/claims/",
    ],
    "head@northfield.example": [
        "/",
        "/centres/12345/",
        "/centres/12345/grades/",
        "/centres/12345/grades/review/",
        "/centres/12345/claims/",
    ],
    "materials@northfield.example": ["/", "/centres/12345/", "/centres/12345/materials/"],
    "moderator@ocradmin.example": ["/", "/moderation/"],
    "staff@ocradmin.example": [
        "/",
        "/staff/",
        "/staff/grades/",
        "/staff/entries/",
        "/centres/12345/",
    ],
    "applicant@hillside.example": ["/", "/apply/", "/qualifications/"],
}

# Never followed: leaving, files, Django admin (Django's own pages), the public verification.
SKIP = re.compile(
    r"^/(accounts/logout|admin/|static/|media/)"
    r"|\.(csv|xlsx|pdf|zip)$"
    r"|/(download|files|receipt|template)[/.]"
    r"|/progress/$"
)
MOST_PAGES_PER_ROLE = 80


def kind(path: str) -> str:
    """Addresses that differ only by ids or codes are one kind of page."""
    return re.sub(r"/\d+(?=/)", "/<n>", re.sub(r"/[A-Z]\d{3}(?=/)", "/<code>", path))


def links_on(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(urljoin(page.url, href))
        if f"{parts.scheme}://{parts.netloc}" != base:
            continue
        out.append(parts.path)  # one page per path: the query string's variants are the same page
    return out


def problems_on(page, width: int) -> list[str]:
    found = []
    results = _axe.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            targets = "; ".join(str(node["target"]) for node in violation["nodes"][:3])
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    if width < 1000:
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        if scroll > width:
            found.append(f"the page scrolls sideways ({scroll} px wide)")
    return found


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def demo(transactional_db, live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return live_server.url


def test_axe_finds_nothing_serious_on_any_page_the_demo_roles_reach(browser, demo):
    """Each person's start pages are checked as that person; a page found by following links
    is checked once per kind, as the first person who reaches it (the same template)."""
    report: dict[str, list[str]] = {}
    checked = {width: set() for width in WIDTHS}
    runs = 0

    def check(page, path, width, email, start):
        nonlocal runs
        if not (path in start or kind(path) not in checked[width]):
            return False
        checked[width].add(kind(path))
        runs += 1
        for problem in problems_on(page, width):
            report.setdefault(f"{path} at {width} px ({email})", []).append(problem)
        return True

    for email, start in ROLES.items():
        seen_kinds: set[str] = set()
        queue = list(start)
        pages = []
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        page = context.new_page()
        sign_in(page, demo, email)
        while queue and len(pages) < MOST_PAGES_PER_ROLE:
            path = queue.pop(0)
            if SKIP.search(path) or kind(path) in seen_kinds:
                continue
            seen_kinds.add(kind(path))
            response = page.goto(demo + path)
            if response is None or response.status >= 400 or urlsplit(page.url).path != path:
                continue  # forbidden, gone, or sent elsewhere (that page is queued on its own)
            pages.append(path)
            queue.extend(links_on(page, demo))
            check(page, path, WIDTHS[0], email, start)
        context.close()
        for width in WIDTHS[1:]:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            sign_in(page, demo, email)
            for path in pages:
                if path in start or kind(path) not in checked[width]:
                    page.goto(demo + path)
                    check(page, path, width, email, start)
            context.close()
    print(f"axe ran {runs} times, on {len(checked[WIDTHS[0]])} kinds of page")
    assert runs > 50
    lines = [f"{where}:\n  " + "\n  ".join(found) for where, found in sorted(report.items())]
    assert not report, f"{len(report)} page(s) with serious problems:\n" + "\n".join(lines)
