"""The demo panel's number board and counter displays: drawn from what the board emulator shows and
what the TM1637 chip emulator decoded, after a call made through the store."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pygame
import pytest

from kiosk.demo.window import _SEGMENTS, LED_OFF, SEGMENT_ON, draw_wires
from kiosk.demo.wires import CALL_PIN, DemoWires
from kiosk.fonts import Face, font_path
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.site.model import SiteConfig
from kiosk.ui.png import save_png
from tests.kiosk.lobby.conftest import ZONE, issue

REPO = Path(__file__).resolve().parents[3]


def wait_for(condition, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.02)


@pytest.fixture
def wires(site_config: SiteConfig, tmp_path: Path):
    issue(tmp_path, "myna_service", 3)
    clock = lambda: datetime(2026, 11, 26, 9, 15, tzinfo=ZONE)  # noqa: E731
    demo = DemoWires(site_config, tmp_path, clock)
    yield demo
    demo.close()


def test_a_call_reaches_the_board_and_display_and_the_panel_draws_what_they_show(site_config, tmp_path, wires):
    first = wires.counters[0]
    calling = SqliteCallingStore(tmp_path / "tickets.sqlite3", CallingSetup.from_site(site_config))
    try:
        called = calling.call_next(first, datetime(2026, 11, 26, 9, 15, tzinfo=ZONE))
    finally:
        calling.close()
    assert called is not None
    wait_for(lambda: wires.rows()[0][2] == called.label and wires.digits()[0][1] == bytes.fromhex("00 3f 3f 06"))
    wait_for(lambda: wires.board.chimes == 1)

    pygame.font.init()
    surface = pygame.Surface((380, 300))
    surface.fill((226, 230, 236))
    small = pygame.font.Font(str(font_path(Face.REGULAR)), 13)
    # No keys, and the titles above the board drawn off the top: the board's title lands at y=10.
    draw_wires(surface, 12, 10 - (26 + 24 + 10 + 6), wires, [], small, small)
    out = REPO / "out" / "demo-panel"
    out.mkdir(parents=True, exist_ok=True)
    save_png(surface, out / "wires.png")
    # the display's last digit "1": segments b and c lit, a dark (digit boxes start at x=22, y=10+20+60+24)
    top, left = 10 + 20 + 2 * 30 + 6 + 24, 12 + 10 + 3 * 35

    def colour(segment: int) -> tuple[int, ...]:
        sx, sy, _w, _h = _SEGMENTS[segment]
        return tuple(surface.get_at((left + sx + 1, top + sy + 1)))[:3]

    assert colour(1) == SEGMENT_ON and colour(2) == SEGMENT_ON
    assert colour(0) == LED_OFF


def test_the_panel_s_call_button_is_a_mock_pin_the_lobby_service_answers(wires):
    wires.press(CALL_PIN)
    wait_for(lambda: wires.rows()[0][2] == "M-001")
