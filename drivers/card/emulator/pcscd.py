"""A pcscd of our own, in the foreground, with a vpcd reader on a port we choose (tests, bench, demo).

Debian 12's pcscd (1.9.9) reads reader.conf files from the folder given with `-c`, so the reader
is ours; but it ignores PCSCLITE_CSOCK_NAME and always serves /run/pcscd/pcscd.comm (checked on
this pcscd: the env var moves nothing), so only one pcscd can run per machine. Several test runs
may share a machine (worktrees, CI): a lock file makes them take turns, and we refuse to start
when a pcscd we did not start is running. We stop ours by its PID, never by name.

"Reader unplugged" for a vpcd reader means restarting pcscd with an empty config folder: pcscd
1.9.9 does not re-read reader.conf at run time, and from the client side a reader that vanished
from the list is exactly what an unplugged USB reader looks like.
"""

from __future__ import annotations

import ctypes
import fcntl
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from kiosk.errors import ReaderUnavailable

log = logging.getLogger(__name__)

PCSCD = "pcscd"
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
LOCK_FILE = Path(tempfile.gettempdir()) / "kiosk-private-pcscd.lock"
READER_NAME = "Kiosk vpcd"  # pcscd appends " 00 00" (reader and slot numbers)
VPCD_NAME = "Virtual PCD 00 00"  # the reader Debian's vsmartcard-vpcd config gives a system pcscd
SYSTEM_VPCD_PORT = 35963


def free_port_pair() -> int:
    """A TCP port p with p and p + 1 free (vpcd opens one port per slot)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("0.0.0.0", 0))
            port = int(probe.getsockname()[1])
        if port >= 65535:
            continue
        try:
            with socket.socket() as second:
                second.bind(("0.0.0.0", port + 1))
        except OSError:
            continue
        return port
    raise ReaderUnavailable("no free TCP port pair for vpcd")


def pcscd_available() -> str | None:
    """None when this machine can run the emulated reader; else what is missing."""
    if shutil.which(PCSCD) is None:
        return "pcscd is not installed (Debian package pcscd)"
    if not VPCD_DRIVER.exists():
        return "vpcd is not installed (Debian package vsmartcard-vpcd)"
    return None


def private_pcscd_in_use() -> bool:
    """Another run of ours holds the machine's private-pcscd lock (its pcscd is not foreign)."""
    with LOCK_FILE.open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


def foreign_pcscd_running() -> bool:
    if not PCSCD_SOCKET.exists():
        return False
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(PCSCD_SOCKET))
        except OSError:
            return False
    return True


class PrivatePcscd:
    """Start, restart ("unplug"/"replug") and stop a pcscd serving one vpcd reader on `port`."""

    def __init__(self, port: int | None = None, lock_timeout_s: float = 300.0) -> None:
        missing = pcscd_available()
        if missing is not None:
            raise ReaderUnavailable(missing)
        self._lock_file: IO[str] | None = None
        self._lock_timeout_s = lock_timeout_s
        self._dir = Path(tempfile.mkdtemp(prefix="kiosk-pcscd-"))
        self.port = port if port is not None else free_port_pair()
        self._process: subprocess.Popen[bytes] | None = None
        self.log_path = self._dir / "pcscd.log"

    @property
    def reader_name(self) -> str:
        return f"{READER_NAME} 00 00"

    def start(self, *, with_reader: bool = True) -> None:
        self._take_lock()
        if self._process is not None:
            raise RuntimeError("pcscd already started")
        if foreign_pcscd_running():
            raise ReaderUnavailable("another pcscd is running on this machine; stop it first")
        conf = self._dir / ("conf" if with_reader else "empty")
        conf.mkdir(exist_ok=True)
        if with_reader:
            (conf / "vpcd.conf").write_text(
                f'FRIENDLYNAME "{READER_NAME}"\n'
                f"DEVICENAME /dev/null:0x{self.port:04X}\n"
                f"LIBPATH {VPCD_DRIVER}\n"
                f"CHANNELID 0x{self.port:04X}\n"
            )
        with self.log_path.open("ab") as out:
            self._process = subprocess.Popen(
                [PCSCD, "--foreground", "--config", str(conf), "--error"],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
        self._wait_ready(with_reader)

    def _wait_ready(self, with_reader: bool) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise ReaderUnavailable(f"pcscd exited at start: {self.log_path.read_text(errors='replace')[-400:]}")
            if PCSCD_SOCKET.exists() and (not with_reader or self.reader_name in _readers()):
                return
            time.sleep(0.02)
        raise ReaderUnavailable("pcscd did not become ready within 10 s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        deadline = time.monotonic() + 3
        while PCSCD_SOCKET.exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    def restart(self, *, with_reader: bool = True) -> None:
        self.stop()
        self.start(with_reader=with_reader)

    def close(self) -> None:
        self.stop()
        if self._lock_file is not None:
            self._lock_file.close()  # releases the lock
            self._lock_file = None
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> PrivatePcscd:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _take_lock(self) -> None:
        if self._lock_file is not None:
            return
        handle = LOCK_FILE.open("a")
        deadline = time.monotonic() + self._lock_timeout_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    handle.close()
                    raise ReaderUnavailable(f"another run holds {LOCK_FILE} (a private pcscd)") from None
                time.sleep(0.1)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._lock_file = handle


def _die_with_parent() -> None:
    """In the child before exec: pcscd gets SIGTERM when we die, even killed, so no stale pcscd
    keeps the machine's one client socket from the next run."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def _readers() -> list[str]:
    from smartcard import scard

    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        return []
    try:
        result, readers = scard.SCardListReaders(context, [])
        return list(readers) if result == scard.SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(context)


class VpcdEndpoint:
    """Where the card emulator connects and which reader the driver opens: our own pcscd, or, when a
    pcscd of the system already runs (Debian's socket-activated service with vsmartcard-vpcd
    installed), its vpcd on the default port. Only our own can be restarted ("unplugged")."""

    def __init__(self) -> None:
        self.pcscd: PrivatePcscd | None = None
        if foreign_pcscd_running() and not private_pcscd_in_use():
            log.info("a system pcscd is running: using its vpcd reader on port %d", SYSTEM_VPCD_PORT)
            self.port, self.reader_name = SYSTEM_VPCD_PORT, VPCD_NAME
            return
        self.pcscd = PrivatePcscd()
        self.pcscd.start()
        self.port, self.reader_name = self.pcscd.port, self.pcscd.reader_name

    def close(self) -> None:
        if self.pcscd is not None:
            self.pcscd.close()
