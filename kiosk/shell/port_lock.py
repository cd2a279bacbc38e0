"""One owner per printer port: an advisory lock that whoever talks to the printer holds meanwhile.

`kiosk run` holds it for as long as it runs (taken on its printer thread, kiosk/shell/printer_jobs.py);
a staff command that finds no kiosk to ask (kiosk/shell/control.py) takes it before it opens the
port and lets go when done. The lock is `fcntl.flock(LOCK_EX)`, which the kernel drops when its
holder dies: a crashed kiosk never leaves the port locked.

- serial: the lock is on the device node itself, as pyserial's `Serial(exclusive=True)` takes it,
  so any other program that opens the port that way is kept out too. Opening a tty node raises
  its DTR/RTS lines as any open does; the printer sees nothing else.
- network (and USB): a lock file per printer URL in the data folder. A network printer serves one
  connection at a time (a second one waits in its backlog, or gets half the other's bytes), so two
  processes of this site must never hold one at once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import time
from pathlib import Path

from drivers.printer.settings import PrinterConfig, PrinterLink


class PortLock:
    def __init__(self, config: PrinterConfig, data_dir: Path) -> None:
        connection = config.connection
        self.name = connection.url
        if connection.link is PrinterLink.SERIAL:
            self.path = Path(connection.device)
            self._is_device = True
        else:
            slug = re.sub(r"[^A-Za-z0-9.]+", "-", connection.url).strip("-")[:60]
            digest = hashlib.sha256(connection.url.encode()).hexdigest()[:8]
            self.path = Path(data_dir) / f"printer-{slug}-{digest}.lock"
            self._is_device = False
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; False when another process does. Raises OSError when
        the lock itself cannot be made (no such device, a data folder that cannot be written)."""
        if self._fd is not None:
            return True
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise
        self._fd = fd
        return True

    def acquire(self, timeout_s: float) -> bool:
        """Take the lock, waiting up to `timeout_s` for its holder to let go."""
        deadline = time.monotonic() + timeout_s
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> PortLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _open(self) -> int:
        if self._is_device:
            # Read-only and non-blocking: only to hold the lock (a tty without carrier would block).
            return os.open(self.path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
