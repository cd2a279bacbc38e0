"""The lobby screen and the counter consoles in a real browser (Debian's Chromium through Playwright),
against `kiosk lobby` running as its own process. One browser for the module; the tests that kill or
stop the service get a service of their own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk.lobby.conftest import PASSWORD, Lobby, add_staff, issue, kiosk_call

pytestmark = pytest.mark.slow

READY = "body:not(.offline):not(.connecting)"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lobby]:
    """One service for the tests that only add calls (each reads the labels it got)."""
    data_dir = tmp_path_factory.mktemp("lobby")
    issue(data_dir, "myna_service", 12)
    issue(data_dir, "renewal", 12)
    add_staff(data_dir, "sato", None)  # every counter
    add_staff(data_dir, "tanaka", ["c13"])
    service = Lobby(data_dir).start()
    try:
        yield service
    finally:
        service.close()


def screen(browser: Any, lobby: Lobby, size: tuple[int, int] = (1920, 1080), lang: str = "ja") -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(f"{lobby.base}/screen?lang={lang}&chime=0")
    page.wait_for_selector(READY, timeout=10_000)
    return page


def console(browser: Any, lobby: Lobby, counter: str, name: str = "sato") -> Any:
    """A console in its own browser context (its own cookies), logged in through the login form."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{lobby.base}/counter/{counter}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/counter/{counter}")
    page.wait_for_selector(READY, timeout=10_000)
    return page


def tile_text(counter: str) -> str:
    return f'#counters [data-counter="{counter}"] .counter-label'


def test_screen_shows_a_call_made_from_a_console(browser, shared):
    tv = screen(browser, shared)
    clerk = console(browser, shared, "c13")
    clerk.keyboard.press("n")  # the shortcut for "call next"
    clerk.wait_for_function("document.getElementById('current').textContent !== '—'")
    label = clerk.text_content("#current")
    assert label and label.startswith("M-")
    tv.wait_for_function(
        "label => document.getElementById('latest-label').textContent === label", arg=label, timeout=2_000
    )
    assert tv.text_content(tile_text("c13")) == label
    assert "13" in (tv.text_content("#latest-where") or "")
    assert tv.is_visible("#latest.blink")  # the new call blinks (for 6 s)
    clerk.context.close()
    tv.close()


def test_screen_shows_a_call_made_by_the_cli_in_another_process(browser, shared):
    tv = screen(browser, shared, lang="en")
    called = kiosk_call(shared.data_dir, "next", "--counter", "c1")
    assert called.returncode == 0, called.stderr
    label = called.stdout.strip()
    tv.wait_for_function(
        "label => document.getElementById('latest-label').textContent === label", arg=label, timeout=2_000
    )
    assert tv.text_content(tile_text("c1")) == label
    assert tv.text_content("#latest-where") == "Please go to Counter 1"
    tv.close()


def test_screen_rotates_its_languages_japanese_first(browser, shared):
    tv = browser.new_page(viewport={"width": 1920, "height": 1080})
    tv.goto(f"{shared.base}/screen?rotate=0.3&chime=0")
    assert tv.text_content("#waiting-title") == "お待ちの方"
    seen = set()
    for _ in range(40):
        seen.add(tv.evaluate("document.documentElement.lang"))
        if len(seen) >= 3:
            break
        tv.wait_for_timeout(100)
    assert {"ja", "ja-easy", "en"} <= seen
    tv.close()


def test_screen_reconnects_itself_after_an_http_error_on_the_stream(browser, shared):
    """EventSource gives up for good after an HTTP error status: the page must open a new one."""
    tv = browser.new_page(viewport={"width": 1920, "height": 1080})
    refused = []

    def refuse_first(route):
        if not refused:
            refused.append(route.request.url)
            route.fulfill(status=503, body="starting")
        else:
            route.continue_()

    tv.route("**/events", refuse_first)
    tv.goto(f"{shared.base}/screen?lang=en&chime=0")
    tv.wait_for_selector("body.offline", timeout=5_000)
    assert refused
    tv.wait_for_selector(READY, timeout=10_000)
    assert not tv.is_visible("#offline")
    tv.close()


def test_forged_post_without_the_csrf_token_is_refused(browser, shared):
    clerk = console(browser, shared, "c13")
    before = shared.state()["event_id"]
    forged = clerk.evaluate(
        """async () => (await fetch('/counter/c13/call-next', {method: 'POST', credentials: 'same-origin'})).status"""
    )
    assert forged == 403
    assert shared.state()["event_id"] == before  # nothing happened
    # The console's own button (which sends the token) works from the same page.
    honest = clerk.evaluate(
        """async () => (await fetch('/counter/c13/call-next', {method: 'POST',
            headers: {'X-CSRF-Token': document.querySelector('meta[name=csrf-token]').content}})).status"""
    )
    assert honest == 200
    clerk.context.close()


