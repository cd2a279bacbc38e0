"""The allowlist inside the driver: what card-facts.md forbids can never leave it."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.card import layout as L
from drivers.card.allowlist import Allowlist
from drivers.card.apdu import Command, Response, parse_command, read_binary, select_aid, select_ef, verify_query
from drivers.card.emulator.card import EmulatedCard
from drivers.card.pcsc import PyscardTransport
from drivers.card.precheck import ReadingSession
from drivers.card.profiles import profile
from kiosk.errors import ForbiddenCommand
from tests.drivers.card.fake_pyscard import EmulatedConnection

OK = Response(b"", 0x9000)


def at(*path: Command) -> Allowlist:
    """An allowlist after these commands were sent and answered 90 00."""
    allowlist = Allowlist()
    for cmd in path:
        allowlist.check(cmd.encode())
        allowlist.answered(cmd, OK)
    return allowlist


IN_JPKI = (select_aid(L.AID_JPKI),)
IN_INPUT = (select_aid(L.AID_INPUT_SUPPORT),)

FORBIDDEN = [
    ("VERIFY with a PIN, by SFI", IN_JPKI, Command(0x00, 0x20, 0x00, 0x98, data=b"1234")),
    ("VERIFY with a PIN, current EF", (*IN_JPKI, select_ef(L.EF_AUTH_PIN)), Command(0, 0x20, 0, 0x80, data=b"1")),
    ("VERIFY of a PIN the kiosk has no business with", IN_JPKI, verify_query(0x91)),
    ("select the signature certificate", IN_JPKI, select_ef(L.EF_SIGN_CERT)),
    ("select the My Number file", IN_INPUT, select_ef(L.EF_MY_NUMBER)),
    ("select name and address", IN_INPUT, select_ef(L.EF_NAME_ADDRESS)),
    ("read in input support without a file", IN_INPUT, read_binary(0, 256)),
    ("read by SFI (the My Number is SFI 01)", IN_INPUT, Command(0x00, 0xB0, 0x81, 0x00, le=256)),
    ("select the card-face application", (), select_aid(L.AID_CARD_FACE)),
    ("select the 住基 application", (), select_aid(L.AID_JUKI)),
    ("select licence DF1", (), select_aid(L.AID_LICENCE_DF1)),
    ("select by a partial AID", (), select_aid(L.AID_JPKI[:5])),
    ("read at card level", (), read_binary(0, 256)),
    ("read a PIN file", (*IN_JPKI, select_ef(L.EF_AUTH_PIN)), read_binary(0, 4)),
    ("GET DATA of the municipality code", (), Command(0x00, 0xCA, 0x00, 0xF0, le=256)),
    ("GET DATA inside JPKI", IN_JPKI, Command(0x00, 0xCA, 0x00, 0xF2, le=256)),
    ("anything in the licence application", (select_aid(L.AID_LICENCE),), select_ef(bytes.fromhex("0001"))),
    ("UPDATE BINARY", (*IN_JPKI, select_ef(L.EF_TOKEN_INFO)), Command(0x00, 0xD6, 0, 0, data=b"x")),
    ("CHANGE REFERENCE DATA", IN_JPKI, Command(0x00, 0x24, 0x01, 0x98, data=b"12341234")),
    ("proprietary class", (), Command(0x80, 0xA4, 0x04, 0x0C, data=L.AID_JPKI)),
    ("SELECT returning FCI", (), Command(0x00, 0xA4, 0x04, 0x00, data=L.AID_JPKI, le=256)),
]


@pytest.mark.parametrize(("why", "path", "command"), FORBIDDEN, ids=[f[0] for f in FORBIDDEN])
def test_r9_r12_forbidden_command_is_refused(why: str, path: tuple[Command, ...], command: Command) -> None:
    with pytest.raises(ForbiddenCommand):
        at(*path).check(command.encode())


def test_a_failed_select_leaves_nothing_readable() -> None:
    allowlist = at(select_aid(L.AID_JPKI))
    cmd = select_ef(L.EF_AUTH_CERT)
    allowlist.check(cmd.encode())
    allowlist.answered(cmd, Response(b"", 0x6A82))

    with pytest.raises(ForbiddenCommand):
        allowlist.check(read_binary(0, 256).encode())


def test_the_message_of_a_refusal_never_carries_the_data_bytes() -> None:
    with pytest.raises(ForbiddenCommand) as info:
        at(*IN_JPKI).check(Command(0x00, 0x20, 0x00, 0x98, data=b"9876").encode())

    assert "9876" not in str(info.value) and "39383736" not in str(info.value)


def test_a_forbidden_command_raises_before_it_reaches_the_reader() -> None:
    connection = EmulatedConnection(EmulatedCard(profile("valid"), date(2026, 11, 26)))
    session = ReadingSession(PyscardTransport(connection), anchors=(), free_area_needed=4096)
    session.send(select_aid(L.AID_JPKI))

    with pytest.raises(ForbiddenCommand):
        session.send(Command(0x00, 0x20, 0x00, 0x9B, data=b"ABC123"))  # would consume a signature-password try
    with pytest.raises(ForbiddenCommand):
        session.send(select_ef(L.EF_SIGN_CERT))

    assert [r.apdu for r in connection.received] == [select_aid(L.AID_JPKI).encode()]
    assert connection.card.apps[0].pins[L.EF_SIGN_PIN].tries == 5


def test_every_command_of_a_full_read_is_one_card_facts_allows() -> None:
    allowlist = Allowlist()
    sequence = [
        Command(0x00, 0xCA, 0x00, 0xF2, le=256),
        Command(0x80, 0xCA, 0xFF, 0x21, le=256),
        select_aid(L.AID_JPKI),
        select_ef(L.EF_TOKEN_INFO),
        read_binary(0, 32),
        select_ef(L.EF_AUTH_CERT),
        read_binary(0, 65536, extended=True),
        verify_query(L.P2_AUTH_PIN),
        verify_query(L.P2_SIGN_PIN),
        select_aid(L.AID_INPUT_SUPPORT),
        verify_query(L.P2_INPUT_PIN),
        select_ef(L.EF_INPUT_PIN),
        verify_query(L.P2_CURRENT_EF),
        select_aid(L.AID_COMMON),
        select_ef(L.EF_COMMON_DATA),
        Command(0x00, 0xB2, 0x01, 0x04, le=256),
        select_aid(L.AID_LICENCE),
    ]
    for cmd in sequence:
        assert allowlist.check(cmd.encode()) == parse_command(cmd.encode())
        allowlist.answered(cmd, OK)
