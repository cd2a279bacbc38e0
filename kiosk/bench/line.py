"""The wire between the kiosk and the printer emulator, with what a lobby's wire does to it: the
pace of a serial line, replies that are late, a count of who connected, a printer that is dead.

`PrinterLine` relays bytes between a driver and a `PrinterEmulator` (drivers/printer/emulator.py)
listening on TCP. The driver reaches the line through its real transports: `tcp_url` (a TCP port
of its own) or `serve_pty(baud)` (a pty, opened as `serial://…`, whose bytes reach the printer at
`baud`, 10 bits a byte, so a driver's write waits as it would on the real line once the tty's
buffer is full). `hold()` keeps the printer's replies back until `release()`: a printer still
busy. `connections` counts the links opened to the printer through it.

`dead_printer()` is a TCP port that accepts connections (the kernel completes them) and never
reads or answers: a printer whose network card is up and whose firmware hangs.

Used by `make bench` (`ui.frame_p95_ms_during_print`, `ui.max_frame_gap_ms`) and the tests.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable

_POLL_S = 0.05
_CHUNK = 256  # bytes relayed at a time towards the printer when paced


class PrinterLine:
    def __init__(self, printer_port: int, host: str = "127.0.0.1") -> None:
        self.printer = (host, printer_port)
        self.connections = 0
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._released.set()
        self._stop = threading.Event()
        self._closers: list[Callable[[], None]] = []
        self._threads: list[threading.Thread] = []
        self._server: socket.socket | None = None

    @property
    def tcp_url(self) -> str:
        """A TCP address for the driver (`tcp://127.0.0.1:PORT`), listening from the first call."""
        if self._server is None:
            server = socket.create_server(("127.0.0.1", 0))
            server.settimeout(_POLL_S)
            self._server = server
            self._closers.append(server.close)
            self._spawn(self._accept, server)
        port: int = self._server.getsockname()[1]
        return f"tcp://127.0.0.1:{port}"

    def serve_pty(self, baud: int) -> str:
        """A serial device path for the driver; its bytes reach the printer at `baud`."""
        master, slave = os.openpty()
        tty.setraw(slave)
        path = os.ttyname(slave)
        self._closers += [lambda: os.close(master), lambda: os.close(slave)]
        upstream = self._connect()

        def read(size: int) -> bytes:
            while not self._stop.is_set():
                ready, _, _ = select.select([master], [], [], _POLL_S)
                if ready:
                    try:
                        return os.read(master, size)
                    except OSError:  # nobody has the serial side open right now
                        self._stop.wait(_POLL_S)
            return b""

        self._spawn(self._towards_printer, read, upstream, baud, True)
        self._spawn(self._towards_driver, upstream, lambda data: os.write(master, data))
        return path

    def hold(self) -> None:
        """Keep the printer's replies back (the printer looks busy) until `release`."""
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self._stop.set()
        self._released.set()
        for closer in self._closers:
            with contextlib.suppress(OSError):
                closer()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> PrinterLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- relaying -------------------------------------------------------------------------------

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="printer-line")
        self._threads.append(thread)
        thread.start()

    def _connect(self) -> socket.socket:
        upstream = socket.create_connection(self.printer, timeout=5)
        upstream.settimeout(_POLL_S)
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._closers.append(upstream.close)
        with self._lock:
            self.connections += 1
        return upstream

    def _accept(self, server: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(_POLL_S)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._closers.append(conn.close)
            upstream = self._connect()

            def read(size: int, conn: socket.socket = conn) -> bytes:
                return self._recv(conn, size)

            self._spawn(self._towards_printer, read, upstream, None, False, conn)
            self._spawn(self._towards_driver, upstream, conn.sendall, conn)

    def _recv(self, conn: socket.socket, size: int) -> bytes:
        while not self._stop.is_set():
            try:
                return conn.recv(size)
            except TimeoutError:
                continue
            except OSError:
                return b""
        return b""

    def _towards_printer(
        self,
        read: Callable[[int], bytes],
        upstream: socket.socket,
        baud: int | None,
        serial: bool,
        downstream: socket.socket | None = None,
    ) -> None:
        started, sent = time.monotonic(), 0
        while not self._stop.is_set():
            data = read(_CHUNK if baud else 65536)
            if not data:
                if serial:
                    continue  # the serial side was closed; the line stays
                break
            if baud:
                if sent == 0 or time.monotonic() - started > sent * 10 / baud + 0.05:
                    started, sent = time.monotonic(), 0  # the line was idle: a new burst
                sent += len(data)
                self._stop.wait(max(0.0, started + sent * 10 / baud - time.monotonic()))
            try:
                upstream.sendall(data)
            except OSError:
                break
        with contextlib.suppress(OSError):
            upstream.shutdown(socket.SHUT_WR)
        if downstream is not None:
            with contextlib.suppress(OSError):
                downstream.close()

    def _towards_driver(
        self, upstream: socket.socket, write: Callable[[bytes], object], downstream: socket.socket | None = None
    ) -> None:
        while not self._stop.is_set():
            data = self._recv(upstream, 4096)
            if not data:
                break
            self._released.wait()
            with contextlib.suppress(OSError):
                write(data)
        if downstream is not None:
            with contextlib.suppress(OSError):
                downstream.close()


def dead_printer() -> tuple[socket.socket, str]:
    """A listening socket that is never accepted from, and its `tcp://` URL; the caller closes it."""
    server = socket.create_server(("127.0.0.1", 0), backlog=8)
    port: int = server.getsockname()[1]
    return server, f"tcp://127.0.0.1:{port}"
