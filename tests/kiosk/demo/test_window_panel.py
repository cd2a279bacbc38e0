"""The demo window's side panel: a counter's "call next" is the same store call as `kiosk call next`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from drivers.card.settings import ReaderBackend
from drivers.display.sim import SimQueueDisplay
from kiosk.demo.card import DemoCard
from kiosk.demo.printer import DemoPrinter
from kiosk.demo.window import DemoClock, _panel
from kiosk.domain.model import HoldingStatus, Procedure
from kiosk.queue.lifecycle import CallingSetup
from kiosk.queue.model import TicketRequest
from kiosk.queue.sqlite_calling import SqliteCallingStore
from kiosk.queue.sqlite_store import SqliteTicketStore
from kiosk.shell.runtime import Devices, Runtime
from kiosk.site.model import SiteConfig


def test_call_next_on_the_panel_calls_through_the_store(site_config: SiteConfig, tmp_path: Path) -> None:
    clock = DemoClock(site_config.site.timezone, datetime.fromisoformat("2026-11-26T10:00+09:00"))
    card = DemoCard(ReaderBackend.SIM, site_config, today=lambda: clock().date())
    printer = DemoPrinter(site_config, tmp_path / "printed", tmp_path)
    store = SqliteTicketStore(tmp_path / "tickets.sqlite3")
    calling = SqliteCallingStore(tmp_path / "tickets.sqlite3", CallingSetup.from_site(site_config))
    display = SimQueueDisplay()
    runtime = Runtime(
        config=site_config,
        devices=Devices(reader=card.reader, printer=printer.driver, display=display, simulated=True),
        store=store,
        clock=clock,
        calling=calling,
    )
    try:
        counter = site_config.counters["c13"]
        group = site_config.groups[counter.group]
        now = clock()
        issued = store.issue(
            TicketRequest(
                group=group.id,
                prefix=group.prefix,
                first_number=group.first_number,
                last_number=group.last_number,
                counter=counter.id,
                procedure=Procedure.MYNA_SERVICE,
                current=HoldingStatus.BOTH,
                after=None,
                reasons=(),
                business_date=runtime.today(),
                issued_at=now,
                kiosk_id="demo",
            )
        )
        panel = _panel(site_config, runtime, card, printer, clock, calling)
        [call] = [b for b in panel if b.label == f"call next at {counter.number}"]
        call.action()
        state = calling.lobby_state(clock())
        assert [(c.id, c.calling) for c in state.counters if c.calling] == [("c13", issued.label)]
    finally:
        runtime.close()
        calling.close()
        store.close()
        printer.close()
        card.close()
