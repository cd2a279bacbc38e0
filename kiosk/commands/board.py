"""`kiosk board send` and `kiosk board-sim`: the serial number board for staff wiring one, and its
emulator (registered by `kiosk.cli`).

  kiosk board send --port /dev/ttyUSB0 --address 01 --row 1 --text S-012   one frame; exit 0 ACK/ENQ, 1 otherwise
  kiosk board send --port PATH --address 01 --ping | --clear | --chime | --row 1 --flash 5
  kiosk board-sim --pty | --port PATH [--address 01] [--baud 9600]         faults on standard input

Only argparse at import time: handlers import pyserial lazily.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import TYPE_CHECKING

from kiosk.commands.sim_input import serve_fault_lines
from kiosk.errors import UsageError

if TYPE_CHECKING:
    from drivers.board.emulator import BoardEmulator
    from drivers.board.frames import Frame

SIM_COMMANDS = "nak N, drop N, garble N, power-cycle, silent on|off, rows, quit"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    board = sub.add_parser("board", help="the serial number boards (staff wiring one)")
    actions = board.add_subparsers(dest="action", required=True)
    send = actions.add_parser(
        "send",
        help="send one frame to a board and report its answer: exit 0 for ACK (or ENQ), 1 for NAK or no reply",
    )
    send.add_argument("--port", required=True, help="serial device, e.g. /dev/ttyUSB0 (or the emulator's pty)")
    send.add_argument("--address", required=True, help='the board\'s address, "01".."FE"')
    send.add_argument("--baud", type=int, default=9600)
    what = send.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="show this text (at most 8 characters; '' blanks) on --row")
    what.add_argument("--flash", type=int, metavar="SECONDS", help="flash --row this long")
    what.add_argument("--clear", action="store_true", help="clear every row")
    what.add_argument("--ping", action="store_true")
    what.add_argument("--chime", action="store_true")
    send.add_argument("--row", type=int, help="row 1..9 (with --text or --flash)")
    send.set_defaults(func=_send)

    sim = sub.add_parser(
        "board-sim",
        help="run a serial number board emulator on a pty (prints its path) or on a serial port",
        description=f"Faults are typed on standard input, one a line: {SIM_COMMANDS}.",
    )
    where = sim.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", action="store_true", help="open a pty and print the device path to give the host")
    where.add_argument("--port", help="serve this serial port (a USB adapter, one end of a socat pair)")
    sim.add_argument("--address", default="01")
    sim.add_argument("--baud", type=int, default=9600)
    sim.add_argument("--rows", type=int, default=2, help="rows drawn in the terminal (a board has up to 9)")
    sim.set_defaults(func=_board_sim)


def _frame(args: argparse.Namespace) -> Frame:
    from drivers.board.frames import Command, Frame, flash, show

    if (args.text is not None or args.flash is not None) and args.row is None:
        raise UsageError("--text and --flash need --row")
    if args.text is not None:
        return show(args.address, args.row, args.text)
    if args.flash is not None:
        return flash(args.address, args.row, args.flash)
    command = Command.CLEAR if args.clear else Command.PING if args.ping else Command.CHIME
    return Frame(args.address, command)


def _send(args: argparse.Namespace) -> int:
    from drivers.board.frames import Answer, encode
    from drivers.board.serial_board import send_once

    frame = _frame(args)
    try:
        raw = encode(frame)
    except ValueError as exc:
        raise UsageError(f"not a frame a board would take: {exc}") from None
    answer = send_once(args.port, args.baud, frame)
    sent = raw.hex(" ")
    match answer:
        case Answer.ACK:
            print(f"ACK from {frame.address} (sent {sent})")
            return 0
        case Answer.ENQ:
            print(f"ENQ from {frame.address}: the board restarted, wants a clear (--clear); it carried out the frame")
            return 0
        case Answer.NAK:
            print(f"NAK from {frame.address}: the board refused the frame {sent}", file=sys.stderr)
            return 1
    print(
        f"no reply from {frame.address} within 150 ms: check the address, the baud ({args.baud}), "
        "the A/B wires and the adapter",
        file=sys.stderr,
    )
    return 1


def _board_sim(args: argparse.Namespace) -> int:
    from drivers.board.emulator import BoardEmulator

    try:
        emulator = BoardEmulator(args.address, baud=args.baud)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    drawing = threading.Lock()

    def draw() -> None:
        with drawing:
            print(board_picture(emulator, args.rows), flush=True)

    with emulator:
        emulator.on_change = draw
        if args.pty:
            print(f"board emulator {args.address}: {emulator.serve_pty()}", flush=True)
        else:
            emulator.serve_port(args.port)
            print(f"board emulator {args.address}: on {args.port}", flush=True)
        print(f"faults on standard input: {SIM_COMMANDS}", flush=True)
        draw()
        return serve_fault_lines(lambda line: sim_command(emulator, line))


def board_picture(emulator: BoardEmulator, rows: int) -> str:
    """The board as text: one line a row, flashing rows marked."""
    shown, flashing = emulator.rows(), emulator.flashing()
    count = max([rows, *shown])
    lines = [f"+--- board {emulator.address} {'(restarted: ENQ) ' if emulator.restarted else ''}".ljust(20, "-")]
    for row in range(1, count + 1):
        mark = " *" if row in flashing else ""
        lines.append(f"| {row} | {shown.get(row, ''):8} |{mark}")
    return "\n".join(lines)


def sim_command(emulator: BoardEmulator, line: str) -> str:
    """Apply one fault line; returns what the board now is (or what was wrong)."""
    match line.split():
        case ["nak", n] if n.isdigit():
            emulator.nak_next(int(n))
        case ["drop", n] if n.isdigit():
            emulator.drop_next(int(n))
        case ["garble", n] if n.isdigit():
            emulator.garble_next(int(n))
        case ["power-cycle"]:
            emulator.power_cycle()
        case ["silent", state] if state in ("on", "off"):
            emulator.set_silent(state == "on")
        case ["rows"]:
            return board_picture(emulator, 2)
        case _:
            return f"unknown command {line.strip()!r}; known: {SIM_COMMANDS}"
    return f"faults: {emulator.faults()}; frames {len(emulator.received)}, malformed {len(emulator.malformed)}"
