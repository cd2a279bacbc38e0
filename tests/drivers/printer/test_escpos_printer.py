"""The ESC/POS driver against the emulator, through its real TCP and serial transports.

What the emulator prints is compared with the on-screen preview dot for dot; every fault of the
issue is driven here: paper near end, paper end after N tickets, cover open, offline, an error,
no reply, a connection dropped in the middle of a job, and bytes the printer does not know.
"""

from __future__ import annotations

import pytest
from PIL import Image

from drivers.interfaces import HealthState, PaperState
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_printer import EscposTicketPrinter
from kiosk.bench.printer import standard_job, standard_ticket
from kiosk.errors import PaperOut, PrinterError, PrinterOffline
from kiosk.ticket.render import compose, render_ticket, ticket_job
from tests.drivers.printer.conftest import lookalike_job, printer_config, within


def same_as_preview(path, document) -> bool:
    with Image.open(path) as printed:
        return printed.convert("1").tobytes() == render_ticket(document).tobytes()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_ticket_over_tcp_prints_exactly_as_its_preview(site_config, emulator, tcp_printer, lang):
    document = standard_ticket(site_config, lang)
    tcp_printer.print_ticket(ticket_job(document))
    assert [p.name for p in emulator.printed] == ["0001.png"]
    assert same_as_preview(emulator.printed[0], document)
    assert emulator.rejected == []


def test_a_ticket_over_serial_prints_exactly_as_its_preview(site_config, emulator, serial_printer):
    document = standard_ticket(site_config, "ja")
    serial_printer.print_ticket(ticket_job(document))
    assert len(emulator.printed) == 1
    assert same_as_preview(emulator.printed[0], document)


def test_kanji_mode_prints_through_the_emulator(site_config, emulator, tmp_path):
    port = emulator.serve_tcp()
    config = printer_config(site_config, f"tcp://127.0.0.1:{port}", kanji=True)
    printer = EscposTicketPrinter.from_config(config, tmp_path)
    document = standard_ticket(site_config, "ja")
    printer.print_ticket(ticket_job(document, kanji=True))
    printer.close()
    with Image.open(emulator.printed[0]) as printed:
        assert printed.convert("1").tobytes() == render_ticket(document, kanji=True).tobytes()
    assert printer.last_printed is not None and printer.last_printed.bytes_sent < 5000


@pytest.mark.parametrize("link", ["tcp", "serial"])
def test_status_is_read_from_dle_eot_replies(emulator, tcp_printer, serial_printer, link):
    printer = tcp_printer if link == "tcp" else serial_printer
    assert printer.status().can_print
    emulator.set_cover_open(True)
    status = printer.status()
    assert status.cover_open is True and not status.can_print
    emulator.set_cover_open(False)
    emulator.set_paper(PaperState.NEAR_END)
    assert printer.status().paper is PaperState.NEAR_END


@pytest.mark.parametrize("link", ["tcp", "serial"])
def test_no_reply_is_unknown_and_nothing_prints(site_config, emulator, tcp_printer, serial_printer, link):
    printer = tcp_printer if link == "tcp" else serial_printer
    emulator.set_no_reply(True)
    status = printer.status()
    assert status.online is None and status.paper is PaperState.UNKNOWN and not status.can_print
    with pytest.raises(PrinterOffline, match="does not answer"):
        printer.print_ticket(standard_job(site_config))
    assert emulator.printed == []
    assert printer.health().state is HealthState.DOWN


def test_paper_near_end_keeps_printing_and_warns_staff(site_config, emulator, tcp_printer):
    emulator.set_paper(PaperState.NEAR_END)
    tcp_printer.print_ticket(standard_job(site_config))
    assert len(emulator.printed) == 1
    health = tcp_printer.health()
    assert health.state is HealthState.DEGRADED and "near end" in health.detail


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        (lambda e: e.set_paper(PaperState.END), PaperOut, "paper end"),
        (lambda e: e.set_cover_open(True), PrinterOffline, "cover open"),
        (lambda e: e.set_offline(True), PrinterOffline, "offline"),
        (lambda e: e.set_error(True), PrinterOffline, "error"),
    ],
)
def test_a_printer_that_cannot_print_refuses_before_sending(site_config, emulator, tcp_printer, fault, error, words):
    fault(emulator)
    with pytest.raises(error, match=words):
        tcp_printer.print_ticket(standard_job(site_config))
    assert emulator.printed == [] and emulator.discarded == 0  # nothing was even sent
    assert tcp_printer.health().state is HealthState.DOWN


