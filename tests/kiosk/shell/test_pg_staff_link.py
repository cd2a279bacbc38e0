"""The staff link on the shared PostgreSQL database: a command queued through the store (as the lobby
on another machine does) wakes the kiosk's `PgNotifier` and is carried out by the kiosk's printer.
The same path as tests/kiosk/shell/test_staff_link.py on SQLite, through `kiosk.queue.stores`."""

from __future__ import annotations

import time

from kiosk.lobby.server import clock_from
from kiosk.queue.health import CommandState
from kiosk.queue.pg_health import PgHealthStore
from kiosk.queue.stores import with_store
from kiosk.shell.app import open_kiosk
from tests.kiosk.shell.test_control import MORNING, Site
from tests.kiosk.shell.test_control import site as site  # the fixture


def test_a_test_print_asked_through_the_shared_database_is_printed_by_the_kiosk(site: Site, pg_url: str) -> None:
    config = with_store(site.config, pg_url)
    app = open_kiosk(config, clock_from(MORNING, "Asia/Tokyo"))
    lobby = PgHealthStore(pg_url, timezone="Asia/Tokyo")  # the staff page's own connection
    try:
        kid = config.site.kiosk_id
        start = time.monotonic()
        while not any(b.source == kid for b in lobby.beats()):  # the kiosk's link is up and beating
            assert time.monotonic() - start < 10, "no heartbeat from the kiosk"
            app.runtime.poll()
            time.sleep(0.05)
        command = lobby.queue_command(kid, "print_test", {}, "sato", MORNING)
        while (done := lobby.commands()[0]).state is CommandState.PENDING:
            assert time.monotonic() - start < 15, "the kiosk never answered"
            app.runtime.poll()
            time.sleep(0.05)
        assert done.id == command.id and done.state is CommandState.DONE, done.result
        assert site.line.connections == 1  # the kiosk's own printer connection did it
    finally:
        lobby.close()
        app.close()
