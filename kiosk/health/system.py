"""The machine's own readings for the heartbeat: disk free, SoC temperature, the Pi's throttle flags.

Raspberry Pi facts (lobby-facts.md §7): the SoC temperature is in
`/sys/class/thermal/thermal_zone0/temp` (millidegrees); `vcgencmd get_throttled` prints
`throttled=0x…` (bit 0 under-voltage now … bit 16 under-voltage has occurred). A sysfs file for the
throttle bits exists on some newer kernels (UNCONFIRMED), so we ask vcgencmd only. Where a reading
is missing (a laptop, a VM, CI) it is None, which the staff page shows as "unknown", never "ok".
`root` lets tests hand in a fake /sys tree (tmp_path).

vcgencmd is a process start (~10 ms): asked at most once a heartbeat (every 10 s), with a time limit.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from kiosk.health.model import SystemReadings

log = logging.getLogger(__name__)

THERMAL_ZONE = "sys/class/thermal/thermal_zone0/temp"
VCGENCMD_LIMIT_S = 2.0


def soc_temperature(root: Path = Path("/")) -> float | None:
    try:
        return int((root / THERMAL_ZONE).read_text().strip()) / 1000
    except (OSError, ValueError):
        return None


def parse_throttled(text: str) -> int | None:
    """`throttled=0x50005` -> 0x50005; anything else -> None."""
    key, _, value = text.strip().partition("=")
    if key != "throttled":
        return None
    try:
        return int(value, 16)
    except ValueError:
        return None


def throttled(vcgencmd: str | None = None) -> int | None:
    command = vcgencmd or shutil.which("vcgencmd")
    if command is None:
        return None
    try:
        done = subprocess.run(
            [command, "get_throttled"], capture_output=True, text=True, timeout=VCGENCMD_LIMIT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.debug("vcgencmd: %s", exc)
        return None
    return parse_throttled(done.stdout) if done.returncode == 0 else None


def disk_free(path: Path) -> int | None:
    try:
        stat = os.statvfs(path)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def read_system(data_dir: Path, root: Path = Path("/"), vcgencmd: str | None = None) -> SystemReadings:
    return SystemReadings(disk_free(data_dir), soc_temperature(root), throttled(vcgencmd))
