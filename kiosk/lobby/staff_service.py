"""The staff page's core: kiosk health, alerts, today's numbers, and the actions staff take.

- Its own store thread (a `HealthStore` over the same file as the lobby's calling store; one
  connection per thread) and one asyncio task, `_watch`, that every `POLL_S` reads the heartbeats,
  service modes, recent commands and the audit log, judges each process (kiosk/health/judge.py),
  raises or clears alerts (kiosk/health/alerts.py) and publishes the page's document to every open
  staff page when it changed. Heartbeats are not events (they would wake every lobby TV every
  10 s), so they are polled here: a few rows, about a millisecond a read. Today's counts are read
  again when the queue changed (the lobby's published event id) or every `TODAY_S`.
- The same task writes the lobby service's own heartbeat every `[health] heartbeat_s`, and pings the
  systemd watchdog: it runs on the event loop, so a frozen loop stops both (kiosk/health/sdnotify.py).
- Every action is checked, carried out and written to the audit log (who, what, when) in one call
  on the store thread. Printer actions become staff commands that the owning kiosk carries out
  (kiosk/queue/health.py says why through the store).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from drivers.interfaces import Health
from kiosk.domain.model import Procedure
from kiosk.domain.numbering import business_date
from kiosk.health.alerts import AlertBoard
from kiosk.health.judge import Finding, judge, worst
from kiosk.health.model import Beat, Role
from kiosk.health.sdnotify import SystemdNotify
from kiosk.health.system import read_system
from kiosk.lobby.service import LobbyService
from kiosk.messages import text
from kiosk.queue.health import HealthStore, KioskMode, ProcedureDay, TicketTimes
from kiosk.queue.model import parse_label
from kiosk.shell.staff_link import app_version
from kiosk.site.model import SiteConfig

log = logging.getLogger(__name__)

T = TypeVar("T")

POLL_S = 0.5  # a heartbeat written by a kiosk shows on the page within this (plus the stream's push)
TODAY_S = 10.0
LOBBY = "lobby"
KIOSK_ACTIONS = ("out_of_service", "in_service", "test_print", "reprint", "new_roll")
PROCEDURE_ACTIONS = ("close_procedure", "reopen_procedure", "set_cap")
COMMAND_OF = {"test_print": "print_test", "reprint": "reprint", "new_roll": "new_roll"}


class StaffActionError(Exception):
    """An action staff cannot take as asked (unknown kiosk, bad cap …): said back to the page."""


@dataclass(frozen=True)
class StaffPublished:
    view: dict[str, Any]
    key: str  # what changed: the view without the time


class StaffService:
    def __init__(
        self,
        config: SiteConfig,
        open_store: Callable[[], HealthStore],
        lobby: LobbyService,
        *,
        systemd: SystemdNotify | None = None,
        board_health: Callable[[], list[Health]] = list,
    ) -> None:
        self.config = config
        self._open_store = open_store
        self.lobby = lobby
        self.silent_after_s = config.health.silent_after_s
        self.heartbeat_s = config.health.heartbeat_s
        self.systemd = systemd
        self.board_health = board_health  # the lobby's own devices (number boards, GPIO: issue 15)
        self.board = AlertBoard()
        self.started_at = time.time()
        self.version = app_version()
        self.beats: list[Beat] = []
        self.findings: dict[str, list[Finding]] = {}
        self.today_tickets: list[TicketTimes] = []
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="staff-store")
        self._store: HealthStore | None = None
        self._published: StaffPublished | None = None
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._today_at = 0.0
        self._today_event = -1
        self._today: dict[str, Any] = {}
        self._modes: dict[str, KioskMode] = {}
        self._days: dict[Procedure, ProcedureDay] = {}
        self._lists: dict[str, list[dict[str, Any]]] = {"commands": [], "audit": []}
        self._last_beat = 0.0

    # --- life ---

    async def start(self) -> None:
        await self.refresh(force_today=True)
        await self._beat(stopped=False)
        self._task = asyncio.create_task(self._watch(), name="staff-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            await self._beat(stopped=True)
        except Exception:  # the shell's one broad except: stopping anyway
            log.exception("could not write the lobby's last heartbeat")
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close_store)
        self._executor.shutdown(wait=True)

    # --- the store ---

    async def run(self, call: Callable[[HealthStore], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, call)

    def _call(self, call: Callable[[HealthStore], T]) -> T:
        if self._store is None:
            self._store = self._open_store()
        return call(self._store)

    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # --- publishing ---

    @property
    def published(self) -> StaffPublished:
        assert self._published is not None, "start() first"
        return self._published

    def changed(self) -> asyncio.Event:
        return self._changed

    def today(self) -> date:
        site = self.config.site
        return business_date(self.lobby.clock(), site.timezone, site.business_day_reset)

    async def refresh(self, *, force_today: bool = False) -> StaffPublished:
        now_s = time.time()
        day = self.today()
        event_id = self.lobby.published.event_id  # the lobby service starts first
        read_today = force_today or event_id != self._today_event or now_s - self._today_at >= TODAY_S

        def read(store: HealthStore) -> tuple[Any, ...]:
            tickets = store.ticket_times(day) if read_today else None
            return (
                store.beats(),
                store.modes(),
                store.procedure_days(day),
                [c.to_json() for c in store.commands(10)],
                [e.to_json() for e in store.audit_log(30)],
                tickets,
            )

        beats, self._modes, self._days, commands, audit, tickets = await self.run(read)
        self.beats = beats
        self._lists = {"commands": commands, "audit": audit}
        if tickets is not None:
            self.today_tickets = tickets
            self._today_at, self._today_event = now_s, event_id
        self.findings = {b.source: judge(b, b.source, now_s, self.silent_after_s) for b in beats}
        self.board.update([f for fs in self.findings.values() for f in fs], now_s)
        view = self._view(now_s)
        key = _key(view)
        if self._published is None or key != self._published.key:
            self._published = StaffPublished(view, key)
            changed, self._changed = self._changed, asyncio.Event()
            changed.set()
        else:
            self._published = StaffPublished(view, key)
        return self._published

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            try:
                await self.refresh()
                if time.time() - self._last_beat >= self.heartbeat_s:
                    await self._beat(stopped=False)
            except Exception:  # the shell's one broad except: log it, keep serving, try again
                log.exception("staff page: reading the store failed; trying again")
            if self.systemd is not None:
                self.systemd.watchdog()  # from the event loop's own task: a frozen loop stops the pings
                self.systemd.status(self.summary())

    async def _beat(self, *, stopped: bool) -> None:
        data_dir = self.config.storage.data_dir
        system = await asyncio.get_running_loop().run_in_executor(self._executor, read_system, data_dir)
        now_s = time.time()
        beat = Beat(
            source=LOBBY,
            role=Role.LOBBY,
            beat_at=now_s,
            started_at=self.started_at,
            version=self.version,
            devices=tuple(self.board_health()),
            loop_at=now_s,  # written from the event loop itself: it turned just now
            system=system,
            stopped=stopped,
        )
        await self.run(lambda store: store.beat(beat))
        self._last_beat = now_s

    def summary(self) -> str:
        red = [a for a in self.board.alerts if not a.acked]
        kiosks = sum(1 for b in self.beats if b.role is Role.KIOSK)
        return f"{kiosks} kiosk(s); {len(red)} alert(s) unacknowledged" + (f": {red[0].finding.en}" if red else "")

    # --- the document the page draws ---

    def _view(self, now_s: float) -> dict[str, Any]:
        processes = []
        for beat in self.beats:
            findings = self.findings.get(beat.source, [])
            mode = self._modes.get(beat.source)
            processes.append(
                {
                    "id": beat.source,
                    "role": beat.role.value,
                    "light": worst(findings).value,
                    "findings": [_finding(f) for f in findings],
                    "beat": beat.to_json(),
                    "out_of_service": bool(mode and mode.out_of_service),
                    "mode_by": None if mode is None else mode.changed_by,
                }
            )
        return {
            "now": now_s,
            "timezone": self.config.site.timezone,  # times on the page are the site's, whatever the PC's zone
            "kiosks": [p for p in processes if p["role"] == Role.KIOSK.value],
            "services": [p for p in processes if p["role"] != Role.KIOSK.value],
            "alerts": [a.to_json() for a in self.board.alerts],
            "sounding": self.board.sounding,
            "today": self._today_view(),
            **self._lists,
        }

    def _today_view(self) -> dict[str, Any]:
        issued = Counter(t.procedure for t in self.today_tickets)
        procedures = []
        for procedure, proc in self.config.procedures.items():
            change = self._days.get(procedure)
            procedures.append(
                {
                    "id": procedure.value,
                    "ja": text(f"procedure.{procedure.value}", "ja"),
                    "en": text(f"procedure.{procedure.value}", "en"),
                    "issued": issued.get(procedure.value, 0),
                    "cap": change.cap if change is not None and change.cap is not None else proc.daily_cap,
                    "cap_changed": change is not None and change.cap is not None,
                    "closed": bool(change and change.closed),
                }
            )
        waiting: list[dict[str, Any]] = []
        for group, line in self.lobby.published.state.waiting_list.items():
            prefix = self.config.groups[group].prefix if group in self.config.groups else group
            waiting.append({"group": group, "prefix": prefix, "labels": [t.label for t in line]})
        return {"date": self.today().isoformat(), "procedures": procedures, "waiting": waiting}

    # --- actions ---

    async def act(self, who: str, action: str, form: dict[str, str]) -> dict[str, Any]:
        """One staff action, checked, done and audited; raises StaffActionError with words for the page."""
        now = self.lobby.clock()
        day = self.today()
        if action == "ack":
            try:
                alert_id = int(form.get("alert", ""))
            except ValueError:
                raise StaffActionError("which alert?") from None
            alert = self.board.acknowledge(alert_id, who, time.time())
            if alert is None:
                raise StaffActionError("no such alert (it may have cleared)")
            f = alert.finding
            await self.run(lambda store: store.audit(now, who, "ack", f"{f.source}/{f.part}", f.en))
        elif action in KIOSK_ACTIONS:
            kiosk = form.get("kiosk", "")
            if kiosk not in {b.source for b in self.beats if b.role is Role.KIOSK}:
                raise StaffActionError(f"no kiosk {kiosk!r} has reported here")
            if action in ("out_of_service", "in_service"):
                out = action == "out_of_service"

                def mode(store: HealthStore) -> None:
                    store.set_out_of_service(kiosk, out, who, now)
                    store.audit(now, who, action, kiosk)

                await self.run(mode)
            else:
                args: dict[str, Any] = {}
                if action == "reprint":
                    label = form.get("label", "").strip()
                    if parse_label(label) is None:
                        raise StaffActionError(f"{label!r} is not a ticket number (e.g. M-012)")
                    args = {"label": label, "date": day.isoformat(), "lang": form.get("lang", "ja") or "ja"}
                command = COMMAND_OF[action]

                def ask(store: HealthStore) -> None:
                    queued = store.queue_command(kiosk, command, args, who, now)
                    store.audit(now, who, action, kiosk, f"command {queued.id}" + (f" {args['label']}" if args else ""))

                await self.run(ask)
        elif action in PROCEDURE_ACTIONS:
            try:
                procedure = Procedure(form.get("procedure", ""))
            except ValueError:
                raise StaffActionError("which procedure?") from None
            if procedure not in self.config.procedures:
                raise StaffActionError(f"procedure {procedure.value} is not offered here")
            current = self._days.get(procedure, ProcedureDay(procedure))
            if action == "set_cap":
                cap_text = form.get("cap", "").strip()
                if cap_text == "":
                    change, detail = replace(current, cap=None), "cap: as configured"
                elif cap_text.isdigit() and int(cap_text) <= 9999:
                    change, detail = replace(current, cap=int(cap_text)), f"cap {int(cap_text)}"
                else:
                    raise StaffActionError("a cap is a whole number from 0 to 9999, or empty for the configured one")
            else:
                change, detail = replace(current, closed=action == "close_procedure"), ""

            def set_day(store: HealthStore) -> None:
                store.set_procedure_day(day, change, now)
                store.audit(now, who, action, procedure.value, detail)

            await self.run(set_day)
        else:
            raise StaffActionError(f"no action {action!r}")
        log.info("staff %s: %s %s", who, action, {k: v for k, v in form.items() if k != "csrf"})
        published = await self.refresh()
        return published.view


def _finding(f: Finding) -> dict[str, str]:
    return {"part": f.part, "light": f.light.value, "ja": f.ja, "en": f.en}


def _key(view: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in view.items() if k != "now"}, sort_keys=True, default=str)
