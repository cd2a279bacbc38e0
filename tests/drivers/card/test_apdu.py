"""The APDU codec on byte vectors: commands as the card sees them, responses, DER and TLV lengths, dates."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.card.apdu import (
    Command,
    MalformedData,
    der_length,
    der_total_length,
    get_data,
    parse_ascii_date,
    parse_bcd_date,
    parse_command,
    parse_response,
    parse_tlv,
    read_binary,
    read_record,
    select_aid,
    select_ef,
    select_mf,
    tries_left,
    verify_query,
)

VECTORS = [
    (select_aid(bytes.fromhex("D392F000260100000001")), "00A4040C0AD392F000260100000001"),
    (select_ef(bytes.fromhex("000A")), "00A4020C02000A"),
    (select_mf(), "00A40000"),
    (read_binary(0, 32), "00B0000020"),
    (read_binary(0, 256), "00B0000000"),
    (read_binary(0x0123, 256), "00B0012300"),
    (read_binary(0, 65536, extended=True), "00B00000000000"),
    (read_binary(256, 1000, extended=True), "00B001000003E8"),
    (read_record(1), "00B2010400"),
    (verify_query(0x98), "00200098"),
    (get_data(0x00, 0x00, 0xF2), "00CA00F200"),
    (get_data(0x80, 0xFF, 0x21), "80CAFF2100"),
    (Command(0x00, 0x20, 0x00, 0x80, data=b"1234"), "002000800431323334"),
    (Command(0x00, 0xA4, 0x04, 0x00, data=b"\x01\x02", le=256), "00A4040002010200"),
    (Command(0x00, 0xD6, 0x00, 0x00, data=b"\xaa" * 300, extended=True), "00D6000000012C" + "AA" * 300),
    (Command(0x00, 0xB0, 0x00, 0x00, data=b"\x01", le=65536, extended=True), "00B00000000001010000"),
]


@pytest.mark.parametrize(("command", "encoded"), VECTORS, ids=[v[1][:16] for v in VECTORS])
def test_commands_encode_to_the_bytes_of_iso_7816_and_parse_back(command: Command, encoded: str) -> None:
    raw = bytes.fromhex(encoded)

    assert command.encode() == raw
    assert parse_command(raw) == command


@pytest.mark.parametrize("raw", ["00A4", "00A4040C05D392", "00B00000000102030405", "00A4040C0000"])
def test_malformed_commands_are_refused(raw: str) -> None:
    with pytest.raises(MalformedData):
        parse_command(bytes.fromhex(raw))


def test_le_out_of_range_cannot_be_encoded() -> None:
    with pytest.raises(MalformedData):
        read_binary(0, 257).encode()
    with pytest.raises(MalformedData):
        read_binary(0x8000, 1)  # P1 bit 8 would mean SFI addressing


def test_response_splits_data_and_status_word() -> None:
    response = parse_response(bytes.fromhex("3230333111249000"))

    assert response.data == b"2031\x11\x24" and response.sw == 0x9000 and response.ok


@pytest.mark.parametrize("raw", ["", "90", "1234", "0000", "6000"])
def test_a_response_without_a_status_word_is_malformed(raw: str) -> None:
    with pytest.raises(MalformedData):
        parse_response(bytes.fromhex(raw))


@pytest.mark.parametrize(
    ("sw", "limit", "expected"),
    [(0x63C3, 3, 3), (0x63C1, 3, 1), (0x63C0, 5, 0), (0x6984, 5, 0), (0x6983, 3, 0), (0x63C7, 3, None),
     (0x6300, 3, None), (0x9000, 3, None), (0x6A88, 3, None)],
)  # fmt: skip
def test_tries_left_from_verify_without_data(sw: int, limit: int, expected: int | None) -> None:
    assert tries_left(sw, limit) == expected


def test_der_lengths_short_and_long_form() -> None:
    assert der_length(bytes.fromhex("3003020100")) == (2, 3)
    assert der_length(bytes.fromhex("308181")) == (3, 0x81)
    assert der_length(bytes.fromhex("308205A0")) == (4, 0x5A0)
    assert der_total_length(bytes.fromhex("308205A0")) == 0x5A4


@pytest.mark.parametrize("raw", ["30", "3080", "3085FFFFFFFFFF", "3082", "30820010", "308100", "0482"])
def test_broken_der_headers_are_refused(raw: str) -> None:
    with pytest.raises(MalformedData):
        der_total_length(bytes.fromhex(raw))


def test_tlv_with_a_two_byte_tag_as_gp_card_resources() -> None:
    outer = parse_tlv(bytes.fromhex("FF210E81020005820400009C4083020400"))
    inner = parse_tlv(outer[0xFF21])

    assert inner == {0x81: b"\x00\x05", 0x82: bytes.fromhex("00009C40"), 0x83: b"\x04\x00"}


@pytest.mark.parametrize("raw", ["FF2181", "FF21", "FF2105", "8284FFFFFFFF00", "820400"])
def test_truncated_tlv_is_refused(raw: str) -> None:
    with pytest.raises(MalformedData):
        parse_tlv(bytes.fromhex(raw))


def test_dates_in_ascii_and_bcd() -> None:
    assert parse_ascii_date(b"20351231") == date(2035, 12, 31)
    assert parse_bcd_date(bytes.fromhex("20290228")) == date(2029, 2, 28)


@pytest.mark.parametrize("raw", [b"2035123", b"2035-1-1", b"20351301", b"20350230", b"18991231"])
def test_impossible_ascii_dates_are_refused(raw: bytes) -> None:
    with pytest.raises(MalformedData):
        parse_ascii_date(raw)


@pytest.mark.parametrize("raw", ["202902", "2029AA28", "20291328", "00000000", "2029022800"])
def test_impossible_bcd_dates_are_refused(raw: str) -> None:
    with pytest.raises(MalformedData):
        parse_bcd_date(bytes.fromhex(raw))
