"""How bytes reach the ticket printer and come back: one small `Transport` per kind of link.

The driver (drivers/printer/escpos_printer.py) speaks ESC/POS through `Transport` and knows
nothing of sockets, ttys or USB endpoints; tests hand it a `MemoryTransport`, as httpx takes a
mock transport. Each real transport is a thin layer over the library that owns the link:
- TCP (raw port 9100): `socket`, connected with the connect timeout, then every write and read
  bounded by the write and read timeouts; TCP_NODELAY, so a status query goes at once.
- serial: pyserial (device-facts.md: pyserial 3.5), 8N1, with a write timeout; flow control RTS/CTS
  by default (the kernel's CRTSCTS: the printer's BUSY line holds our output), DSR/DTR (pyserial on
  Linux only raises DTR with it: output is not paced) or none, never XON/XOFF (raster data holds
  those bytes). Its `close()` would wait, without a timeout, for the output to drain: a
  printer holding the line (paper out under flow control) would freeze the kiosk, so the output
  is discarded first.
- USB: pyusb, opened as python-escpos opened it (the kernel's usblp let go, configured, reset),
  the printer interface's bulk OUT endpoint for writes and its bulk IN endpoint for status
  replies, both with timeouts (pyusb's default is none: a stalled printer would block for ever).
  The endpoints come from the device's descriptors, not python-escpos' fixed 0x01 and 0x82.
Each raises `OSError` (or a subclass: `TimeoutError`, `ConnectionError`) when the link fails;
the driver turns that into `PrinterOffline`. pyserial and pyusb load only when their link is used.

Rejected: python-escpos' connection classes (the driver used them until issue 9). Their public
API is the command set we do not use (its `image()`, text and status helpers are rejected in
escpos_codec.py and status.py); the link itself is reachable only through private parts
(`_raw`, `.device`, `in_ep`), `Network.open()` leaks its socket when the connect fails, and
`Serial._read()` reads 16 bytes, so every status query waited the whole timeout. Dropping it
took seven packages and about half a second of import off the kiosk.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import socket
import struct
import termios
import time
from collections.abc import Callable
from typing import Any, Protocol

from drivers.printer.settings import PrinterConfig, PrinterLink, SerialFlow

log = logging.getLogger(__name__)


class Transport(Protocol):
    def write(self, data: bytes) -> None:
        """Hand all of `data` to the link within the write timeout, or raise OSError."""
        ...

    def unsent(self) -> int:
        """Bytes written that the printer has not taken yet (TCP: not acknowledged; serial: still
        in the port's output buffer; 0 where the link cannot tell, or a write returns only once taken)."""
        ...

    def read(self, size: int, timeout_s: float) -> bytes:
        """Up to `size` bytes that arrive within `timeout_s` (0: what is there); b"" when none came.
        Raises ConnectionError when the printer closed the link."""
        ...

    def transit_s(self, size: int) -> float:
        """How long `size` bytes just written may still take to reach the printer."""
        ...

    def close(self) -> None: ...


def open_transport(config: PrinterConfig) -> Transport:
    """The link `config` names, open. Raises OSError (or ValueError for settings the OS refuses)."""
    link = config.connection.link
    if link is PrinterLink.TCP:
        return TcpTransport(config)
    if link is PrinterLink.SERIAL:
        return SerialTransport(config)
    return UsbTransport(config)


class TcpTransport:
    def __init__(self, config: PrinterConfig) -> None:
        c = config.connection
        self._write_timeout = config.write_timeout_s
        self._sock = socket.create_connection((c.host, c.port), timeout=config.connect_timeout_s)
        self._sock.settimeout(self._write_timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes) -> None:
        self._sock.sendall(data)

    def read(self, size: int, timeout_s: float) -> bytes:
        if timeout_s > 0:
            self._sock.settimeout(timeout_s)
        else:
            self._sock.setblocking(False)  # what is there, no wait
        try:
            chunk = self._sock.recv(size)
        except (TimeoutError, BlockingIOError):
            return b""
        finally:
            self._sock.settimeout(self._write_timeout)
        if not chunk:
            raise ConnectionError("printer closed the connection")
        return chunk

    def unsent(self) -> int:
        return _queued(self._sock.fileno())

    def transit_s(self, size: int) -> float:
        return self._write_timeout if size > 0 else 0.0

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.unsent():
                # Bytes the printer has not taken are thrown away (a reset), not sent after the
                # close: a job given up as failed must never come out later, unasked.
                self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()


def _queued(fd: int) -> int:
    """Bytes in a socket's or tty's output queue (Linux: SIOCOUTQ = TIOCOUTQ); 0 when unknown."""
    try:
        return int(struct.unpack("i", fcntl.ioctl(fd, termios.TIOCOUTQ, b"\0\0\0\0"))[0])
    except OSError:
        return 0


class SerialTransport:
    def __init__(self, config: PrinterConfig) -> None:
        import serial  # lazily: only a serial printer needs pyserial

        c = config.connection
        self._baudrate = c.baudrate
        try:
            self._port = serial.Serial(
                port=c.device,
                baudrate=c.baudrate,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=serial.STOPBITS_ONE,
                timeout=config.read_timeout_s,
                write_timeout=config.write_timeout_s,
                xonxoff=False,  # raster data holds XON/XOFF bytes
                rtscts=c.flow is SerialFlow.RTSCTS,
                dsrdtr=c.flow is SerialFlow.DSRDTR,
            )
        except ValueError as exc:  # settings the port refuses
            raise OSError(str(exc)) from exc

    def write(self, data: bytes) -> None:
        self._port.write(data)  # SerialTimeoutException is an OSError

    def read(self, size: int, timeout_s: float) -> bytes:
        self._port.timeout = max(timeout_s, 0.0)
        data: bytes = self._port.read(size)
        return data

    def unsent(self) -> int:
        try:
            return int(self._port.out_waiting)
        except OSError:
            return 0

    def transit_s(self, size: int) -> float:
        return size * 10 / self._baudrate  # a reply waits behind the job's tail: 10 bits a byte on the line

    def close(self) -> None:
        self._port.reset_output_buffer()  # close() would wait for it to drain, without a timeout
        self._port.close()


class UsbTransport:
    def __init__(self, config: PrinterConfig) -> None:
        import usb.core  # lazily: only a USB printer needs pyusb
        import usb.util

        c = config.connection
        self._timeout_ms = max(int(config.write_timeout_s * 1000), 1)
        try:
            self._device: Any = usb.core.find(idVendor=c.usb_vendor, idProduct=c.usb_product)
        except usb.core.NoBackendError as exc:  # no libusb on this machine
            raise OSError(f"cannot look for USB printers: {exc}") from exc
        if self._device is None:
            raise OSError(f"no USB device {c.usb_vendor:04x}:{c.usb_product:04x}")
        try:
            self._detach_kernel_driver()
            try:
                # As python-escpos' Usb did: configure, then reset.
                self._device.set_configuration()
                self._device.reset()
            except usb.core.USBError as exc:  # already configured by another claim: go on, as it did
                log.warning("USB printer %04x:%04x: cannot set its configuration: %s", c.usb_vendor, c.usb_product, exc)
            interface = self._device.get_active_configuration()[(0, 0)]
        except usb.core.USBError as exc:
            usb.util.dispose_resources(self._device)
            raise OSError(f"cannot configure USB printer: {exc}") from exc

        def bulk(direction: int) -> Callable[[Any], bool]:
            return lambda e: bool(
                usb.util.endpoint_direction(e.bEndpointAddress) == direction
                and usb.util.endpoint_type(e.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
            )

        self._out = usb.util.find_descriptor(interface, custom_match=bulk(usb.util.ENDPOINT_OUT))
        self._in = usb.util.find_descriptor(interface, custom_match=bulk(usb.util.ENDPOINT_IN))
        if self._out is None:
            usb.util.dispose_resources(self._device)
            raise OSError("the USB printer has no bulk OUT endpoint")
        self._unread = bytearray()  # a USB read takes a whole packet: what the caller did not ask for yet

    def _detach_kernel_driver(self) -> None:
        """The kernel's usblp driver holds a USB printer; it lets go when asked (libusb1 only)."""
        import usb.core

        try:
            if self._device.is_kernel_driver_active(0):
                self._device.detach_kernel_driver(0)
        except NotImplementedError:  # backends other than libusb1
            pass
        except usb.core.USBError as exc:  # as python-escpos did: say so, and try to print anyway
            log.error("USB printer: cannot detach the kernel driver: %s", exc)

    def write(self, data: bytes) -> None:
        import usb.core

        try:
            written = self._out.write(data, self._timeout_ms)
        except usb.core.USBTimeoutError as exc:
            raise TimeoutError(f"USB write timed out: {exc}") from exc
        except usb.core.USBError as exc:
            raise OSError(f"USB write failed: {exc}") from exc
        if written != len(data):
            raise OSError(f"USB write sent {written} of {len(data)} bytes")

    def read(self, size: int, timeout_s: float) -> bytes:
        import usb.core

        if not self._unread:
            if self._in is None:  # a printer that cannot answer: every status stays unknown
                time.sleep(max(timeout_s, 0.0))
                return b""
            try:
                self._unread += bytes(self._in.read(self._in.wMaxPacketSize, max(int(timeout_s * 1000), 1)))
            except usb.core.USBTimeoutError:
                return b""
            except usb.core.USBError as exc:
                raise ConnectionError(f"USB read failed: {exc}") from exc
        chunk = bytes(self._unread[:size])
        del self._unread[:size]
        return chunk

    def unsent(self) -> int:
        return 0  # a bulk write returns once the printer took every byte

    def transit_s(self, size: int) -> float:
        return self._timeout_ms / 1000 if size > 0 else 0.0

    def close(self) -> None:
        import usb.util

        usb.util.dispose_resources(self._device)


class MemoryTransport:
    """A printer link in memory, for tests: records every byte written (`written`, one entry a
    write) and answers each write with `answer(data)`, readable at once. `break_after(n)`: the
    link breaks `n` bytes further on (the write that reaches it sends that much and raises);
    `stall(chatter, after_writes)`: after `after_writes` more writes the printer takes nothing
    written (it stays unsent) and each write is followed by `chatter` arriving unasked; `closed`
    tells whether the driver let go of it."""

    def __init__(self, answer: Callable[[bytes], bytes] = lambda data: b"") -> None:
        self.answer = answer
        self.written: list[bytes] = []
        self.closed = False
        self._left: int | None = None
        self._inbox = bytearray()
        self._stalled: bytes | None = None
        self._stall_in: int | None = None
        self._unsent = 0

    def break_after(self, size: int) -> None:
        self._left = size

    def stall(self, chatter: bytes = b"", after_writes: int = 0) -> None:
        self._stalled, self._stall_in = chatter, after_writes

    def write(self, data: bytes) -> None:
        if self.closed:
            raise OSError("transport closed")
        if self._stall_in is not None:
            self._stall_in -= 1
        if self._stalled is not None and self._stall_in is not None and self._stall_in < 0:
            self.written.append(bytes(data))
            self._unsent += len(data)
            self._inbox += self._stalled
            return
        if self._left is not None and len(data) > self._left:
            sent, self._left = data[: self._left], 0
            self.written.append(bytes(sent))
            raise BrokenPipeError(f"link broke after {len(sent)} of {len(data)} bytes")
        if self._left is not None:
            self._left -= len(data)
        self.written.append(bytes(data))
        self._inbox += self.answer(bytes(data))

    def read(self, size: int, timeout_s: float) -> bytes:
        if self.closed:
            raise ConnectionError("transport closed")
        chunk = bytes(self._inbox[:size])
        del self._inbox[:size]
        return chunk

    def unsent(self) -> int:
        return self._unsent

    def transit_s(self, size: int) -> float:
        return 0.0

    def close(self) -> None:
        self.closed = True
