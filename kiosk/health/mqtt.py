"""MQTT telemetry for sites that run a broker (`[health] mqtt_url`): each heartbeat, retained.

Topic `kiosk/<site id>/<kiosk id>/status`: the heartbeat as JSON (kiosk/health/model.py `Beat`),
published retained with QoS 1, so a dashboard that subscribes later gets the last state at once.
The last will, set before connecting, is the plain text "offline", retained too: when the kiosk dies
or its link drops, the broker publishes it (lobby-facts.md §7); a clean stop publishes "offline"
itself before disconnecting.

paho-mqtt 2.x, its network loop on a thread of its own (`loop_start`): `connect_async` never
blocks the caller, a broker that is down or goes away is retried every 1–30 s, and a publish while
disconnected is queued by paho, never an error for the kiosk. Optional: with no `mqtt_url` nothing
here is imported.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.health.model import Beat

log = logging.getLogger(__name__)

OFFLINE = "offline"
KEEPALIVE_S = 15  # the broker publishes the will ~1.5 keepalives after the kiosk went silent


def status_topic(site_id: str, kiosk_id: str) -> str:
    return f"kiosk/{site_id}/{kiosk_id}/status"


def parse_url(url: str) -> tuple[str, int]:
    """`mqtt://host[:port]` -> (host, port); the config loader checked its shape."""
    rest = url.removeprefix("mqtt://")
    host, _, port = rest.partition(":")
    return host, int(port) if port else 1883


class MqttTelemetry:
    def __init__(self, url: str, site_id: str, kiosk_id: str) -> None:
        self.topic = status_topic(site_id, kiosk_id)
        host, port = parse_url(url)
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"kiosk-{site_id}-{kiosk_id}")
        self._client.will_set(self.topic, OFFLINE, qos=1, retain=True)
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._client.on_connect = self._connected
        self._client.connect_async(host, port, keepalive=KEEPALIVE_S)
        self._client.loop_start()
        self._last: str | None = None

    def _connected(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if reason.is_failure:
            log.warning("MQTT broker refused the kiosk: %s", reason)
            return
        log.info("MQTT telemetry connected: %s", self.topic)
        if self._last is not None:  # what it says now, again (the will may have replaced it)
            client.publish(self.topic, self._last, qos=1, retain=True)

    def publish(self, beat: Beat) -> None:
        """A listener of the staff link: called with every heartbeat written."""
        self._last = OFFLINE if beat.stopped else json.dumps(beat.to_json(), ensure_ascii=False)
        self._client.publish(self.topic, self._last, qos=1, retain=True)

    def close(self, timeout_s: float = 2.0) -> None:
        """A clean stop: "offline" (retained), then disconnect; the will is not sent on a clean disconnect."""
        info = self._client.publish(self.topic, OFFLINE, qos=1, retain=True)
        try:
            info.wait_for_publish(timeout_s)
        except (RuntimeError, ValueError) as exc:  # not connected: the broker keeps what it had
            log.debug("MQTT offline not published: %s", exc)
        self._client.disconnect()
        self._client.loop_stop()