def test_two_consoles_pressing_call_next_at_once_get_different_tickets(browser, shared):
    first, second = console(browser, shared, "c1"), console(browser, shared, "c2")
    for page in (first, second):
        page.evaluate("window.__before = document.getElementById('current').textContent")
    # Both clicks are queued within the same few milliseconds; each page's fetch goes out at once.
    for page in (first, second):
        page.evaluate("setTimeout(() => document.querySelector('[data-action=call-next]').click(), 50)")
    labels = []
    for page in (first, second):
        page.wait_for_function("document.getElementById('current').textContent !== window.__before")
        labels.append(page.text_content("#current"))
    assert labels[0] != labels[1]
    assert all(label and label.startswith("R-") for label in labels)
    counters = {c["id"]: c["calling"] for c in shared.state()["counters"]}
    assert [counters["c1"], counters["c2"]] == labels
    for page in (first, second):
        page.context.close()


def test_console_of_a_counter_the_account_may_not_use_answers_403(browser, shared):
    clerk = console(browser, shared, "c13", name="tanaka")
    response = clerk.goto(f"{shared.base}/counter/c1")
    assert response is not None and response.status == 403
    assert "may not use counter 1" in (clerk.text_content("body") or "")
    clerk.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_called_numbers_are_at_least_8_percent_of_the_screen_height_and_nothing_spills(browser, shared, size, lang):
    # A full screen, whichever tests ran before: the recent calls all listed, several counters calling.
    minute = 40
    while len(shared.state()["recent_calls"]) < 7:
        counter = ("c13", "c1", "c2")[minute % 3]
        assert kiosk_call(shared.data_dir, "next", "--counter", counter, at=f"2026-11-26T09:{minute}").returncode == 0
        minute += 1
    tv = screen(browser, shared, size=size, lang=lang)
    heights = tv.evaluate(
        """() => [...document.querySelectorAll('#latest-label, .counter-label')]
            .map(e => parseFloat(getComputedStyle(e).fontSize) / window.innerHeight)"""
    )
    assert len(heights) >= 3  # the latest call and the counters calling (c13, c1 by now)
    assert min(heights) >= 0.08, heights
    spills = tv.evaluate(
        """() => [...document.querySelectorAll('main section, #latest-label, .counter, #waiting-list li')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.id || e.className)"""
    )
    assert spills == []
    assert tv.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tv.close()


def test_screen_goes_offline_when_the_service_dies_and_resyncs_after_its_restart(browser, tmp_path: Path):
    issue(tmp_path, "myna_service", 3)
    lobby = Lobby(tmp_path).start()
    try:
        assert kiosk_call(tmp_path, "next", "--counter", "c13").stdout.strip() == "M-001"
        tv = screen(browser, lobby)
        tv.wait_for_function(f"document.querySelector('{tile_text('c13')}')?.textContent === 'M-001'")
        lobby.kill()
        killed = time.monotonic()
        tv.wait_for_selector("body.offline", timeout=5_000)
        assert time.monotonic() - killed < 5.0
        assert tv.is_visible("#offline")
        assert tv.evaluate("getComputedStyle(document.querySelector('.counter-label')).visibility") == "hidden"
        # While the service is down the queue moves on (the CLI works on the store directly).
        assert kiosk_call(tmp_path, "next", "--counter", "c13", at="2026-11-26T09:20").stdout.strip() == "M-002"
        lobby.start()
        restarted = time.monotonic()
        tv.wait_for_selector(READY, timeout=5_000)
        tv.wait_for_function(f"document.querySelector('{tile_text('c13')}')?.textContent === 'M-002'", timeout=3_000)
        assert time.monotonic() - restarted < 3.0
        assert not tv.is_visible("#offline")
        assert tv.text_content("#latest-label") == "M-002"
        tv.close()
    finally:
        lobby.close()


def test_service_stops_within_seconds_with_a_screen_connected(browser, tmp_path: Path):
    issue(tmp_path, "renewal", 1)
    lobby = Lobby(tmp_path).start()
    try:
        tv = screen(browser, lobby)
        took = lobby.stop()
        assert took < 2.5, f"stopping took {took:.1f} s with a screen connected"
        assert "lobby service stopped" in lobby.log()
        tv.wait_for_selector("body.offline", timeout=5_000)
        tv.close()
    finally:
        lobby.close()
