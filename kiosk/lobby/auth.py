"""Staff accounts, sessions, CSRF tokens and login throttling for the counter consoles.

- Accounts live in `<data dir>/staff.json` (mode 0600, never in site.toml): a name, the counters the
  account may use (or every counter), and a scrypt hash of the password (standard library; n=2^14,
  r=8, p=1, a 16-byte salt: about 50 ms a check, so guessing offline is slow too). No password is ever
  stored or logged.
- A session is a signed cookie (HMAC-SHA256 with a key kept in `<data dir>/lobby-secret`, 0600), so a
  clerk stays logged in across a service restart; the account is looked up again on every request, so
  `kiosk staff remove` ends its sessions at once. The cookie is HttpOnly and SameSite=Strict.
- CSRF: every POST carries the session's token (derived from the session by HMAC, shown only inside
  the console page) and must come from our own origin (the Origin header, else the Referer).
- Failed logins, per account name and per client address: from the 4th in a row each next try must
  wait twice as long (1 s, 2 s, 4 s ...); from the 10th the name (or address) is locked for 15 minutes.

Pure of Starlette: app.py translates these into cookies and status codes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kiosk.errors import KioskError

STAFF_FILE = "staff.json"
SECRET_FILE = "lobby-secret"
ALL_COUNTERS = "*"

_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
_MAX_TRACKED = 10_000  # failed-login keys kept before the stale ones are dropped
SESSION_HOURS = 12  # a working day; after that the clerk logs in again


class StaffError(KioskError):
    """A staff account could not be added, found or stored."""


@dataclass(frozen=True)
class Account:
    name: str
    counters: frozenset[str] | None  # None = every counter

    def may_use(self, counter_id: str) -> bool:
        return self.counters is None or counter_id in self.counters


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, maxmem=64 * 1024 * 1024
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


class StaffFile:
    """The accounts in `<data dir>/staff.json`, read again whenever the file changed."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / STAFF_FILE
        self._seen: tuple[int, int] | None = None
        self._records: dict[str, dict[str, object]] = {}

    def add(self, name: str, password: str, counters: Iterable[str] | None) -> Account:
        if not name or not set(name) <= _NAME_CHARS or len(name) > 64:
            raise StaffError(f"staff name {name!r}: use 1-64 letters, digits, '.', '_' or '-'")
        if len(password) < 8:
            raise StaffError("the password needs at least 8 characters")
        records = self._load()
        if name in records:
            raise StaffError(f"staff {name!r} exists already (remove it first to change it)")
        listed = None if counters is None else sorted(set(counters))
        if listed is not None and not listed:
            raise StaffError("give the counters the account may use (--counters c13,c14) or --all")
        records[name] = {"hash": hash_password(password), "counters": ALL_COUNTERS if listed is None else listed}
        self._store(records)
        return Account(name, None if listed is None else frozenset(listed))

    def remove(self, name: str) -> None:
        records = self._load()
        if records.pop(name, None) is None:
            raise StaffError(f"no staff account {name!r}")
        self._store(records)

    def accounts(self) -> list[Account]:
        return [self._account(name, record) for name, record in sorted(self._load().items())]

    def account(self, name: str) -> Account | None:
        record = self._load().get(name)
        return None if record is None else self._account(name, record)

    def check(self, name: str, password: str) -> Account | None:
        """The account when the password is right, else None. Always spends one scrypt, so a
        wrong name takes as long as a wrong password."""
        record = self._load().get(name)
        stored = str(record["hash"]) if record is not None else _dummy_hash()
        ok = verify_password(password, stored)
        return self._account(name, record) if ok and record is not None else None

    @staticmethod
    def _account(name: str, record: dict[str, object]) -> Account:
        counters = record.get("counters")
        if counters == ALL_COUNTERS:
            return Account(name, None)
        assert isinstance(counters, list)
        return Account(name, frozenset(str(c) for c in counters))

    def _load(self) -> dict[str, dict[str, object]]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._records = None, {}
            return {}
        key = (stat.st_mtime_ns, stat.st_size)
        if key != self._seen:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                accounts = data["accounts"]
                if data.get("version") != 1 or not isinstance(accounts, dict):
                    raise ValueError("unknown layout")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise StaffError(f"{self.path}: cannot read the staff accounts ({exc})") from exc
            self._records, self._seen = accounts, key
        return dict(self._records)

    def _store(self, records: dict[str, dict[str, object]]) -> None:
        text = json.dumps({"version": 1, "accounts": records}, indent=2, sort_keys=True) + "\n"
        _write_private(self.path, text.encode("utf-8"))
        self._seen = None


