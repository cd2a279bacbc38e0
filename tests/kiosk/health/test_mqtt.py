"""MQTT telemetry against a real Mosquitto (Debian's, started here on a private port): the kiosk's
heartbeat retained under kiosk/<site>/<kiosk id>/status, and its last will "offline" once it is killed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer.emulator import PrinterEmulator
from kiosk.health.mqtt import status_topic
from kiosk.ticket.render import compose
from tests.kiosk.lobby.conftest import free_port
from tests.kiosk.lobby.staff_rig import kiosk_config, kiosk_run

MOSQUITTO = "/usr/sbin/mosquitto"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[int]:
    if not Path(MOSQUITTO).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("mosquitto is missing in CI: make test installs it (image-build/dev-packages.txt)")
        pytest.skip("mosquitto is not installed (make setup installs Debian's mosquitto)")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    # As root mosquitto would switch to its own user, which may not read tmp_path: stay who we are.
    user = "user root\n" if os.getuid() == 0 else ""
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n{user}")
    log = tmp_path / "mosquitto.log"
    with log.open("wb") as out:
        process = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "mosquitto did not listen"
                time.sleep(0.05)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def retained(port: int, topic: str, timeout_s: float = 2.0) -> str | None:
    """The retained message on `topic`, as a new subscriber gets it (paho, in this process)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    got: list[str] = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{time.monotonic_ns()}")
    client.on_message = lambda c, u, message: got.append(message.payload.decode())
    client.on_connect = lambda c, u, f, r, p: c.subscribe(topic, qos=1)
    client.connect("127.0.0.1", port)
    client.loop_start()
    deadline = time.monotonic() + timeout_s
    while not got and time.monotonic() < deadline:
        time.sleep(0.02)
    client.disconnect()
    client.loop_stop()
    return got[-1] if got else None


def test_kiosk_status_is_retained_and_the_last_will_says_offline_after_a_kill(broker: int, tmp_path: Path) -> None:
    with PrinterEmulator(tmp_path / "printed", draw=compose) as emulator:
        config = kiosk_config(tmp_path / "config", tmp_path / "data", emulator.serve_tcp(), kiosk_id="kiosk-9")
        text = config.read_text().replace('mqtt_url = ""', f'mqtt_url = "mqtt://127.0.0.1:{broker}"')
        config.write_text(text)
        topic = status_topic("gunma-traffic-center", "kiosk-9")
        process = kiosk_run(config, tmp_path / "kiosk.log")
        try:
            deadline = time.monotonic() + 30
            status = None
            while time.monotonic() < deadline:
                status = retained(broker, topic, 0.5)
                if status is not None and status != "offline":
                    break
            assert status is not None and status != "offline", (tmp_path / "kiosk.log").read_text()[-2000:]
            beat = json.loads(status)
            assert beat["source"] == "kiosk-9" and {d["device"] for d in beat["devices"]} >= {"printer", "card_reader"}
            process.kill()  # no clean stop: only the broker's will can say it
            process.wait(10)
            deadline = time.monotonic() + 40  # the broker notices after about 1.5 keepalives (15 s)
            while time.monotonic() < deadline and retained(broker, topic, 0.5) != "offline":
                time.sleep(0.5)
            assert retained(broker, topic) == "offline"
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
