"""The notify protocol's sender: nothing without NOTIFY_SOCKET, abstract sockets, never blocking."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from kiosk.health.sdnotify import SystemdNotify


def test_without_a_notify_socket_nothing_is_sent_and_nothing_fails() -> None:
    notify = SystemdNotify({})
    assert not notify.enabled and notify.watchdog_s is None
    notify.turned()
    notify.status("x")


def test_an_abstract_socket_gets_ready_status_and_pings(tmp_path: Path) -> None:
    name = f"kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind("\0" + name)
        listener.settimeout(1)
        notify = SystemdNotify({"NOTIFY_SOCKET": "@" + name, "WATCHDOG_USEC": "4000000"})
        assert notify.watchdog_s == 4.0
        notify.turned()
        notify.turned()  # within a quarter of the interval: no second ping
        notify.status("all devices ok")
        notify.status("all devices ok")  # unchanged: not sent again
        got = [listener.recv(100).decode() for _ in range(3)]
        assert got == ["READY=1", "WATCHDOG=1", "STATUS=all devices ok"]
        notify.close()


def test_a_watchdog_meant_for_another_process_is_not_ours() -> None:
    assert SystemdNotify({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"}).watchdog_s is None


def test_a_reader_that_never_reads_never_blocks_the_loop(tmp_path: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(tmp_path / "notify.sock"))
        notify = SystemdNotify({"NOTIFY_SOCKET": str(tmp_path / "notify.sock")})
        start = time.monotonic()
        for i in range(5000):  # far past the socket's queue
            notify.status(f"line {i}")
        assert time.monotonic() - start < 2.0
        notify.close()
