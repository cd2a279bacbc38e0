"""The ESC/POS driver against a real printer on a bench (opt-in: `-m hardware`).

Set KIOSK_PRINTER_URL to the printer's address (tcp://HOST:9100, serial:///dev/ttyUSB0?baud=115200,
usb://04b8:0202) and, for 58 mm paper, KIOSK_PRINTER_WIDTH=384. The same checks as against the
emulator: a real status, a ticket printed, the status after it known.
"""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from drivers.printer.escpos_printer import EscposTicketPrinter
from drivers.printer.settings import PrinterConnection
from kiosk.bench.printer import standard_job

URL = os.environ.get("KIOSK_PRINTER_URL")
WIDTH = int(os.environ.get("KIOSK_PRINTER_WIDTH", "576"))

pytestmark = [
    pytest.mark.hardware,
    pytest.mark.skipif(URL is None, reason="set KIOSK_PRINTER_URL to a printer on the bench"),
]


@pytest.fixture
def printer(site_config, tmp_path):
    assert URL is not None
    config = replace(site_config.printer, connection=PrinterConnection.parse(URL), width_dots=WIDTH)
    device = EscposTicketPrinter.from_config(config, tmp_path)
    yield device
    device.close()


def test_the_printer_answers_every_status_query(printer):
    status = printer.status()
    assert status.online is not None and status.cover_open is not None and status.error is not None


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_standard_ticket_prints_and_the_printer_stays_ready(site_config, printer, lang):
    printer.print_ticket(standard_job(site_config, lang, WIDTH, kanji=printer.config.kanji))
    assert printer.status().can_print