def test_paper_end_after_n_tickets_loses_the_next_one_and_says_so(site_config, emulator, tcp_printer):
    emulator.paper_end_after(2)
    tcp_printer.print_ticket(standard_job(site_config, number=1))
    tcp_printer.print_ticket(standard_job(site_config, number=2))
    with pytest.raises(PaperOut, match="may be incomplete"):  # the roll ends in the middle of it
        tcp_printer.print_ticket(standard_job(site_config, number=3))
    with pytest.raises(PaperOut, match="not printed"):  # and the next is refused up front
        tcp_printer.print_ticket(standard_job(site_config, number=4))
    assert len(emulator.printed) == 2 and emulator.discarded == 1


def test_printing_resumes_by_itself_once_the_printer_is_well(site_config, emulator, tcp_printer):
    emulator.set_cover_open(True)
    with pytest.raises(PrinterOffline):
        tcp_printer.print_ticket(standard_job(site_config, number=1))
    emulator.set_cover_open(False)
    tcp_printer.print_ticket(standard_job(site_config, number=2))
    assert len(emulator.printed) == 1
    assert tcp_printer.health().state is HealthState.OK


def test_a_connection_dropped_mid_job_fails_that_ticket_and_never_resends_it(site_config, emulator, tcp_printer):
    emulator.drop_next_job(after_bytes=3000)
    with pytest.raises(PrinterOffline):
        tcp_printer.print_ticket(standard_job(site_config, lang="ja", number=1))
    assert emulator.printed == [] and emulator.discarded == 1
    # The next ticket reconnects and prints only itself: the lost job is not replayed.
    second = standard_ticket(site_config, lang="en", number=2)
    tcp_printer.print_ticket(ticket_job(second))
    assert len(emulator.printed) == 1
    assert same_as_preview(emulator.printed[0], second)


