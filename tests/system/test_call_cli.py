"""`kiosk call`: a counter's buttons on the command line, against a real ticket file and the shipped config.

In-process through `kiosk.cli.main` (its return value is the exit status), plus one run as a real
process to hold the exit status of `python -m kiosk` itself."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.domain.model import Procedure
from kiosk.queue.model import PrintState, TicketRequest
from kiosk.queue.sqlite_store import DATABASE_FILE, SqliteTicketStore

REPO = Path(__file__).resolve().parents[2]
JST = timezone(timedelta(hours=9))
DAY = date(2026, 11, 26)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A ticket file with M-001 (print failed) and M-002 issued at 09:00, and R-001."""
    store = SqliteTicketStore(tmp_path / DATABASE_FILE)
    try:
        for group, prefix in (("myna_service", "M"), ("myna_service", "M"), ("renewal", "R")):
            ticket = store.issue(
                TicketRequest(
                    group=group,
                    prefix=prefix,
                    first_number=1,
                    last_number=999,
                    counter="c13",
                    procedure=Procedure.MYNA_SERVICE,
                    current=None,
                    after=None,
                    reasons=(),
                    business_date=DAY,
                    issued_at=datetime(2026, 11, 26, 9, 0, tzinfo=JST),
                    kiosk_id="lobby-1",
                    lang="en",
                )
            )
            if ticket.label == "M-001":
                store.set_print_state(ticket.id, PrintState.PRINT_FAILED, ticket.issued_at)
    finally:
        store.close()
    return tmp_path


def call(data_dir: Path, *args: str, at: str = "2026-11-26T09:15") -> int:
    return main(["call", *args, "--config", str(REPO / "config"), "--data-dir", str(data_dir), "--at", at])


def test_next_prints_the_label_and_says_when_there_is_no_paper_ticket(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert call(data_dir, "next", "--counter", "c13") == 0
    out, err = capsys.readouterr()
    assert out == "M-001\n"
    assert "called at c13" in err and "no paper ticket" in err


def test_next_exits_3_when_nobody_waits(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call(data_dir, "next", "--counter", "c12") == 3
    out, err = capsys.readouterr()
    assert out == "" and "nobody waits for counter c12" in err


def test_a_second_next_within_two_seconds_is_the_same_call(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call(data_dir, "next", "--counter", "c13", at="2026-11-26T09:15:00") == 0
    assert call(data_dir, "next", "--counter", "c13", at="2026-11-26T09:15:01") == 0
    assert call(data_dir, "next", "--counter", "c13", at="2026-11-26T09:15:05") == 0
    out, err = capsys.readouterr()
    assert out.split() == ["M-001", "M-001", "M-002"]
    assert "pressed twice" in err


def test_unknown_counter_ticket_or_group_exit_2_naming_it(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call(data_dir, "next", "--counter", "c99") == 2
    assert 'unknown counter "c99"' in capsys.readouterr().err
    assert call(data_dir, "cancel", "M-077") == 2
    assert "no ticket M-077" in capsys.readouterr().err
    assert call(data_dir, "transfer", "M-001", "--to", "nowhere") == 2
    assert 'unknown group "nowhere"' in capsys.readouterr().err


def test_a_refused_step_exits_1_saying_why(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call(data_dir, "recall", "--counter", "c13") == 1
    assert "has no ticket called" in capsys.readouterr().err
    assert call(data_dir, "next", "--counter", "c13") == 0
    assert call(data_dir, "no-show", "--counter", "c13") == 1
    assert "recalled 0 of 2" in capsys.readouterr().err


def test_a_whole_visit_recall_no_show_transfer_and_close(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    steps = [
        (("next", "--counter", "c13"), "09:15", 0),
        (("recall", "--counter", "c13"), "09:16", 0),
        (("recall", "--counter", "c13"), "09:17", 0),
        (("no-show", "--counter", "c13"), "09:18", 0),
        (("next", "--counter", "c13"), "09:19", 0),
        (("start", "--counter", "c13"), "09:20", 0),
        (("transfer", "M-002", "--to", "renewal"), "09:25", 0),
        (("next", "--counter", "c1"), "09:26", 0),
        (("done", "--counter", "c1"), "09:30", 0),
        (("close", "--counter", "c1"), "09:31", 0),
        (("next", "--counter", "c1"), "09:32", 1),
        (("open", "--counter", "c1"), "09:33", 0),
        (("next", "--counter", "c1"), "09:34", 0),
        (("cancel", "R-001"), "09:35", 0),
    ]
    for args, clock, status in steps:
        assert call(data_dir, *args, at=f"2026-11-26T{clock}") == status, args
    out, _ = capsys.readouterr()
    # M-002 kept its place in renewal's line (issued before R-001), so counter 1 called it first
    assert out.splitlines() == [
        *["M-001"] * 4,
        *["M-002"] * 5,
        "counter c1 closed",
        "counter c1 opened",
        "R-001",
        "R-001",
    ]

    assert call(data_dir, "state", "--json", at="2026-11-26T09:40") == 0
    state = json.loads(capsys.readouterr().out)
    assert state["waiting"] == {"renewal": 0, "myna_service": 0, "myna_record": 0, "general": 0}
    assert {c["id"]: c["calling"] for c in state["counters"]}["c13"] is None
    assert state["recent_calls"][0] == {
        "event_id": state["recent_calls"][0]["event_id"],
        "label": "R-001",
        "counter": "c1",
        "at": "2026-11-26T09:34:00+09:00",
        "recall": False,
    }


def test_no_ticket_database_is_a_usage_error_and_none_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert call(tmp_path, "next", "--counter", "c13") == 2
    assert "no ticket database" in capsys.readouterr().err
    assert not (tmp_path / DATABASE_FILE).exists()


def test_a_bad_at_is_a_usage_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call(data_dir, "next", "--counter", "c13", at="tomorrow") == 2
    assert "--at 'tomorrow'" in capsys.readouterr().err


def test_exit_statuses_of_the_real_command(data_dir: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kiosk", "call", *args, "--data-dir", str(data_dir), "--at", "2026-11-26T09:15"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )

    first = run("next", "--counter", "c1")
    assert (first.returncode, first.stdout) == (0, "R-001\n")
    assert run("next", "--counter", "c12").returncode == 3
    assert run("next", "--counter", "c99").returncode == 2
