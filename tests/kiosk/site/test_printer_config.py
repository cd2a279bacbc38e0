"""The `[printer]` table: a connection URL, paper width, Kanji mode, timeouts and the roll counter,
read strictly, every problem named by its dotted path. Parsing the URL opens nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.printer.settings import PrinterConnection, PrinterLink, SerialFlow
from kiosk.site.load import load_site_config
from tests.kiosk.site.test_load import SHIPPED, edited, problems_of, write

SHIPPED_URL = 'url = "tcp://127.0.0.1:9100"'


def test_shipped_printer_is_the_emulator_on_this_machine_at_80_mm() -> None:
    printer = load_site_config(SHIPPED).printer
    assert printer.connection == PrinterConnection("tcp://127.0.0.1:9100", PrinterLink.TCP, host="127.0.0.1")
    assert printer.width_dots == 576 and printer.kanji is False
    assert printer.read_timeout_s == 0.5 and printer.write_timeout_s == 10.0
    assert printer.roll_length_mm == 80000 and printer.roll_low_mm == 3000


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("tcp://192.168.1.50", PrinterConnection("tcp://192.168.1.50", PrinterLink.TCP, host="192.168.1.50")),
        (
            "tcp://printer.local:9101",
            PrinterConnection("tcp://printer.local:9101", PrinterLink.TCP, "printer.local", 9101),
        ),
        (
            "serial:///dev/ttyUSB0?baud=9600",
            PrinterConnection(
                "serial:///dev/ttyUSB0?baud=9600", PrinterLink.SERIAL, device="/dev/ttyUSB0", baudrate=9600
            ),
        ),
        (
            "serial:///dev/ttyS0?flow=rtscts",
            PrinterConnection(
                "serial:///dev/ttyS0?flow=rtscts", PrinterLink.SERIAL, device="/dev/ttyS0", flow=SerialFlow.RTSCTS
            ),
        ),
        (
            "usb://04b8:0e15",
            PrinterConnection("usb://04b8:0e15", PrinterLink.USB, usb_vendor=0x04B8, usb_product=0x0E15),
        ),
    ],
)
def test_each_kind_of_printer_url_is_understood(tmp_path: Path, url: str, expected: PrinterConnection) -> None:
    config = load_site_config(write(tmp_path, edited(SHIPPED_URL, f'url = "{url}"')))
    assert config.printer.connection == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("lpt://1", 'printer.url: "lpt://1" is not a printer address (tcp://HOST:9100'),
        ("tcp://:9100", 'printer.url: "tcp://:9100": expected tcp://HOST:PORT'),
        ("tcp://host:99999", 'printer.url: "tcp://host:99999": the port must be a number from 1 to 65535'),
        ("serial://dev/ttyUSB0", 'printer.url: "serial://dev/ttyUSB0": expected serial:///dev/NAME?baud=115200'),
        ("serial:///dev/ttyUSB0?baud=12345", "baud must be one of 9600, 19200, 38400, 57600, 115200"),
        ("serial:///dev/ttyUSB0?flow=xonxoff", "flow must be one of dsrdtr, rtscts, none"),
        ("serial:///dev/ttyUSB0?parity=even", "unknown option parity (known: baud, flow)"),
        ("usb://04b8", 'printer.url: "usb://04b8": expected usb://VID:PID in hex, e.g. usb://04b8:0202'),
        ("usb://epson:tm88", "expected usb://VID:PID in hex"),
    ],
)
def test_a_bad_url_says_what_is_wrong(tmp_path: Path, url: str, message: str) -> None:
    problems = problems_of(write(tmp_path, edited(SHIPPED_URL, f'url = "{url}"')))
    assert len(problems) == 1 and message in problems[0], problems


def test_every_printer_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = edited("width_dots = 576", "width_dots = 512")
    text = edited("kanji = false", 'kanji = "no"', text)
    text = edited("read_timeout_s = 0.5", "read_timeout_s = 30", text)
    text = edited("write_timeout_s = 10", 'write_timeout_s = "10 s"', text)
    text = edited("roll_low_mm = 3000", "roll_low_mm = 90000\ncolour = true", text)
    problems = problems_of(write(tmp_path, text))
    assert problems == [
        "printer.width_dots: must be one of 576 (80 mm paper), 384 (58 mm paper), got 512",
        "printer.roll_low_mm: must be less than roll_length_mm (80000)",
        "printer.kanji: must be a boolean, got a string",
        "printer.write_timeout_s: must be a number of seconds, got a string",
        "printer.read_timeout_s: must be between 0.05 and 10 seconds, got 30",
        "printer.colour: unknown key (allowed: url, width_dots, roll_length_mm, roll_low_mm, kanji, "
        "connect_timeout_s, write_timeout_s, read_timeout_s)",
    ]


def test_a_missing_printer_table_is_named(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    start, end = text.index("[printer]"), text.index("[screen]")
    assert problems_of(write(tmp_path, text[:start] + text[end:])) == ["printer: missing"]


def test_without_a_roll_length_there_is_no_roll_counter(tmp_path: Path) -> None:
    config = load_site_config(write(tmp_path, edited("roll_length_mm = 80000\n", "")))
    assert config.printer.roll_length_mm is None
