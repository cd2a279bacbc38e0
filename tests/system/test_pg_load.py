"""Several kiosks on one PostgreSQL, under load and under faults (issue 12): real processes, the
suite's real server (and, for the crash, one of the test's own that is killed and restarted).

- 10 kiosk processes x 500 tickets at once: 0 duplicates, 0 lost;
- the server killed and restarted mid-load: 0 duplicates, every ticket stored exactly once;
- one kiosk cut off while others issue (block, then outbox upload): 0 duplicates;
- two lobby services see every call.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import multiprocessing
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import psycopg
import pytest

from kiosk.errors import StoreUnreachable
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.offline import OfflineTicketStore
from kiosk.queue.pg_admin import setup_site
from kiosk.queue.pg_calling import PgCallingStore
from kiosk.queue.pg_scratch import ScratchPostgres
from kiosk.site.model import CounterGroup, SiteConfig
from tests.kiosk.lobby.conftest import free_port
from tests.kiosk.queue.test_sqlite_calling import DAY, T0, request

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
MYNA = CounterGroup("myna", "M", 1, 9999)


def open_kiosk(url: str, outbox: Path, kiosk_id: str, block_size: int) -> OfflineTicketStore:
    return OfflineTicketStore(
        url,
        outbox,
        groups=(MYNA,),
        kiosk_id=kiosk_id,
        timezone="Asia/Tokyo",
        block_size=block_size,
        today=lambda: DAY,
        clock=lambda: T0,
        retry_s=0.1,
    )


def _kiosk(
    url: str, outbox: str, kiosk_id: str, count: int, block_size: int, pace_s: float, start: Barrier, out: Any
) -> None:
    """One kiosk process: `count` visitors get a number (a refusal is retried, as the next visitor
    would), then the outbox is drained. Reports every number handed out."""
    store = open_kiosk(url, Path(outbox), kiosk_id, block_size)
    numbers: list[int] = []
    refused = 0
    try:
        start.wait()
        the_request = dataclasses.replace(request(), kiosk_id=kiosk_id)
        while len(numbers) < count:
            try:
                numbers.append(store.issue(the_request).number)
            except StoreUnreachable:
                refused += 1
                time.sleep(0.02)
            if pace_s:
                time.sleep(pace_s)
        deadline = time.monotonic() + 60
        while (store.offline or store.waiting_upload()) and time.monotonic() < deadline:
            store.retry_now()
            time.sleep(0.05)
        out.put((kiosk_id, numbers, refused, store.offline, store.waiting_upload()))
    finally:
        store.close()


def run_kiosks(
    url: str, tmp_path: Path, kiosks: int, count: int, block_size: int, pace_s: float = 0.0, during: Any = None
) -> dict[str, list[int]]:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(kiosks + 1)
    out = ctx.Queue()
    processes = [
        ctx.Process(
            target=_kiosk,
            args=(url, str(tmp_path / f"k{i}.sqlite3"), f"k{i}", count, block_size, pace_s, start, out),
        )
        for i in range(kiosks)
    ]
    for process in processes:
        process.start()
    start.wait(timeout=60)
    if during is not None:
        during()
    results = [out.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert [p.exitcode for p in processes] == [0] * kiosks
    for kiosk_id, _, _, offline, waiting in results:
        assert not offline and waiting == 0, f"{kiosk_id} did not upload everything"
    return {kiosk_id: numbers for kiosk_id, numbers, *_ in results}


def stored(url: str) -> list[tuple[int, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT number, kiosk_id FROM ticket WHERE counter_group = 'myna' ORDER BY number")
        return [(int(n), str(k)) for n, k in rows.fetchall()]


def assert_each_stored_once(url: str, handed_out: dict[str, list[int]]) -> None:
    every = [n for numbers in handed_out.values() for n in numbers]
    assert len(every) == len(set(every)), "a number was handed out twice"
    rows = stored(url)
    assert sorted(rows) == sorted((n, kiosk) for kiosk, numbers in handed_out.items() for n in numbers)


def test_ten_kiosk_processes_issuing_500_each_at_once_lose_and_duplicate_nothing(pg_url: str, tmp_path: Path) -> None:
    handed_out = run_kiosks(pg_url, tmp_path, kiosks=10, count=500, block_size=20)
    assert sum(map(len, handed_out.values())) == 5000
    assert_each_stored_once(pg_url, handed_out)


@pytest.fixture
def crashable() -> Iterator[ScratchPostgres]:
    """A server of this test's own, durable (fsync on): it is killed mid-load."""
    with ScratchPostgres(durable=True) as server:
        yield server


def test_the_server_killed_and_restarted_mid_load_stores_every_ticket_once(
    crashable: ScratchPostgres, tmp_path: Path
) -> None:
    url = setup_site(crashable.url(), "kiosk", "kiosk")

    def crash_midway() -> None:
        deadline = time.monotonic() + 60
        while len(stored(url)) < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
        crashable.kill()
        time.sleep(1.0)  # the kiosks issue from their blocks meanwhile
        crashable.start()

    handed_out = run_kiosks(url, tmp_path, kiosks=4, count=300, block_size=300, pace_s=0.004, during=crash_midway)
    assert sum(map(len, handed_out.values())) == 1200
    assert_each_stored_once(url, handed_out)
    with psycopg.connect(url) as conn:
        offline = conn.execute("SELECT COUNT(*) FROM ticket WHERE block_id IS NOT NULL").fetchone()
    assert offline is not None and offline[0] > 0, "no ticket was issued offline: the crash came too late"


