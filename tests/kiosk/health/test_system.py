"""The machine's readings: a fake /sys tree and a fake vcgencmd; "unknown" where there is nothing."""

from __future__ import annotations

from pathlib import Path

from kiosk.health.system import disk_free, parse_throttled, read_system, soc_temperature, throttled


def test_soc_temperature_from_a_fake_sys_tree(tmp_path: Path) -> None:
    zone = tmp_path / "sys/class/thermal/thermal_zone0"
    zone.mkdir(parents=True)
    (zone / "temp").write_text("61234\n")
    assert soc_temperature(tmp_path) == 61.234
    assert soc_temperature(tmp_path / "nothing") is None


def test_vcgencmd_throttled_bits(tmp_path: Path) -> None:
    assert parse_throttled("throttled=0x50005\n") == 0x50005
    assert parse_throttled("error") is None
    fake = tmp_path / "vcgencmd"
    fake.write_text("#!/bin/sh\necho throttled=0x1\n")
    fake.chmod(0o755)
    assert throttled(str(fake)) == 1
    assert throttled(str(tmp_path / "missing")) is None


def test_read_system_off_a_pi_is_unknown_but_disk(tmp_path: Path) -> None:
    readings = read_system(tmp_path, root=tmp_path, vcgencmd=str(tmp_path / "none"))
    assert readings.soc_temp_c is None and readings.throttled is None
    assert readings.disk_free_bytes == disk_free(tmp_path) and readings.disk_free_bytes is not None
