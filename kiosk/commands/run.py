"""`kiosk run`: the lobby appliance's own command (what the systemd unit starts).

Here the two halves meet: the shell's wiring (kiosk/shell/app.py: devices, ticket store, runtime;
no pygame) and the touch screens (kiosk/ui/app.py: pygame; it never imports the shell).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.site.model import SiteConfig

if TYPE_CHECKING:  # kiosk.cli imports this module: pygame loads only when the kiosk runs
    from kiosk.ui.loop import KioskLoop


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="run the kiosk: fullscreen on the console, a window on a desktop")
    run.add_argument("--config", default="config", help="a TOML file or a folder holding site.toml")
    run.add_argument("--store", help="the shared queue database postgresql://… (default: storage.url)")
    run.set_defaults(func=_run)


def run_appliance(
    config: SiteConfig,
    *,
    until: Callable[[KioskLoop], bool] | None = None,
    shown: Callable[[], None] | None = None,
) -> int:
    """The kiosk on this machine's screen with the devices the config names, until it is stopped
    (or `until`, asked after each turn of the loop, says so; `shown` is told of the first frame).
    The screen comes up first; the devices and the store open behind the welcome screen."""
    from kiosk.shell.app import open_kiosk, site_clock
    from kiosk.ui.app import run_kiosk

    clock = site_clock(config)
    return run_kiosk(config, clock, lambda: open_kiosk(config, clock), until=until, shown=shown)


def _run(args: argparse.Namespace) -> int:
    from kiosk.queue.stores import with_store
    from kiosk.site.load import load_site_config

    return run_appliance(with_store(load_site_config(args.config), args.store))
