"""`[health]`: heartbeat and silence timings, and the MQTT broker's URL, checked at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.site.load import load_site_config
from tests.kiosk.site.test_load import edited, problems_of, write

SHIPPED_HEALTH = "heartbeat_s = 10\nsilent_after_s = 30\n# MQTT"


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (
            "heartbeat_s = 10\nsilent_after_s = 15\n# MQTT",
            "health.silent_after_s: must be at least twice heartbeat_s (10): one late beat is no outage",
        ),
        ("heartbeat_s = 0\nsilent_after_s = 30\n# MQTT", "health.heartbeat_s: must be between 0.5 and 300, got 0"),
    ],
)
def test_broken_health_timings_are_refused(tmp_path: Path, new: str, expected: str) -> None:
    problems = problems_of(write(tmp_path, edited(SHIPPED_HEALTH, new)))
    assert len(problems) == 1 and problems[0].startswith(expected.split(",")[0])


def test_an_mqtt_url_must_be_one(tmp_path: Path) -> None:
    text = edited('mqtt_url = ""', 'mqtt_url = "http://broker"')
    assert problems_of(write(tmp_path, text)) == [
        "health.mqtt_url: expected mqtt://host or mqtt://host:port, got 'http://broker'"
    ]
    config = load_site_config(write(tmp_path, edited('mqtt_url = ""', 'mqtt_url = "mqtt://127.0.0.1:1883"')))
    assert config.health.mqtt_url == "mqtt://127.0.0.1:1883"
