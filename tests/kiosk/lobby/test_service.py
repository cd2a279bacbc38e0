"""`kiosk lobby` over HTTP, as a real process: /api/state, /events, login, CSRF, shutdown."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlencode

from tests.kiosk.lobby.conftest import PASSWORD, Lobby, add_staff, issue, kiosk_call


def _login(lobby: Lobby, name: str, password: str = PASSWORD, *, origin: str | None = None):
    body = urlencode({"name": name, "password": password, "next": "/counter/c13"}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin or lobby.base}
    return lobby.request("POST", "/login", body, headers)


def _session(lobby: Lobby, name: str, counter: str = "c13") -> tuple[str, str]:
    """(cookie header, CSRF token) of a logged-in console."""
    status, headers, _ = _login(lobby, name)
    assert status == 303, status
    cookie = headers["set-cookie"].split(";", 1)[0]
    status, _, page = lobby.get(f"/counter/{counter}", {"Cookie": cookie})
    assert status == 200
    token = page.decode().split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    return cookie, token


def _post(lobby: Lobby, path: str, cookie: str, token: str | None, origin: str | None = "self"):
    headers = {"Cookie": cookie}
    if token is not None:
        headers["X-CSRF-Token"] = token
    if origin is not None:
        headers["Origin"] = lobby.base if origin == "self" else origin
    status, _, body = lobby.request("POST", path, b"", headers)
    return status, json.loads(body) if body else {}


def test_api_state_has_the_documented_shape_and_nothing_personal(lobby):
    state = lobby.state()
    assert set(state) == {"event_id", "business_date", "counters", "waiting", "recent_calls", "waiting_list"}
    assert isinstance(state["event_id"], int) and state["event_id"] >= 3
    assert state["business_date"] == "2026-11-26"  # from --at, not today's date
    c13 = next(c for c in state["counters"] if c["id"] == "c13")
    assert c13 == {
        "id": "c13",
        "open": True,
        "calling": None,
        "state": None,
        "groups": ["myna_service"],
        "no_paper": False,
    }
    assert state["waiting"]["myna_service"] == 3 and state["waiting"]["renewal"] == 0
    assert [t["label"] for t in state["waiting_list"]["myna_service"]] == ["M-001", "M-002", "M-003"]
    assert set(state["waiting_list"]["myna_service"][0]) == {"label", "no_paper", "transferred"}


def _read_event(sock_file) -> dict[str, str]:
    fields: dict[str, str] = {}
    while True:
        line = sock_file.readline().decode()
        if line == "":
            raise EOFError("stream closed")
        line = line.rstrip("\n")
        if line == "":
            if "data" in fields or "event" in fields:
                return fields
            continue
        if line.startswith(":"):
            fields.setdefault("comment", line)
            continue
        key, _, value = line.partition(": ")
        fields[key] = value


def _open_stream(lobby: Lobby, last_event_id: int | None = None):
    sock = socket.create_connection(("127.0.0.1", lobby.port), timeout=10)
    extra = f"Last-Event-ID: {last_event_id}\r\n" if last_event_id is not None else ""
    sock.sendall(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
    sock_file = sock.makefile("rb")
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += sock_file.read(1)
    assert b" 200 " in head.split(b"\r\n", 1)[0] and b"text/event-stream" in head.lower()
    # The body is chunked (HTTP/1.1): read through the chunk framing line by line.
    return sock, _Dechunk(sock_file)


class _Dechunk:
    def __init__(self, raw) -> None:
        self.raw, self.buffer = raw, b""

    def readline(self) -> bytes:
        while b"\n" not in self.buffer:
            size = int(self.raw.readline().strip() or b"0", 16)
            if size == 0:
                return b""
            self.buffer += self.raw.read(size)
            self.raw.readline()
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"


def test_events_start_with_the_full_state_and_follow_a_call_made_by_another_process(lobby, data_dir):
    sock, stream = _open_stream(lobby)
    with sock:
        first = _read_event(stream)
        assert first["event"] == "state"
        assert int(first["id"]) == json.loads(first["data"])["event_id"] == lobby.state()["event_id"]
        called = kiosk_call(data_dir, "next", "--counter", "c13")
        assert called.returncode == 0 and called.stdout.strip() == "M-001", called.stderr
        sent = time.monotonic()
        update = _read_event(stream)
        lag = time.monotonic() - sent
        state = json.loads(update["data"])
        assert int(update["id"]) == state["event_id"] > int(first["id"])
        assert next(c for c in state["counters"] if c["id"] == "c13")["calling"] == "M-001"
        assert state["recent_calls"][0]["label"] == "M-001"
        assert lag < 1.0, f"the other process's call took {lag:.3f} s to reach the stream"


def test_a_client_reconnecting_with_last_event_id_gets_the_full_state_at_once(lobby, data_dir):
    sock, stream = _open_stream(lobby)
    with sock:
        seen = int(_read_event(stream)["id"])
    assert kiosk_call(data_dir, "next", "--counter", "c13").returncode == 0
    issue(data_dir, "renewal", 2)  # the kiosk issues two more while the screen is away
    time.sleep(0.3)
    sock, stream = _open_stream(lobby, last_event_id=seen)
    with sock:
        missed = _read_event(stream)
    state = json.loads(missed["data"])
    assert int(missed["id"]) == state["event_id"] >= seen + 3
    assert state["waiting"]["renewal"] == 2
    assert next(c for c in state["counters"] if c["id"] == "c13")["calling"] == "M-001"


def test_service_stops_within_seconds_with_streams_connected(lobby):
    streams = [_open_stream(lobby) for _ in range(3)]
    for _, stream in streams:
        _read_event(stream)
    took = lobby.stop()
    # uvicorn re-raises the SIGTERM once it has shut down: death by SIGTERM is systemd's clean stop.
    assert lobby.process.returncode in (0, -15)
    assert "lobby service stopped" in lobby.log()  # through the graceful path, not killed
    # Below the server's graceful-shutdown backstop (3 s): the streams ended by themselves.
    assert took < 2.5, f"stopping took {took:.1f} s with screens connected"
    for sock, stream in streams:
        try:
            while True:
                _read_event(stream)
        except (EOFError, OSError):
            pass  # the stream ended with the service
        sock.close()


def test_login_sets_a_strict_httponly_cookie_and_wrong_passwords_are_refused(lobby, data_dir):
    add_staff(data_dir, "tanaka", ["c13"])
    status, _, page = _login(lobby, "tanaka", "not-the-password")
    assert status == 401 and "Wrong name or password" in page.decode()
    status, headers, _ = _login(lobby, "tanaka")
    assert status == 303 and headers["location"] == "/counter/c13"
    cookie = headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "counter-pass" not in cookie
    status, _, _ = _login(lobby, "tanaka", origin="http://evil.example")
    assert status == 403


def test_repeated_failed_logins_slow_down_then_answer_429(lobby, data_dir):
    add_staff(data_dir, "tanaka", ["c13"])
    statuses = [_login(lobby, "tanaka", f"guess-{n}")[0] for n in range(4)]
    assert statuses == [401, 401, 401, 429]  # three free tries, then each next one must wait
    # Even the right password waits now: a guesser cannot tell.
    status, _, page = _login(lobby, "tanaka")
    assert status == 429 and "wait" in page.decode()


def test_console_posts_need_session_csrf_token_same_origin_and_the_counter(lobby, data_dir):
    add_staff(data_dir, "tanaka", ["c13"])
    cookie, token = _session(lobby, "tanaka")
    assert _post(lobby, "/counter/c13/call-next", "", token)[0] == 401  # no session
    assert _post(lobby, "/counter/c13/call-next", cookie, None)[0] == 403  # no CSRF token
    assert _post(lobby, "/counter/c13/call-next", cookie, token + "x")[0] == 403
    assert _post(lobby, "/counter/c13/call-next", cookie, token, origin="http://evil.example")[0] == 403
    assert _post(lobby, "/counter/c13/call-next", cookie, token, origin=None)[0] == 403  # neither Origin nor Referer
    assert _post(lobby, "/counter/c1/call-next", cookie, token)[0] == 403  # not this account's counter
    assert lobby.state()["recent_calls"] == []  # none of those called anyone
    status, body = _post(lobby, "/counter/c13/call-next", cookie, token)
    assert status == 200 and body["outcome"]["label"] == "M-001"
    assert next(c for c in body["state"]["counters"] if c["id"] == "c13")["calling"] == "M-001"


def test_console_of_a_counter_the_account_may_not_use_is_a_clear_403(lobby, data_dir):
    add_staff(data_dir, "tanaka", ["c13"])
    cookie, _ = _session(lobby, "tanaka")
    status, _, body = lobby.get("/counter/c1", {"Cookie": cookie})
    assert status == 403 and "may not use counter 1" in body.decode()
    assert lobby.get("/counter/c99", {"Cookie": cookie})[0] == 404
    status, headers, _ = lobby.get("/counter/c13")  # no session: to the login page
    assert status == 303 and headers["location"] == "/login?next=/counter/c13"


def test_console_actions_follow_the_rules_of_the_queue(lobby, data_dir):
    add_staff(data_dir, "sato", None)
    cookie, token = _session(lobby, "sato")
    assert _post(lobby, "/counter/c13/recall", cookie, token)[0] == 409  # nobody called yet
    assert _post(lobby, "/counter/c13/call-next", cookie, token)[1]["outcome"]["label"] == "M-001"
    assert _post(lobby, "/counter/c13/recall", cookie, token)[1]["outcome"]["recalls"] == 1
    status, body = _post(lobby, "/counter/c13/transfer?to=renewal", cookie, token)
    assert status == 200 and body["outcome"]["group"] == "renewal"
    assert [t["label"] for t in body["state"]["waiting_list"]["renewal"]] == ["M-001"]
    assert _post(lobby, "/counter/c13/close", cookie, token)[1]["outcome"] is True
    status, body = _post(lobby, "/counter/c13/call-next", cookie, token)
    assert status == 409 and "closed" in body["error"]
    assert _post(lobby, "/counter/c13/open", cookie, token)[0] == 200
    assert _post(lobby, "/counter/c13/nonsense", cookie, token)[0] == 404


def test_removed_account_loses_its_session_at_once(lobby, data_dir):
    from kiosk.lobby.auth import StaffFile

    add_staff(data_dir, "tanaka", ["c13"])
    cookie, token = _session(lobby, "tanaka")
    StaffFile(data_dir).remove("tanaka")
    assert _post(lobby, "/counter/c13/call-next", cookie, token)[0] == 401
