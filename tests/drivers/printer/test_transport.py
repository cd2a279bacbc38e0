"""The driver over each transport: in memory (every byte it sends, every fault on cue), and the
real TCP and serial transports' timing and hang-ups against a local socket and a pty.

The in-memory printer answers with our own status encoding and decoder, the same code the
emulator uses; nothing of the driver is patched.
"""

from __future__ import annotations

import os
import socket
import time
import tty
from dataclasses import replace

import pytest

from drivers.interfaces import PaperState, PrinterStatus
from drivers.printer.bands import Feed, Justify, NativeText, TicketJob
from drivers.printer.escpos_codec import Decoder, StatusQuery, encode_bands
from drivers.printer.escpos_printer import UNKNOWN, EscposTicketPrinter
from drivers.printer.roll import CUT_FEED_MM, DOTS_PER_MM
from drivers.printer.settings import PrinterConfig, PrinterConnection
from drivers.printer.status import QUERIES, Query, query, reply_bytes
from drivers.printer.transport import MemoryTransport, SerialTransport, TcpTransport, Transport
from kiosk.bench.printer import standard_job
from kiosk.errors import PrinterError, PrinterOffline
from kiosk.ticket.render import band_height
from tests.drivers.printer.conftest import printer_config

READY = PrinterStatus(online=True, paper=PaperState.OK, cover_open=False, error=False)
STATUS_QUERY = b"".join(query(q) for q in QUERIES)


class MemoryPrinter:
    """A printer in memory: answers DLE EOT from `status`, counts the tickets it cuts."""

    def __init__(self) -> None:
        self.status: PrinterStatus | None = READY  # None: it does not answer
        self.decoder = Decoder()
        self.cut = 0
        self.transports: list[MemoryTransport] = []

    def answer(self, data: bytes) -> bytes:
        replies = bytearray()
        for event in self.decoder.feed(data):
            if isinstance(event, StatusQuery):
                if self.status is not None:
                    replies.append(reply_bytes(self.status)[Query(event.n)])
            else:
                self.cut += 1
        return bytes(replies)

    def connect(self, config: PrinterConfig) -> Transport:
        transport = MemoryTransport(self.answer)
        self.transports.append(transport)
        return transport


@pytest.fixture
def memory():
    return MemoryPrinter()


@pytest.fixture
def printer(site_config, memory, tmp_path):
    config = printer_config(site_config, "tcp://printer.invalid:9100")
    return EscposTicketPrinter.from_config(config, tmp_path, connect=memory.connect)


def test_a_ticket_is_status_then_the_whole_job_in_one_write_then_status(site_config, memory, printer):
    job = standard_job(site_config)
    printer.print_ticket(job)
    assert memory.transports[0].written == [STATUS_QUERY, encode_bands(job.bands), STATUS_QUERY]
    assert memory.cut == 1
    assert printer.last_printed is not None and printer.last_printed.height_dots == job.length_dots


def test_no_reply_is_unknown_and_nothing_is_printed(site_config, memory, printer):
    memory.status = None
    assert printer.status() == UNKNOWN
    with pytest.raises(PrinterOffline, match="does not answer"):
        printer.print_ticket(standard_job(site_config))
    assert all(w == STATUS_QUERY for t in memory.transports for w in t.written)
    assert memory.cut == 0


def test_a_write_that_fails_loses_the_link_and_the_job_is_never_sent_again(site_config, memory, printer):
    printer.status()
    memory.transports[0].break_after(len(STATUS_QUERY) + 3000)  # the status query goes, the job breaks
    with pytest.raises(PrinterOffline, match="not sent again"):
        printer.print_ticket(standard_job(site_config, number=1))
    assert memory.transports[0].closed and len(memory.transports[0].written[-1]) == 3000
    assert memory.cut == 0
    second = standard_job(site_config, number=2)
    printer.print_ticket(second)
    assert len(memory.transports) == 2  # reconnected
    assert memory.transports[1].written == [STATUS_QUERY, encode_bands(second.bands), STATUS_QUERY]


def test_printer_font_text_is_refused_when_kanji_mode_is_off(memory, printer):
    job = TicketJob("M-001", 576, (NativeText(" 窓口", Justify.LEFT, False, 1), Feed(6)), 30)
    with pytest.raises(PrinterError, match="Kanji mode is off"):
        printer.print_ticket(job)
    assert memory.transports == []  # refused before anything went out


def test_the_roll_counter_counts_the_paper_the_job_says_it_takes(site_config, memory, tmp_path):
    config = printer_config(site_config, "tcp://printer.invalid:9100", roll_length_mm=1000, roll_low_mm=100)
    printer = EscposTicketPrinter.from_config(config, tmp_path, connect=memory.connect)
    job = standard_job(site_config)
    printer.print_ticket(job)
    assert printer.roll is not None
    assert job.length_dots == sum(band_height(b) for b in job.bands) > 600  # the QR code's height included
    assert printer.roll.used_mm == pytest.approx(job.length_dots / DOTS_PER_MM + CUT_FEED_MM, abs=0.1)


def test_a_usb_printer_that_is_not_there_is_unknown(site_config, tmp_path):
    printer = EscposTicketPrinter.from_config(printer_config(site_config, "usb://ffff:fffe"), tmp_path)
    assert printer.status() == UNKNOWN
    with pytest.raises(PrinterOffline):
        printer.print_ticket(standard_job(site_config))


# --- the real transports ---------------------------------------------------------------------------


def tcp_config(site_config, port: int) -> PrinterConfig:
    return replace(
        site_config.printer,
        connection=PrinterConnection.parse(f"tcp://127.0.0.1:{port}"),
        connect_timeout_s=1.0,
        write_timeout_s=1.0,
    )


def test_tcp_read_waits_no_longer_than_asked_and_knows_a_hang_up(site_config):
    with socket.create_server(("127.0.0.1", 0)) as server:
        transport = TcpTransport(tcp_config(site_config, server.getsockname()[1]))
        far, _ = server.accept()
        try:
            start = time.monotonic()
            assert transport.read(4, 0.2) == b""
            assert 0.15 < time.monotonic() - start < 1.0
            far.sendall(b"\x16\x12")  # unasked bytes: thrown away before a query
            time.sleep(0.05)
            transport.discard_input()
            transport.write(b"\x10\x04\x01")
            assert far.recv(3) == b"\x10\x04\x01"
            far.sendall(b"\x16")
            assert transport.read(4, 1.0) == b"\x16"
            far.close()
            with pytest.raises(ConnectionError):
                transport.read(4, 1.0)
        finally:
            transport.close()


def test_serial_talks_both_ways_over_a_tty_and_knows_the_line_speed(site_config):
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        config = replace(
            site_config.printer, connection=PrinterConnection.parse(f"serial://{os.ttyname(slave)}?baud=9600&flow=none")
        )
        transport = SerialTransport(config)
        try:
            transport.write(b"\x10\x04\x01")
            assert os.read(master, 3) == b"\x10\x04\x01"
            os.write(master, b"\x16")
            assert transport.read(4, 0.5) == b"\x16"
            assert transport.read(4, 0.1) == b""
            assert transport.transit_s(960) == pytest.approx(1.0)  # 10 bits a byte at 9600 baud
        finally:
            transport.close()
    finally:
        os.close(master)
        os.close(slave)
