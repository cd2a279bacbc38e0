"""The shared database from the command line: `kiosk db setup|migrate|status`, and `kiosk call` and
`kiosk reprint`'s store on `--store`, against the suite's real PostgreSQL (in-process through
`kiosk.cli.main`: its return value is the exit status)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from kiosk.cli import main
from kiosk.domain.model import Procedure
from kiosk.queue.model import TicketRequest
from kiosk.queue.pg_schema import SCHEMA_VERSION
from kiosk.queue.pg_scratch import ScratchPostgres
from kiosk.queue.pg_store import PgTicketStore

REPO = Path(__file__).resolve().parents[2]
CONFIG = str(REPO / "config")
JST = timezone(timedelta(hours=9))
DAY = date(2026, 11, 26)


def issue(url: str, count: int) -> None:
    store = PgTicketStore(url, timezone="Asia/Tokyo")
    try:
        for _ in range(count):
            store.issue(
                TicketRequest(
                    group="myna_service",
                    prefix="M",
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
                )
            )
    finally:
        store.close()


def test_setup_makes_role_database_and_schema_in_one_command(
    pg_server: ScratchPostgres, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "setup", "--admin", pg_server.url(), "--role", "gunma", "--database", "gunma"]) == 0
    line = capsys.readouterr().out.strip()
    url = line.split('url = "', 1)[1].rstrip('"')
    assert url.startswith("postgresql://gunma@/gunma?")
    assert main(["db", "status", "--config", CONFIG, "--store", url]) == 0
    assert f"schema {SCHEMA_VERSION}, this code needs {SCHEMA_VERSION}" in capsys.readouterr().out
    # Run again: nothing to do, nothing broken.
    assert main(["db", "setup", "--admin", pg_server.url(), "--role", "gunma", "--database", "gunma"]) == 0
    assert main(["db", "migrate", "--config", CONFIG, "--store", url]) == 0
    assert "current" in capsys.readouterr().out


def test_call_on_the_shared_store(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    issue(pg_url, 2)
    at = ["--at", "2026-11-26T09:15", "--config", CONFIG, "--store", pg_url]
    assert main(["call", "next", "--counter", "c13", *at]) == 0
    assert capsys.readouterr().out.strip() == "M-001"
    assert main(["call", "state", "--json", *at]) == 0
    state = json.loads(capsys.readouterr().out)
    assert state["waiting"]["myna_service"] == 1
    assert [c["calling"] for c in state["counters"] if c["id"] == "c13"] == ["M-001"]


def test_a_schema_newer_than_the_code_stops_every_command(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (%s, now())", (SCHEMA_VERSION + 1,))
    at = ["--at", "2026-11-26T09:15", "--config", CONFIG, "--store", pg_url]
    assert main(["call", "state", *at]) == 1
    assert "newer than this kiosk's code knows" in capsys.readouterr().err
    assert main(["db", "status", "--config", CONFIG, "--store", pg_url]) == 1


def test_store_must_be_a_postgresql_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "state", "--config", CONFIG, "--store", "/tmp/tickets.sqlite3"]) == 2
    assert "a postgresql:// URL" in capsys.readouterr().err
