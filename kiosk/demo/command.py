"""`kiosk demo`: the kiosk with simulated devices, in a window or headless."""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

from drivers.card.profiles import profile
from drivers.card.settings import ReaderBackend
from kiosk.commands.lobby import parse_at
from kiosk.demo.scenarios import SCENARIOS, scenario
from kiosk.errors import UsageError
from kiosk.queue.stores import with_store
from kiosk.site.load import load_site_config

log = logging.getLogger(__name__)


def parse_size(value: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in value.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {value!r}: expected WIDTHxHEIGHT, e.g. 1080x1920") from None
    if not (320 <= width <= 7680 and 320 <= height <= 7680):
        raise UsageError(f"--size {value!r}: each side must be between 320 and 7680 pixels")
    return (width, height)


def writable_folder(folder: Path, option: str) -> None:
    """Make the output folder now, so a bad --out is one clear line before any visit runs."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{option} {folder}: a file is in the way of this folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{option} {folder}: cannot make this folder: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{option} {folder}: this folder is not writable")


def run_demo_command(args: argparse.Namespace) -> int:
    if args.list_scenarios:
        for item in SCENARIOS.values():
            print(f"{item.name:36} {item.description}")
        from kiosk.demo import lobby

        print(f"{lobby.NAME:36} {lobby.DESCRIPTION} (not in --all: needs Chromium)")
        from kiosk.demo import two_kiosks

        print(f"{two_kiosks.NAME:36} {two_kiosks.DESCRIPTION} (not in --all: starts PostgreSQL)")
        from kiosk.demo import staff

        print(f"{staff.NAME:36} {staff.DESCRIPTION} (not in --all: needs Chromium)")
        return 0
    config = with_store(load_site_config(args.config), args.store)
    screen = config.screen if args.size is None else config.screen.resized(parse_size(args.size), args.diagonal_mm)
    if args.lang is not None and args.lang not in config.site.languages:
        raise UsageError(f"--lang {args.lang!r}: this site offers {', '.join(config.site.languages)}")
    if args.contact_sheet:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # drawn off-screen: no window
        from kiosk.demo.contact import contact_sheet

        out = Path(args.contact_sheet)
        writable_folder(out.parent, "--contact-sheet")
        try:
            count = contact_sheet(config, args.lang or config.site.default_language, screen, out)
        except OSError as exc:
            raise UsageError(f"--contact-sheet {out}: cannot write: {exc.strerror or exc}") from None
        print(f"{out}: {count} screens")
        return 0
    if args.headless and args.scenario == "staff-morning":
        from kiosk.demo.staff import run_staff_morning

        out = Path(args.out)
        writable_folder(out, "--out")
        print(json.dumps(run_staff_morning(config, out), ensure_ascii=False))
        return 0
    if args.headless and args.scenario == "lobby-morning":
        from kiosk.demo.lobby import run_lobby_morning

        out = Path(args.out)
        writable_folder(out, "--out")
        summary = run_lobby_morning(config, out)
        print(json.dumps({k: summary[k] for k in ("scenario", "tickets", "calls")}, ensure_ascii=False))
        return 0
    if args.headless and args.scenario == "two-kiosks":
        from kiosk.demo.two_kiosks import run_two_kiosks

        out = Path(args.out)
        writable_folder(out, "--out")
        summary = run_two_kiosks(config, out)
        print(json.dumps({k: summary[k] for k in ("scenario", "tickets", "duplicates")}, ensure_ascii=False))
        return 0
    if args.headless:
        from kiosk.demo.runner import run_scenario

        if args.all:
            names = list(SCENARIOS)
        elif args.scenario:
            names = [scenario(args.scenario).name]
        else:
            raise UsageError("--headless needs --scenario NAME or --all (see --list-scenarios)")
        card = profile(args.card).name if args.card else None
        out = Path(args.out)
        writable_folder(out, "--out")
        data_dir = Path(args.data_dir) if args.data_dir else None
        for name in names:
            target = out / name if args.all else out
            result = run_scenario(
                config,
                SCENARIOS[name],
                target,
                screen=screen,
                lang=args.lang,
                data_dir=data_dir,
                card=card,
                printer_url=args.printer,
                reader=ReaderBackend(args.reader),
            )
            summary = {k: result[k] for k in ("scenario", "ticket", "refusal")}
            print(json.dumps(summary, ensure_ascii=False))
        return 0
    if args.scenario or args.all or args.card:
        raise UsageError("--scenario, --all and --card are for --headless runs")
    from kiosk.demo.window import run_window

    at = parse_at(args.at, config.site.timezone)
    return run_window(
        config,
        screen,
        out_dir=Path(args.out),
        at=at,
        lang=args.lang,
        printer_url=args.printer,
        reader=ReaderBackend(args.reader),
    )
