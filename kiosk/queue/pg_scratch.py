"""A throwaway PostgreSQL server: for the test suite, the `two-kiosks` demo scenario and the bench.

Debian's server binaries (`initdb`, `pg_ctl`) live in /usr/lib/postgresql/<version>/bin, off PATH
(lobby-facts.md §8). Both refuse to run as root, and CI runs as root: then they run as the
unprivileged `postgres` user the package creates (else `nobody`) through `setpriv`, in a folder that
user owns. The server listens on no TCP address, only on a unix socket in that private folder, so
two runs never meet and the port is just the socket's name. `fsync=off` makes it fast for tests
that do not test durability; a test that kills the server asks for `durable=True`.

Not for a site: a site's server is set up once by its administrator (README, `kiosk db setup`).
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from urllib.parse import quote

from kiosk.errors import StoreError

log = logging.getLogger(__name__)

PG_LIB = Path("/usr/lib/postgresql")
SUPERUSER = "postgres"  # the superuser role initdb makes (not the OS user it runs as)
PORT = 5432  # only names the socket file: the folder is private, so no other server shares it
START_TIMEOUT_S = 30


def server_bin() -> Path | None:
    """The newest installed server's bin folder, or None when Debian's postgresql is not installed."""
    found = sorted(
        PG_LIB.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0
    )
    return found[-1].parent if found else None


class ScratchPostgres:
    """A private server in a temporary folder; `start()` it, `url()` to connect, `close()` removes it all."""

    def __init__(self, *, durable: bool = False, max_connections: int = 100) -> None:
        bin_dir = server_bin()
        if bin_dir is None:
            raise StoreError(f"no PostgreSQL server installed under {PG_LIB} (Debian package: postgresql)")
        self._bin = bin_dir
        self._durable = durable
        self._max_connections = max_connections
        self.folder = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data = self.folder / "data"
        self.log_file = self.folder / "server.log"
        self._runas: list[str] = []
        if os.geteuid() == 0:
            user = _unprivileged_user()
            self._runas = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups"]
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self._initdb()

    @property
    def socket_dir(self) -> Path:
        return self.folder

    def url(self, database: str = SUPERUSER, user: str = SUPERUSER) -> str:
        """A libpq URL through the private socket, e.g. postgresql://postgres@/kiosk?host=%2Ftmp%2F…&port=5432."""
        return f"postgresql://{user}@/{database}?host={quote(str(self.folder), safe='')}&port={PORT}"

    def start(self) -> None:
        options = f"-k {self.folder} -p {PORT} -c listen_addresses='' -c max_connections={self._max_connections}"
        if not self._durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            [
                str(self._bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                str(START_TIMEOUT_S),
                "start",
            ]
        )

    def stop(self) -> None:
        """A fast shutdown: open sessions are ended, what was committed is kept."""
        if self.running():
            self._run([str(self._bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def kill(self) -> None:
        """The server dies at once (SIGKILL to the postmaster and its backends): a crash, not a stop."""
        pid = self.pid()
        if pid is None:
            return
        children = _children(pid)
        for victim in (pid, *children):
            with suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        for victim in (pid, *children):
            _wait_dead(victim)
        # A killed postmaster may linger as a zombie nobody reaps (PID 1 in a container): its pid and
        # socket lock files would make the restart think it still runs. We know it does not.
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        (self.folder / f".s.PGSQL.{PORT}.lock").unlink(missing_ok=True)

    def pid(self) -> int | None:
        pid_file = self.data / "postmaster.pid"
        try:
            return int(pid_file.read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def running(self) -> bool:
        pid = self.pid()
        return pid is not None and Path(f"/proc/{pid}").exists()

    def close(self) -> None:
        """Stop at once and remove everything: nothing here is kept, so no shutdown checkpoint is
        waited for (after a test run's hundreds of databases that took half a minute)."""
        if self.running():
            try:
                self._run([str(self._bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
            except StoreError:
                self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ScratchPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _initdb(self) -> None:
        self._run(
            [
                str(self._bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )

    def _run(self, argv: list[str]) -> None:
        result = subprocess.run(self._runas + argv, capture_output=True, text=True, check=False, timeout=60)
        if result.returncode != 0:
            tail = ""
            if self.log_file.exists():
                tail = self.log_file.read_text(errors="replace")[-2000:]
            raise StoreError(f"{' '.join(argv[:1])} failed ({result.returncode}): {result.stderr.strip()}\n{tail}")


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (the server's backends), read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _wait_dead(pid: int, timeout_s: float = 5.0) -> None:
    """Until the process is gone or a zombie (dead, only not reaped)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.01)


def _unprivileged_user() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise StoreError("running as root and neither a postgres nor a nobody user exists to run the server as")
