"""The running kiosk's control socket: staff ask the kiosk that owns the printer to use it for them.

One process owns each device port (STYLE.md). While `kiosk run` holds the printer, `kiosk
print-test`, `kiosk reprint` and `kiosk new-roll` (kiosk/commands/printer.py), and later the staff
page (issue 17), ask it through this socket; the kiosk does the job on its printer thread
(kiosk/shell/printer_jobs.py) between visitors' tickets, and nothing else opens the port. With no
kiosk running, `ask` says so (no socket, or a stale one whose kiosk died: nobody accepts) and the
command opens the port itself under the port's lock (kiosk/shell/port_lock.py).

The socket is a Unix stream socket in the data folder, `kiosk-control.sock`, mode 0600 from the
moment it has that name (bound under a temporary name, made owner-only, then renamed), and the
server also checks the peer's user (SO_PEERCRED: the kiosk's own, or root). The protocol is one
JSON object a line, UTF-8, each way: a request `{"command": C, ...}` with C one of

    status                                   the printer as the kiosk last saw it
    print_test                               a test ticket with the printer's status on it
    reprint   {"label": "M-012", "date": "2026-11-26" (default: the kiosk's business day), "lang": "ja"}
    new_roll                                 the roll counter starts from a full roll

and a reply `{"ok": true, "result": {"code": 0|1|2, "out": [...], "err": [...]}}` (the lines and
exit status the command gives; `status` adds `"printer": {...}`), or `{"ok": false, "error": "..."}`.
Every read has a time limit (`READ_LIMIT_S` for a request line, then the connection is closed)
and every message a size limit (`MAX_MESSAGE`); at most `MAX_CLIENTS` connections are served at
once, each on a thread of its own, and one more is told "busy". So a client that connects and
says nothing, or floods, costs a thread for a moment and never holds the kiosk or other staff.

AF_UNIX addresses are limited to 107 bytes; a data folder deeper than that is reached through
`/proc/self/fd/N/` of the folder, opened for the moment.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import TimeoutError as JobTimeout
from datetime import date, datetime
from pathlib import Path
from typing import Any

from drivers.interfaces import TicketPrinter
from kiosk.errors import KioskError, UsageError
from kiosk.queue.model import PrintState
from kiosk.shell import staff
from kiosk.shell.printer_jobs import PrinterWorker
from kiosk.shell.staff import FAILED, StaffResult
from kiosk.site.model import SiteConfig

log = logging.getLogger(__name__)

SOCKET_NAME = "kiosk-control.sock"
PROTOCOL = 1
MAX_MESSAGE = 4096  # bytes in one request line; a reprint request is under 100
MAX_REPLY = 65536  # bytes in one reply line, as the client reads it
READ_LIMIT_S = 2.0  # for a request line to arrive whole, and for the client to connect
MAX_CLIENTS = 4
JOB_LIMIT_S = 60.0  # a printer job: connect, check, a ticket at 9600 baud, check
COMMANDS = ("status", "print_test", "reprint", "new_roll")


class ControlError(KioskError):
    """The running kiosk could not be asked, or did not answer."""


def control_path(config: SiteConfig) -> Path:
    return Path(config.storage.data_dir) / SOCKET_NAME


@contextlib.contextmanager
def _address(path: Path) -> Iterator[str]:
    """An AF_UNIX address for `path`, short enough for the kernel however deep the folder is."""
    if len(os.fsencode(path)) < 100:
        yield str(path)
        return
    folder = os.open(path.parent, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield f"/proc/self/fd/{folder}/{path.name}"
    finally:
        os.close(folder)


# --- the client ----------------------------------------------------------------------------------


def ask(path: Path, request: dict[str, Any], timeout_s: float = JOB_LIMIT_S + 5) -> dict[str, Any] | None:
    """Send one request to the kiosk serving `path`; its reply. None when no kiosk serves it (no
    socket, or a stale one left by a kiosk that died). Raises ControlError when a kiosk is there
    but cannot be asked or does not answer in `timeout_s`."""
    if not os.path.lexists(path):
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(READ_LIMIT_S)
        try:
            with _address(path) as address:
                sock.connect(address)
        except (FileNotFoundError, ConnectionRefusedError):
            log.info("control socket %s is stale (its kiosk is gone)", path)
            return None
        except PermissionError as exc:
            raise ControlError(f"not allowed to ask the running kiosk ({path}): run as the kiosk's user") from exc
        except OSError as exc:
            raise ControlError(f"cannot reach the running kiosk at {path}: {exc}") from exc
        try:
            sock.sendall(_line(request))
            line = _read_line(sock, MAX_REPLY, timeout_s)
        except OSError as exc:
            raise ControlError(f"the running kiosk did not answer: {exc}") from exc
        if line is None:
            raise ControlError(f"the running kiosk did not answer within {timeout_s:.0f} s; check the printer's output")
    try:
        reply = json.loads(line)
    except ValueError as exc:
        raise ControlError("the running kiosk answered something that is not JSON") from exc
    if not isinstance(reply, dict):
        raise ControlError("the running kiosk answered something that is not a reply")
    return reply


def ask_kiosk(config: SiteConfig, request: dict[str, Any]) -> StaffResult | None:
    """A staff job done by the running kiosk; None when no kiosk runs (the caller does it itself)."""
    reply = ask(control_path(config), request)
    if reply is None:
        return None
    if reply.get("ok") is not True:
        return StaffResult(FAILED, err=(f"kiosk: the running kiosk refused: {reply.get('error', 'no reason given')}",))
    try:
        result = StaffResult.from_json(reply.get("result", {}))
    except ValueError as exc:
        raise ControlError("the running kiosk's reply has no result") from exc
    log.info("%s done by the running kiosk (it owns the printer)", request.get("command"))
    return result


def _line(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode() + b"\n"


def _read_line(sock: socket.socket, limit: int, timeout_s: float) -> bytes | None:
    """One line within `timeout_s` and `limit` bytes; None when it did not come whole in time.
    Raises ValueError for a line over the limit."""
    deadline = time.monotonic() + timeout_s
    got = bytearray()
    while b"\n" not in got:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            return None
        if not chunk:
            return None
        got += chunk
        if len(got) > limit and b"\n" not in got[: limit + 1]:
            raise ValueError(f"message over {limit} bytes")
    line, _, _ = bytes(got).partition(b"\n")
    return line


# --- the server ----------------------------------------------------------------------------------


class ControlServer:
    """Serves `handle(request) -> reply` on the socket at `path`, on threads of its own."""

    def __init__(self, path: Path, handle: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self.path = Path(path)
        self.handle = handle
        self._stop = threading.Event()
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._inode: int | None = None

    def start(self) -> None:
        """Listen; a stale socket left by a kiosk that died is replaced. Raises ControlError when
        another kiosk serves this data folder (two kiosks must not share a printer)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(self.path):
            try:
                other = ask(self.path, {"command": "status"}, timeout_s=READ_LIMIT_S)
            except ControlError:
                other = {}
            if other is not None:
                raise ControlError(f"another kiosk serves {self.path}: one kiosk per data folder and printer")
            self.path.unlink()
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with _address(temporary) as address:
                sock.bind(address)
            os.chmod(temporary, 0o600)  # owner only, before it is reachable by its name
            sock.listen(MAX_CLIENTS * 2)
            os.replace(temporary, self.path)
        except BaseException:
            sock.close()
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            raise
        self._inode = os.stat(self.path).st_ino
        # accept() blocks without waking (idle CPU); close() ends it with shutdown(), which wakes it.
        self._sock = sock
        self._thread = threading.Thread(target=self._accept, name="kiosk-control", daemon=True)
        self._thread.start()
        log.info("control socket %s: staff jobs for the printer come through here", self.path)

    def close(self) -> None:
        self._stop.set()
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self._sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        with contextlib.suppress(OSError):
            if self._inode is not None and os.stat(self.path).st_ino == self._inode:
                self.path.unlink()  # ours still: no kiosk after this one answers here

    def _accept(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._slots.acquire(blocking=False):
                with contextlib.suppress(OSError):
                    conn.settimeout(0.1)
                    conn.sendall(_line({"ok": False, "error": "busy: too many staff connections; try again"}))
                conn.close()
                continue
            threading.Thread(target=self._serve, args=(conn,), name="kiosk-control-client", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            with conn:
                if not _trusted(conn):
                    log.warning("control socket: a connection from another user was refused")
                    return
                while not self._stop.is_set():
                    try:
                        line = _read_line(conn, MAX_MESSAGE, READ_LIMIT_S)
                    except ValueError:
                        conn.settimeout(READ_LIMIT_S)
                        conn.sendall(_line({"ok": False, "error": f"a request is at most {MAX_MESSAGE} bytes"}))
                        return
                    if line is None:
                        return  # said nothing (more) in time, or hung up
                    reply = self._reply(line)
                    conn.settimeout(READ_LIMIT_S)
                    conn.sendall(_line(reply))
        except OSError as exc:  # a client that went away: nothing to do
            log.debug("control socket client: %s", exc)
        finally:
            self._slots.release()

    def _reply(self, line: bytes) -> dict[str, Any]:
        try:
            request = json.loads(line)
        except ValueError:
            return {"ok": False, "error": "a request is one JSON object a line"}
        if not isinstance(request, dict) or request.get("command") not in COMMANDS:
            return {"ok": False, "error": f"unknown command; known: {', '.join(COMMANDS)}"}
        try:
            return {"protocol": PROTOCOL, **self.handle(request)}
        except Exception:  # a broken job must not stop the control socket
            log.exception("control socket: %s failed", request.get("command"))
            return {"ok": False, "error": "the kiosk failed doing it; see its log"}


def _trusted(conn: socket.socket) -> bool:
    """The peer runs as the kiosk's user, or as root (SO_PEERCRED: pid, uid, gid)."""
    _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    return uid in (os.getuid(), 0)


# --- what the kiosk does when asked --------------------------------------------------------------


class KioskControl:
    """The running kiosk's side: each request becomes a job on its printer thread."""

    def __init__(
        self,
        config: SiteConfig,
        clock: Callable[[], datetime],
        worker: PrinterWorker,
        seen: Callable[[], dict[str, Any]],
    ) -> None:
        self.config = config
        self.clock = clock
        self.worker = worker
        self.seen = seen  # the printer as the kiosk last saw it, for `status`

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        command = request["command"]
        config = self.config
        if command == "status":
            return {"ok": True, "result": StaffResult(0).to_json(), "printer": self.seen()}
        if command == "print_test":
            now = self.clock()
            result = self._job(lambda printer: staff.print_test(printer, config, now))
        elif command == "new_roll":
            result = self._job(lambda printer: staff.new_roll(printer, config))
        else:
            result = self._reprint(request)
        return {"ok": True, "result": result.to_json()}

    def _reprint(self, request: dict[str, Any]) -> StaffResult:
        label, day, lang = request.get("label"), request.get("date"), request.get("lang", "ja")
        if not isinstance(label, str) or not isinstance(lang, str) or not isinstance(day, str | None):
            return staff.usage("reprint takes a label, a date (YYYY-MM-DD) and a language, as text")
        now = self.clock()
        try:
            when = date.fromisoformat(day) if day is not None else None
        except ValueError:
            return staff.usage(f"--date {day!r}: expected YYYY-MM-DD")
        try:
            store = staff.open_store(self.config)
        except UsageError as exc:
            return staff.usage(str(exc))
        try:
            try:
                reprint = staff.find_reprint(self.config, store, label, when, lang, now)
            except UsageError as exc:
                return staff.usage(str(exc))
            config = self.config
            result = self._job(lambda printer: staff.print_reprint(printer, config, reprint.ticket, reprint.document))
            if result.code != staff.DONE:
                return result
            store.set_print_state(reprint.ticket.id, PrintState.REPRINTED, now)
            return StaffResult(staff.DONE, (reprint.done(), *result.out), result.err)
        finally:
            store.close()

    def _job(self, job: Callable[[TicketPrinter], StaffResult]) -> StaffResult:
        future = self.worker.submit(job, staff=True)
        try:
            return future.result(timeout=JOB_LIMIT_S)
        except JobTimeout:
            return StaffResult(FAILED, err=(f"kiosk: the printer did not finish within {JOB_LIMIT_S:.0f} s; check it",))
        except Exception as exc:  # the driver failed outright: say so, keep serving
            log.exception("staff printer job failed")
            return StaffResult(FAILED, err=(f"kiosk: the printer job failed: {exc}",))
