"""What staff do with the ticket printer: a test print, a reprint, a new roll, a look at its status.

Each is done by whoever owns the printer's port: the running kiosk, asked through its control
socket (kiosk/shell/control.py), on its printer thread; or, with no kiosk running, the staff
command itself (kiosk/commands/printer.py) under the port's lock. Both run these same functions,
so staff read the same lines either way. A `StaffResult` is what the command prints and its exit
status; it travels over the control socket as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from drivers.interfaces import HealthState, TicketPrinter
from drivers.printer.roll import RollCounter
from kiosk.domain.model import Answers
from kiosk.domain.numbering import business_date
from kiosk.domain.routing import route_for
from kiosk.errors import PrinterError, UsageError
from kiosk.queue.model import Ticket, TicketStore, parse_label
from kiosk.site.model import SiteConfig
from kiosk.ticket.document import TicketDocument
from kiosk.ticket.layout import build_test_ticket, build_ticket
from kiosk.ticket.render import ticket_job

DONE, FAILED, USAGE = 0, 1, 2  # exit statuses, as kiosk.cli gives them


@dataclass(frozen=True)
class StaffResult:
    code: int  # DONE, FAILED (the printer could not), USAGE (what was asked makes no sense)
    out: tuple[str, ...] = ()  # lines for standard output
    err: tuple[str, ...] = ()  # lines for standard error

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "out": list(self.out), "err": list(self.err)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StaffResult:
        code, out, err = data.get("code"), data.get("out", []), data.get("err", [])
        if not isinstance(code, int) or not _lines(out) or not _lines(err):
            raise ValueError("not a staff result")
        return cls(code, tuple(out), tuple(err))


def usage(message: str) -> StaffResult:
    return StaffResult(USAGE, err=(f"kiosk: {message}",))


def _lines(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def roll_of(printer: TicketPrinter) -> RollCounter | None:
    """The printer's software roll counter, when its driver keeps one (the ESC/POS driver does)."""
    roll = getattr(printer, "roll", None)
    return roll if isinstance(roll, RollCounter) else None


# --- on the printer's owner ---------------------------------------------------------------------


def print_test(printer: TicketPrinter, config: SiteConfig, now: datetime) -> StaffResult:
    """A test ticket with the printer's status on it, and the same lines for staff."""
    before = printer.status()
    details = [
        f"printer {config.printer.connection.url}",
        f"{config.printer.width_dots} dots, kanji mode {'on' if config.printer.kanji else 'off'}",
        f"status: online={before.online} paper={before.paper.value} cover_open={before.cover_open}",
    ]
    roll = roll_of(printer)
    if roll is not None:
        details.append(f"roll counter: about {roll.left_mm / 1000:.1f} m left")
    document = build_test_ticket(config, now, tuple(details), width_dots=config.printer.width_dots)
    try:
        printer.print_ticket(ticket_job(document, kanji=config.printer.kanji))
    except PrinterError as exc:
        return StaffResult(FAILED, tuple(details), (f"kiosk: test ticket not printed: {exc}",))
    sent = getattr(printer, "last_printed", None)
    size = getattr(sent, "bytes_sent", 0)
    return StaffResult(DONE, (*details, f"test ticket printed ({size} bytes); printer: {printer.health().detail}"))


def print_reprint(printer: TicketPrinter, config: SiteConfig, ticket: Ticket, document: TicketDocument) -> StaffResult:
    """Print a reprint once; the caller records it in the store when it came out (DONE)."""
    try:
        printer.print_ticket(ticket_job(document, kanji=config.printer.kanji))
    except PrinterError as exc:
        # The job may have gone out before the printer failed: look before reprinting once more.
        message = f"kiosk: reprint of {ticket.label} failed ({exc}); check the printer's output"
        return StaffResult(FAILED, err=(message,))
    health = printer.health()
    out = (f"printer: {health.detail}",) if health.state is not HealthState.OK else ()
    return StaffResult(DONE, out)


def new_roll(printer: TicketPrinter, config: SiteConfig) -> StaffResult:
    roll = roll_of(printer)
    if roll is None:
        return usage("this site has no roll counter (printer.roll_length_mm is not set)")
    if not roll.new_roll():
        return StaffResult(
            FAILED, err=(f"kiosk: the roll counter {roll.path} could not be written; nothing was reset",)
        )
    return StaffResult(DONE, (f"roll counter reset: {config.printer.roll_length_mm} mm of paper",))


# --- the reprint's ticket, from the store -------------------------------------------------------


@dataclass(frozen=True)
class Reprint:
    ticket: Ticket
    day: date
    document: TicketDocument

    def done(self) -> str:
        return f"ticket {self.ticket.label} of {self.day:%Y-%m-%d} reprinted (was {self.ticket.print_state.value})"


def find_reprint(
    config: SiteConfig, store: TicketStore, number: str, day: date | None, lang: str, now: datetime
) -> Reprint:
    """The stored ticket `number` of `day` (default: today's business date) drawn again, marked
    as a reprint. Raises UsageError for a number, language or day this site does not know."""
    if lang not in config.site.languages:
        raise UsageError(f"--lang {lang!r}: this site offers {', '.join(config.site.languages)}")
    label = parse_label(number)
    groups = {g.prefix: g for g in config.groups.values()}
    if label is None or label[0] not in groups:
        known = ", ".join(f"{p}-012" for p in groups)
        raise UsageError(f"{number!r} is not a ticket number of this site (like {known})")
    group = groups[label[0]]
    if day is None:
        day = business_date(now, config.site.timezone, config.site.business_day_reset)
    ticket = store.get(group.id, day, label[1])
    if ticket is None:
        raise UsageError(f"no ticket {number} on {day:%Y-%m-%d}")
    # The stored row keeps no answers beyond these (nothing personal): fees and papers are
    # estimated again from them, as the counter would.
    answers = Answers(procedure=ticket.procedure, current=ticket.current, wanted=ticket.after)
    counter = config.counters.get(ticket.counter)
    if counter is None:
        raise UsageError(f"ticket {ticket.label}: its counter {ticket.counter!r} is no longer in the config")
    route = route_for(config, answers, ticket.reasons, counter)
    document = build_ticket(config, ticket, route, lang, config.printer.width_dots, reprinted_at=now)
    return Reprint(ticket, day, document)


def open_store(config: SiteConfig) -> TicketStore:
    """The site's ticket store (the shared database, or the SQLite file), never created just to look a number up."""
    from kiosk.queue.stores import open_tickets

    return open_tickets(config, must_exist=True)
