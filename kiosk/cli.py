"""The `kiosk` command: one entry point for the lobby appliance, staff and developers.

Subcommands import what they need lazily, so `kiosk check-config` starts fast and never loads
pygame or a device library.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from kiosk.commands import board as board_commands
from kiosk.commands import call as call_commands
from kiosk.commands import card as card_commands
from kiosk.commands import db as db_commands
from kiosk.commands import lobby as lobby_commands
from kiosk.commands import printer as printer_commands
from kiosk.commands import run as run_commands
from kiosk.commands import staff as staff_commands
from kiosk.errors import ConfigError, KioskError, UsageError

log = logging.getLogger(__name__)

DEFAULT_CONFIG = "config"


def _check_config(args: argparse.Namespace) -> int:
    from kiosk.site.load import load_site_config

    try:
        config = load_site_config(args.path)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"{config.source}: OK ({len(config.procedures)} procedures, {len(config.counters)} counters)")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from kiosk.demo.command import run_demo_command

    return run_demo_command(args)


def diagonal_mm(value: str) -> float:
    """A screen diagonal: a finite length a real panel could have (0, NaN or inf would divide by zero)."""
    try:
        mm = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of millimetres") from None
    if not (50 <= mm <= 3000):  # finite and plausible: from a 2-inch panel to a 118-inch screen
        raise argparse.ArgumentTypeError(f"{value!r}: a screen diagonal between 50 and 3000 mm")
    return mm


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Lobby kiosk for driver's-licence centres")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check-config", help="validate a site config; exit 0 when valid, 2 when not")
    check.add_argument("path", nargs="?", default=DEFAULT_CONFIG, help="a TOML file or a folder holding site.toml")
    check.set_defaults(func=_check_config)

    demo = sub.add_parser("demo", help="run the kiosk with simulated devices (window, or --headless)")
    demo.add_argument("--config", default=DEFAULT_CONFIG)
    demo.add_argument("--headless", action="store_true", help="no window: render screens to PNG files")
    demo.add_argument("--scenario", help="scripted visit to run headless (see --list-scenarios)")
    demo.add_argument("--all", action="store_true", help="with --headless: run every scenario")
    demo.add_argument("--list-scenarios", action="store_true")
    demo.add_argument("--out", default="out/demo", help="where screens, ticket and result.json go")
    demo.add_argument("--card", help="with --headless: tap this card profile wherever the scenario places a card")
    demo.add_argument("--lang", help="language of the headless run (default: the scenario's)")
    demo.add_argument("--size", help="screen size WxH (default: the config's [screen])")
    demo.add_argument(
        "--diagonal-mm",
        type=diagonal_mm,
        help="with --size: the screen's diagonal in mm (default: the config's density)",
    )
    demo.add_argument("--data-dir", help="ticket database folder (default: a temporary one)")
    demo.add_argument("--store", help="issue into this shared queue database, postgresql://… (default: a SQLite file)")
    demo.add_argument(
        "--printer", help="print to this printer, e.g. tcp://HOST:9100 (default: an emulator in this process)"
    )
    demo.add_argument(
        "--contact-sheet", metavar="OUT.png", help="one PNG of every screen (with --lang and --size), then exit"
    )
    demo.add_argument("--at", help="start the window's clock at this local time, e.g. 2026-11-26T09:15")
    demo.add_argument(
        "--reader",
        choices=("sim", "pcsc"),
        default="sim",
        help="sim: the simulated reader; pcsc: read the card through pcscd, vpcd and the card emulator",
    )
    demo.set_defaults(func=_demo)

    for register in (
        run_commands.register,
        card_commands.register,
        printer_commands.register,
        call_commands.register,
        staff_commands.register,
        lobby_commands.register,
        board_commands.register,
        db_commands.register,
    ):
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        result: int = args.func(args)
    except UsageError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    return result
