"""The board driver against the board emulator on a real pty (pyserial on both ends of the kernel's
tty): every fault of §4 survived, ending with the board showing the right rows.

The protocol's times are §4's (150 ms replies, 3 tries) except the ping and the refresh, which are
shortened so a test waits fractions of a second instead of 5 and 60."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import pytest

from drivers.board.emulator import BoardEmulator
from drivers.board.frames import Answer, Command, Frame, encode, show
from drivers.board.serial_board import BoardPort
from drivers.board.settings import BoardConfig, BoardTiming
from drivers.interfaces import HealthState

FAST = BoardTiming(ping_every_s=0.3, refresh_every_s=60.0)
QUIET = BoardTiming(ping_every_s=30.0, refresh_every_s=60.0)  # no ping takes a fault meant for a frame


def eventually(condition: Callable[[], object], timeout_s: float = 4.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s} s")
        time.sleep(0.01)


@pytest.fixture
def emulator() -> Iterator[BoardEmulator]:
    with BoardEmulator("01") as emu:
        yield emu


def open_port(emulator: BoardEmulator, timing: BoardTiming = FAST, path: str | None = None) -> BoardPort:
    path = path or emulator.serve_pty()
    return BoardPort([BoardConfig(path, "01", 9600, ("c13", "c12"))], timing)


@pytest.fixture
def port(emulator: BoardEmulator) -> Iterator[BoardPort]:
    board_port = open_port(emulator, QUIET)
    yield board_port
    board_port.close()


def settled(port: BoardPort, emulator: BoardEmulator, rows: dict[int, str]) -> Callable[[], bool]:
    return lambda: port.settled() and emulator.rows() == rows and port.health()[0].state is HealthState.OK


def test_first_contact_clears_the_board_and_sends_every_row(port, emulator):
    eventually(lambda: port.settled() and port.health()[0].state is HealthState.OK)
    assert [r.frame for r in emulator.received][:3] == [
        Frame("01", Command.CLEAR),
        show("01", 1, ""),
        show("01", 2, ""),
    ]
    assert not emulator.restarted
    port.show("c12", "R-003")
    eventually(settled(port, emulator, {2: "R-003"}))
    assert emulator.malformed == []


def test_a_call_shows_the_row_flashes_it_and_chimes(port, emulator):
    eventually(lambda: not emulator.restarted)
    port.show("c13", "M-012", call=True)
    eventually(lambda: emulator.chimes == 1)
    assert emulator.rows() == {1: "M-012"}
    assert emulator.flashing() == {1}
    called = [r.frame for r in emulator.received if r.frame.command is not Command.PING][-3:]
    assert [f.command for f in called] == [Command.SHOW, Command.FLASH, Command.CHIME]
    assert called[1].data == "1:5"


def test_naked_frames_are_resent_and_the_row_arrives(port, emulator):
    eventually(port.settled)
    emulator.nak_next(2)
    port.show("c13", "M-013")
    eventually(settled(port, emulator, {1: "M-013"}))
    answers = [r.answer for r in emulator.received if r.frame == show("01", 1, "M-013")]
    assert answers == [Answer.NAK, Answer.NAK, Answer.ACK]


def test_a_frame_naked_on_every_try_is_resent_with_every_row_at_the_next_ping(emulator):
    port = open_port(emulator, BoardTiming(ping_every_s=1.0))
    try:
        eventually(port.settled)
        emulator.nak_next(3)
        port.show("c13", "M-014")
        eventually(lambda: port.health()[0].state is HealthState.DEGRADED)
        assert "NAKed S 1:M-014" in port.health()[0].detail
        eventually(settled(port, emulator, {1: "M-014"}))
    finally:
        port.close()


def test_dropped_frames_are_resent(port, emulator):
    eventually(port.settled)
    emulator.drop_next(2)
    port.show("c13", "M-015")
    eventually(settled(port, emulator, {1: "M-015"}))


def test_garbled_answers_count_as_none_and_the_frame_is_resent(port, emulator):
    eventually(port.settled)
    emulator.garble_next(2)
    port.show("c12", "R-001")
    eventually(settled(port, emulator, {2: "R-001"}))
    assert [r.frame for r in emulator.received].count(show("01", 2, "R-001")) == 3  # 2 answers lost


def test_a_power_cycled_board_answers_enq_and_gets_every_row_again(emulator):
    port = open_port(emulator, FAST)
    try:
        port.show("c13", "M-016")
        port.show("c12", "R-002")
        eventually(settled(port, emulator, {1: "M-016", 2: "R-002"}))
        emulator.power_cycle()
        assert emulator.rows() == {}
        eventually(lambda: not emulator.restarted and emulator.rows() == {1: "M-016", 2: "R-002"})
    finally:
        port.close()


def test_a_silent_board_goes_down_and_a_call_made_meanwhile_appears_when_it_answers(emulator):
    port = open_port(emulator, FAST)
    try:
        port.show("c13", "M-017")
        eventually(settled(port, emulator, {1: "M-017"}))
        emulator.set_silent(True)
        eventually(lambda: port.health()[0].state is HealthState.DOWN)
        health = port.health()[0]
        assert "not answering; last ACK" in health.detail and "never" not in health.detail
        port.show("c13", "M-018", call=True)  # the call while it is away
        time.sleep(0.5)
        assert emulator.rows() == {1: "M-017"}
        emulator.set_silent(False)
        eventually(settled(port, emulator, {1: "M-018"}))
    finally:
        port.close()


def test_every_row_goes_again_at_the_refresh_even_with_nothing_new(emulator):
    port = open_port(emulator, BoardTiming(ping_every_s=30.0, refresh_every_s=0.5))
    try:
        eventually(port.settled)
        emulator.nak_next(3)  # the row is lost for now; no ping comes for 30 s
        port.show("c13", "M-019")
        eventually(settled(port, emulator, {1: "M-019"}), timeout_s=3)
    finally:
        port.close()


def test_the_emulator_naks_a_malformed_frame_for_it_loudly_and_ignores_other_boards(emulator, caplog):
    import serial

    path = emulator.serve_pty()
    with serial.Serial(path, 9600, timeout=0.5) as line:
        caplog.set_level(logging.ERROR, logger="drivers.board.emulator")
        bad = bytearray(encode(show("01", 1, "M-001")))
        bad[-1] ^= 0xFF
        line.write(bytes(bad))
        assert line.read(3) == b"\x1501"
        assert "MALFORMED" in caplog.text and "BCC" in caplog.text
        line.write(encode(show("02", 1, "M-001")) + encode(show("FF", 1, "M-001")))
        assert line.read(3) == b""
    assert emulator.rows() == {}


def test_a_port_that_cannot_be_opened_is_down_with_the_reason():
    port = BoardPort([BoardConfig("/dev/no-such-board", "01", 9600, ("c13",))], FAST)
    try:
        eventually(lambda: port.health()[0].state is HealthState.DOWN)
        assert "cannot open /dev/no-such-board" in port.health()[0].detail
    finally:
        port.close()


def test_a_dead_board_on_the_same_line_never_keeps_the_other_from_its_rows_or_its_pings(emulator):
    path = emulator.serve_pty()
    port = BoardPort(
        [BoardConfig(path, "01", 9600, ("c13",)), BoardConfig(path, "02", 9600, ("c12",))],
        BoardTiming(ping_every_s=0.4),
    )
    try:
        eventually(lambda: [h.state for h in port.health()] == [HealthState.OK, HealthState.DOWN])
        port.show("c13", "M-020")
        port.show("c12", "R-020")  # for the board that is not there: kept for when it answers
        eventually(lambda: emulator.rows() == {1: "M-020"})
        pings = sum(r.frame.command is Command.PING for r in emulator.received)
        eventually(lambda: sum(r.frame.command is Command.PING for r in emulator.received) >= pings + 2)
        assert port.rows("02") == {1: "R-020"}
        assert port.health()[1].detail.startswith("not answering; last ACK never")
    finally:
        port.close()
