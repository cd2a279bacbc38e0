"""The rpi-image-gen project in image-build/ (layer, overlay, device configs, CI base), linted without
root or network: what rpi-image-gen's `ig metadata --lint` and bdebstrap would refuse, and what the
kiosk needs of the image (packages, files from systemd/, slot-shared state)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.image.unitfiles import REPO, SYSTEMD, read_unit, words

IMAGE = REPO / "image-build"
LAYER = IMAGE / "layer/kiosk-app.yaml"
OVERLAY = IMAGE / "layer/kiosk-app.rootfs-overlay"
LAYER_FIELDS = ("Name", "Version", "Category", "Desc", "Requires")
VAR_FIELDS = ("Desc", "Required", "Valid", "Set")


def metadata(path: Path) -> dict[str, str]:
    """The `# METABEGIN … # METAEND` header: `X-Env-…: value` fields, continuation lines joined."""
    text = path.read_text(encoding="utf-8")
    block = re.search(r"^# METABEGIN\n(.*?)^# METAEND\n", text, re.M | re.S)
    assert block, f"{path.name}: no METABEGIN/METAEND header"
    fields: dict[str, str] = {}
    last = ""
    for line in block.group(1).splitlines():
        body = line.removeprefix("#")
        if body.startswith("  ") and last:  # a continuation of the field above
            fields[last] += " " + body.strip()
        elif body.strip():
            key, sep, value = body.strip().partition(":")
            assert sep and key.startswith("X-Env-"), f"{path.name}: {line!r}"
            fields[key] = value.strip()
            last = key
    return fields


def body(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def hooks(path: Path) -> list[str]:
    debstrap = body(path)["mmdebstrap"]
    return [hook for phase in ("setup-hooks", "essential-hooks", "customize-hooks", "cleanup-hooks")
            for hook in debstrap.get(phase, [])]  # fmt: skip


@pytest.mark.parametrize("layer", ["kiosk-app.yaml", "kiosk-rpi.yaml"])
def test_layer_header_names_the_layer_and_describes_every_variable(layer: str) -> None:
    fields = metadata(IMAGE / "layer" / layer)
    for field in LAYER_FIELDS:
        assert fields.get(f"X-Env-Layer-{field}"), f"{layer}: X-Env-Layer-{field}"
    assert fields["X-Env-Layer-Name"] == layer.removesuffix(".yaml")
    assert re.fullmatch(r"\d+\.\d+\.\d+", fields["X-Env-Layer-Version"])
    prefix = fields.get("X-Env-VarPrefix")
    names = {m.group(1) for key in fields if (m := re.fullmatch(r"X-Env-Var-([a-z0-9]+)", key))}
    assert bool(prefix) == bool(names)
    for name in names:
        for field in VAR_FIELDS:
            assert f"X-Env-Var-{name}-{field}" in fields, f"{layer}: X-Env-Var-{name}-{field}"


def test_every_variable_the_hooks_use_is_declared_by_the_layer() -> None:
    fields = metadata(LAYER)
    used = set(re.findall(r"IGconf_kiosk_([a-z0-9]+)", "\n".join(hooks(LAYER))))
    declared = {m.group(1) for key in fields if (m := re.fullmatch(r"X-Env-Var-([a-z0-9]+)", key))}
    assert used == declared == {"repo", "wheeldir"}


def test_layer_installs_what_the_kiosk_needs_at_run_time() -> None:
    packages = set(body(LAYER)["mmdebstrap"]["packages"])
    assert packages >= {
        "pcscd", "libccid", "python3-pyscard", "python3-venv", "libusb-1.0-0",
        "fonts-morisawa-bizud-gothic", "fonts-noto-cjk",
        # SDL's KMSDRM driver dlopens these; without libegl-mesa0 set_mode fails ("EGL not initialized").
        "libdrm2", "libgbm1", "libegl1", "libegl-mesa0", "libgles2", "libgl1-mesa-dri",
        "tzdata",
    }  # fmt: skip
    # Nothing from the Raspberry Pi archive: CI applies this layer to plain Debian.
    assert "python3-lgpio" not in packages
    assert body(IMAGE / "layer/kiosk-rpi.yaml")["mmdebstrap"]["packages"] == ["python3-lgpio"]


@pytest.mark.parametrize("path", ["layer/kiosk-app.yaml", "ci/debian-bookworm-arm64.yaml"])
def test_every_hook_stops_at_the_first_error(path: str) -> None:
    for hook in hooks(IMAGE / path):
        assert hook.startswith(("set -eu\n", "$BDEBSTRAP_HOOKS/")), hook.splitlines()[0]


def test_every_system_file_the_layer_installs_comes_from_systemd_folder() -> None:
    text = "\n".join(hooks(LAYER))
    taken = set(re.findall(r'"\$s/([^"]+)"', text))
    assert taken == {p.name for p in SYSTEMD.iterdir() if p.name != "README.md"}


def test_layer_enables_the_kiosk_units_and_keeps_tty1_and_ssh_quiet() -> None:
    calls = [hook.split() for hook in hooks(LAYER) if hook.startswith("$BDEBSTRAP_HOOKS/")]
    enabled = {unit for call in calls if call[0].endswith("/enable-units") for unit in call[2:]}
    disabled = {unit for call in calls if call[0].endswith("/disable-units") for unit in call[2:]}
    assert enabled == {"kiosk.service", "kiosk-lobby.service", "kiosk-site-setup.service", "pcscd.socket"}
    assert disabled >= {"getty@tty1.service", "ssh.service", "ssh.socket"}


def test_layer_moves_the_console_off_tty1_without_blanking_or_cursor() -> None:
    text = "\n".join(hooks(LAYER))
    assert "s/console=tty1/console=tty3/" in text
    for token in ("consoleblank=0", "vt.global_cursor_default=0"):
        assert token in text


def test_site_setup_runs_before_both_kiosk_units() -> None:
    before = words(read_unit(SYSTEMD / "kiosk-site-setup.service")["Unit"]["Before"])
    assert {"kiosk.service", "kiosk-lobby.service"} <= set(before)


def test_overlay_has_no_symlinks_which_rsync_would_copy_as_links() -> None:
    assert OVERLAY.is_dir()
    assert [p for p in OVERLAY.rglob("*") if p.is_symlink()] == []


@pytest.mark.parametrize("name, path", [("kiosk.conf", "/var/lib/kiosk"), ("kiosk-site.conf", "/var/lib/kiosk-site")])
def test_ticket_database_and_site_config_are_shared_between_slots(name: str, path: str) -> None:
    # /var is per slot on the A/B root: without this an update would restart the numbering.
    lines = (OVERLAY / "etc/rpi-image-gen/slot-shared.d" / name).read_text().splitlines()
    assert [line for line in lines if line and not line.startswith("#")] == ["Version=1", f"Path={path}"]


def test_units_keep_their_state_where_the_slot_shared_path_is() -> None:
    for unit in ("kiosk.service", "kiosk-lobby.service"):
        assert read_unit(SYSTEMD / unit)["Service"]["StateDirectory"] == ["kiosk"]  # = /var/lib/kiosk


@pytest.mark.parametrize("device", ["pi4", "pi5"])
def test_device_config_builds_the_ab_read_only_image_with_the_kiosk_layer(device: str) -> None:
    config = body(IMAGE / f"config/lobby-kiosk-{device}.yaml")
    assert config["include"]["file"] == ["bookworm-minbase-ab.yaml", f"device/{device}.yaml"]
    assert config["layer"]["app"] == "kiosk-app"
    assert config["image"]["name"] == f"lobby-kiosk-{device}"
    assert set(config["kiosk"]) == {"repo", "wheeldir"}


def test_ci_base_is_plain_debian_bookworm_arm64() -> None:
    base = body(IMAGE / "ci/debian-bookworm-arm64.yaml")["mmdebstrap"]
    assert (base["suite"], base["architectures"], base["variant"]) == ("bookworm", ["arm64"], "minbase")
    assert all("deb.debian.org" in mirror for mirror in base["mirrors"])
