"""`kiosk run`: the lobby appliance's own command (what the systemd unit starts)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="run the kiosk: fullscreen on the console, a window on a desktop")
    run.add_argument("--config", default="config", help="a TOML file or a folder holding site.toml")
    run.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from kiosk.site.load import load_site_config
    from kiosk.ui.app import run_kiosk

    return run_kiosk(load_site_config(args.config))
