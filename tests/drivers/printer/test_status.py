"""DLE EOT replies parsed by our own code: byte vectors from the ESC/POS reference, and no reply is unknown."""

from __future__ import annotations

import pytest

from drivers.interfaces import PaperState, PrinterStatus
from drivers.printer.status import Query, parse_status, query, reply_bytes, valid_reply

FINE = {Query.PRINTER: 0x12, Query.OFFLINE_CAUSE: 0x12, Query.ERROR_CAUSE: 0x12, Query.PAPER: 0x12}


def with_reply(**replies: int | None) -> dict[Query, int | None]:
    got: dict[Query, int | None] = dict(FINE)
    for name, value in replies.items():
        got[Query[name.upper()]] = value
    return got


def test_queries_are_dle_eot_n():
    assert [query(q) for q in Query] == [b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x03", b"\x10\x04\x04"]


def test_a_printer_with_every_bit_clear_is_ready():
    status = parse_status(FINE)
    assert status == PrinterStatus(online=True, paper=PaperState.OK, cover_open=False, error=False)
    assert status.can_print


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        ({"printer": 0x1A}, {"online": False}),  # bit 3: offline
        ({"offline_cause": 0x16}, {"cover_open": True}),  # bit 2: cover open
        ({"offline_cause": 0x32}, {"paper": PaperState.END}),  # bit 5: stopped by paper end
        ({"offline_cause": 0x52}, {"error": True}),  # bit 6: error occurred
        ({"error_cause": 0x16}, {"error": True}),  # bit 2: autocutter error
        ({"error_cause": 0x1A}, {"error": True}),  # bit 3: unrecoverable error
        ({"error_cause": 0x32}, {"error": True}),  # bit 5: auto-recoverable error
        ({"paper": 0x1E}, {"paper": PaperState.NEAR_END}),  # bits 2+3: near end
        ({"paper": 0x72}, {"paper": PaperState.END}),  # bits 5+6: end
        ({"paper": 0x7E}, {"paper": PaperState.END}),  # end wins over near end
    ],
)
def test_each_reply_bit_means_what_the_reference_says(replies, expected):
    status = parse_status(with_reply(**replies))
    fine = {"online": True, "paper": PaperState.OK, "cover_open": False, "error": False}
    assert status == PrinterStatus(**{**fine, **expected})


def test_near_end_still_prints_but_end_cover_offline_and_error_do_not():
    assert parse_status(with_reply(paper=0x1E)).can_print
    for replies in ({"paper": 0x72}, {"offline_cause": 0x16}, {"printer": 0x1A}, {"error_cause": 0x1A}):
        assert not parse_status(with_reply(**replies)).can_print, replies


def test_no_reply_at_all_is_unknown_never_ok():
    status = parse_status(dict.fromkeys(Query))
    assert status == PrinterStatus(online=None, paper=PaperState.UNKNOWN, cover_open=None, error=None)
    assert not status.can_print


@pytest.mark.parametrize("missing", [Query.PRINTER, Query.OFFLINE_CAUSE, Query.PAPER])
def test_a_missing_reply_stops_printing(missing):
    assert not parse_status(with_reply(**{missing.name.lower(): None})).can_print


def test_without_the_error_cause_the_offline_causes_error_bit_decides():
    # DLE EOT 2 bit 6 says whether an error occurred; DLE EOT 3 only says which
    assert parse_status(with_reply(error_cause=None)).error is False
    assert parse_status(with_reply(error_cause=None, offline_cause=0x52)).error is True


@pytest.mark.parametrize("noise", [0x00, 0xFF, 0x10, 0x92, 0x13])
def test_a_byte_without_the_fixed_bits_is_not_a_reply(noise):
    assert not valid_reply(noise)
    assert parse_status(with_reply(paper=noise)).paper is PaperState.UNKNOWN


@pytest.mark.parametrize(
    "status",
    [
        PrinterStatus(True, PaperState.OK, False, False),
        PrinterStatus(True, PaperState.NEAR_END, False, False),
        PrinterStatus(True, PaperState.END, False, False),
        PrinterStatus(False, PaperState.OK, True, False),
        PrinterStatus(True, PaperState.OK, False, True),
    ],
)
def test_the_emulators_replies_parse_back_to_its_state(status):
    replies = reply_bytes(status)
    assert all(valid_reply(b) for b in replies.values())
    assert parse_status(dict(replies)) == status


def test_the_reply_stream_keeps_replies_and_skips_asb_frames_block_data_and_noise():
    from drivers.printer.status import ReplyStream

    stream = ReplyStream()
    # A reply, an ASB frame split across chunks, a block (power-on notice), noise (XON), a reply.
    assert stream.feed(b"\x12\x18\x00") == b"\x12"
    assert stream.feed(b"\x03\x00\x3b\x31\x00\x11\x16") == b"\x16"
    assert stream.noise == 1


def test_lookalikes_are_found_across_chunk_boundaries():
    from drivers.printer.status import realtime_queries

    assert realtime_queries(b"", b"\x00\x10\x04\x04\x10\x04\x05\x10") == [4]
    assert realtime_queries(b"\x00\x10", b"\x04\x02") == [2]
    assert realtime_queries(b"\x10\x04", b"\x01") == [1]
