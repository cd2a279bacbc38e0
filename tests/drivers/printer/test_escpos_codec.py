"""The ESC/POS bytes of a ticket: golden bytes, command by command, and the decoder reading them back.

The golden job lives in `golden/`. After a deliberate change to the layout, the renderer or the
fonts, look at the emulator's PNG of it, then re-bless with:
  KIOSK_BLESS=1 .venv/bin/pytest tests/drivers/printer/test_escpos_codec.py
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from drivers.printer.bands import Feed, Justify, NativeText, Qr, Raster
from drivers.printer.escpos_codec import (
    CUT,
    INIT,
    KANJI_OFF,
    KANJI_ON,
    Cut,
    Decoder,
    StatusQuery,
    UnknownCommand,
    encode_bands,
    feed,
    qr,
    raster,
)
from kiosk.bench.printer import encoded as encode_ticket
from kiosk.bench.printer import standard_ticket
from kiosk.ticket.render import compose, render_ticket, ticket_bands

GOLDEN = Path(__file__).parent / "golden"
BLESS = os.environ.get("KIOSK_BLESS") == "1"


def decode(data: bytes, chunk: int = 0) -> list[Cut]:
    decoder = Decoder()
    events = []
    step = chunk or len(data)
    for start in range(0, len(data), step):
        events += decoder.feed(data[start : start + step])
    return [e for e in events if isinstance(e, Cut)]


@pytest.mark.parametrize(("lang", "kanji"), [("ja", False), ("en", False), ("ja", True)])
def test_standard_ticket_matches_the_golden_bytes(site_config, lang, kanji):
    job = encode_ticket(standard_ticket(site_config, lang), kanji=kanji)
    golden = GOLDEN / f"standard-{lang}-576{'-kanji' if kanji else ''}.bin"
    if BLESS:
        golden.write_bytes(job)
    assert golden.exists(), f"no golden job {golden.name}: look at the emulator's PNG, then run with KIOSK_BLESS=1"
    expected = golden.read_bytes()
    assert len(job) == len(expected), "job length changed: look at the ticket, then re-bless"
    assert job == expected


def test_a_job_starts_initialised_and_ends_with_a_cut(site_config):
    job = encode_ticket(standard_ticket(site_config))
    assert job.startswith(INIT) and job.endswith(CUT)
    kanji = encode_ticket(standard_ticket(site_config), kanji=True)
    assert kanji.startswith(INIT + KANJI_ON) and kanji.endswith(KANJI_OFF + CUT)


def test_white_paper_is_fed_never_sent_as_raster():
    assert feed(40) == b"\x1bJ\x28"
    assert feed(300) == b"\x1bJ\xff\x1bJ\x2d"  # ESC J takes at most 255 dots
    assert feed(0) == b""
    job = encode_bands([Feed(100)], cut=False)
    assert b"\x1dv0" not in job


def test_raster_header_counts_bytes_across_and_rows_down_with_1_as_black():
    rows = bytes([0x80, 0, 0, 0, 0, 0x01])  # 16 dots x 3 rows: top-left and bottom-right dots black
    assert raster(Raster(16, rows, Justify.LEFT)) == b"\x1dv0\x00\x02\x00\x03\x00" + rows
    assert raster(Raster(16, rows, Justify.LEFT, scale=2))[:4] == b"\x1dv0\x03"  # quadruple: every dot 2x2


@pytest.mark.parametrize(
    ("width", "rows", "scale", "why"),
    [
        (10, bytes(4), 1, "multiple of 8"),
        (16, bytes(3), 1, "whole rows"),
        (16, b"", 1, "whole rows"),
        (8, b"x", 3, "scale"),
    ],
)
def test_a_raster_the_printer_cannot_take_is_not_a_band(width, rows, scale, why):
    with pytest.raises(ValueError, match=why):
        Raster(width, rows, Justify.LEFT, scale)


def test_native_qr_is_what_python_escpos_sent_for_model_2_level_m():
    # The bytes of python-escpos 3.1's Dummy().qr(data, ec=QR_ECLEVEL_M, size=6, model=2, native=True),
    # taken when the driver stopped using python-escpos (issue 9).
    data = "gunma-traffic-center/20261126/R-012"
    assert qr(data, 6) == (
        b"\x1d(k\x04\x001A2\x00"  # model 2
        b"\x1d(k\x03\x001C\x06"  # module size 6
        b"\x1d(k\x03\x001E1"  # error level M
        b"\x1d(k&\x001P0gunma-traffic-center/20261126/R-012"  # store the data
        b"\x1d(k\x03\x001Q0"  # print
    )
    assert len(qr(data, 6)) < 100  # vs ~4.5 kB as an image


@pytest.mark.parametrize("kanji", [False, True])
@pytest.mark.parametrize(("lang", "width"), [("ja", 576), ("en", 576), ("ja", 384), ("en", 384)])
def test_decoding_the_bytes_gives_back_the_bands_and_the_preview(site_config, lang, width, kanji):
    document = standard_ticket(site_config, lang, width)
    cuts = decode(encode_ticket(document, kanji=kanji), chunk=97)  # in odd chunks, as a socket delivers
    assert len(cuts) == 1
    assert list(cuts[0].bands) == ticket_bands(document, kanji)  # rasters compare dot for dot
    assert compose(cuts[0].bands, width).tobytes() == render_ticket(document, kanji).tobytes()


def test_kanji_mode_sends_japanese_as_shift_jis_text_not_images(site_config):
    job = encode_ticket(standard_ticket(site_config), kanji=True)
    assert "窓口".encode("cp932") in job
    texts = [b for b in ticket_bands(standard_ticket(site_config), kanji=True) if isinstance(b, NativeText)]
    rasters = [b for b in ticket_bands(standard_ticket(site_config), kanji=True) if isinstance(b, Raster)]
    assert len(texts) > 10
    assert [r.scale for r in rasters if r.image_height > 30] == [2]  # only the queue number stays an image


def test_status_queries_are_events_between_commands():
    decoder = Decoder()
    assert decoder.feed(b"\x10\x04\x01\x10\x04") == [StatusQuery(1)]
    assert decoder.feed(b"\x04") == [StatusQuery(4)]
    assert not decoder.pending


@pytest.mark.parametrize(
    "job",
    [
        b"\x1b@\x1b!\x08",  # ESC ! (print mode): not a command the driver uses
        b"\x1b@\x1dk\x02",  # GS k (1D barcode)
        b"\x1b@\x1ba\x02",  # right alignment
        b"\x1b@\x07",  # a bare control byte
        b"\x1b@\x10\x05\x01",  # DLE ENQ (real-time request)
        b"\x1b@\xe9",  # a byte above 0x7f outside Kanji mode
        b"\x1b@\x1d(k\x03\x00\x31\x45\x33",  # QR error level H
        b"\x1b@\x1dv0\x00\x00\x00\x00\x00",  # raster of no size
    ],
)
def test_unknown_or_unused_commands_are_rejected_not_guessed(job):
    with pytest.raises(UnknownCommand):
        Decoder().feed(job)


def test_an_incomplete_command_waits_for_more_bytes():
    decoder = Decoder()
    job = encode_bands([Raster(8, b"\xff\xff", Justify.LEFT), Qr("x", 4)])
    assert decoder.feed(job[:-3]) == []
    assert decoder.pending
    cuts = decoder.feed(job[-3:])
    assert len(cuts) == 1 and isinstance(cuts[0], Cut)


def test_chinese_tickets_stay_raster_even_in_kanji_mode(site_config):
    document = replace(standard_ticket(site_config, "ja"), lang="zh-Hans")
    assert not [b for b in ticket_bands(document, kanji=True) if isinstance(b, NativeText)]
