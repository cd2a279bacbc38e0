"""The shell: runs the flow's effects against the devices and the ticket store, and feeds back events.

The flow decides; this carries out. It is the one place allowed a broad `except` around a device:
log it, mark health degraded, keep serving. Ticket issue follows "exactly once": the number is
stored before printing, the print state recorded after, and a failed print is never replayed by
itself (staff reprint on purpose), while the visitor sees the number on screen. The printer is
asked for its status before a number is taken: a printer that cannot print (paper end, cover
open, offline, no answer) issues no number, the visitor is told to ask staff, and the next visitor
gets a ticket as soon as the printer is well again. The status is also checked every
`PRINTER_CHECK_S` while the kiosk waits on its welcome screen, so the printer's health is current.
With a calling store, the lobby is read for the wait the screens and the ticket tell (when the flow
asks, `ReadLobby`, and once per ticket issued; kiosk/shell/waits.py); without one nothing is told.

Nothing here waits for the printer: every status check and every ticket runs on the printer's own
thread (kiosk/shell/printer_jobs.py) and its answer is picked up on a later poll, as card reads
are (kiosk/shell/card_reads.py). "Get a ticket" starts a status check; its answer takes the number
(or tells the visitor to ask staff); the number's ticket is printed; the print's answer records
the print state and shows the number. Meanwhile the screen says "Printing your ticket…" and the
UI loop goes on turning. The ticket store stays on the caller's thread (a local file, one
connection per thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from time import monotonic
from typing import Any

from drivers.interfaces import (
    CardPresence,
    CardReader,
    DisplayFrame,
    Health,
    HealthState,
    PaperState,
    PrinterStatus,
    QueueDisplay,
    TicketPrinter,
)
from kiosk.domain.flow import (
    CardInserted,
    CardLeft,
    Counts,
    Effect,
    Event,
    Flow,
    IssueTicket,
    LobbyRead,
    PrintSlip,
    RaiseStaffCall,
    ReadCard,
    ReadLobby,
    RefreshCounts,
    Screen,
    ServiceMode,
    State,
    Tick,
    TicketFailed,
    TicketIssued,
    TicketStage,
)
from kiosk.domain.model import Answers, Procedure
from kiosk.domain.numbering import business_date
from kiosk.domain.routing import Route
from kiosk.domain.waiting import ahead_on_ticket
from kiosk.errors import PrinterError, QueueFull, StoreError
from kiosk.queue.lifecycle import CallingStore
from kiosk.queue.model import PrintState, Ticket, TicketRequest, TicketStore
from kiosk.shell.card_reads import CardReads
from kiosk.shell.port_lock import PortLock
from kiosk.shell.printer_jobs import PrinterWorker
from kiosk.shell.signal_lamp import LampControl
from kiosk.shell.waits import place_in_line, read_lobby
from kiosk.site.model import SiteConfig
from kiosk.ticket.document import TicketDocument
from kiosk.ticket.layout import build_ticket
from kiosk.ticket.render import ticket_job
from kiosk.ticket.slip import build_slip

log = logging.getLogger(__name__)

# A status round trip costs ~1 ms on TCP, up to the read timeout on a dead link (on the printer's
# thread, never the loop's). Every second, so the staff page hears of a paper end within 2 s (issue 17).
PRINTER_CHECK_S = 1.0


@dataclass
class Devices:
    reader: CardReader
    printer: TicketPrinter
    display: QueueDisplay
    simulated: bool  # any simulator active: the UI shows the SIMULATION badge
    lamp: LampControl | None = None  # the kiosk's signal tower and buzzer ([gpio.lamp])


@dataclass(frozen=True)
class Checked:
    """A status check's answer: what the printer said and what that means for staff."""

    status: PrinterStatus
    health: Health


@dataclass
class Issued:
    """What the last visit got, for the staff page and the headless runner. No personal data."""

    ticket: Ticket
    document: TicketDocument
    printed: bool
    ahead: int | None = None  # "ahead of you" as printed; None when the wait was not told


