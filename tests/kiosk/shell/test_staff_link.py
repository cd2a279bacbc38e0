"""The kiosk's staff link: heartbeats on a change and as a sign of life, commands through the store.

The kiosk is the shell's own `KioskApp` with the printer emulator (tests/kiosk/shell/test_control.py's
site); the test turns the runtime's loop by hand (`poll`), as the UI loop does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from drivers.interfaces import HealthState, PaperState
from kiosk.domain.flow import ChooseLanguage, Screen, Touch
from kiosk.health.model import Beat
from kiosk.lobby.server import clock_from
from kiosk.queue.health import CommandState
from kiosk.queue.sqlite_health import SqliteHealthStore
from kiosk.queue.sqlite_store import DATABASE_FILE
from kiosk.shell.app import KioskApp, open_kiosk
from tests.kiosk.shell.test_control import MORNING, Site
from tests.kiosk.shell.test_control import site as site  # the fixture


@pytest.fixture
def kiosk(site: Site) -> Iterator[KioskApp]:
    app = open_kiosk(site.config, clock_from(MORNING, "Asia/Tokyo"))  # a clock that runs: checks are timed
    yield app
    app.close()


@pytest.fixture
def store(site: Site) -> Iterator[SqliteHealthStore]:
    health = SqliteHealthStore(site.config.storage.data_dir / DATABASE_FILE)
    yield health
    health.close()


def turn_until(app: KioskApp, condition: Callable[[], bool], timeout_s: float = 5.0) -> float:
    """Turn the kiosk's loop (5 times a second, as on the welcome screen) until `condition`; seconds taken."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout_s, "timed out"
        app.runtime.poll()
        time.sleep(0.05)
    return time.monotonic() - start


def beat_of(store: SqliteHealthStore, kiosk_id: str) -> Beat | None:
    return next((b for b in store.beats() if b.source == kiosk_id), None)


def printer_state(store: SqliteHealthStore, kiosk_id: str) -> HealthState | None:
    beat = beat_of(store, kiosk_id)
    return None if beat is None else next(d.state for d in beat.devices if d.device == "printer")


def test_paper_end_reaches_the_store_within_two_seconds(kiosk: KioskApp, site: Site, store: SqliteHealthStore) -> None:
    kid = site.config.site.kiosk_id
    turn_until(kiosk, lambda: printer_state(store, kid) is HealthState.OK)
    site.emulator.set_paper(PaperState.END)
    took = turn_until(kiosk, lambda: printer_state(store, kid) is HealthState.DOWN)
    assert took < 2.0
    beat = beat_of(store, kid)
    assert beat is not None and beat.loop_at is not None and beat.version
    assert {d.device for d in beat.devices} == {"printer", "card_reader", "queue_display"}
    assert beat.system.disk_free_bytes is not None


def test_reader_unplugged_reaches_the_store(kiosk: KioskApp, site: Site, store: SqliteHealthStore) -> None:
    kid = site.config.site.kiosk_id
    turn_until(kiosk, lambda: beat_of(store, kid) is not None)
    kiosk.devices.reader.unplug()  # type: ignore[attr-defined]  (the simulated reader)
    turn_until(
        kiosk,
        lambda: any(d.device == "card_reader" and d.state is HealthState.DOWN for d in beat_of(store, kid).devices),  # type: ignore[union-attr]
    )


def test_a_clean_stop_writes_a_last_beat_that_says_stopped(site: Site, store: SqliteHealthStore) -> None:
    app = open_kiosk(site.config, lambda: MORNING)
    turn_until(app, lambda: beat_of(store, site.config.site.kiosk_id) is not None)
    app.close()
    beat = beat_of(store, site.config.site.kiosk_id)
    assert beat is not None and beat.stopped


def test_out_of_service_waits_for_the_visit_then_shows_the_polite_screen(
    kiosk: KioskApp, site: Site, store: SqliteHealthStore
) -> None:
    kiosk.runtime.dispatch(Touch())
    kiosk.runtime.dispatch(ChooseLanguage("ja"))
    store.set_out_of_service(site.config.site.kiosk_id, True, "sato", MORNING)
    turn_until(kiosk, lambda: kiosk.runtime.out_of_service_wanted is True)
    kiosk.runtime.poll()
    assert kiosk.runtime.state.screen is Screen.PROCEDURE  # the visitor finishes first
    kiosk.runtime.flow.idle_timeout = kiosk.runtime.flow.idle_timeout * 0  # the visit ends (as by its timeout)
    turn_until(kiosk, lambda: kiosk.runtime.state.screen is Screen.OUT_OF_SERVICE)
    kiosk.runtime.dispatch(Touch())
    assert kiosk.runtime.state.screen is Screen.OUT_OF_SERVICE  # nothing to press
    beat = beat_of(store, site.config.site.kiosk_id)
    turn_until(kiosk, lambda: (b := beat_of(store, site.config.site.kiosk_id)) is not None and b.out_of_service)
    store.set_out_of_service(site.config.site.kiosk_id, False, "sato", MORNING)
    turn_until(kiosk, lambda: kiosk.runtime.state.screen is Screen.WELCOME)
    assert beat is not None


def test_a_test_print_asked_through_the_store_is_printed_by_the_kiosk(
    kiosk: KioskApp, site: Site, store: SqliteHealthStore
) -> None:
    command = store.queue_command(site.config.site.kiosk_id, "print_test", {}, "sato", MORNING)
    turn_until(kiosk, lambda: store.commands()[0].state is not CommandState.PENDING, timeout_s=15)
    done = store.commands()[0]
    assert done.id == command.id and done.state is CommandState.DONE, done.result
    assert site.line.connections == 1  # the kiosk's own connection: nothing else opened the port


def test_a_procedure_closed_and_a_cap_changed_today_reach_the_kiosks_flow(
    kiosk: KioskApp, site: Site, store: SqliteHealthStore
) -> None:
    from kiosk.domain.model import Procedure
    from kiosk.domain.routing import Availability, availability
    from kiosk.queue.health import ProcedureDay

    day = kiosk.runtime.today()
    store.set_procedure_day(day, ProcedureDay(Procedure.RENEWAL, closed=True), MORNING)
    store.set_procedure_day(day, ProcedureDay(Procedure.REISSUE, cap=0), MORNING)

    def state(procedure: Procedure) -> Availability:
        flow = kiosk.runtime.flow
        return availability(flow.config, procedure, kiosk.runtime.clock(), {})

    # Two commits: the kiosk may wake on the first before the second is visible, so wait for both.
    turn_until(
        kiosk,
        lambda: state(Procedure.RENEWAL) is Availability.CLOSED_TODAY and state(Procedure.REISSUE) is Availability.FULL,
    )
    assert site.config.procedures[Procedure.RENEWAL].windows != ()  # the site config itself is untouched
    store.set_procedure_day(day, ProcedureDay(Procedure.RENEWAL), MORNING)
    turn_until(kiosk, lambda: state(Procedure.RENEWAL) is not Availability.CLOSED_TODAY, timeout_s=8)


def test_a_visitors_staff_call_reaches_the_store_at_once(kiosk: KioskApp, site: Site, store: SqliteHealthStore) -> None:
    from kiosk.domain.flow import CallStaff

    kid = site.config.site.kiosk_id
    turn_until(kiosk, lambda: beat_of(store, kid) is not None)
    kiosk.runtime.dispatch(Touch())
    kiosk.runtime.dispatch(CallStaff())
    turn_until(kiosk, lambda: (b := beat_of(store, kid)) is not None and b.staff_called_at is not None, timeout_s=3)
