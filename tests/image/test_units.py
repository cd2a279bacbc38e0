"""The appliance's systemd units, accounts, udev rules and watchdog drop-in (systemd/), checked without
root in well under a second: against a fake root made of the host's own systemd 252 units (the same
systemd as bookworm on the Pi). The arm64 rootfs check (test_rootfs_arm64.py) repeats the systemd
checks on the real image tree."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.image.unitfiles import (
    ALL_UNITS,
    APP_BIN,
    SYSTEMD,
    UNITS,
    analyze,
    exposure,
    fake_root,
    read_udev_rule,
    read_unit,
    seconds,
    words,
)

needs_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
MAX_EXPOSURE = 2.5  # issue 14: `systemd-analyze security` of kiosk.service at or under this

# Character-device groups of DeviceAllow= and the driver that must be loaded for the group to exist
# when the unit starts (None: always there on a Pi kernel, built in or loaded long before).
DEVICE_GROUP_DRIVER = {
    "drm": "drm",
    "input": None,
    "usb_device": None,
    "ttyUSB": "usbserial",
    "ttyACM": "cdc_acm",
    "ttyAMA": None,  # the PL011 UART driver is built into the Pi kernels
    "gpiochip": None,
    "alsa": "snd_bcm2835",
}

# Groups Debian itself provides (base-passwd, udev) that the units may name.
DEBIAN_GROUPS = {"video", "render", "input", "dialout", "lp", "audio", "tty"}


def sysusers_groups() -> set[str]:
    names = set()
    for line in (SYSTEMD / "kiosk.sysusers").read_text().splitlines():
        fields = line.split()
        if fields and fields[0] in ("g", "u"):
            names.add(fields[1])
    return names


@pytest.mark.parametrize("unit", UNITS)
def test_unit_is_a_watched_notify_service_restarted_always_and_rebooting_on_a_crash_loop(unit: str) -> None:
    parsed = read_unit(SYSTEMD / unit)
    service, head = parsed["Service"], parsed["Unit"]
    assert service["Type"] == ["notify"]
    assert service["NotifyAccess"] == ["main"]
    assert seconds(service["WatchdogSec"][-1]) == 10
    assert service["Restart"] == ["always"]
    assert head["StartLimitAction"] == ["reboot"]
    assert int(head["StartLimitBurst"][-1]) >= 2
    assert seconds(head["StartLimitIntervalSec"][-1]) > 0  # 0 would switch the start limit (and the reboot) off


@pytest.mark.parametrize("unit", UNITS)
def test_unit_checks_the_config_before_starting_and_a_bad_one_is_no_reboot_loop(unit: str) -> None:
    service = read_unit(SYSTEMD / unit)["Service"]
    # ExecCondition=: a failed check skips the start without counting towards StartLimitAction=reboot.
    assert service["ExecCondition"] == [f"/{APP_BIN} check-config /etc/kiosk/site.toml"]
    assert "ExecStartPre" not in service
    assert service["ExecStart"][0].startswith(f"/{APP_BIN} ")
    assert "--config /etc/kiosk/site.toml" in service["ExecStart"][0]


def test_kiosk_runs_the_touch_screen_and_the_lobby_unit_the_lobby_service() -> None:
    assert read_unit(SYSTEMD / "kiosk.service")["Service"]["ExecStart"][0].split()[1] == "run"
    assert read_unit(SYSTEMD / "kiosk-lobby.service")["Service"]["ExecStart"][0].split()[1] == "lobby"


@pytest.mark.parametrize("unit", UNITS)
def test_unit_runs_as_the_kiosk_system_user_sandboxed_with_its_state_directory(unit: str) -> None:
    service = read_unit(SYSTEMD / unit)["Service"]
    assert service["User"] == ["kiosk"]
    assert service["StateDirectory"] == ["kiosk"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["CapabilityBoundingSet"] == []  # empty: every capability dropped
    assert service["DevicePolicy"] == ["closed"]
    # PrivateDevices=yes would hide /dev/dri, /dev/input and the serial ports the kiosk needs.
    assert service.get("PrivateDevices", ["no"]) == ["no"]


def test_kiosk_owns_tty1_and_no_login_prompt_competes_for_it() -> None:
    parsed = read_unit(SYSTEMD / "kiosk.service")
    assert parsed["Service"]["TTYPath"] == ["/dev/tty1"]
    assert "getty@tty1.service" in words(parsed["Unit"]["Conflicts"])
    assert "getty@tty1.service" in words(parsed["Unit"]["After"])
    assert set(words(parsed["Service"]["SupplementaryGroups"])) >= {"video", "render", "input"}


@pytest.mark.parametrize("unit", UNITS)
def test_every_allowed_device_group_has_its_driver_loaded_first(unit: str) -> None:
    parsed = read_unit(SYSTEMD / unit)
    wanted = set(words(parsed["Unit"].get("Wants", [])))
    after = set(words(parsed["Unit"].get("After", [])))
    for allow in parsed["Service"]["DeviceAllow"]:
        node, _, access = allow.partition(" ")
        assert access in ("r", "rw", "rwm"), allow
        if not node.startswith("char-"):
            assert node.startswith("/dev/"), allow
            continue
        group = node.removeprefix("char-")
        assert group in DEVICE_GROUP_DRIVER, f"{unit}: {group}: which driver makes it? add it to the table"
        driver = DEVICE_GROUP_DRIVER[group]
        if driver is not None:
            assert f"modprobe@{driver}.service" in wanted & after, f"{unit}: {allow} needs modprobe@{driver}"


@pytest.mark.parametrize("unit", UNITS)
def test_every_supplementary_group_exists_on_the_image(unit: str) -> None:
    groups = set(words(read_unit(SYSTEMD / unit)["Service"]["SupplementaryGroups"]))
    assert groups <= DEBIAN_GROUPS | sysusers_groups()


@needs_analyze
@pytest.mark.parametrize("unit", ALL_UNITS)
def test_systemd_analyze_verify_prints_nothing(tmp_path: Path, unit: str) -> None:
    # verify exits 0 on unknown keys and bad values and only warns: any output is a failure.
    run = analyze("verify", f"--root={fake_root(tmp_path)}", "--man=no", unit)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


@needs_analyze
def test_verify_catches_a_misspelt_key(tmp_path: Path) -> None:
    # The check above can fail: the same unit with one typo is reported.
    units = tmp_path / "units"
    units.mkdir()
    text = (SYSTEMD / "kiosk.service").read_text().replace("ProtectSystem=strict", "ProtectSystems=strict")
    (units / "kiosk.service").write_text(text)
    root = fake_root(tmp_path / "root", ("kiosk.service",), units)
    run = analyze("verify", f"--root={root}", "--man=no", "kiosk.service")
    assert "ProtectSystems" in run.stderr


@needs_analyze
@pytest.mark.parametrize("unit", UNITS)
def test_security_exposure_is_at_most_2_5(tmp_path: Path, unit: str) -> None:
    assert exposure(fake_root(tmp_path), unit) <= MAX_EXPOSURE


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="systemd-sysusers is not installed")
def test_sysusers_makes_a_locked_system_user_with_its_device_groups(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    for name in ("passwd", "group", "shadow", "gshadow"):
        (tmp_path / "etc" / name).write_text("")
    run = subprocess.run(
        ["systemd-sysusers", f"--root={tmp_path}", str(SYSTEMD / "kiosk.sysusers")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    passwd = {line.split(":")[0]: line.split(":") for line in (tmp_path / "etc/passwd").read_text().splitlines()}
    _, _, uid, _, _, home, shell = passwd["kiosk"]
    assert int(uid) < 1000  # a system account
    assert (home, shell) == ("/var/lib/kiosk", "/usr/sbin/nologin")
    members = {
        fields[0]: fields[3].split(",")
        for fields in (line.split(":") for line in (tmp_path / "etc/group").read_text().splitlines())
    }
    for group in ("video", "render", "input", "dialout", "lp", "gpio", "audio"):
        assert "kiosk" in members[group], group
    shadow = {line.split(":")[0]: line.split(":")[1] for line in (tmp_path / "etc/shadow").read_text().splitlines()}
    assert shadow["kiosk"] in ("!*", "!", "*")  # no password: nobody logs in as kiosk


def udev_rules() -> list[list[tuple[str, str, str]]]:
    rules = []
    for line in (SYSTEMD / "60-kiosk.rules").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rules.append(read_udev_rule(line))
    return rules


def test_udev_rules_parse_and_give_gpio_printer_and_board_their_groups_and_names() -> None:
    rules = udev_rules()
    assigned = [{key: value for key, op, value in rule if op in ("=", "+=", ":=")} for rule in rules]
    gpio = [a for rule, a in zip(rules, assigned, strict=True) if ("SUBSYSTEM", "==", "gpio") in rule]
    assert gpio == [{"GROUP": "gpio", "MODE": "0660"}]
    names = {a["SYMLINK"] for a in assigned if "SYMLINK" in a}
    assert {"kiosk-printer", "kiosk-board"} <= names
    for a in assigned:
        assert a.get("GROUP", "video") in DEBIAN_GROUPS | sysusers_groups()
        assert a.get("MODE", "0660") == "0660"  # never world-writable


@pytest.mark.parametrize(
    "line",
    [
        'SUBSYSTEM=="gpio", MODEX="0660"',  # unknown key
        'SUBSYSTEM=="gpio" GROUP="gpio"',  # missing comma
        'SUBSYSTEM=="gpio", GROUP=gpio',  # unquoted value
    ],
)
def test_udev_lint_refuses_what_udev_would_not_parse(line: str) -> None:
    with pytest.raises(ValueError):
        read_udev_rule(line)


def test_hardware_watchdog_is_at_most_15_seconds_the_pi_limit() -> None:
    manager = read_unit(SYSTEMD / "kiosk-watchdog.conf")["Manager"]
    assert 0 < seconds(manager["RuntimeWatchdogSec"][-1]) <= 15
    assert seconds(manager["RebootWatchdogSec"][-1]) > 0


def test_usblp_is_kept_off_the_printer_so_libusb_can_claim_it() -> None:
    lines = [line for line in (SYSTEMD / "kiosk-usblp.conf").read_text().splitlines() if not line.startswith("#")]
    assert [line for line in lines if line.strip()] == ["blacklist usblp"]


def test_every_directive_has_a_reason_nearby() -> None:
    # "each file says why each line is there": no run of more than six directives without a comment.
    for name in (*ALL_UNITS, "kiosk.sysusers", "60-kiosk.rules", "kiosk-watchdog.conf"):
        run = 0
        for line in (SYSTEMD / name).read_text().splitlines():
            if line.lstrip().startswith("#") or re.fullmatch(r"\s*(\[\w+\])?\s*", line):
                run = 0
            else:
                run += 1
            assert run <= 6, f"{name}: {line!r} ends a long stretch without a comment"
