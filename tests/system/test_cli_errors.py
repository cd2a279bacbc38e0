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


def test_an_output_folder_behind_a_file_is_one_clear_line(tmp_path):
    (tmp_path / "file").write_text("in the way", encoding="utf-8")
    run = kiosk("demo", "--headless", "--scenario", "enquiry", "--out", str(tmp_path / "file" / "out"))
    assert run.returncode == 2
    assert "--out" in run.stderr and "Traceback" not in run.stderr


def test_a_contact_sheet_behind_a_file_is_one_clear_line(tmp_path):
    (tmp_path / "file").write_text("in the way", encoding="utf-8")
    run = kiosk("demo", "--contact-sheet", str(tmp_path / "file" / "sheet.png"))
    assert run.returncode == 2
    assert "--contact-sheet" in run.stderr and "Traceback" not in run.stderr


def test_a_screen_diagonal_that_is_no_length_is_refused(tmp_path):
    for value in ("0", "nan", "inf", "-178"):
        run = kiosk("demo", "--contact-sheet", str(tmp_path / "s.png"), "--size", "720x1280", "--diagonal-mm", value)
        assert run.returncode == 2, value
        assert "--diagonal-mm" in run.stderr and "Traceback" not in run.stderr, value


def test_a_printer_emulator_port_out_of_range_is_refused(tmp_path):
    run = kiosk("printer-sim", "--port", "-1", "--out", str(tmp_path))
    assert run.returncode == 2
    assert "--port" in run.stderr and "Traceback" not in run.stderr
