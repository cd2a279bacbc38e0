"""The board protocol's bytes (lobby-facts.md §4): golden frames, the BCC, and both readers."""

from __future__ import annotations

import pytest

from drivers.board.frames import (
    Answer,
    AnswerReader,
    Command,
    Frame,
    FrameReader,
    Malformed,
    Reply,
    bcc,
    check,
    encode,
    encode_answer,
    flash,
    show,
)


def test_show_frame_is_stx_address_command_data_etx_and_xor_of_address_through_etx():
    raw = encode(show("01", 1, "S-012"))
    body = b"01S1:S-012\x03"
    expected_bcc = 0
    for byte in body:
        expected_bcc ^= byte
    assert raw == b"\x02" + body + bytes((expected_bcc,))
    assert raw.hex(" ") == "02 30 31 53 31 3a 53 2d 30 31 32 03 17"  # golden, XORed by hand


@pytest.mark.parametrize(
    ("frame", "golden"),
    [
        (flash("0A", 2, 5), "02 30 41 46 32 3a 35 03 09"),
        (Frame("FE", Command.CLEAR), "02 46 45 43 03 43"),
        (Frame("01", Command.PING), "02 30 31 50 03 52"),
        (Frame("01", Command.CHIME), "02 30 31 54 03 56"),
        (show("01", 9, ""), "02 30 31 53 39 3a 03 52"),
    ],
)
def test_golden_frames(frame, golden):
    assert encode(frame).hex(" ") == golden
    assert bcc(encode(frame)[1:-1]) == encode(frame)[-1]


@pytest.mark.parametrize(
    "frame",
    [
        show("01", 1, "S-0123456"),  # 9 characters
        show("01", 1, "番号"),
        Frame("01", Command.SHOW, "0:X"),
        Frame("01", Command.FLASH, "1:x"),
        Frame("01", Command.PING, "x"),
        Frame("00", Command.PING),
        Frame("1", Command.PING),
        Frame("0a", Command.PING),
    ],
)
def test_a_frame_no_board_would_take_is_refused_before_it_is_sent(frame):
    with pytest.raises(ValueError):
        encode(frame)


def test_frame_reader_finds_frames_among_noise_and_split_reads():
    raw = encode(show("01", 1, "S-012")) + encode(Frame("01", Command.PING))
    reader = FrameReader()
    found = []
    for part in (b"\xff\x00noise" + raw[:5], raw[5:14], raw[14:]):
        found += reader.feed(part)
    assert found == [show("01", 1, "S-012"), Frame("01", Command.PING)]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (encode(show("01", 1, "S-012"))[:-1] + b"\x00", "BCC"),
        (b"\x0201X\x03" + bytes((bcc(b"01X\x03"),)), "unknown command"),
        (b"\x0201S1:TOOLONGTEXT\x03" + bytes((bcc(b"01S1:TOOLONGTEXT\x03"),)), "longer than"),
        (b"\x0201S1:\x07\x03" + bytes((bcc(b"01S1:\x07\x03"),)), "outside"),
    ],
)
def test_malformed_frames_keep_their_address_so_the_board_can_nak(raw, reason):
    result = check(raw)
    assert isinstance(result, Malformed)
    assert reason in result.reason
    assert result.address == "01"


def test_a_frame_cut_by_a_new_stx_is_reported_and_the_next_one_read():
    good = encode(Frame("01", Command.PING))
    found = FrameReader().feed(b"\x0201S1:S-0" + good)
    assert isinstance(found[0], Malformed)
    assert found[1] == Frame("01", Command.PING)


def test_answer_reader_takes_only_answers_with_an_address_and_skips_garble():
    reader = AnswerReader()
    garbled = bytes(b ^ 0x80 for b in encode_answer(Answer.ACK, "01"))
    assert reader.feed(garbled + b"\x06" + b"0") == []
    assert reader.feed(b"1" + encode_answer(Answer.ENQ, "02")) == [Reply(Answer.ACK, "01"), Reply(Answer.ENQ, "02")]
    assert reader.feed(encode_answer(Answer.NAK, "FE")) == [Reply(Answer.NAK, "FE")]