@dataclass
class Runtime:
    config: SiteConfig
    devices: Devices
    store: TicketStore
    clock: Callable[[], datetime]  # aware datetimes; a fake clock in tests and scenarios
    calling: CallingStore | None = None  # the lobby's calling, for the wait told; None: no wait told
    port_lock: PortLock | None = None  # `kiosk run` holds the printer's port for as long as it runs
    flow: Flow = field(init=False)
    state: State = field(init=False)
    version: int = 0  # bumped on every state change: the UI redraws only then
    issued: list[Issued] = field(default_factory=list)
    staff_calls: int = 0
    printer_status: PrinterStatus | None = None  # the last one asked, for the staff page and the demo
    printer_health: Health | None = None
    _presence: CardPresence = CardPresence.ABSENT
    _printer_checked: datetime | None = None
    _watch: Future[Checked] | None = None  # the welcome screen's status check, in flight
    _issuing: IssueTicket | None = None  # "get a ticket" was pressed: checked, then numbered, then printed
    _issue_check: Future[Checked] | None = None
    _printing: tuple[Ticket, TicketDocument, Future[bool], int | None] | None = None
    _staff_jobs_seen: int = 0
    _slips: list[Future[bool]] = field(default_factory=list)  # refusal slips in flight
    printed_kinds: list[str] = field(default_factory=list)  # "ticket" / "slip", in the order printed

    # For the staff page (kiosk/shell/staff_link.py, another thread): the loop's last turn
    # (monotonic), a hook called on each turn (the systemd watchdog), and the service mode staff
    # asked for (None: never asked), applied on the loop's next turn.
    last_turn: float | None = None
    turned: Callable[[], None] | None = None
    out_of_service_wanted: bool | None = None

    def __post_init__(self) -> None:
        self.flow = Flow(self.config)
        self.state = self.flow.start(self.clock())
        self._card_reads = CardReads(self.devices.reader)
        self.printer_jobs = PrinterWorker(self.devices.printer, self.port_lock)

    def close(self) -> None:
        """Let the printer's thread finish its job and let go of the port (the app closes the devices)."""
        self.printer_jobs.close()

    # --- events in ---

    def dispatch(self, event: Event) -> None:
        """Apply one event, then carry out its effects (which may dispatch more events)."""
        pending: list[Event] = [event]
        while pending:
            current = pending.pop(0)
            new_state, effects = self.flow.transition(self.state, current, self.clock())
            if new_state != self.state:
                self.state = new_state
                self.version += 1
            for effect in effects:
                pending.extend(self._run(effect))

    def poll(self) -> None:
        """Called a few times a second by the UI loop: a ticket to issue, a card read's answer, card
        presence changes, time passing. Never waits for a device."""
        self.last_turn = monotonic()
        if self.turned is not None:
            self.turned()
        wanted = self.out_of_service_wanted
        if wanted is not None and wanted is not self.state.out_of_service:
            self.dispatch(ServiceMode(wanted))
        self._printer_answers()
        answer = self._card_reads.take()
        if answer is not None:
            self.dispatch(answer)
        presence = self._poll_reader()
        if presence is not self._presence:
            previous, self._presence = self._presence, presence
            if presence is CardPresence.PRESENT:
                self.dispatch(CardInserted())
            elif previous is CardPresence.PRESENT:
                self.dispatch(CardLeft())
        now = self.clock()
        due = self._printer_checked is None or now - self._printer_checked >= timedelta(seconds=PRINTER_CHECK_S)
        idle = self._watch is None and self._issuing is None
        if due and idle and self.state.screen in (Screen.WELCOME, Screen.OUT_OF_SERVICE):
            # Only while nobody is at the kiosk: on a dead link a check takes the printer's thread
            # for up to the read (or connect) timeout, and a visitor's own check would queue behind it.
            self._printer_checked = now
            self._watch = self.printer_jobs.submit(self._check_job)
        self.dispatch(Tick())
        if self.devices.lamp is not None:
            self.devices.lamp.update(self.printer_status, self._presence, self.clock())

    def settle(self, timeout_s: float = 10.0) -> None:
        """Wait for a card read and the printer's jobs in flight (a ticket asked for: its check,
        then its print) and apply their answers (scripted runs and tests; the UI polls)."""
        deadline = monotonic() + timeout_s
        answer = self._card_reads.wait(timeout_s)
        if answer is not None:
            self.dispatch(answer)
        while (pending := self._printer_pending()) and monotonic() < deadline:
            wait_for(pending, timeout=max(0.0, deadline - monotonic()))
            self._printer_answers()

    def today(self) -> date:
        site = self.config.site
        return business_date(self.clock(), site.timezone, site.business_day_reset)

    # --- effects out ---

    def _run(self, effect: Effect) -> list[Event]:
        if isinstance(effect, ReadCard):
            self._card_reads.start()  # answered on a later poll: the UI never waits for the card
            return []
        if isinstance(effect, RefreshCounts):
            return [self._counts()]
        if isinstance(effect, ReadLobby):
            read = None if self.calling is None else read_lobby(self.calling, self.clock())
            return [LobbyRead(None if read is None else read[0])]
        if isinstance(effect, IssueTicket):
            # The printer is asked first, on its thread; its answer takes the number on a later
            # poll. The screen says "Printing your ticket…" meanwhile.
            self._issuing = effect
            self._issue_check = self.printer_jobs.submit(self._check_job)
            return []
        if isinstance(effect, PrintSlip):
            # On the printer's thread, like a ticket; never a number. A slip that cannot print is
            # logged: the screen says the same.
            slip = build_slip(
                self.config, effect.answers, effect.refusal, effect.lang, self.clock(), self.config.printer.width_dots
            )
            self._slips.append(self.printer_jobs.submit(self._slip_job(slip)))
            return []
        if isinstance(effect, RaiseStaffCall):
            # The lamp turns amber and the buzzer sounds; the staff page raises an alert (the staff
            # link sees the count move: kiosk/shell/staff_link.py).
            self.staff_calls += 1
            log.warning("staff call from the %s screen", effect.screen.value)
            if self.devices.lamp is not None:
                self.devices.lamp.staff_called(self.clock())
            return []
        raise AssertionError(f"unhandled effect {effect!r}")

    def _poll_reader(self) -> CardPresence:
        try:
            return self.devices.reader.poll()
        except Exception:  # a broken driver must not stop the lobby: report it and keep serving
            log.exception("card reader poll failed")
            return CardPresence.READER_GONE

    def _counts(self) -> Event:
        today = self.today()
        try:
            counts = {p: self.store.count_issued(today, p) for p in Procedure}
        except StoreError:
            log.exception("ticket store unavailable while counting")
            counts = {}
        return Counts(counts)

    def ticket_request(self, route: Route, answers: Answers) -> TicketRequest:
        """What the store needs to allocate a number for this route: no personal data."""
        return TicketRequest(
            group=route.group.id,
            prefix=route.group.prefix,
            first_number=route.group.first_number,
            last_number=route.group.last_number,
            counter=route.counter.id,
            procedure=route.procedure,
            current=answers.current,
            after=answers.after,
            reasons=route.reasons,
            business_date=self.today(),
            issued_at=self.clock(),
            kiosk_id=self.config.site.kiosk_id,
            lang=self.state.visit.lang,  # the call is announced in the visitor's language too
        )

    # --- the printer, through its thread ---

    def _check_job(self, printer: TicketPrinter) -> Checked:
        """On the printer's thread: ask it now. Anything but a clear "ready" is not ready (no reply = unknown)."""
        try:
            return Checked(printer.status(), printer.health())
        except Exception:  # a broken driver must not stop the lobby: report it and keep serving
            log.exception("printer status failed")
            status = PrinterStatus(online=None, paper=PaperState.UNKNOWN, cover_open=None, error=None)
            return Checked(status, Health("printer", HealthState.DOWN, "printer driver failed", self.devices.simulated))

    def _printer_pending(self) -> list[Future[Any]]:
        self._slips = [f for f in self._slips if not f.done()]
        if self._slips:
            return list(self._slips)
        if self._issue_check is not None:
            return [self._issue_check]
        if self._printing is not None:
            return [self._printing[2]]
        return [self._watch] if self._watch is not None else []

    def _printer_answers(self) -> None:
        """Apply what the printer's thread has answered since the last poll (this thread only)."""
        if self._watch is not None and self._watch.done():
            self._noted(_checked(self._watch))
            self._watch = None
        if self._issue_check is not None and self._issue_check.done():
            checked = _checked(self._issue_check)
            self._issue_check = None
            self._noted(checked)
            event = self._issue(checked)
            if event is not None:
                self.dispatch(event)
        if self._printing is not None and self._printing[2].done():
            ticket, document, future, ahead = self._printing
            self._printing = None
            self.dispatch(self._printed(ticket, document, future, ahead))
        if self.printer_jobs.staff_jobs_done != self._staff_jobs_seen:
            self._staff_jobs_seen = self.printer_jobs.staff_jobs_done
            self._printer_checked = None  # staff printed through the kiosk meanwhile: ask again soon

    def _noted(self, checked: Checked) -> None:
        """Keep a check's answer for the staff page; a change of the printer's health is logged once:
        ERROR when it cannot print (staff must act), WARNING when it prints with a problem (paper
        near end), INFO when it is well again."""
        self.printer_status = checked.status
        health = checked.health
        if health != self.printer_health:
            self.printer_health = health
            level = {HealthState.OK: logging.INFO, HealthState.DEGRADED: logging.WARNING}.get(
                health.state, logging.ERROR
            )
            log.log(level, "printer %s: %s", health.state.value, health.detail)

    def _issue(self, checked: Checked) -> Event | None:
        """The printer answered the visitor's check: take the number and start its print, or say why not."""
        effect, self._issuing = self._issuing, None
        visit = self.state.visit
        if effect is None or visit.screen is not Screen.TICKET or visit.ticket_stage is not TicketStage.ISSUING:
            return None  # the visit moved on (it cannot, from "issuing"; but never issue for nobody)
        route = effect.route
        if not checked.status.can_print:
            # Before a number is taken: no number is used up for a ticket that cannot come out.
            return TicketFailed("printer_unavailable")
        request = self.ticket_request(route, effect.answers)
        try:
            ticket = self.store.issue(request)
        except QueueFull:
            log.error("number range of group %s used up for today", route.group.id)
            return TicketFailed("queue_full")
        except StoreError:
            log.exception("ticket store unavailable")
            return TicketFailed("store_unavailable")
        ahead = self._ahead(ticket)
        document = build_ticket(
            self.config, ticket, route, self.state.visit.lang, width_dots=self.config.printer.width_dots, ahead=ahead
        )
        self._printing = (ticket, document, self.printer_jobs.submit(self._print_job(ticket, document)), ahead)
        return None

    def _ahead(self, ticket: Ticket) -> int | None:
        """How many wait ahead of a ticket just issued, when the kiosk tells the wait; else None."""
        now = self.clock()
        read = None if self.calling is None else read_lobby(self.calling, now)
        if read is None:
            return None
        facts, lobby = read
        return ahead_on_ticket(self.config, facts, ticket.group, place_in_line(lobby, ticket.group, ticket.id), now)

    def _print_job(self, ticket: Ticket, document: TicketDocument) -> Callable[[TicketPrinter], bool]:
        kanji = self.config.printer.kanji

        def job(printer: TicketPrinter) -> bool:  # on the printer's thread: drawn there too
            try:
                printer.print_ticket(ticket_job(document, kanji=kanji))
            except PrinterError as exc:
                log.error("ticket %s not printed: %s", ticket.label, exc)
                return False
            except Exception:
                log.exception("printer driver failed on ticket %s", ticket.label)
                return False
            self.printed_kinds.append("ticket")
            return True

        return job

    def _slip_job(self, slip: TicketDocument) -> Callable[[TicketPrinter], bool]:
        kanji = self.config.printer.kanji

        def job(printer: TicketPrinter) -> bool:  # on the printer's thread
            try:
                printer.print_ticket(ticket_job(slip, kanji=kanji))
            except PrinterError as exc:
                log.error("refusal slip not printed: %s", exc)
                return False
            except Exception:
                log.exception("printer driver failed on a refusal slip")
                return False
            self.printed_kinds.append("slip")  # jobs run one at a time: the order is the paper's
            return True

        return job

    def _printed(self, ticket: Ticket, document: TicketDocument, future: Future[bool], ahead: int | None) -> Event:
        """The print's answer: record it (a failed print keeps its number, never printed again by itself)."""
        printed = not future.exception() and future.result()
        self._printer_checked = None  # ask again at the next poll: the health shows what this ticket left
        state = PrintState.PRINTED if printed else PrintState.PRINT_FAILED
        try:
            self.store.set_print_state(ticket.id, state, self.clock())
        except StoreError:
            log.exception("could not record print state of ticket %s", ticket.label)
        self.issued.append(Issued(ticket=ticket, document=document, printed=printed, ahead=ahead))
        return TicketIssued(label=ticket.label, printed=printed)

    # --- the lobby display ---

    def call_number(self, counter_number: str, label: str) -> None:
        """A counter called a number: show it on the lobby display (the counter button's effect)."""
        self.devices.display.show(DisplayFrame(lines=((counter_number, label),)))


def _checked(future: Future[Checked]) -> Checked:
    """A finished check's answer; a job that failed outright is a printer that did not answer."""
    if future.exception() is not None:
        status = PrinterStatus(online=None, paper=PaperState.UNKNOWN, cover_open=None, error=None)
        return Checked(status, Health("printer", HealthState.DOWN, "printer worker stopped", False))
    return future.result()
