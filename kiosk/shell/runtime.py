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
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

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
    RaiseStaffCall,
    ReadCard,
    ReadLobby,
    RefreshCounts,
    Screen,
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
from kiosk.shell.waits import place_in_line, read_lobby
from kiosk.site.model import SiteConfig
from kiosk.ticket.document import TicketDocument
from kiosk.ticket.layout import build_ticket
from kiosk.ticket.render import ticket_job

log = logging.getLogger(__name__)

PRINTER_CHECK_S = 15  # a status round trip costs ~1 ms on TCP, up to the read timeout on a dead link


@dataclass
class Devices:
    reader: CardReader
    printer: TicketPrinter
    display: QueueDisplay
    simulated: bool  # any simulator active: the UI shows the SIMULATION badge


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
    flow: Flow = field(init=False)
    state: State = field(init=False)
    version: int = 0  # bumped on every state change: the UI redraws only then
    issued: list[Issued] = field(default_factory=list)
    staff_calls: int = 0
    printer_status: PrinterStatus | None = None  # the last one asked, for the staff page and the demo
    printer_health: Health | None = None
    _presence: CardPresence = CardPresence.ABSENT
    _printer_checked: datetime | None = None
    _issue_next: IssueTicket | None = None  # "get a ticket" was pressed: issued on the next poll
    _issue_shown: bool = False  # a poll has passed since, so "Printing your ticket…" was drawn

    def __post_init__(self) -> None:
        self.flow = Flow(self.config)
        self.state = self.flow.start(self.clock())
        self._card_reads = CardReads(self.devices.reader)

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
        presence changes, time passing."""
        if self._issue_next is not None:
            if self._issue_shown:
                self._issue_now()
            else:
                self._issue_shown = True  # the UI draws "Printing your ticket…" after this poll
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
        if due and self.state.screen is Screen.WELCOME:
            # Only while nobody is at the kiosk: a dead link costs up to the read (or connect)
            # timeout on this thread, and a visitor's taps must never wait for it.
            self.printer_ready()
        self.dispatch(Tick())

    def settle(self, timeout_s: float = 10.0) -> None:
        """Wait for a card read in flight and apply its answer, and issue a ticket asked for
        (scripted runs and tests; the UI polls)."""
        answer = self._card_reads.wait(timeout_s)
        if answer is not None:
            self.dispatch(answer)
        if self._issue_next is not None:
            self._issue_now()

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
            # On the next poll, not now: the screen shows "Printing your ticket…" first, while the
            # printer works (a serial printer takes ~2 s for a ticket) on this same thread.
            self._issue_next, self._issue_shown = effect, False
            return []
        if isinstance(effect, RaiseStaffCall):
            # The GPIO lamp and the staff page come with the panel driver; the log line is the record.
            self.staff_calls += 1
            log.warning("staff call from the %s screen", effect.screen.value)
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

    def printer_ready(self) -> bool:
        """Ask the printer now. Anything but a clear "ready" is not ready (no reply = unknown).

        A change of the printer's health is logged once: ERROR when it cannot print (staff must
        act), WARNING when it prints with a problem (paper near end), INFO when it is well again.
        """
        self._printer_checked = self.clock()
        try:
            status = self.devices.printer.status()
            health = self.devices.printer.health()
        except Exception:  # a broken driver must not stop the lobby: report it and keep serving
            log.exception("printer status failed")
            status = PrinterStatus(online=None, paper=PaperState.UNKNOWN, cover_open=None, error=None)
            health = Health("printer", HealthState.DOWN, "printer driver failed", self.devices.simulated)
        self.printer_status = status
        if health != self.printer_health:
            self.printer_health = health
            level = {HealthState.OK: logging.INFO, HealthState.DEGRADED: logging.WARNING}.get(
                health.state, logging.ERROR
            )
            log.log(level, "printer %s: %s", health.state.value, health.detail)
        return status.can_print

    def _issue_now(self) -> None:
        effect, self._issue_next = self._issue_next, None
        visit = self.state.visit
        if effect is None or visit.screen is not Screen.TICKET or visit.ticket_stage is not TicketStage.ISSUING:
            return  # the visit moved on (it cannot, from "issuing"; but never issue for nobody)
        self.dispatch(self._issue(effect))

    def _issue(self, effect: IssueTicket) -> Event:
        route = effect.route
        if not self.printer_ready():
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
        printed = self._print(ticket, document)
        self.issued.append(Issued(ticket=ticket, document=document, printed=printed, ahead=ahead))
        return TicketIssued(label=ticket.label, printed=printed)

    def _ahead(self, ticket: Ticket) -> int | None:
        """How many wait ahead of a ticket just issued, when the kiosk tells the wait; else None."""
        now = self.clock()
        read = None if self.calling is None else read_lobby(self.calling, now)
        if read is None:
            return None
        facts, lobby = read
        return ahead_on_ticket(self.config, facts, ticket.group, place_in_line(lobby, ticket.group, ticket.id), now)

    def _print(self, ticket: Ticket, document: TicketDocument) -> bool:
        try:
            self.devices.printer.print_ticket(ticket_job(document, kanji=self.config.printer.kanji))
            printed = True
        except PrinterError as exc:
            log.error("ticket %s not printed: %s", ticket.label, exc)
            printed = False
        except Exception:
            log.exception("printer driver failed on ticket %s", ticket.label)
            printed = False
        self._printer_checked = None  # ask again at the next poll: the health shows what this ticket left
        state = PrintState.PRINTED if printed else PrintState.PRINT_FAILED
        try:
            self.store.set_print_state(ticket.id, state, self.clock())
        except StoreError:
            log.exception("could not record print state of ticket %s", ticket.label)
        return printed

    # --- the lobby display ---

    def call_number(self, counter_number: str, label: str) -> None:
        """A counter called a number: show it on the lobby display (the counter button's effect)."""
        self.devices.display.show(DisplayFrame(lines=((counter_number, label),)))
