"""The card emulator: a card's status words, and vpcd's framing on a socket standing in for vpcd."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date

import pytest

from drivers.card.emulator.card import EmulatedCard
from drivers.card.emulator.vpcd import VirtualCard
from drivers.card.profiles import profile

TODAY = date(2026, 11, 26)


def card(name: str = "valid") -> EmulatedCard:
    return EmulatedCard(profile(name), TODAY)


def sw(reply: bytes) -> str:
    return reply[-2:].hex().upper()


def test_a_wrong_pin_costs_a_try_as_on_a_real_card() -> None:
    chip = card()
    chip.process(bytes.fromhex("00A4040C0AD392F000260100000001"))

    assert sw(chip.process(bytes.fromhex("0020009B"))) == "63C5"
    assert sw(chip.process(bytes.fromhex("0020009B06") + b"WRONG1")) == "63C4"
    assert sw(chip.process(bytes.fromhex("0020009B"))) == "63C4"


def test_personal_data_files_answer_security_status_not_satisfied() -> None:
    chip = card()
    chip.process(bytes.fromhex("00A4040C0AD3921000310001010408"))  # input support
    chip.process(bytes.fromhex("00A4020C020001"))  # the My Number file

    assert sw(chip.process(bytes.fromhex("00B0000000"))) == "6982"


def test_applications_are_selected_by_aid_prefix_and_missing_ones_are_not_found() -> None:
    chip = card()

    assert sw(chip.process(bytes.fromhex("00A4040C05D392F00026"))) == "9000"
    assert chip.where() == ("jpki", None)
    assert sw(chip.process(bytes.fromhex("00A4040C10A0000002310600000000000000000000"))) == "6A82"  # no licence


def test_extended_length_reads_the_whole_file_or_is_refused_by_a_short_only_card() -> None:
    select = [bytes.fromhex("00A4040C0AD392F000260100000001"), bytes.fromhex("00A4020C02000A")]
    extended, short = card("extended-length"), card("short-apdu-only")
    for chip in (extended, short):
        for apdu in select:
            chip.process(apdu)

    whole = extended.process(bytes.fromhex("00B00000000000"))
    assert sw(whole) == "6282" and whole[:2] == b"\x30\x82"
    assert sw(short.process(bytes.fromhex("00B00000000000"))) == "6700"
    assert len(short.process(bytes.fromhex("00B0000000"))) == 256 + 2


@pytest.fixture
def vpcd() -> Iterator[socket.socket]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)
    yield server
    server.close()


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(2, "big") + payload


def receive(link: socket.socket) -> bytes:
    size = int.from_bytes(link.recv(2, socket.MSG_WAITALL), "big")
    return link.recv(size, socket.MSG_WAITALL)


def test_vpcd_framing_atr_controls_and_apdus(vpcd: socket.socket) -> None:
    virtual = VirtualCard(vpcd.getsockname()[1], today=lambda: TODAY)
    virtual.place("sign-locked")
    link, _ = vpcd.accept()
    link.settimeout(5)
    try:
        link.sendall(frame(b"\x04"))
        assert receive(link) == card("sign-locked").atr
        link.sendall(frame(b"\x01"))  # power on: no reply
        link.sendall(frame(bytes.fromhex("00A4040C0AD392F000260100000001")))
        assert receive(link) == b"\x90\x00"
        link.sendall(frame(bytes.fromhex("0020009B")))
        assert receive(link) == b"\x69\x84"  # signature password locked
        assert [r.application for r in virtual.received] == ["card", "jpki"]
    finally:
        link.close()
        virtual.close()


def test_a_card_pulled_mid_command_closes_the_link_without_an_answer(vpcd: socket.socket) -> None:
    virtual = VirtualCard(vpcd.getsockname()[1], today=lambda: TODAY)
    virtual.place("valid")
    link, _ = vpcd.accept()
    link.settimeout(5)
    try:
        virtual.pull_during_next_read()
        link.sendall(frame(bytes.fromhex("00CA00F200")))
        assert link.recv(2) == b""  # closed, no answer
        assert virtual.card is None
    finally:
        link.close()
        virtual.close()