def test_a_printer_that_is_not_there_is_unknown_not_an_exception(site_config, tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printer = EscposTicketPrinter.from_config(printer_config(site_config, f"tcp://127.0.0.1:{port}"), tmp_path)
    assert printer.status().online is None
    with pytest.raises(PrinterOffline):
        printer.print_ticket(standard_job(site_config))


def test_unknown_bytes_are_rejected_loudly_and_not_printed(site_config, emulator, tcp_printer, caplog):
    tcp_printer.send_raw_job(b"\x1b@\x1b!\x08hello\n\x1dVA\x00")  # ESC ! is not a command the driver uses
    assert not tcp_printer.status().can_print  # the emulator hung up on the bad job
    assert emulator.printed == []
    assert len(emulator.rejected) == 1 and "ESC '!'" in emulator.rejected[0]
    assert any(r.levelname == "ERROR" and "rejected" in r.getMessage() for r in caplog.records)
    tcp_printer.print_ticket(standard_job(site_config))  # a fresh connection prints again
    assert len(emulator.printed) == 1


def test_a_ticket_for_other_paper_is_refused(site_config, tcp_printer):
    with pytest.raises(PrinterError, match="384 dots"):
        tcp_printer.print_ticket(standard_job(site_config, width=384))


def test_the_roll_counter_warns_before_the_paper_ends(site_config, emulator, tmp_path):
    port = emulator.serve_tcp()
    config = printer_config(site_config, f"tcp://127.0.0.1:{port}", roll_length_mm=1500, roll_low_mm=1200)
    printer = EscposTicketPrinter.from_config(config, tmp_path)
    printer.print_ticket(standard_job(site_config))
    assert printer.health().state is HealthState.OK  # ~115 mm used of 1500
    for number in range(2, 5):
        printer.print_ticket(standard_job(site_config, number=number))
    health = printer.health()
    assert health.state is HealthState.DEGRADED and "counter" in health.detail
    # It survives a restart, and a roll loaded after paper end resets it.
    again = EscposTicketPrinter.from_config(config, tmp_path)
    assert again.roll is not None and again.roll.low
    emulator.set_paper(PaperState.END)
    again.status()
    emulator.set_paper(PaperState.OK)
    again.status()
    assert again.roll is not None and not again.roll.low
    printer.close()
    again.close()


def test_the_emulator_numbers_tickets_after_those_already_there(tmp_path, site_config):
    (tmp_path / "0007.png").write_bytes(b"")
    with PrinterEmulator(tmp_path, draw=compose) as emulator:
        port = emulator.serve_tcp()
        printer = EscposTicketPrinter.from_config(printer_config(site_config, f"tcp://127.0.0.1:{port}"), tmp_path)
        printer.print_ticket(standard_job(site_config))
        printer.close()
        assert [p.name for p in emulator.printed] == ["0008.png"]


# --- printers that misbehave (issue 10) -------------------------------------------------------------


def test_a_printer_flooding_the_link_is_down_with_a_reason_not_a_hang(site_config, emulator, tcp_printer):
    emulator.set_flood(True)  # status-looking bytes, unasked, as fast as the link takes them
    status = within(10, tcp_printer.status)
    assert not status.can_print and status.online is None
    health = tcp_printer.health()
    assert health.state is HealthState.DOWN and "keeps sending" in health.detail
    with pytest.raises(PrinterOffline):
        within(10, lambda: tcp_printer.print_ticket(standard_job(site_config)))
    assert emulator.printed == []
    emulator.set_flood(False)
    assert within(10, tcp_printer.status).can_print  # well again: the next check says so


def test_a_printer_talking_unasked_on_a_new_connection_is_not_believed(emulator, tcp_printer):
    emulator.set_deaf(True)  # reads nothing, sends "all is well" every 20 ms
    status = within(10, tcp_printer.status)
    assert not status.can_print and status.online is None
    assert "nobody asked for" in tcp_printer.health().detail


@pytest.mark.parametrize("link", ["tcp", "serial"])
def test_a_printer_answering_lookalikes_in_raster_still_reports_its_status_right(
    site_config, emulator, tcp_printer, serial_printer, link
):
    printer = tcp_printer if link == "tcp" else serial_printer
    emulator.set_answers_lookalikes(True)
    emulator.set_paper(PaperState.NEAR_END)
    printer.print_ticket(lookalike_job(site_config))
    assert len(emulator.printed) == 1
    assert printer.last_status is not None and printer.last_status.paper is PaperState.NEAR_END
    assert printer.last_status.online is True and printer.last_status.error is False
    assert printer.health().state is HealthState.DEGRADED  # near end: nothing mistaken for offline
    emulator.set_paper(PaperState.END)
    assert printer.status().paper is PaperState.END  # and the next check is not thrown off either


def test_a_new_roll_is_noticed_across_a_failed_status_check(site_config, emulator, tmp_path):
    port = emulator.serve_tcp()
    config = printer_config(
        site_config, f"tcp://127.0.0.1:{port}", roll_length_mm=1500, roll_low_mm=1200
    )  # 4 tickets of ~11.5 cm
    printer = EscposTicketPrinter.from_config(config, tmp_path)
    for number in range(1, 5):
        printer.print_ticket(standard_job(site_config, number=number))
    assert printer.roll is not None and printer.roll.low
    emulator.set_paper(PaperState.END)
    printer.status()
    emulator.set_no_reply(True)  # staff open the printer: a check in between gets no answer
    assert printer.status().paper is PaperState.UNKNOWN
    emulator.set_no_reply(False)
    emulator.set_paper(PaperState.OK)
    printer.status()
    assert not printer.roll.low and printer.roll.used_mm == 0
    printer.close()
