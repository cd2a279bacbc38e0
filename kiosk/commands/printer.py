"""`kiosk` subcommands for the ticket printer (registered by `kiosk.cli`):

  printer-sim   the printer emulator: ESC/POS over TCP (and a pty), tickets to DIR/NNNN.png
  reprint       staff print a stored ticket again, marked as a reprint (never done by itself)
  print-test    staff print a test ticket and see the printer's status
  new-roll      staff tell the software roll counter that a new roll is in

Only argparse at import time: handlers import device libraries lazily, so `kiosk check-config`
never pays for them.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kiosk.errors import UsageError

if TYPE_CHECKING:
    from drivers.printer.emulator import PrinterEmulator
    from drivers.printer.escpos_printer import EscposTicketPrinter
    from kiosk.site.model import SiteConfig

DEFAULT_CONFIG = "config"
SIM_COMMANDS = (
    "paper ok|near|end, paper-end-after N, cover open|closed, offline on|off, error on|off, "
    "no-reply on|off, drop N (close the connection N bytes into the next job), status, quit"
)


def tcp_port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value}: a TCP port is 0 to 65535")
    return port


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to the `kiosk` parser."""
    sim = sub.add_parser(
        "printer-sim",
        help="run the ESC/POS printer emulator: TCP (and a pty for serial), each cut ticket to DIR/NNNN.png",
        description=f"Faults are typed on standard input, one a line: {SIM_COMMANDS}.",
    )
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=tcp_port, default=9100, help="TCP port (default 9100; 0 picks a free one)")
    sim.add_argument("--out", required=True, type=Path, help="where ticket PNGs go")
    sim.add_argument("--width", type=int, default=576, choices=(576, 384), help="paper width in dots")
    sim.add_argument("--pty", action="store_true", help="also serve a pty, for serial:// printer URLs")
    sim.set_defaults(func=_printer_sim)

    reprint = sub.add_parser("reprint", help="print a stored ticket again, marked as a reprint (staff)")
    reprint.add_argument("number", help="the number as printed, e.g. M-012")
    reprint.add_argument("--date", help="business date YYYY-MM-DD (default: today's)")
    reprint.add_argument("--lang", default="ja", help="language of the reprint (default: ja)")
    reprint.add_argument("--config", default=DEFAULT_CONFIG)
    reprint.set_defaults(func=_reprint)

    test = sub.add_parser("print-test", help="print a test ticket and show the printer's status (staff)")
    test.add_argument("--config", default=DEFAULT_CONFIG)
    test.set_defaults(func=_print_test)

    roll = sub.add_parser("new-roll", help="tell the paper roll counter a new roll is loaded (staff)")
    roll.add_argument("--config", default=DEFAULT_CONFIG)
    roll.set_defaults(func=_new_roll)


# --- printer-sim ---------------------------------------------------------------------------------


def _printer_sim(args: argparse.Namespace) -> int:
    from drivers.printer.emulator import PrinterEmulator

    with PrinterEmulator(args.out, args.width) as emulator:
        try:
            port = emulator.serve_tcp(args.host, args.port)
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
        print(f"printer emulator: tcp://{args.host}:{port}", flush=True)
        if args.pty:
            print(f"printer emulator: serial://{emulator.serve_pty()}?flow=none", flush=True)
        print(f"tickets go to {args.out}/NNNN.png; faults on standard input: {SIM_COMMANDS}", flush=True)
        try:
            for line in sys.stdin:
                if not line.strip():
                    continue
                if line.strip() == "quit":
                    return 0
                print(sim_command(emulator, line), flush=True)
            while True:  # no more input (a service, a pipe): serve until stopped
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


def sim_command(emulator: PrinterEmulator, line: str) -> str:
    """Apply one fault line to the emulator; returns what it now says (or what was wrong)."""
    from drivers.interfaces import PaperState

    words = line.split()
    switches = {"on": True, "off": False, "open": True, "closed": False}
    papers = {"ok": PaperState.OK, "near": PaperState.NEAR_END, "end": PaperState.END}
    match words:
        case ["paper", state] if state in papers:
            emulator.set_paper(papers[state])
        case ["paper-end-after", n] if n.isdigit():
            emulator.paper_end_after(int(n))
        case ["cover", state] if state in ("open", "closed"):
            emulator.set_cover_open(switches[state])
        case ["offline", state] if state in ("on", "off"):
            emulator.set_offline(switches[state])
        case ["error", state] if state in ("on", "off"):
            emulator.set_error(switches[state])
        case ["no-reply", state] if state in ("on", "off"):
            emulator.set_no_reply(switches[state])
        case ["drop", n] if n.isdigit():
            emulator.drop_next_job(int(n))
        case ["status"]:
            pass
        case _:
            return f"unknown command {line.strip()!r}; known: {SIM_COMMANDS}"
    status = emulator.status()
    reply = "no reply" if emulator.no_reply else "replies"
    return (
        f"online={status.online} paper={status.paper.value} cover_open={status.cover_open} "
        f"error={status.error} status={reply} printed={len(emulator.printed)}"
    )


