"""Reading the appliance's systemd and udev files in tests, and a fake root to check units against.

systemd allows a key to repeat (DeviceAllow=, Wants=), so configparser cannot read unit files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SYSTEMD = REPO / "systemd"
UNITS = ("kiosk.service", "kiosk-lobby.service")  # the two long-running services
ALL_UNITS = (*UNITS, "kiosk-site-setup.service")  # and the boot-time site setup
APP_BIN = "opt/kiosk/venv/bin/kiosk"  # what the units' ExecStart= runs, inside the root
SITE_SETUP_BIN = "usr/libexec/kiosk/site-setup"


def read_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """section -> key -> every value in order (an empty assignment resets the list, as in systemd)."""
    sections: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not a key=value line: {raw!r}"
        if value.strip() == "":
            sections[section][key.strip()] = []
        else:
            sections[section][key.strip()].append(value.strip())
    return sections


def words(values: list[str]) -> list[str]:
    return [word for value in values for word in value.split()]


def seconds(value: str) -> float:
    """A systemd time span such as 10s, 2min, 1min 30s (the units we use)."""
    scale = {"ms": 0.001, "s": 1, "sec": 1, "min": 60, "h": 3600}
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value):
        total += float(number) * scale[unit or "s"]
    return total


def fake_root(root: Path, units: tuple[str, ...] = ALL_UNITS, unit_dir: Path = SYSTEMD) -> Path:
    """A root holding the host's system units (systemd 252 on Debian 12, as on the Pi), the given
    units in /etc/systemd/system and an executable stand-in for the app, so that
    `systemd-analyze --root` resolves everything the units name without root or an arm64 tree."""
    shutil.copytree("/lib/systemd/system", root / "lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for unit in units:
        shutil.copy(unit_dir / unit, root / "etc/systemd/system" / unit)
    for program in (APP_BIN, SITE_SETUP_BIN):
        stub = root / program
        stub.parent.mkdir(parents=True)
        stub.write_text("#!/bin/sh\n")
        stub.chmod(0o755)
    return root


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, timeout=60, check=False)


def exposure(root: Path, unit: str) -> float:
    """`systemd-analyze security` overall exposure of a unit (0 = locked down, 10 = wide open)."""
    run = analyze("security", f"--root={root}", "--offline=true", unit)
    found = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", run.stdout)
    assert found, run.stdout + run.stderr
    return float(found.group(1))


UDEV_KEYS = {
    "ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME", "SYMLINK", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER", "DRIVERS",
    "ATTR", "ATTRS", "SYSCTL", "ENV", "TAG", "TAGS", "TEST", "PROGRAM", "RESULT", "OWNER", "GROUP", "MODE",
    "SECLABEL", "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS", "CONST",
}  # fmt: skip
UDEV_PAIR = re.compile(r'(?P<key>[A-Z_]+)(?:\{(?P<attr>[^}]+)\})?\s*(?P<op>==|!=|\+=|-=|:=|=)\s*"(?P<value>[^"]*)"')


def read_udev_rule(line: str) -> list[tuple[str, str, str]]:
    """(key, operator, value) of one rule line; raises ValueError on anything udev would not parse."""
    pairs = []
    rest = line.strip()
    while rest:
        found = UDEV_PAIR.match(rest)
        if not found:
            raise ValueError(f"cannot parse {rest!r}")
        if found["key"] not in UDEV_KEYS:
            raise ValueError(f"unknown key {found['key']}")
        pairs.append((found["key"], found["op"], found["value"]))
        rest = rest[found.end() :].lstrip()
        if rest.startswith(","):
            rest = rest[1:].lstrip()
        elif rest:
            raise ValueError(f"missing comma before {rest!r}")
    return pairs
