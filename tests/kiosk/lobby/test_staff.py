"""The staff page (issue 17): `kiosk lobby` in its process, kiosks writing heartbeats to the same
store, Debian's Chromium driven by Playwright (tests/kiosk/lobby/conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from drivers.interfaces import PaperState
from kiosk.domain.flow import Screen
from kiosk.queue.health import CommandState
from kiosk.queue.model import PrintState
from kiosk.queue.sqlite_health import SqliteHealthStore
from kiosk.queue.sqlite_store import DATABASE_FILE, SqliteTicketStore
from tests.kiosk.lobby.conftest import PASSWORD, Lobby, add_staff, issue
from tests.kiosk.lobby.staff_rig import kiosk_config, kiosk_run, turning_kiosk

ALERT_WITHIN_MS = 4000  # the budget is 2 s (bench: health.alert_ms); slack for a loaded CI machine


@pytest.fixture
def staff_lobby(data_dir: Path, tmp_path: Path) -> Iterator[Lobby]:
    first = issue(data_dir, "myna_service", 3)[0]
    with closing(SqliteTicketStore(data_dir / DATABASE_FILE)) as tickets:  # M-001's print failed: reprint it
        tickets.set_print_state(first.id, PrintState.PRINT_FAILED, first.issued_at)
    add_staff(data_dir, "sato", None)
    config = kiosk_config(tmp_path / "lobby-config", data_dir, 9100)  # the same [health] timings as the kiosks
    service = Lobby(data_dir, extra=("--config", str(config))).start()
    try:
        yield service
    finally:
        service.close()


def logged_in(browser: Any, lobby: Lobby) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(lobby.base + "/staff")  # not logged in: to the login page, and back after it
    page.fill("input[name=name]", "sato")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff")
    return page


def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# --- refusals ----------------------------------------------------------------------------------

ACTIONS = (
    "ack",
    "out_of_service",
    "in_service",
    "test_print",
    "reprint",
    "new_roll",
    "close_procedure",
    "reopen_procedure",
    "set_cap",
)


def test_every_staff_action_and_read_is_refused_without_a_login(staff_lobby: Lobby) -> None:
    origin = {"Origin": staff_lobby.base, "Content-Type": "application/x-www-form-urlencoded"}
    for action in ACTIONS:
        status, _, body = staff_lobby.request("POST", f"/staff/action/{action}", b"kiosk=lobby-1", origin)
        assert status == 401, (action, body)
    for path in ("/staff/api", "/staff/events", "/staff/stats.csv", "/staff/chart.svg"):
        assert staff_lobby.get(path)[0] == 401, path
    status, headers, _ = staff_lobby.get("/staff")
    assert status == 303 and headers["location"].startswith("/login")
    with SqliteHealthStore(staff_lobby.data_dir / DATABASE_FILE) as store:
        assert store.audit_log() == [] and store.modes() == {}


def test_a_staff_action_without_the_csrf_token_or_from_another_site_is_refused(
    staff_lobby: Lobby, browser: Any
) -> None:
    page = logged_in(browser, staff_lobby)
    cookie = next(c for c in page.context.cookies() if c["name"] == "kiosk_session")
    headers = {"Cookie": f"kiosk_session={cookie['value']}", "Origin": staff_lobby.base}
    assert staff_lobby.request("POST", "/staff/action/set_cap", b"procedure=renewal&cap=3", headers)[0] == 403
    csrf = page.get_attribute('meta[name="csrf-token"]', "content")
    evil = {**headers, "Origin": "http://evil.example", "X-CSRF-Token": csrf}
    assert staff_lobby.request("POST", "/staff/action/set_cap", b"procedure=renewal&cap=3", evil)[0] == 403
    page.close()


# --- alerts -----------------------------------------------------------------------------------


def alert_ms(page: Any, part: str) -> float:
    start = time.monotonic()
    page.wait_for_selector(f'.alert[data-part="{part}"]', timeout=ALERT_WITHIN_MS)
    return (time.monotonic() - start) * 1000


def test_paper_end_raises_an_alert_with_sound_until_acknowledged(
    staff_lobby: Lobby, browser: Any, tmp_path: Path
) -> None:
    with turning_kiosk(tmp_path, staff_lobby.data_dir) as (_, emulator):
        page = logged_in(browser, staff_lobby)
        page.wait_for_selector('.card[data-kiosk="lobby-1"] li[data-part="printer"][data-light="green"]')
        assert page.locator(".alert").count() == 0
        emulator.set_paper(PaperState.END)
        alert_ms(page, "printer")
        alert = page.locator('.alert[data-part="printer"]')
        assert "用紙切れです" in alert.inner_text()
        assert page.get_attribute("body", "data-sounding") == "true"
        page.wait_for_function("window.staffBeeps > 0")  # the alarm plays (Chromium may play sound unasked here)
        alert.locator("button").click()
        page.wait_for_selector('.alert.acked[data-part="printer"]')
        assert page.get_attribute("body", "data-sounding") == "false"
        assert page.locator('#audit tr[data-action="ack"]').count() == 1
        page.click("#lang")  # English on a switch
        assert "Paper end" in page.locator('.alert[data-part="printer"]').inner_text()
        emulator.set_paper(PaperState.OK)
        page.wait_for_selector('.alert[data-part="printer"]', state="detached", timeout=ALERT_WITHIN_MS)
        page.close()


def test_reader_unplugged_raises_an_alert(staff_lobby: Lobby, browser: Any, tmp_path: Path) -> None:
    with turning_kiosk(tmp_path, staff_lobby.data_dir) as (kiosk, _):
        page = logged_in(browser, staff_lobby)
        page.wait_for_selector('.card[data-kiosk="lobby-1"][data-light="green"]')
        kiosk.app.devices.reader.unplug()  # type: ignore[attr-defined]  (the simulated reader)
        alert_ms(page, "card_reader")
        assert "カードリーダーが外れています" in page.locator('.alert[data-part="card_reader"]').inner_text()
        page.close()


def test_a_kiosk_process_killed_raises_an_alert(staff_lobby: Lobby, browser: Any, tmp_path: Path) -> None:
    from drivers.printer.emulator import PrinterEmulator
    from kiosk.ticket.render import compose

    with PrinterEmulator(tmp_path / "printed", draw=compose) as emulator:
        config = kiosk_config(tmp_path / "config", staff_lobby.data_dir, emulator.serve_tcp(), kiosk_id="kiosk-7")
        process = kiosk_run(config, tmp_path / "kiosk.log")
        try:
            page = logged_in(browser, staff_lobby)
            page.wait_for_selector('.card[data-kiosk="kiosk-7"][data-light="green"]', timeout=30_000)
            process.kill()
            process.wait(10)
            page.wait_for_selector('.alert[data-source="kiosk-7"][data-part="process"]', timeout=3000 + ALERT_WITHIN_MS)
            assert "応答がありません" in page.locator('.alert[data-source="kiosk-7"]').inner_text()
            page.close()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)


# --- actions ----------------------------------------------------------------------------------


def test_out_of_service_reaches_the_kiosk_screen_and_every_action_is_audited(
    staff_lobby: Lobby, browser: Any, tmp_path: Path
) -> None:
    with turning_kiosk(tmp_path, staff_lobby.data_dir) as (kiosk, emulator):
        page = logged_in(browser, staff_lobby)
        card = page.locator('.card[data-kiosk="lobby-1"]')
        page.wait_for_selector('.card[data-kiosk="lobby-1"][data-light="green"]')
        card.locator('button[data-action="out_of_service"]').click()
        start = time.monotonic()
        until(lambda: kiosk.app.runtime.state.screen is Screen.OUT_OF_SERVICE, 5)
        assert time.monotonic() - start < 2.5  # the budget is 2 s
        page.wait_for_selector('.card[data-kiosk="lobby-1"] button[data-action="in_service"]')
        card.locator('button[data-action="in_service"]').click()
        until(lambda: kiosk.app.runtime.state.screen is Screen.WELCOME, 5)

        card.locator('button[data-action="test_print"]').click()
        page.wait_for_selector("#commands li.done", timeout=15_000)
        assert len(emulator.printed) >= 1  # the kiosk printed it on its printer

        card.locator("input").fill("M-001")
        card.locator('button[data-action="reprint"]').click()
        card.locator('button[data-action="new_roll"]').click()
        row = page.locator('#procedures tr[data-procedure="renewal"]')
        row.locator('button[data-action="close_procedure"]').click()
        page.wait_for_selector('#procedures tr.closed[data-procedure="renewal"]')
        row.locator('button[data-action="reopen_procedure"]').click()
        row.locator("input").fill("40")
        row.locator('button[data-action="set_cap"]').click()

        wanted = {"out_of_service", "in_service", "test_print", "reprint", "new_roll", "close_procedure",
                  "reopen_procedure", "set_cap"}  # fmt: skip
        until(lambda: {r.get_attribute("data-action") for r in page.locator("#audit tr").all()} >= wanted)
        rows = page.locator("#audit tbody tr").all()
        assert all("sato" in r.inner_text() for r in rows)
        with SqliteHealthStore(staff_lobby.data_dir / DATABASE_FILE) as store:
            log = store.audit_log()
            assert {e.action for e in log} == wanted and {e.who for e in log} == {"sato"}
            until(lambda: all(c.state is not CommandState.PENDING for c in store.commands()), 20)
            assert {c.command: c.state for c in store.commands()} == {
                "print_test": CommandState.DONE,
                "reprint": CommandState.DONE,
                "new_roll": CommandState.DONE,
            }
        page.close()


def test_statistics_csv_chart_and_metrics(staff_lobby: Lobby, browser: Any) -> None:
    page = logged_in(browser, staff_lobby)
    cookie = next(c for c in page.context.cookies() if c["name"] == "kiosk_session")
    headers = {"Cookie": f"kiosk_session={cookie['value']}"}
    status, got, body = staff_lobby.get("/staff/stats.csv?date=2026-11-26", headers)
    assert status == 200 and got["content-type"].startswith("text/csv")
    lines = body.decode().splitlines()
    assert lines[0].startswith("date,procedure,counter,issued") and ",renewal," in lines[1]
    assert staff_lobby.get("/staff/stats.csv?date=26.11.2026", headers)[0] == 400
    status, got, body = staff_lobby.get("/staff/chart.svg", headers)
    assert status == 200 and got["content-type"].startswith("image/svg+xml") and b'data-count="3"' in body
    status, _, body = staff_lobby.get("/metrics")
    text = body.decode()
    assert status == 200
    assert 'kiosk_tickets_issued_today{procedure="renewal"} 3.0' in text
    assert 'kiosk_waiting{group="myna_service"} 3.0' in text
    assert "kiosk_print_failures_today 1.0" in text
    assert 'kiosk_heartbeat_age_seconds{source="lobby"}' in text
    page.close()
