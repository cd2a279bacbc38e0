"""`kiosk call`: a counter's buttons on the command line (registered by `kiosk.cli`).

  kiosk call next|recall|start|done|no-show --counter c13
  kiosk call open|close --counter c13
  kiosk call transfer M-012 --to renewal
  kiosk call cancel M-012
  kiosk call state [--json]

Each prints the ticket's label on standard output (notes such as "no paper ticket" go to standard
error) and exits 0; `next` exits 3 when nobody waits for the counter; an unknown counter, ticket or
group exits 2, a refused action (counter closed, not recalled enough, nothing called) exits 1.
`--at 2026-11-26T09:15` fixes the clock (site time unless an offset is given), for tests and demos.
A thin shell: the rules are kiosk.domain.lifecycle's, the store the config names (kiosk.queue.stores).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kiosk.errors import UsageError

if TYPE_CHECKING:
    from kiosk.queue.lifecycle import CallingStore, CallOutcome

DEFAULT_CONFIG = "config"
NOBODY_WAITS = 3  # exit status of `next` when no group of the counter has anyone waiting

_COUNTER_ACTIONS = {
    "next": "call the next ticket to the counter (finishing the one there)",
    "recall": "call the counter's ticket again",
    "start": "the visitor arrived: serving starts",
    "done": "the counter's visitor is served",
    "no-show": "the called visitor did not come (after enough recalls)",
    "open": "open the counter for today",
    "close": "close the counter for today (no more calls to it)",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `kiosk call` and its actions to the `kiosk` parser."""
    call = sub.add_parser("call", help="call numbers at a counter (staff): next, recall, start, done, no-show, ...")
    actions = call.add_subparsers(dest="action", required=True)
    for name, help_text in _COUNTER_ACTIONS.items():
        action = actions.add_parser(name, help=help_text)
        action.add_argument("--counter", required=True, help="counter id as in the config, e.g. c13")
        _common(action)
    transfer = actions.add_parser("transfer", help="send a ticket to another group, keeping its number")
    transfer.add_argument("ticket", help="the label of today's ticket, e.g. M-012")
    transfer.add_argument("--to", required=True, dest="to_group", help="the group id, e.g. renewal")
    _common(transfer)
    cancel = actions.add_parser("cancel", help="cancel a ticket (staff)")
    cancel.add_argument("ticket", help="the label of today's ticket, e.g. M-012")
    _common(cancel)
    state = actions.add_parser("state", help="what the lobby screens show: counters, calls, waiting lines")
    state.add_argument("--json", action="store_true", help="the lobby state as JSON (as /api/state)")
    _common(state)
    call.set_defaults(func=_call)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    parser.add_argument("--data-dir", help="ticket database folder (default: the config's storage.data_dir)")
    parser.add_argument("--store", help="the shared queue database postgresql://… (default: storage.url)")
    parser.add_argument("--at", help="the time of the action, e.g. 2026-11-26T09:15 (default: now)")


def _call(args: argparse.Namespace) -> int:
    from kiosk.queue.lifecycle import CallRefused, UnknownCounter, UnknownGroup, UnknownTicket
    from kiosk.queue.stores import open_calling, with_store
    from kiosk.site.load import load_site_config

    config = with_store(load_site_config(args.config), args.store)
    now = _moment(args.at, config.site.timezone)
    data_dir = Path(args.data_dir or config.storage.data_dir)
    # The kiosk creates the SQLite file; never start an empty store from a typo.
    store = open_calling(config, data_dir, must_exist=True)
    try:
        return _act(store, args, now)
    except (UnknownCounter, UnknownTicket, UnknownGroup) as exc:
        raise UsageError(str(exc)) from None
    except CallRefused as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def _act(store: CallingStore, args: argparse.Namespace, now: datetime) -> int:
    match args.action:
        case "next":
            outcome = store.call_next(args.counter, now)
            if outcome is None:
                print(f"nobody waits for counter {args.counter}", file=sys.stderr)
                return NOBODY_WAITS
            return _report(outcome)
        case "recall":
            return _report(store.recall(args.counter, now))
        case "start":
            return _report(store.start(args.counter, now))
        case "done":
            return _report(store.done(args.counter, now))
        case "no-show":
            return _report(store.no_show(args.counter, now))
        case "open" | "close":
            changed = store.set_counter_open(args.counter, args.action == "open", now)
            word = "opened" if args.action == "open" else "closed"
            print(f"counter {args.counter} {word}" if changed else f"counter {args.counter} was already {word}")
            return 0
        case "transfer":
            return _report(store.transfer(args.ticket, args.to_group, now))
        case "cancel":
            return _report(store.cancel(args.ticket, now))
        case "state":
            state = store.lobby_state(now)
            if args.json:
                print(json.dumps(state.as_json(), ensure_ascii=False, indent=2))
                return 0
            for counter in state.counters:
                calling = f"{counter.calling} ({counter.ticket_state})" if counter.calling else "-"
                print(f"{counter.id:6} {'open' if counter.open else 'closed':7} {calling}")
            for group, line in state.waiting_list.items():
                print(f"{group}: {len(line)} waiting {' '.join(w.label for w in line)}".rstrip())
            return 0
    raise AssertionError(f"unhandled action {args.action!r}")  # argparse allows only the ones above


def _report(outcome: CallOutcome) -> int:
    print(outcome.label)
    notes = []
    if outcome.repeated:
        notes.append("the same call as a moment ago (pressed twice)")
    if outcome.no_paper:
        notes.append("no paper ticket: its print failed")
    if outcome.recalls:
        notes.append(f"recalled {outcome.recalls} time(s)")
    where = f" at {outcome.counter}" if outcome.counter else f" in {outcome.group}"
    if outcome.state.ended:
        where = ""
    print(f"{outcome.label}: {outcome.state.value}{where}" + "".join(f"; {n}" for n in notes), file=sys.stderr)
    return 0


def _moment(value: str | None, timezone: str) -> datetime:
    zone = ZoneInfo(timezone)
    if value is None:
        return datetime.now(zone)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--at {value!r}: expected an ISO date and time, e.g. 2026-11-26T09:15") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
