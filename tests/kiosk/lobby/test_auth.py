"""Staff accounts, signed sessions, CSRF tokens and the login throttle, without a server."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

import pytest

from kiosk.lobby.auth import (
    LoginThrottle,
    Sessions,
    StaffError,
    StaffFile,
    hash_password,
    load_secret,
    verify_password,
)
from tests.conftest import REPO


def test_password_hash_is_scrypt_salted_and_verifies_only_the_right_password():
    first, second = hash_password("counter-13-pass"), hash_password("counter-13-pass")
    assert first.startswith("scrypt$16384$8$1$")
    assert first != second  # a fresh salt each time
    assert verify_password("counter-13-pass", first)
    assert not verify_password("counter-13-Pass", first)
    assert not verify_password("counter-13-pass", "md5$whatever")


def test_staff_file_keeps_only_a_hash_with_owner_only_permissions(tmp_path):
    staff = StaffFile(tmp_path)
    staff.add("tanaka", "very-secret-1", ["c13", "c12"])
    text = staff.path.read_text()
    assert "very-secret-1" not in text
    assert stat.S_IMODE(staff.path.stat().st_mode) == 0o600
    record = json.loads(text)["accounts"]["tanaka"]
    assert record["counters"] == ["c12", "c13"]
    account = staff.check("tanaka", "very-secret-1")
    assert account is not None and account.may_use("c13") and not account.may_use("c1")
    assert staff.check("tanaka", "wrong-password") is None
    assert staff.check("nobody", "very-secret-1") is None


def test_staff_file_refuses_duplicates_short_passwords_and_odd_names(tmp_path):
    staff = StaffFile(tmp_path)
    staff.add("sato", "long-enough", None)
    with pytest.raises(StaffError, match="exists"):
        staff.add("sato", "long-enough", None)
    with pytest.raises(StaffError, match="8 characters"):
        staff.add("ito", "short", None)
    with pytest.raises(StaffError, match="staff name"):
        staff.add("ito yuki", "long-enough", None)
    with pytest.raises(StaffError, match="no staff account"):
        staff.remove("ito")


def test_a_second_reader_sees_an_account_removed_by_another(tmp_path):
    service_view, cli_view = StaffFile(tmp_path), StaffFile(tmp_path)
    cli_view.add("sato", "long-enough", None)
    assert service_view.account("sato") is not None
    cli_view.remove("sato")
    assert service_view.account("sato") is None


def test_session_cookie_is_signed_expires_and_its_csrf_token_is_bound_to_it(tmp_path):
    now = [1_800_000_000.0]
    sessions = Sessions(load_secret(tmp_path), wall_clock=lambda: now[0])
    cookie = sessions.issue("tanaka")
    session = sessions.read(cookie)
    assert session is not None and session.name == "tanaka"
    assert sessions.read(cookie.replace("tanaka", "admin")) is None  # tampered
    token = sessions.csrf_token(session)
    assert sessions.csrf_ok(session, token)
    assert not sessions.csrf_ok(session, None)
    other = sessions.read(sessions.issue("tanaka"))
    assert other is not None and not sessions.csrf_ok(other, token)  # each session its own token
    # Another data dir (another key) does not accept it; nor does it outlive 12 hours.
    assert Sessions(load_secret(tmp_path / "other")).read(cookie) is None
    now[0] += 12 * 3600 + 1
    assert sessions.read(cookie) is None


def test_session_key_file_is_private_and_stable(tmp_path):
    assert load_secret(tmp_path) == load_secret(tmp_path)
    assert stat.S_IMODE((tmp_path / "lobby-secret").stat().st_mode) == 0o600


def test_failed_logins_slow_down_then_lock_and_success_clears():
    now = [0.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    keys = ("name:tanaka", "ip:10.0.0.5")
    for _ in range(3):
        assert throttle.wait_s(keys) == 0
        throttle.failed(keys)
    throttle.failed(keys)  # 4th: the next try waits 2 s
    assert throttle.wait_s(keys) == pytest.approx(2.0)
    assert not throttle.locked(keys)
    for _ in range(6):
        now[0] += 100
        throttle.failed(keys)
    assert throttle.locked(keys)
    now[0] += 14 * 60
    assert throttle.locked(keys)  # still inside the 15 minutes
    now[0] += 61
    assert not throttle.locked(keys)
    throttle.succeeded(keys)
    assert throttle.wait_s(keys) == 0


def test_staff_command_adds_lists_and_removes_with_password_from_stdin(tmp_path):
    where = ("--config", str(REPO / "config"), "--data-dir", str(tmp_path))

    def kiosk(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "kiosk", "staff", *args, *where],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    added = kiosk("add", "tanaka", "--counters", "c13,c12", "--password-stdin", stdin="pass-word-13\n")
    assert added.returncode == 0, added.stderr
    assert StaffFile(tmp_path).check("tanaka", "pass-word-13") is not None
    unknown = kiosk("add", "ito", "--counters", "c99", "--password-stdin", stdin="pass-word-13\n")
    assert unknown.returncode == 2 and "c99" in unknown.stderr
    listed = kiosk("list")
    assert listed.stdout == "tanaka\tc12,c13\n"
    assert kiosk("remove", "tanaka").returncode == 0
    assert kiosk("list").stdout == ""
    missing = kiosk("remove", "tanaka")
    assert missing.returncode == 1 and "no staff account" in missing.stderr


def test_throttle_forgets_stale_keys_when_many_names_were_guessed():
    now = [0.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for n in range(10_001):
        throttle.failed((f"name:guess{n}",))
    now[0] += 16 * 60
    throttle.failed(("name:fresh",))
    assert throttle.tracked == 1
