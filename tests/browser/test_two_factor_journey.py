"""Two-factor sign-in in a real browser: a member of staff (whose role needs it) signs in, is
sent to set it up, scans (here: reads) the key, turns it on and keeps the backup codes; the
next sign-in asks for the app's code, and then Django admin opens; a backup code works once.

time-machine holds each step inside one 30-second TOTP window (and moves on a window between
sign-ins, since a code is never accepted twice).
"""

import math
import re
import time
from base64 import b32decode
from datetime import UTC, datetime, timedelta

import time_machine
from django_otp.oath import TOTP
from playwright.sync_api import expect


def code_from_app(key: str) -> str:
    totp = TOTP(b32decode(key))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_staff_set_up_two_factor_sign_in_and_sign_in_with_a_code(
    page, url, sign_in, assert_accessible, people, settings
):
    settings.TWO_FACTOR_REQUIRED = True
    staff = people["staff"]
    # The start of the next TOTP window: real time, a few seconds on, so cookies stay valid.
    start = datetime.fromtimestamp(math.ceil(time.time() / 30) * 30 + 1, tz=UTC)

    with time_machine.travel(start, tick=True):
        sign_in(page, staff.email)
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
        expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("Your role needs two-factor sign-in")
        expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
        assert_accessible(page)
        key = page.locator("#two-factor-key").inner_text().replace(" ", "")

        page.get_by_label("Code from the app").fill(code_from_app(key))
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
        expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
        assert_accessible(page)
        codes = page.get_by_role("list", name="Backup codes").locator("li").all_inner_texts()
        assert len(codes) == 10
        page.get_by_role("link", name="I have kept my backup codes").click()
        expect(page).to_have_url(url("/"))
        with page.expect_navigation():  # signed out before the next sign-in starts
            page.get_by_role("button", name="Sign out").click()

    with time_machine.travel(start + timedelta(seconds=60), tick=True):
        sign_in(page, staff.email)
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        assert_accessible(page)
        page.goto(url("/admin/"))  # admin waits for the code too
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(code_from_app(key))
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(url("/admin/"))
        expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
        page.goto(url("/accounts/"))
        expect(page.get_by_role("region", name="Two-factor sign-in")).to_contain_text(
            "10 unused backup codes"
        )
        with page.expect_navigation():  # signed out before the next sign-in starts
            page.get_by_role("button", name="Sign out").click()

    with time_machine.travel(start + timedelta(seconds=120), tick=True):
        sign_in(page, staff.email)
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(codes[0])
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(url("/"))
        with page.expect_navigation():  # signed out before the next sign-in starts
            page.get_by_role("button", name="Sign out").click()

        sign_in(page, staff.email)
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(codes[0])  # used: refused
        page.get_by_role("button", name="Continue").click()
        summary = page.get_by_role("alert").filter(has_text="There is a problem")
        expect(summary.get_by_role("link", name=re.compile("was already used"))).to_be_visible()
