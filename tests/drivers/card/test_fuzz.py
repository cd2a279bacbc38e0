"""Malformed answers never crash the driver and never turn into a confident verdict.

Hypothesis breaks one or two answers of a full read (truncated, padded with junk, an odd status
word, a broken DER length header, a huge one) and checks every fact: it is what the clean read
found, or "not known". The only other outcome is "no answer" (TransportError), which the reader
turns into "place the card again" or "unreadable", never into a verdict about the card.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.card.emulator.card import EmulatedCard
from drivers.card.pcsc import read_connection
from drivers.card.precheck import TransportError
from drivers.card.profiles import profile
from drivers.card.settings import ReaderConfig
from kiosk.domain.model import CardFacts, CardKind, FreeArea
from tests.drivers.card.fake_pyscard import EmulatedConnection

TODAY = date(2026, 11, 26)
PROFILES = ("valid", "short-apdu-only", "licence-present", "legacy-licence", "face-auth", "card-expiring")
ODD_SW = [0x6F00, 0x6400, 0x6581, 0x6E00, 0x6D00, 0x6700, 0x6C10, 0x6110, 0x9100, 0x6282, 0x6999, 0x9FFF]


@st.composite
def mutations(draw: st.DrawFn) -> dict[int, tuple[str, int, bytes]]:
    count = draw(st.integers(1, 2))
    return {
        draw(st.integers(0, 30)): (
            draw(st.sampled_from(["truncate", "junk", "odd_sw", "der_header", "huge_header"])),
            draw(st.integers(0, 0xFFFF)),
            draw(st.binary(min_size=1, max_size=6)),
        )
        for _ in range(count)
    }


def mutate(reply: bytes, how: str, number: int, junk: bytes) -> bytes:
    if how == "truncate":
        return reply[: number % max(1, len(reply))]
    if how == "junk":
        return reply + junk
    if how == "odd_sw":
        return reply[:-2] + ODD_SW[number % len(ODD_SW)].to_bytes(2, "big")
    if how == "der_header" and len(reply) > 4 and not reply[:-2].isdigit():
        # A plain ASCII date has no header: changing its digits makes another well-formed date, which no
        # reader can tell from the truth (the contactless link's CRC is what guards against that).
        return reply[:2] + number.to_bytes(2, "big") + reply[4:]
    if how == "huge_header" and len(reply) > 4:
        return reply[:1] + b"\x84\xff\xff\xff\xff" + reply[2:]
    return reply


def consistent(clean: CardFacts, broken: CardFacts) -> list[str]:
    wrong = []
    if broken.kind not in (clean.kind, CardKind.UNREADABLE):
        wrong.append(f"kind {broken.kind}")
    if broken.kind is not clean.kind:
        return wrong
    for field in ("card_expiry", "auth_cert_not_after", "auth_cert_chain_ok", "signature_cert_present",
                  "licence_data_present", "legacy_licence_expiry"):  # fmt: skip
        value = getattr(broken, field)
        if value is not None and value != getattr(clean, field):
            wrong.append(f"{field} {value}")
    for field in ("user_auth", "signature", "input_support"):
        value = getattr(broken.pin_tries, field)
        if value is not None and value != getattr(clean.pin_tries, field):
            wrong.append(f"pin_tries.{field} {value}")
    if broken.free_area not in (clean.free_area, FreeArea.UNKNOWN):
        wrong.append(f"free_area {broken.free_area}")
    return wrong


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(PROFILES), changes=mutations())
def test_broken_answers_give_the_truth_or_not_known_never_a_wrong_fact(
    name: str, changes: dict[int, tuple[str, int, bytes]]
) -> None:
    clean = read_connection(EmulatedConnection(EmulatedCard(profile(name), TODAY)), ReaderConfig()).facts

    def broken_reply(index: int, reply: bytes) -> bytes:
        if index not in changes:
            return reply
        how, number, junk = changes[index]
        return mutate(reply, how, number, junk)

    connection = EmulatedConnection(EmulatedCard(profile(name), TODAY), mutate=broken_reply)
    try:
        broken = read_connection(connection, ReaderConfig()).facts
    except TransportError:
        return  # no answer: never a verdict
    assert consistent(clean, broken) == []