@cache
def _dummy_hash() -> str:
    return hash_password("not a password", salt=b"\0" * 16)


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, atomically (a temp file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode is filtered by the umask; this is not
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def load_secret(data_dir: Path) -> bytes:
    """The key that signs session cookies; made once, kept in the data dir (0600)."""
    path = data_dir / SECRET_FILE
    try:
        secret = path.read_bytes()
    except FileNotFoundError:
        _write_private(path, secrets.token_bytes(32))
        secret = path.read_bytes()
    if len(secret) < 32:
        raise StaffError(f"{path}: the session key is too short; delete the file to make a new one")
    return secret


@dataclass(frozen=True)
class Session:
    name: str
    expires: int  # unix seconds
    nonce: str


class Sessions:
    """Signed session cookies and the CSRF token that belongs to each."""

    def __init__(self, secret: bytes, *, wall_clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._clock = wall_clock

    def issue(self, name: str) -> str:
        expires = int(self._clock()) + SESSION_HOURS * 3600
        body = f"{name}|{expires}|{secrets.token_urlsafe(16)}"
        return f"{body}|{self._sign('session', body)}"

    def read(self, cookie: str | None) -> Session | None:
        if not cookie or cookie.count("|") != 3:
            return None
        body, signature = cookie.rsplit("|", 1)
        if not hmac.compare_digest(signature, self._sign("session", body)):
            return None
        name, expires, nonce = body.split("|")
        if not expires.isdigit() or int(expires) < self._clock():
            return None
        return Session(name, int(expires), nonce)

    def csrf_token(self, session: Session) -> str:
        return self._sign("csrf", f"{session.name}|{session.nonce}")

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token, self.csrf_token(session))

    def _sign(self, purpose: str, body: str) -> str:
        mac = hmac.new(self._secret, f"{purpose}:{body}".encode(), hashlib.sha256).digest()
        return _b64(mac)


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


@dataclass
class LoginThrottle:
    """Failed logins slow down, then lock. Keyed by account name and by client address alike, so
    neither guessing many passwords for one name nor many names from one place gets far."""

    free_failures: int = 3
    lock_after: int = 10
    lock_s: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, _Failures] = field(default_factory=dict)

    def wait_s(self, keys: Sequence[str]) -> float:
        """How long these keys must still wait before the next try (0 = try now)."""
        now = self.clock()
        longest = 0.0
        for key in keys:
            entry = self._failures.get(key)
            if entry is None or entry.count < self.free_failures:
                continue
            locked = entry.count >= self.lock_after
            delay = self.lock_s if locked else float(2 ** (entry.count - self.free_failures))
            longest = max(longest, entry.last + delay - now)
        return max(0.0, longest)

    def locked(self, keys: Sequence[str]) -> bool:
        return any(e.count >= self.lock_after for k in keys if (e := self._failures.get(k)) is not None) and (
            self.wait_s(keys) > 0
        )

    def failed(self, keys: Sequence[str]) -> None:
        now = self.clock()
        if len(self._failures) > _MAX_TRACKED:  # guesses at many names must not grow memory forever
            self._failures = {k: e for k, e in self._failures.items() if now - e.last < self.lock_s}
        for key in keys:
            entry = self._failures.setdefault(key, _Failures())
            if entry.count >= self.lock_after and now >= entry.last + self.lock_s:
                entry.count = self.free_failures  # the lock ran out: slow, but not locked again at once
            entry.count += 1
            entry.last = now

    @property
    def tracked(self) -> int:
        """How many names and addresses have failures on record."""
        return len(self._failures)

    def succeeded(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