# --- staff commands ------------------------------------------------------------------------------


def _printer(config: SiteConfig) -> EscposTicketPrinter:
    from drivers.printer.escpos_printer import EscposTicketPrinter

    return EscposTicketPrinter.from_config(config.printer, Path(config.storage.data_dir))


def _config(path: str) -> SiteConfig:
    from kiosk.site.load import load_site_config

    return load_site_config(path)


def _now(config: SiteConfig) -> datetime:
    return datetime.now(ZoneInfo(config.site.timezone))


def _reprint(args: argparse.Namespace) -> int:
    from drivers.interfaces import HealthState
    from kiosk.domain.model import Answers
    from kiosk.domain.numbering import business_date
    from kiosk.domain.routing import route_for
    from kiosk.errors import PrinterError
    from kiosk.queue.model import PrintState, parse_label
    from kiosk.queue.sqlite_store import SqliteTicketStore
    from kiosk.ticket.layout import build_ticket

    config = _config(args.config)
    if args.lang not in config.site.languages:
        raise UsageError(f"--lang {args.lang!r}: this site offers {', '.join(config.site.languages)}")
    label = parse_label(args.number)
    groups = {g.prefix: g for g in config.groups.values()}
    if label is None or label[0] not in groups:
        known = ", ".join(f"{p}-012" for p in groups)
        raise UsageError(f"{args.number!r} is not a ticket number of this site (like {known})")
    group = groups[label[0]]
    now = _now(config)
    day = _date(args.date) if args.date else business_date(now, config.site.timezone, config.site.business_day_reset)
    database = Path(config.storage.data_dir) / "tickets.sqlite3"
    if not database.is_file():  # never create an empty store just to look a number up
        raise UsageError(f"no ticket database at {database}")
    store = SqliteTicketStore(database)
    try:
        ticket = store.get(group.id, day, label[1])
        if ticket is None:
            raise UsageError(f"no ticket {args.number} on {day:%Y-%m-%d}")
        # The stored row keeps no answers beyond these (nothing personal): fees and papers are
        # estimated again from them, as the counter would.
        answers = Answers(procedure=ticket.procedure, current=ticket.current, wanted=ticket.after)
        counter = config.counters.get(ticket.counter)
        if counter is None:
            raise UsageError(f"ticket {ticket.label}: its counter {ticket.counter!r} is no longer in the config")
        route = route_for(config, answers, ticket.reasons, counter)
        document = build_ticket(config, ticket, route, args.lang, config.printer.width_dots, reprinted_at=now)
        printer = _printer(config)
        try:
            printer.print_ticket(document)
        except PrinterError as exc:
            # The job may have gone out before the printer failed: look before reprinting once more.
            print(f"kiosk: reprint of {ticket.label} failed ({exc}); check the printer's output", file=sys.stderr)
            return 1
        finally:
            health = printer.health()
            printer.close()
        store.set_print_state(ticket.id, PrintState.REPRINTED, now)
        print(f"ticket {ticket.label} of {day:%Y-%m-%d} reprinted (was {ticket.print_state.value})")
        if health.state is not HealthState.OK:
            print(f"printer: {health.detail}")
        return 0
    finally:
        store.close()


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date {value!r}: expected YYYY-MM-DD") from None


def _print_test(args: argparse.Namespace) -> int:
    from kiosk.errors import PrinterError
    from kiosk.ticket.layout import build_test_ticket

    config = _config(args.config)
    printer = _printer(config)
    try:
        before = printer.status()
        details = [
            f"printer {config.printer.connection.url}",
            f"{config.printer.width_dots} dots, kanji mode {'on' if config.printer.kanji else 'off'}",
            f"status: online={before.online} paper={before.paper.value} cover_open={before.cover_open}",
        ]
        if printer.roll is not None:
            details.append(f"roll counter: about {printer.roll.left_mm / 1000:.1f} m left")
        for line in details:
            print(line)
        document = build_test_ticket(config, _now(config), tuple(details), width_dots=config.printer.width_dots)
        try:
            printer.print_ticket(document)
        except PrinterError as exc:
            print(f"kiosk: test ticket not printed: {exc}", file=sys.stderr)
            return 1
        sent = printer.last_printed
        print(f"test ticket printed ({sent.bytes_sent if sent else 0} bytes); printer: {printer.health().detail}")
        return 0
    finally:
        printer.close()


def _new_roll(args: argparse.Namespace) -> int:
    config = _config(args.config)
    printer = _printer(config)
    if printer.roll is None:
        raise UsageError("this site has no roll counter (printer.roll_length_mm is not set)")
    if not printer.roll.new_roll():
        print(f"kiosk: the roll counter {printer.roll.path} could not be written; nothing was reset", file=sys.stderr)
        return 1
    print(f"roll counter reset: {config.printer.roll_length_mm} mm of paper")
    return 0
