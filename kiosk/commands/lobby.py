"""`kiosk lobby`: the lobby service (lobby screens for TVs, counter consoles, /api/state, /events)."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lobby = sub.add_parser("lobby", help="serve the lobby screen, the counter consoles and the lobby API")
    lobby.add_argument("--config", default="config", help="a TOML file or a folder holding site.toml")
    lobby.add_argument("--data-dir", help="ticket database and staff accounts (default: the config's storage.data_dir)")
    lobby.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every interface, for the LAN)")
    lobby.add_argument("--port", type=int, default=8080)
    lobby.add_argument("--at", help="start the clock at this local time, e.g. 2026-11-26T09:15 (demos, tests)")
    lobby.add_argument("--store", help="the shared queue database postgresql://… (default: storage.url)")
    lobby.set_defaults(func=_lobby)


def _lobby(args: argparse.Namespace) -> int:
    from kiosk.lobby.server import serve
    from kiosk.queue.stores import with_store
    from kiosk.site.load import load_site_config

    config = with_store(load_site_config(args.config), args.store)
    data_dir = Path(args.data_dir) if args.data_dir else Path(config.storage.data_dir)
    return serve(config, data_dir, args.host, args.port, parse_at(args.at, config.site.timezone))


def parse_at(value: str | None, timezone: str) -> datetime | None:
    """`--at 2026-11-26T09:15` in the site's zone (an offset in the value wins)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--at {value!r}: expected an ISO date and time, e.g. 2026-11-26T09:15") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))
