"""`kiosk` subcommands for the card (registered by `kiosk.cli`).

  kiosk card-sim --list-profiles              the emulated cards
  kiosk card-sim --profile NAME [--port N]    put one in the field of the vpcd reader on port N
  kiosk card-probe [--json]                   run the pre-check read on the card on the configured reader

Only argparse at import time: handlers import device libraries lazily, so `kiosk check-config`
never pays for them.
"""

from __future__ import annotations

import argparse
import json
import signal
import time
from dataclasses import replace
from typing import Any

from kiosk.errors import NoCard, ReaderUnavailable, UsageError

DEFAULT_CONFIG = "config"
LINK_TIMEOUT_S = 3.0  # vpcd takes a card's link at once; a few tries cover a pcscd still starting


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to the `kiosk` parser."""
    sim = sub.add_parser(
        "card-sim",
        help="emulate a My Number card (or another card) in a vpcd reader of the running pcscd",
        description="The card connects to vpcd (Debian vsmartcard-vpcd inside pcscd), so every PC/SC "
        "client on this machine sees it. Runs until Ctrl-C; prints the commands the card receives.",
    )
    sim.add_argument("--list-profiles", action="store_true", help="list the card profiles and exit")
    sim.add_argument("--profile", help="the card to emulate (see --list-profiles)")
    sim.add_argument("--port", type=int, default=35963, help="vpcd's port (default 35963, slot 0)")
    sim.add_argument("--host", default="127.0.0.1", help="where vpcd listens (default 127.0.0.1)")
    sim.set_defaults(func=_card_sim)

    probe = sub.add_parser(
        "card-probe",
        help="read the card on the configured reader without any PIN and print what the pre-check found",
    )
    probe.add_argument("--config", default=DEFAULT_CONFIG)
    probe.add_argument("--reader", help="a substring of the reader's name (default: the config's [reader])")
    probe.add_argument("--wait", type=float, default=10.0, help="seconds to wait for a card (default 10)")
    probe.add_argument("--json", action="store_true", help="one JSON object on stdout")
    probe.set_defaults(func=_card_probe)


def _card_sim(args: argparse.Namespace) -> int:
    from drivers.card.emulator.card import TRAITS, Traits
    from drivers.card.profiles import PROFILES, profile

    if args.list_profiles:
        for item in PROFILES.values():
            traits = TRAITS.get(item.name, Traits())
            notes = [] if traits.extended_length else ["short APDUs only"]
            notes += [f"chip {traits.fault.value}"] if traits.fault else []
            notes += [] if traits.get_data_expiry else ["no GET DATA expiry"]
            extra = f" [{', '.join(notes)}]" if notes else ""
            print(f"{item.name:20} {item.description}{extra}")
        return 0
    if not args.profile:
        raise UsageError("card-sim needs --profile NAME or --list-profiles")
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: must be 1..65535")
    name = profile(args.profile).name
    from drivers.card.emulator.vpcd import VirtualCard

    # Ctrl-C takes the card away even when started by a parent that ignores SIGINT (the child inherits
    # that disposition, and Python then installs no KeyboardInterrupt handler of its own).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    card = VirtualCard(args.port, host=args.host)
    card.place(name)
    if not card.wait_linked(LINK_TIMEOUT_S):
        # Else it would wait for ever, looking to the user as if the card were in a reader.
        why = card.last_link_error or "no answer"
        card.close()
        raise ReaderUnavailable(
            f"nothing listens on {args.host}:{args.port} ({why}): is pcscd running with the vpcd reader"
            " (Debian package vsmartcard-vpcd) on that port?"
        )
    print(f"card {name!r} in the field of vpcd {args.host}:{args.port}; Ctrl-C to take it away", flush=True)
    shown = 0

    def show_received() -> None:
        nonlocal shown
        for received in card.received[shown:]:
            # Header and length only: a command's data could be anything a client sent.
            print(f"{received.application}/{received.ef or '-'}: {received.apdu[:4].hex(' ').upper()} "
                  f"({len(received.apdu)} bytes)", flush=True)  # fmt: skip
            shown += 1

    try:
        while True:
            time.sleep(0.2)
            show_received()
    except KeyboardInterrupt:
        show_received()
    finally:
        card.close()
    return 0


def _card_probe(args: argparse.Namespace) -> int:
    from drivers.card.pcsc import PcscCardReader, wait_for
    from drivers.interfaces import CardPresence
    from kiosk.site.load import load_site_config

    if args.wait <= 0:
        raise UsageError(f"--wait {args.wait:g}: must be more than 0 seconds")
    config = load_site_config(args.config)
    settings = config.reader if args.reader is None else replace(config.reader, name_match=args.reader)
    reader = PcscCardReader(settings)
    try:
        if not wait_for(reader, CardPresence.PRESENT, timeout_s=args.wait):
            health = reader.health()
            if health.state.value == "down":
                raise ReaderUnavailable(health.detail)
            raise NoCard(f"no card on the reader within {args.wait:g} s")
        reading = reader.read()
    finally:
        reader.close()
    report = probe_report(reading, reader.reader_name)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for key, value in report.items():
            print(f"{key:24} {value}")
    return 0


def probe_report(reading: Any, reader: str | None) -> dict[str, Any]:
    """What maintenance staff see: the pre-check facts, no serials, no personal data."""
    facts = reading.facts

    def day(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "reader": reader,
        "kind": facts.kind.value,
        "card_expiry": day(facts.card_expiry),
        "auth_cert_not_after": day(facts.auth_cert_not_after),
        "auth_cert_issuer": reading.auth_cert_issuer,
        "auth_cert_chain_ok": facts.auth_cert_chain_ok,
        "signature_cert_present": facts.signature_cert_present,
        "pin_tries": {
            "user_auth": facts.pin_tries.user_auth,
            "signature": facts.pin_tries.signature,
            "input_support": facts.pin_tries.input_support,
        },
        "licence_data_present": facts.licence_data_present,
        "free_area": facts.free_area.value,
        "legacy_licence_expiry": day(facts.legacy_licence_expiry),
        "apdus": list(reading.apdus),
    }
