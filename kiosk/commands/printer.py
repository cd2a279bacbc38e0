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
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kiosk.commands.sim_input import serve_fault_lines
from kiosk.errors import UsageError

if TYPE_CHECKING:
    from drivers.interfaces import TicketPrinter
    from drivers.printer.emulator import PrinterEmulator
    from drivers.printer.escpos_printer import EscposTicketPrinter
    from kiosk.shell.staff import StaffResult
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
    reprint.add_argument("--store", help="the shared queue database postgresql://… (default: storage.url)")
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
    from kiosk.ticket.render import compose

    with PrinterEmulator(args.out, args.width, draw=compose) as emulator:
        try:
            port = emulator.serve_tcp(args.host, args.port)
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
        print(f"printer emulator: tcp://{args.host}:{port}", flush=True)
        if args.pty:
            print(f"printer emulator: serial://{emulator.serve_pty()}?flow=none", flush=True)
        print(f"tickets go to {args.out}/NNNN.png; faults on standard input: {SIM_COMMANDS}", flush=True)
        return serve_fault_lines(lambda line: sim_command(emulator, line))


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
#
# One owner per port: while `kiosk run` holds the printer, these ask it to do the job through its
# control socket (kiosk/shell/control.py); with no kiosk running they open the port themselves,
# under its lock (kiosk/shell/port_lock.py). The job is the same either way (kiosk/shell/staff.py).

LOCK_WAIT_S = 5.0  # another staff command printing right now finishes within this


def _printer(config: SiteConfig) -> EscposTicketPrinter:
    from drivers.printer.escpos_printer import EscposTicketPrinter

    return EscposTicketPrinter.from_config(config.printer, Path(config.storage.data_dir))


def _config(path: str) -> SiteConfig:
    from kiosk.site.load import load_site_config

    return load_site_config(path)


def _now(config: SiteConfig) -> datetime:
    return datetime.now(ZoneInfo(config.site.timezone))


def _told(result: StaffResult) -> int:
    for line in result.out:
        print(line)
    for line in result.err:
        print(line, file=sys.stderr)
    return result.code


def _on_the_port(config: SiteConfig, job: Callable[[TicketPrinter], StaffResult]) -> StaffResult:
    """`job` on the printer, opened by this process under the port's lock (no kiosk runs)."""
    from kiosk.shell.port_lock import PortLock
    from kiosk.shell.staff import FAILED, StaffResult

    lock = PortLock(config.printer, Path(config.storage.data_dir))
    try:
        locked = lock.acquire(LOCK_WAIT_S)
    except OSError as exc:
        return StaffResult(FAILED, err=(f"kiosk: cannot lock the printer's port ({lock.path}): {exc}",))
    if not locked:
        message = f"kiosk: the printer {config.printer.connection.url} is in use by another process; try again"
        return StaffResult(FAILED, err=(message,))
    try:
        printer = _printer(config)
        try:
            return job(printer)
        finally:
            printer.close()
    finally:
        lock.release()


def _reprint(args: argparse.Namespace) -> int:
    from kiosk.queue.model import PrintState
    from kiosk.queue.stores import with_store
    from kiosk.shell.control import ask_kiosk
    from kiosk.shell.staff import DONE, StaffResult, find_reprint, open_store, print_reprint

    config = with_store(_config(args.config), args.store)
    day = _date(args.date) if args.date else None
    request = {"command": "reprint", "label": args.number, "date": args.date, "lang": args.lang}
    result = ask_kiosk(config, request)
    if result is not None:
        return _told(result)
    now = _now(config)
    store = open_store(config)
    try:
        reprint = find_reprint(config, store, args.number, day, args.lang, now)
        result = _on_the_port(config, lambda printer: print_reprint(printer, config, reprint.ticket, reprint.document))
        if result.code == DONE:
            store.set_print_state(reprint.ticket.id, PrintState.REPRINTED, now)
            result = StaffResult(DONE, (reprint.done(), *result.out), result.err)
        return _told(result)
    finally:
        store.close()


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date {value!r}: expected YYYY-MM-DD") from None


def _print_test(args: argparse.Namespace) -> int:
    from kiosk.shell.control import ask_kiosk
    from kiosk.shell.staff import print_test

    config = _config(args.config)
    result = ask_kiosk(config, {"command": "print_test"})
    if result is None:
        now = _now(config)
        result = _on_the_port(config, lambda printer: print_test(printer, config, now))
    return _told(result)


def _new_roll(args: argparse.Namespace) -> int:
    from kiosk.shell.control import ask_kiosk
    from kiosk.shell.staff import new_roll

    config = _config(args.config)
    result = ask_kiosk(config, {"command": "new_roll"})
    if result is None:
        # Only the roll counter's file: the port is not opened, so no lock is needed.
        result = new_roll(_printer(config), config)
    return _told(result)
