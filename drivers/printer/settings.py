"""The ticket printer's settings: where it is (a URL), its paper, its Kanji mode, its timeouts and
the roll counter. The driver's own types, read from `[printer]` by the site config's loader
(kiosk/site/load.py); pure values, validation only: nothing here opens a device.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlsplit


class PrinterLink(StrEnum):
    TCP = "tcp"  # a network printer, raw TCP (port 9100)
    SERIAL = "serial"
    USB = "usb"


class SerialFlow(StrEnum):
    """Serial flow control. No XON/XOFF: raster data holds those bytes.

    RTS/CTS is the default: it is the only hardware flow control the Linux kernel does (CRTSCTS),
    so the printer's BUSY line really holds our output. pyserial's `dsrdtr` only sets the DTR line
    on Linux and does not pace output at all, so DSRDTR suits only a printer that never fills its
    buffer (see the README's wiring table for which cable needs which)."""

    DSRDTR = "dsrdtr"  # the factory setting of Epson-class printers: wire its BUSY to CTS, or use rtscts
    RTSCTS = "rtscts"
    NONE = "none"


PRINTER_URL_HINT = "tcp://HOST:9100, serial:///dev/ttyUSB0?baud=115200 or usb://04b8:0202 (vendor:product, hex)"
SERIAL_BAUDS = (9600, 19200, 38400, 57600, 115200)


@dataclass(frozen=True)
class PrinterConnection:
    """Where the ticket printer is, parsed from a URL (see `parse`). Validation only: nothing opened."""

    url: str
    link: PrinterLink
    host: str = ""  # TCP
    port: int = 9100
    device: str = ""  # serial
    baudrate: int = 115200
    flow: SerialFlow = SerialFlow.RTSCTS
    usb_vendor: int = 0  # USB
    usb_product: int = 0

    @classmethod
    def parse(cls, url: str) -> PrinterConnection:
        """Raises ValueError with what is wrong, in plain words."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if scheme == PrinterLink.TCP:
            if not parts.hostname or parts.path not in ("", "/") or query:
                raise ValueError(f'"{url}": expected tcp://HOST:PORT')
            try:
                port = parts.port or 9100
            except ValueError:
                raise ValueError(f'"{url}": the port must be a number from 1 to 65535') from None
            return cls(url=url, link=PrinterLink.TCP, host=parts.hostname, port=port)
        if scheme == PrinterLink.SERIAL:
            if parts.netloc or not parts.path.startswith("/dev/"):
                raise ValueError(f'"{url}": expected serial:///dev/NAME?baud=115200')
            unknown = sorted(set(query) - {"baud", "flow"})
            if unknown:
                raise ValueError(f'"{url}": unknown option {unknown[0]} (known: baud, flow)')
            baud = query.get("baud", "115200")
            if not baud.isdigit() or int(baud) not in SERIAL_BAUDS:
                raise ValueError(f'"{url}": baud must be one of {", ".join(map(str, SERIAL_BAUDS))}')
            flows = [f.value for f in SerialFlow]
            flow = query.get("flow", SerialFlow.RTSCTS.value)
            if flow not in flows:
                raise ValueError(f'"{url}": flow must be one of {", ".join(flows)}')
            return cls(url=url, link=PrinterLink.SERIAL, device=parts.path, baudrate=int(baud), flow=SerialFlow(flow))
        if scheme == PrinterLink.USB:
            ids = parts.netloc.split(":")
            if len(ids) != 2 or parts.path or query or not all(_hex4(i) for i in ids):
                raise ValueError(f'"{url}": expected usb://VID:PID in hex, e.g. usb://04b8:0202')
            return cls(url=url, link=PrinterLink.USB, usb_vendor=int(ids[0], 16), usb_product=int(ids[1], 16))
        raise ValueError(f'"{url}" is not a printer address ({PRINTER_URL_HINT})')


def _hex4(value: str) -> bool:
    return len(value) == 4 and all(c in "0123456789abcdefABCDEF" for c in value)


@dataclass(frozen=True)
class PrinterConfig:
    connection: PrinterConnection
    width_dots: int  # 576 for 80 mm paper, 384 for 58 mm
    kanji: bool  # text in the printer's own Kanji font (Japanese-model printers only)
    connect_timeout_s: float
    write_timeout_s: float
    read_timeout_s: float  # each status reply; no reply in time = unknown
    roll_length_mm: int | None  # the software roll counter; None = none
    roll_low_mm: int  # warn staff when the counter says less than this is left
