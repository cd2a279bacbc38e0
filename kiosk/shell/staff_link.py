"""The kiosk's side of the staff page: heartbeats out, staff commands and the service mode in.

One thread per kiosk process, with its own store connection and notifier (a SQLite connection
belongs to one thread; the UI loop never waits for it). Every `SWEEP_S` it looks at the kiosk:
each device's health (the printer as its last status check left it, the reader and the display
asked now; both answers are cached in their drivers, so a sweep costs microseconds), the UI loop's
last turn, the service mode shown. A heartbeat row is written at once when any of that changed,
and every `[health] heartbeat_s` anyway (10 s) as a sign of life; the machine's own readings (disk, SoC
temperature, throttling) are taken only then.

Staff commands come through the store, not the control socket (kiosk/queue/health.py says why): the
link waits on the store's `Notifier`, so a command queued by the lobby (on any machine) wakes it at
once, and it looks every `RESYNC_S` anyway. A printer command is the control socket's own handler
(`KioskControl.handle`), so the kiosk's printer thread does it and nothing else opens the port; it
runs on a worker thread of its own, so a slow print never holds the heartbeat. Out of service is
handed to the runtime (`out_of_service_wanted`), which applies it on the loop's next turn: a visit
under way finishes first (kiosk/domain/flow.py).

Each beat is also given to the `listeners` (the systemd STATUS= line, MQTT telemetry).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from importlib import metadata
from pathlib import Path

from drivers.interfaces import Health, HealthState
from drivers.printer.roll import CUT_FEED_MM, DOTS_PER_MM
from kiosk.domain.flow import Flow, Screen
from kiosk.domain.model import Procedure
from kiosk.health.model import Beat, Role, SystemReadings, tickets_left
from kiosk.health.system import read_system
from kiosk.health.today import with_day_changes
from kiosk.queue.health import HealthStore, ProcedureDay, StaffCommand
from kiosk.queue.notify import Notifier
from kiosk.shell.runtime import Runtime
from kiosk.shell.staff import roll_of
from kiosk.site.model import SiteConfig

log = logging.getLogger(__name__)

SWEEP_S = 0.5  # a device change reaches the store within this (the alert budget is 2 s; CPU budget 0.1 %)
RESYNC_S = 5.0  # commands and the service mode are read this often even with no notification
TYPICAL_TICKET_MM = 95.0  # until this kiosk printed one: a ticket of the current layout, cut feed included
PRINTER_COMMANDS = ("print_test", "reprint", "new_roll")

Listener = Callable[[Beat], None]


def app_version() -> str:
    try:
        return metadata.version("lobby-kiosk")
    except metadata.PackageNotFoundError:
        return "unknown"


class StaffLink:
    def __init__(
        self,
        config: SiteConfig,
        runtime: Runtime,
        open_store: Callable[[], HealthStore],
        open_notifier: Callable[[], Notifier],
        handle: Callable[[dict[str, object]], dict[str, object]],
        clock: Callable[[], datetime],
        *,
        read_machine: Callable[[Path], SystemReadings] = read_system,
    ) -> None:
        self.config = config
        self.runtime = runtime
        self.kiosk_id = config.site.kiosk_id
        self._open_store = open_store
        self._open_notifier = open_notifier
        self._handle = handle
        self._clock = clock
        self._heartbeat_s = config.health.heartbeat_s
        self._read_machine = read_machine
        self.listeners: list[Listener] = []
        self.started_at = time.time()
        self.version = app_version()
        self.beats_written = 0
        self.cpu_s = 0.0  # this thread's own CPU time so far (the bench's health.heartbeat_cpu_percent)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._jobs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="staff-command")
        self._taken: set[int] = set()  # commands handed to the worker (not yet answered in the store)
        self._system = SystemReadings()
        self._last: Beat | None = None
        self._day_changes: dict[Procedure, ProcedureDay] = {}

    # --- life ---

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="staff-link", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the thread; its last act is a heartbeat that says "stopped" (a clean stop is no alert
        of silence, but the page still shows it stopped)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._jobs.shutdown(wait=False, cancel_futures=True)

    # --- the sweep ---

    def sweep(self, now_s: float, *, machine: bool = False) -> Beat:
        """The kiosk as it is now (read from the loop's thread's objects without locks: each read is
        one attribute, and a beat a quarter-second stale is still true enough)."""
        runtime = self.runtime
        if machine:
            self._system = self._read_machine(Path(self.config.storage.data_dir))
        printer = runtime.printer_health or Health("printer", HealthState.DEGRADED, "not checked yet", False)
        devices = (printer, _asked(runtime.devices.reader.health), _asked(runtime.devices.display.health))
        roll = roll_of(runtime.devices.printer)
        left_mm = None if roll is None else roll.left_mm
        last_printed = getattr(runtime.devices.printer, "last_printed", None)
        ticket_mm = TYPICAL_TICKET_MM
        if last_printed is not None:
            ticket_mm = last_printed.height_dots / DOTS_PER_MM + CUT_FEED_MM
        issued = runtime.issued[-1].ticket.issued_at.isoformat() if runtime.issued else None
        turn = runtime.last_turn
        screen = runtime.state.screen
        return Beat(
            source=self.kiosk_id,
            role=Role.KIOSK,
            beat_at=now_s,
            started_at=self.started_at,
            version=self.version,
            devices=devices,
            loop_at=None if turn is None else now_s - (time.monotonic() - turn),
            last_ticket_at=issued,
            paper_left_mm=left_mm,
            paper_tickets_left=tickets_left(left_mm, ticket_mm),
            system=self._system,
            out_of_service=runtime.state.out_of_service,
            visit_in_progress=screen not in (Screen.WELCOME, Screen.OUT_OF_SERVICE),
        )

    # --- the thread ---

    def _run(self) -> None:
        store: HealthStore | None = None
        notifier: Notifier | None = None
        try:
            store = self._open_store()
            notifier = self._open_notifier()
            self._serve(store, notifier)
        except Exception:  # the shell's one broad except: the kiosk serves visitors without its staff link
            log.exception("staff link stopped: the staff page will show this kiosk as silent")
        finally:
            if store is not None:
                self._last_beat(store)
                store.close()
            if notifier is not None:
                notifier.close()

    def _serve(self, store: HealthStore, notifier: Notifier) -> None:
        seen = -1
        last_read = last_beat = 0.0
        while not self._stop.is_set():
            latest = notifier.wait(seen, SWEEP_S) if seen >= 0 else 0
            if self._stop.is_set():
                return
            now = time.monotonic()
            if latest != seen or now - last_read >= RESYNC_S:
                seen, last_read = latest, now
                self._guarded(self._take_orders, store)
            machine = now - last_beat >= self._heartbeat_s
            beat = self.sweep(time.time(), machine=machine)
            changed = self._last is None or beat.state_key() != self._last.state_key()
            if (machine or changed) and self._guarded(store.beat, beat):
                last_beat, self._last = now, beat
                self.beats_written += 1
                for listener in self.listeners:
                    self._guarded(listener, beat)
            self.cpu_s = time.thread_time()

    def _guarded(self, step: Callable[..., object], *args: object) -> bool:
        try:
            step(*args)
        except Exception:  # the shell's one broad except: log it, keep the link alive
            log.exception("staff link: a step failed; trying again at the next sweep")
            return False
        return True

    def _take_orders(self, store: HealthStore) -> None:
        mode = store.modes().get(self.kiosk_id)
        wanted = mode.out_of_service if mode is not None else None
        if wanted is not None and wanted is not self.runtime.out_of_service_wanted:
            log.warning("staff put this kiosk %s", "out of service" if wanted else "back in service")
            self.runtime.out_of_service_wanted = wanted
        changes = store.procedure_days(self.runtime.today())
        if changes != self._day_changes:
            self._day_changes = changes
            # The flow is stateless but for its config: the loop's next transition uses the new one.
            self.runtime.flow = Flow(with_day_changes(self.config, changes))
            log.warning("staff changed today's procedures: %s", sorted(p.value for p in changes))
        for command in store.pending_commands(self.kiosk_id):
            if command.id not in self._taken:
                self._taken.add(command.id)
                self._jobs.submit(self._carry_out, command)

    def _carry_out(self, command: StaffCommand) -> None:
        """On the command worker: do it through the control socket's handler, write the answer."""
        if command.command in PRINTER_COMMANDS:
            try:
                reply = self._handle({"command": command.command, **command.args})
            except Exception as exc:  # the shell's one broad except: the staff page hears of it
                log.exception("staff command %s failed", command.command)
                reply = {"ok": False, "error": f"the kiosk failed doing it: {exc}"}
        else:
            reply = {"ok": False, "error": f"unknown command {command.command!r}"}
        result = reply.get("result") if reply.get("ok") else {"code": 1, "out": [], "err": [str(reply.get("error"))]}
        ok = isinstance(result, dict) and result.get("code") == 0
        store = self._open_store()  # this worker's own connection: a connection belongs to one thread
        try:
            store.finish_command(command.id, ok, result if isinstance(result, dict) else {}, self._clock())
        finally:
            store.close()
        log.info("staff command %s by %s: %s", command.command, command.asked_by, "done" if ok else "failed")

    def _last_beat(self, store: HealthStore) -> None:
        try:
            beat = replace(self.sweep(time.time()), stopped=True)
            store.beat(beat)
            for listener in self.listeners:
                listener(beat)
        except Exception:  # the shell's one broad except: stopping anyway
            log.exception("staff link: could not write the last heartbeat")


def _asked(health: Callable[[], Health]) -> Health:
    try:
        return health()
    except Exception as exc:  # a broken driver must not stop the heartbeat: it is what staff must see
        return Health("unknown", HealthState.DOWN, f"health check failed: {exc}", False)
