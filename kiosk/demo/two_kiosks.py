"""`kiosk demo --headless --scenario two-kiosks --out DIR`: two kiosks and one lobby on one PostgreSQL.

A private PostgreSQL is started for the run (kiosk/queue/pg_scratch.py) and set up as a site would
(`kiosk db setup`). Two kiosk processes, each with its own kiosk id and outbox, take the morning's
visitors through the real flow at the same time (the headless scenarios; screens and tickets as
PNGs under DIR/kiosk-1 and DIR/kiosk-2), into one number sequence per group. `kiosk lobby --store`
serves the queue as its own process; counters c13 and c1 then call every ticket, and each call is
timed until the lobby's /api/state shows it (LISTEN/NOTIFY across processes). DIR/result.json
holds every ticket with the kiosk that issued it, and every call with the lobby's delay.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import multiprocessing
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from kiosk.demo.lobby import VISITS, _Lobby
from kiosk.demo.scenarios import MORNING, SCENARIOS
from kiosk.site.model import SiteConfig

NAME = "two-kiosks"
DESCRIPTION = "two kiosks and a lobby on a PostgreSQL started for the run: one number sequence, calls pushed"
KIOSKS = ("kiosk-1", "kiosk-2")
COUNTERS = ("c13", "c1")


def _kiosk(config_source: str, kiosk_id: str, url: str, data_dir: str, out: str, visits: list[str], done: Any) -> None:
    """One kiosk process: its visitors, one after the other, into the shared store."""
    from kiosk.demo.runner import run_scenario
    from kiosk.site.load import load_site_config

    config = load_site_config(config_source)
    config = dataclasses.replace(
        config,
        site=dataclasses.replace(config.site, kiosk_id=kiosk_id),
        storage=dataclasses.replace(config.storage, url=url),
    )
    tickets = []
    for n, name in enumerate(visits):
        result = run_scenario(config, SCENARIOS[name], Path(out) / f"{n:02d}-{name}", data_dir=Path(data_dir))
        if result["ticket"]:
            tickets.append(result["ticket"]["number"])
    done.put((kiosk_id, tickets))


def run_two_kiosks(config: SiteConfig, out: Path, visits: tuple[str, ...] = VISITS) -> dict[str, Any]:
    """Returns the summary written to out/result.json. `visits`: the morning's visitors, shared out
    between the kiosks in turn."""
    from kiosk.queue.lifecycle import CallingSetup
    from kiosk.queue.pg_admin import setup_site
    from kiosk.queue.pg_calling import PgCallingStore
    from kiosk.queue.pg_scratch import ScratchPostgres

    out.mkdir(parents=True, exist_ok=True)
    with ScratchPostgres() as server, tempfile.TemporaryDirectory(prefix="kiosk-two-kiosks-") as scratch:
        url = setup_site(server.url(), "kiosk", "kiosk")
        ctx = multiprocessing.get_context("spawn")
        done = ctx.Queue()
        kiosks = [
            ctx.Process(
                target=_kiosk,
                args=(
                    str(config.source),
                    kiosk_id,
                    url,
                    f"{scratch}/{kiosk_id}",
                    str(out / kiosk_id),
                    list(visits[i::2]),
                    done,
                ),
            )
            for i, kiosk_id in enumerate(KIOSKS)
        ]
        for process in kiosks:
            process.start()
        issued = dict(done.get(timeout=600) for _ in kiosks)
        for process in kiosks:
            process.join(timeout=60)
        calls = []
        with _Lobby(config, Path(scratch) / "lobby", store=url) as lobby:
            store = PgCallingStore(url, CallingSetup.from_site(config))
            try:
                moment = MORNING + timedelta(minutes=30)
                while True:
                    called = 0
                    for counter in COUNTERS:
                        outcome = store.call_next(counter, moment)
                        moment += timedelta(minutes=3)
                        if outcome is None:
                            continue
                        called += 1
                        began = time.monotonic()
                        while _calling(lobby.port, counter) != outcome.label and time.monotonic() - began < 10:
                            time.sleep(0.005)
                        shown_ms = round((time.monotonic() - began) * 1000, 1)
                        calls.append({"counter": counter, "label": outcome.label, "lobby_shows_after_ms": shown_ms})
                    if not called:
                        break
            finally:
                store.close()
    every = [label for labels in issued.values() for label in labels]
    summary = {
        "scenario": NAME,
        "tickets": issued,
        "duplicates": sorted({label for label in every if every.count(label) > 1}),
        "calls": calls,
    }
    (out / "result.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return summary


def _calling(port: int, counter: str) -> str | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/api/state")
        state = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return next((c["calling"] for c in state["counters"] if c["id"] == counter), None)
