"""`kiosk staff add|list|remove`: the accounts that may log in to the counter consoles of `kiosk lobby`.

Accounts live in the data dir (`staff.json`, mode 0600), never in site.toml: the config is shared
and versioned, passwords are not. Only a scrypt hash is stored (kiosk/lobby/auth.py).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from kiosk.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = sub.add_parser("staff", help="staff accounts for the counter consoles of `kiosk lobby`")
    actions = staff.add_subparsers(dest="staff_command", required=True)

    add = actions.add_parser("add", help="add an account; asks for its password")
    add.add_argument("name")
    which = add.add_mutually_exclusive_group(required=True)
    which.add_argument("--counters", help="the counters it may use, e.g. c13,c14")
    which.add_argument("--all", action="store_true", help="every counter")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin (scripts)"
    )
    listing = actions.add_parser("list", help="the accounts and their counters (no passwords)")
    remove = actions.add_parser("remove", help="remove an account; its sessions end at once")
    remove.add_argument("name")
    for parser in (add, listing, remove):
        parser.add_argument("--config", default="config", help="a TOML file or a folder holding site.toml")
        parser.add_argument("--data-dir", help="where the accounts are kept (default: the config's storage.data_dir)")
    staff.set_defaults(func=_staff)


def _staff(args: argparse.Namespace) -> int:
    from kiosk.lobby.auth import StaffFile
    from kiosk.site.load import load_site_config

    config = load_site_config(args.config)
    data_dir = Path(args.data_dir) if args.data_dir else Path(config.storage.data_dir)
    accounts = StaffFile(data_dir)
    if args.staff_command == "list":
        for account in accounts.accounts():
            where = "all counters" if account.counters is None else ",".join(sorted(account.counters))
            print(f"{account.name}\t{where}")
        return 0
    if args.staff_command == "remove":
        accounts.remove(args.name)
        print(f"removed {args.name}")
        return 0

    counters: list[str] | None = None
    if not args.all:
        counters = [c.strip() for c in args.counters.split(",") if c.strip()]
        unknown = sorted(set(counters) - set(config.counters))
        if unknown:
            raise UsageError(f"unknown counter(s) {', '.join(unknown)} (the config has {', '.join(config.counters)})")
    password = _read_password(args.password_stdin)
    account = accounts.add(args.name, password, counters)
    where = "every counter" if account.counters is None else ", ".join(sorted(account.counters))
    print(f"added {account.name} ({where}) to {accounts.path}")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise UsageError("the two passwords differ")
    return first
