"""`kiosk card-sim` and `kiosk card-probe` on bad input: a clear message and an exit code, never a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.card.profiles import PROFILES

REPO = Path(__file__).resolve().parents[2]


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )


def test_card_sim_lists_every_profile_with_what_only_shows_at_the_apdu_level() -> None:
    result = kiosk("card-sim", "--list-profiles")

    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == list(PROFILES)
    assert "short APDUs only" in result.stdout and "chip mute" in result.stdout


def test_card_sim_without_a_profile_says_what_it_needs() -> None:
    result = kiosk("card-sim")

    assert result.returncode == 2
    assert "card-sim needs --profile NAME or --list-profiles" in result.stderr


def test_card_sim_with_an_unknown_profile_names_the_known_ones() -> None:
    result = kiosk("card-sim", "--profile", "gold-card")

    assert result.returncode == 2
    assert "unknown card profile 'gold-card'" in result.stderr and "sign-locked" in result.stderr
    assert "Traceback" not in result.stderr


def test_card_probe_refuses_a_wait_of_no_time() -> None:
    result = kiosk("card-probe", "--wait", "0")

    assert result.returncode == 2
    assert "--wait 0: must be more than 0 seconds" in result.stderr


def test_card_probe_without_the_reader_fails_with_the_reason() -> None:
    result = kiosk("card-probe", "--json", "--reader", "no such reader", "--wait", "0.5")

    assert result.returncode == 1
    assert "no card reader" in result.stderr or "pcscd not reachable" in result.stderr
    assert result.stdout == ""


def test_card_sim_on_a_port_nothing_listens_on_says_so_and_exits_non_zero() -> None:
    with socket.socket() as bound:  # bound, never listening: every connect is refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        try:
            result = subprocess.run(
                [sys.executable, "-m", "kiosk", "card-sim", "--profile", "valid", "--port", str(port)],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("card-sim kept waiting for a vpcd that is not there")

    assert result.returncode == 1
    assert f"nothing listens on 127.0.0.1:{port}" in result.stderr and "vpcd" in result.stderr
    assert "Traceback" not in result.stderr
    assert "in the field" not in result.stdout
