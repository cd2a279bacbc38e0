"""The driver over each transport: in memory (every byte it sends, every fault on cue), and the
real TCP and serial transports' timing and hang-ups against a local socket and a pty.

The in-memory printer answers with our own status encoding and decoder, the same code the
emulator uses; nothing of the driver is patched.
"""

from __future__ import annotations

import os
import socket
import termios
import time
import tty
from dataclasses import replace

import pytest

from drivers.interfaces import PaperState, PrinterStatus
from drivers.printer.bands import Feed, Justify, NativeText, TicketJob
from drivers.printer.emulator import CHATTER
from drivers.printer.escpos_codec import Decoder, StatusQuery, encode_bands
from drivers.printer.escpos_printer import UNKNOWN, EscposTicketPrinter
from drivers.printer.roll import CUT_FEED_MM, DOTS_PER_MM
from drivers.printer.settings import PrinterConfig, PrinterConnection
from drivers.printer.status import QUERIES, Query, query, realtime_queries, reply_bytes
from drivers.printer.transport import MemoryTransport, SerialTransport, TcpTransport, Transport
from kiosk.bench.printer import standard_job
from kiosk.errors import PrinterError, PrinterOffline
from kiosk.ticket.render import band_height
from tests.drivers.printer.conftest import LOOKALIKES, lookalike_job, printer_config

READY = PrinterStatus(online=True, paper=PaperState.OK, cover_open=False, error=False)
NEAR_END = replace(READY, paper=PaperState.NEAR_END)
PAPER_END = PrinterStatus(online=True, paper=PaperState.END, cover_open=False, error=False)
ASB_FRAME = bytes((0x18, 0x00, 0x03, 0x00))  # Epson ASB: offline, paper near end (0xx1xx00, then 0xx0xxxx)
STATUS_QUERY = b"".join(query(q) for q in QUERIES)


class MemoryPrinter:
    """A printer in memory: answers DLE EOT from `status`, counts the tickets it cuts.

    Like real printers it may also: send an automatic status back frame (ASB, 4 bytes) ahead of
    every answer (`asb`), send bytes nobody asked for ahead of every answer (`chatter`), and answer
    `DLE EOT n` look-alikes inside raster data (`answers_lookalikes`); a job's answers then arrive
    late, behind the next query, as when the job's tail is still on its way to the printer."""

    def __init__(self) -> None:
        self.status: PrinterStatus | None = READY  # None: it does not answer
        self.decoder = Decoder()
        self.cut = 0
        self.transports: list[MemoryTransport] = []
        self.asb = False
        self.chatter = b""
        self.answers_lookalikes = False
        self._late = b""
        self._tail = b""

    def answer(self, data: bytes) -> bytes:
        replies = bytearray()
        cuts = 0
        if self.answers_lookalikes:  # every DLE EOT n in the stream, seen on reception
            for n in realtime_queries(self._tail, data):
                if self.status is not None:
                    replies.append(reply_bytes(self.status)[Query(n)])
            self._tail = (self._tail + data)[-2:]
        for event in self.decoder.feed(data):
            if isinstance(event, StatusQuery):
                if self.status is not None and not self.answers_lookalikes:
                    replies.append(reply_bytes(self.status)[Query(event.n)])
            else:
                cuts += 1
        self.cut += cuts
        if cuts and self.answers_lookalikes:  # the job's answers are still on their way
            self._late, late = bytes(replies), b""
            return b""
        late, self._late = self._late, b""
        return late + (ASB_FRAME if self.asb else b"") + self.chatter + bytes(replies)

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


def test_automatic_status_back_frames_are_not_taken_for_replies(memory, printer):
    memory.asb, memory.status = True, NEAR_END  # an ASB frame arrives ahead of every answer
    assert printer.status() == NEAR_END
    assert printer.status() == NEAR_END


def test_status_bytes_nobody_asked_for_never_count_as_the_reply(memory, printer):
    memory.status, memory.chatter = PAPER_END, CHATTER  # "all is well", unasked, ahead of each answer
    status = printer.status()
    assert status.paper is not PaperState.OK and not status.can_print
    memory.chatter = b""
    assert printer.status() == PAPER_END  # once it stops, the replies are read again


def test_replies_to_status_lookalikes_in_raster_data_are_skipped(site_config, memory, printer):
    memory.answers_lookalikes, memory.status = True, NEAR_END
    job = lookalike_job(site_config)
    assert encode_bands(job.bands).count(b"\x10\x04") == LOOKALIKES
    printer.print_ticket(job)  # the after-status is read behind the look-alikes' replies
    assert memory.cut == 1 and printer.last_status == NEAR_END
    assert printer.status() == NEAR_END


def test_a_job_the_printer_does_not_take_is_not_printed_whatever_bytes_it_sends(site_config, memory, tmp_path):
    config = printer_config(site_config, "tcp://printer.invalid:9100", write_timeout_s=0.3)
    printer = EscposTicketPrinter.from_config(config, tmp_path, connect=memory.connect)
    printer.status()
    # It takes the next status query, then nothing more, and says "all is well" to each write.
    memory.transports[0].stall(chatter=CHATTER * 4, after_writes=1)
    with pytest.raises(PrinterOffline, match="did not take"):
        printer.print_ticket(standard_job(site_config))
    assert memory.cut == 0 and memory.transports[0].closed
    assert printer.last_printed is None


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
            far.sendall(b"\x16\x12")  # unasked bytes: read at once with no wait
            time.sleep(0.05)
            assert transport.read(4, 0) == b"\x16\x12"
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


def test_serial_paces_output_with_rts_cts_unless_told_otherwise(site_config):
    """DSR/DTR does not pace output under pyserial on Linux (only RTS/CTS is the kernel's CRTSCTS)."""
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        for query, paced in (("", True), ("?flow=dsrdtr", False), ("?flow=none", False)):
            config = replace(
                site_config.printer, connection=PrinterConnection.parse(f"serial://{os.ttyname(slave)}{query}")
            )
            transport = SerialTransport(config)
            try:
                assert bool(termios.tcgetattr(slave)[2] & termios.CRTSCTS) is paced, query
            finally:
                transport.close()
    finally:
        os.close(master)
        os.close(slave)


def test_a_printer_that_ignores_lookalikes_costs_one_wait_not_one_every_check(site_config, memory, printer):
    memory.status = NEAR_END  # answers only real queries
    printer.print_ticket(lookalike_job(site_config))  # waits for look-alike replies that never come
    assert memory.cut == 1 and printer.last_status == NEAR_END
    start = time.monotonic()
    assert printer.status() == NEAR_END
    assert time.monotonic() - start < 0.5  # nothing is owed any more
