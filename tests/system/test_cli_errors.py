"""Bad input on the command line: a clear error that names what is wrong, and nothing lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True, text=True)


def test_unknown_card_profile_lists_the_valid_names(tmp_path):
    run = kiosk("demo", "--headless", "--scenario", "holding-change-ok", "--card", "gold", "--out", str(tmp_path))
    assert run.returncode == 2
    assert "unknown card profile 'gold'" in run.stderr and "sign-locked" in run.stderr


def test_a_corrupted_ticket_database_is_refused_by_name(tmp_path):
    database = tmp_path / "tickets.sqlite3"
    database.write_bytes(b"this is not a database" * 100)
    before = database.read_bytes()
    run = kiosk(
        "demo", "--headless", "--scenario", "enquiry", "--data-dir", str(tmp_path), "--out", str(tmp_path / "o")
    )
    assert run.returncode == 1
    assert str(database) in run.stderr
    assert database.read_bytes() == before, "a broken database is never replaced by a fresh numbering"


def test_headless_without_a_scenario_says_what_to_add(tmp_path):
    run = kiosk("demo", "--headless", "--out", str(tmp_path))
    assert run.returncode == 2
    assert "--scenario" in run.stderr


def test_a_bad_size_is_refused(tmp_path):
    run = kiosk("demo", "--headless", "--scenario", "enquiry", "--size", "big", "--out", str(tmp_path))
    assert run.returncode == 2
    assert "WIDTHxHEIGHT" in run.stderr


def test_a_language_the_site_does_not_offer_is_refused(tmp_path):
    run = kiosk("demo", "--headless", "--scenario", "enquiry", "--lang", "fr", "--out", str(tmp_path))
    assert run.returncode == 2
    assert "fr" in run.stderr and "ja" in run.stderr
