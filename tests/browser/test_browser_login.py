"""The régie logs in once, in a real Chromium: the token leaves the URL, the session cookie
is HttpOnly and SameSite=Strict, the régie acts with it, and logging out makes it read-only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from control_room.auth import COOKIE
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

# Chromium logs the form's 401 answer as a console error: expected for a wrong token.
_STATUS_401 = re.compile(r"status of 401")


def _session(context) -> dict:  # type: ignore[no-untyped-def, type-arg]
    [cookie] = [c for c in context.cookies() if c["name"] == COOKIE]
    return cookie  # type: ignore[no-any-return]


def test_the_login_form_leads_to_the_regie_without_the_token_in_the_url(
    day: RunningServer, screens
) -> None:
    login = screens.open(f"{day.base_url}/login", wait=False)
    page = login.page
    page.locator("#token").fill(day.token)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(f"{day.base_url}/regie")
    login.wait_connected()
    expect(page.locator("#r-auth")).to_have_text("Opérateur")
    assert day.token not in page.url
    # The cookie: HttpOnly (no script reads it), SameSite=Strict.
    cookie = _session(login.context)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert COOKIE not in page.evaluate("() => document.cookie")
    assert day.token not in page.evaluate("() => JSON.stringify(sessionStorage)")
    # The régie acts with it.
    result = page.evaluate(
        "() => window.controlRoom.link.command({type: 'hold', channel: 'parcours-1'})"
    )
    assert result["ok"] is True
    state = day.get_json("/api/state?channels=parcours-1")["channels"][0]
    assert state["held"]


def test_a_wrong_token_stays_on_the_form_and_says_so(day: RunningServer, screens) -> None:
    login = screens.open(f"{day.base_url}/login", wait=False, allow_errors=_STATUS_401)
    page = login.page
    page.locator("#token").fill("not-the-token")
    page.locator("button[type=submit]").first.click()
    expect(page.locator("#login-error")).to_have_text("Jeton refusé.")
    assert [c for c in login.context.cookies() if c["name"] == COOKIE] == []


def test_the_old_regie_url_is_cleaned_at_once_and_logs_in(day: RunningServer, screens) -> None:
    regie = screens.open(f"{day.base_url}/regie?token={day.token}&name=Marie")
    page = regie.page
    assert page.url == f"{day.base_url}/regie?name=Marie"
    expect(page.locator("#r-auth")).to_have_text("Opérateur")
    assert _session(regie.context)["httpOnly"] is True
    # Back in the history: the URL with the token was never an entry (a redirect), only
    # the blank page the tab opened with.
    assert page.evaluate("() => history.length") == 2
    page.go_back()
    assert page.url == "about:blank"


def test_the_token_dialog_logs_in_and_logout_makes_the_regie_read_only(
    day: RunningServer, screens
) -> None:
    regie = screens.open(f"{day.base_url}/regie")
    page = regie.page
    dialog = page.locator("#r-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[type=password]").fill(day.token)
    page.keyboard.press("Enter")
    expect(page.locator("#r-auth")).to_have_text("Opérateur")
    assert _session(regie.context)["httpOnly"] is True
    page.locator("#r-logout button").click()
    page.wait_for_url(f"{day.base_url}/login")
    assert [c for c in regie.context.cookies() if c["name"] == COOKIE] == []
    page.goto(f"{day.base_url}/regie")
    regie.wait_connected()
    expect(page.locator("#r-auth")).to_have_text("Lecture seule")
