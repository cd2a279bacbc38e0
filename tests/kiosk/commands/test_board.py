"""`kiosk board send` against `kiosk board-sim --pty`, both as staff run them: separate processes
on the two ends of a real pty, faults typed on the emulator's standard input."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

KIOSK = [sys.executable, "-m", "kiosk"]


class Sim:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [*KIOSK, "board-sim", "--pty", "--address", "01"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        assert first.startswith("board emulator 01: /dev/"), first
        self.path = first.split(": ", 1)[1].strip()
        self.seen: list[str] = []

    def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        self.wait_for("faults:")

    def wait_for(self, text: str, timeout_s: float = 5.0) -> None:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            self.seen.append(line)
            if text in line:
                return
        raise AssertionError(f"{text!r} not printed; saw {self.seen[-10:]}")


@pytest.fixture
def sim() -> Iterator[Sim]:
    board = Sim()
    yield board
    board.proc.kill()
    board.proc.communicate()  # closes both pipes


def send(path: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KIOSK, "board", "send", "--port", path, "--address", "01", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_send_reports_enq_then_ack_and_the_emulator_draws_the_row(sim):
    restarted = send(sim.path, "--row", "1", "--text", "S-012")
    assert restarted.returncode == 0 and "ENQ from 01" in restarted.stdout
    assert send(sim.path, "--clear").returncode == 0
    shown = send(sim.path, "--row", "1", "--text", "S-013")
    assert shown.returncode == 0 and shown.stdout.startswith("ACK from 01")
    sim.wait_for("| 1 | S-013")


def test_send_reports_nak_and_no_reply_with_exit_1(sim):
    sim.type("nak 1")
    naked = send(sim.path, "--ping")
    assert naked.returncode == 1 and "NAK from 01" in naked.stderr
    sim.type("silent on")
    silent = send(sim.path, "--ping")
    assert silent.returncode == 1 and "no reply from 01 within 150 ms" in silent.stderr


def test_send_refuses_text_no_board_would_take():
    result = subprocess.run(
        [*KIOSK, "board", "send", "--port", "/dev/null", "--address", "01", "--row", "1", "--text", "TOOLONGTEXT"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "longer than 8" in result.stderr