def test_a_kiosk_cut_off_while_others_issue_never_duplicates_a_number(pg_url: str, tmp_path: Path) -> None:
    # Kiosk "cut" logs in as its own role, so the database can shut it alone out.
    database = pg_url.split("/")[3].split("?")[0]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN CREATE ROLE cut LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        conn.execute("ALTER ROLE cut LOGIN")
        conn.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO cut")
    cut_url = pg_url.replace("postgresql://postgres@", "postgresql://cut@")
    cut = open_kiosk(cut_url, tmp_path / "cut.sqlite3", "cut", block_size=50)
    others = [open_kiosk(pg_url, tmp_path / f"o{i}.sqlite3", f"o{i}", block_size=50) for i in range(2)]
    handed_out: dict[str, list[int]] = {"cut": [], "o0": [], "o1": []}
    stop = threading.Event()

    def issuing(name: str, store: OfflineTicketStore) -> None:
        while not stop.is_set():
            handed_out[name].append(store.issue(dataclasses.replace(request(), kiosk_id=name)).number)
            time.sleep(0.002)

    threads = [threading.Thread(target=issuing, args=(f"o{i}", s)) for i, s in enumerate(others)]
    try:
        for thread in threads:
            thread.start()
        for _ in range(10):
            handed_out["cut"].append(cut.issue(dataclasses.replace(request(), kiosk_id="cut")).number)
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("ALTER ROLE cut NOLOGIN")
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'cut' AND datname = %s",
                (database,),
            )
        for _ in range(30):
            handed_out["cut"].append(cut.issue(dataclasses.replace(request(), kiosk_id="cut")).number)
        assert cut.offline and cut.waiting_upload() == 30
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("ALTER ROLE cut LOGIN")
        cut.retry_now()
        deadline = time.monotonic() + 20
        while (cut.offline or cut.waiting_upload()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not cut.offline and cut.waiting_upload() == 0
        for _ in range(10):
            handed_out["cut"].append(cut.issue(dataclasses.replace(request(), kiosk_id="cut")).number)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for store in (cut, *others):
            store.close()
    assert len(handed_out["cut"]) == 50 and len(handed_out["o0"]) > 10
    assert_each_stored_once(pg_url, handed_out)


class LobbyProcess:
    def __init__(self, url: str, data_dir: Path) -> None:
        self.port = free_port()
        self.log = data_dir / f"lobby-{self.port}.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        where = ["--config", str(REPO / "config"), "--data-dir", str(data_dir), "--at", "2026-11-26T09:15"]
        where += ["--store", url, "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "lobby", *where],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.calls: set[str] = set()
        self.connected = threading.Event()
        self._reader = threading.Thread(target=self._follow, daemon=True)
        self._stream = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def start(self) -> LobbyProcess:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                try:
                    conn.request("GET", "/health")
                    answered = conn.getresponse().status == 200
                finally:
                    conn.close()
                if answered:
                    self._reader.start()
                    assert self.connected.wait(10)
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError(self.log.read_text())

    def _follow(self) -> None:
        self._stream.request("GET", "/events")
        response = self._stream.getresponse()
        self.connected.set()
        try:
            for raw in response:
                line = raw.decode().strip()
                if line.startswith("data: {"):
                    state = json.loads(line[len("data: ") :])
                    self.calls.update(f"{c['event_id']}:{c['label']}" for c in state["recent_calls"])
        except (OSError, http.client.HTTPException):
            pass  # the service was stopped
        finally:
            response.close()

    def close(self) -> None:
        self.process.kill()
        self.process.wait(10)
        if self._reader.is_alive():
            self._reader.join(timeout=10)
        self._stream.close()


def test_two_lobby_services_see_every_call(pg_url: str, tmp_path: Path, site_config: SiteConfig) -> None:
    from kiosk.queue.pg_store import PgTicketStore

    group = site_config.groups["myna_service"]
    tickets = PgTicketStore(pg_url, timezone="Asia/Tokyo")
    calling = PgCallingStore(pg_url, CallingSetup.from_site(site_config))
    lobbies = [LobbyProcess(pg_url, tmp_path / f"lobby{i}") for i in range(2)]
    try:
        for _ in range(12):
            tickets.issue(dataclasses.replace(request(), group=group.id, prefix=group.prefix))
        for lobby in lobbies:
            lobby.start()
        made: set[str] = set()
        for minute in range(12):
            outcome = calling.call_next("c13", T0.replace(minute=15 + minute))
            assert outcome is not None
            made.add(f"{outcome.event_id}:{outcome.label}")
            time.sleep(0.15)  # a clerk's pace; each lobby shows the last few calls
        deadline = time.monotonic() + 10
        while any(lobby.calls < made for lobby in lobbies) and time.monotonic() < deadline:
            time.sleep(0.05)
        for lobby in lobbies:
            assert made <= lobby.calls
    finally:
        for lobby in lobbies:
            lobby.close()
        tickets.close()
        calling.close()
