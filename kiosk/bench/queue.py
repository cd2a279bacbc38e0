"""How long issuing a queue number takes: the wait a visitor sees between tapping and the printer starting.

Both figures are measured on a file-backed database in a temp dir with WAL and synchronous=FULL, so
every issue includes an fsync; the bare SQLite transaction on the same disk is the floor we compare
against (what our code adds is the difference). Target: issue p99 <= 2 ms.
"""

from __future__ import annotations

import math
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from kiosk.domain.model import HoldingStatus, Procedure
from kiosk.queue.model import TicketRequest
from kiosk.queue.sqlite_store import SqliteTicketStore

TICKETS = 2_000
_JST = timezone(timedelta(hours=9))


def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as directory:
        issue = _issue_times(Path(directory) / "tickets.db")
        bare = _bare_sqlite_times(Path(directory) / "bare.db")
    return {
        "queue.issue_p50_ms": _percentile_ms(issue, 50),
        "queue.issue_p99_ms": _percentile_ms(issue, 99),
        "queue.bare_sqlite_p50_ms": _percentile_ms(bare, 50),
        "queue.bare_sqlite_p99_ms": _percentile_ms(bare, 99),
    }


def _issue_times(path: Path) -> list[int]:
    request = TicketRequest(
        group="M",
        prefix="M",
        first_number=1,
        last_number=TICKETS,
        counter="13",
        procedure=Procedure.MYNA_SERVICE,
        current=HoldingStatus.BOTH,
        after=HoldingStatus.MYNA_ONLY,
        reasons=("R17.submission_permanent",),
        business_date=date(2025, 4, 1),
        issued_at=datetime(2025, 4, 1, 9, 30, tzinfo=_JST),
        kiosk_id="bench",
    )
    store = SqliteTicketStore(path)
    try:
        return _timed(lambda: store.issue(request))
    finally:
        store.close()


def _bare_sqlite_times(path: Path) -> list[int]:
    # The same work with nothing of ours around it: lock, read the last number, insert, commit.
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(
            "CREATE TABLE ticket (id INTEGER PRIMARY KEY, grp TEXT, day TEXT, number INTEGER,"
            " payload TEXT, UNIQUE (grp, day, number))"
        )

        def allocate() -> None:
            conn.execute("BEGIN IMMEDIATE")
            last = conn.execute("SELECT MAX(number) FROM ticket WHERE grp = 'M' AND day = '2025-04-01'")
            number = (last.fetchone()[0] or 0) + 1
            conn.execute(
                "INSERT INTO ticket (grp, day, number, payload) VALUES ('M', '2025-04-01', ?, ?)",
                (number, "x" * 200),  # about the size of one of our rows
            )
            conn.execute("COMMIT")

        return _timed(allocate)
    finally:
        conn.close()


def _timed(action: Callable[[], object]) -> list[int]:
    times = []
    for _ in range(TICKETS):
        start = time.perf_counter_ns()
        action()
        times.append(time.perf_counter_ns() - start)
    return times


def _percentile_ms(times_ns: list[int], percent: int) -> float:
    # Nearest rank: the value at or below which `percent` % of the samples fall.
    ordered = sorted(times_ns)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return round(ordered[rank - 1] / 1e6, 3)
