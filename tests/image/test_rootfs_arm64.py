"""CI's check of the appliance image: the kiosk-app layer applied by Debian's bdebstrap to Debian
bookworm arm64 under qemu-user-static (image-build/scripts/ci-rootfs.sh), then checked as a Pi
would run it. CI runs it as root (.ci/run); elsewhere it skips and says why. Takes minutes: the
measured time is `image.ci_build_s` in the bench (kiosk/bench/image.py).

Not checked here (needs a Pi, see the first-boot checklist in image-build/README.md): the Raspberry
Pi kernel, firmware and Mesa, the A/B erofs layout, KMSDRM on a real screen, the hardware watchdog.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.bench import image as image_bench
from tests.image.unitfiles import ALL_UNITS, REPO, UNITS, analyze, exposure

pytestmark = pytest.mark.image

SCRIPTS = REPO / "image-build/scripts"
PATH = "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
TOOLS = ("bdebstrap", "mmdebstrap", "arch-test", "update-binfmts", "rsync", "unshare", "chroot")


def arm64_ready() -> str:
    """'' when this machine can run arm64 programs, else why not (after trying to switch it on)."""
    if subprocess.run(["arch-test", "arm64"], capture_output=True, check=False).returncode == 0:
        return ""
    run = subprocess.run(
        [str(SCRIPTS / "enable-arm64-emulation")], capture_output=True, text=True, timeout=60, check=False
    )
    return "" if run.returncode == 0 else (run.stdout + run.stderr).strip() or f"exit {run.returncode}"


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The built tree. KIOSK_IMAGE_ROOTFS=OUT/kiosk-ci/rootfs checks a tree built before (by
    ci-rootfs.sh) instead of building one: for working on the checks; nothing is timed then."""
    if os.environ.get("KIOSK_IMAGE_ROOTFS"):
        yield Path(os.environ["KIOSK_IMAGE_ROOTFS"])
        return
    if os.geteuid() != 0:
        pytest.skip("builds the arm64 rootfs as root (mmdebstrap --mode=root); CI runs it through .ci/run")
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"{missing} missing: image-build/dev-packages.txt installs them (make setup)"
    why = arm64_ready()
    if why:
        pytest.skip(f"the kernel refuses to run arm64 programs through qemu-user-static: {why}")
    out = tmp_path_factory.mktemp("image")
    started = time.monotonic()
    build = subprocess.run(
        [str(SCRIPTS / "ci-rootfs.sh"), str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        env={**os.environ, "PYTHON": str(REPO / ".venv/bin/python")},
    )
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    yield out / "kiosk-ci/rootfs"
    image_bench.record(time.monotonic() - started)  # the build and every check below
    shutil.rmtree(out, ignore_errors=True)  # 1-2 GB


def in_chroot(root: Path, *command: str, env: tuple[str, ...] = (), timeout: float = 300) -> str:
    """Run a command inside the arm64 tree (under qemu), without this host's environment; its stdout."""
    run = subprocess.run(
        ["chroot", str(root), "env", "-i", PATH, "HOME=/root", *env, *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert run.returncode == 0, f"{command}: {run.stdout}{run.stderr}"
    return run.stdout


def in_booted_chroot(root: Path, script: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """A shell script inside the tree with /proc and /sys mounted, in mount and hostname namespaces of
    its own: the mounts vanish with it, and a hostname it sets never reaches this machine."""
    mounts = f'mount -t proc proc "{root}/proc" && mount --rbind /sys "{root}/sys" && mount -t tmpfs tmpfs "{root}/run"'
    return subprocess.run(
        ["unshare", "--mount", "--uts", "--propagation", "private", "sh", "-c",
         f'{mounts} && exec chroot "{root}" env -i {PATH} sh -c "$0"', script],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )  # fmt: skip


def test_image_holds_the_runtime_packages_on_bookworm_systemd(rootfs: Path) -> None:
    manifest = dict(line.split("\t")[:2] for line in (rootfs.parent / "manifest").read_text().splitlines() if line)
    for package in ("pcscd", "libccid", "python3-pyscard", "fonts-morisawa-bizud-gothic", "libegl-mesa0", "udev"):
        assert package in manifest, package
    assert manifest["systemd"].startswith("252.")  # bookworm's, as on the Pi


def test_kiosk_units_are_enabled_and_tty1_has_no_login_prompt(rootfs: Path) -> None:
    system = rootfs / "etc/systemd/system"
    for unit in ALL_UNITS:
        # bdebstrap's enable-units skips a unit it cannot find without failing: look at the symlink.
        link = system / "multi-user.target.wants" / unit
        assert link.is_symlink(), unit
        assert (rootfs / os.readlink(link).lstrip("/")).is_file() or (link.parent / os.readlink(link)).is_file()
    assert (system / "sockets.target.wants/pcscd.socket").is_symlink()
    assert not (system / "getty.target.wants/getty@tty1.service").exists()


@pytest.mark.parametrize("unit", ALL_UNITS)
def test_systemd_analyze_verify_prints_nothing_on_the_image(rootfs: Path, unit: str) -> None:
    run = analyze("verify", f"--root={rootfs}", "--man=no", unit)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


@pytest.mark.parametrize("unit", UNITS)
def test_security_exposure_on_the_image_is_at_most_2_5(rootfs: Path, unit: str) -> None:
    assert exposure(rootfs, unit) <= 2.5


def test_kiosk_user_has_no_shell_and_is_in_its_device_groups(rootfs: Path) -> None:
    passwd = {line.split(":")[0]: line.split(":") for line in (rootfs / "etc/passwd").read_text().splitlines()}
    assert passwd["kiosk"][6] == "/usr/sbin/nologin"
    assert int(passwd["kiosk"][2]) < 1000
    entries = [line.split(":") for line in (rootfs / "etc/group").read_text().splitlines()]
    groups = {entry[0]: entry[3].split(",") for entry in entries}
    for group in ("video", "render", "input", "dialout", "lp", "gpio", "audio"):
        assert "kiosk" in groups[group], group


def test_console_is_moved_off_tty1_without_blanking_or_cursor(rootfs: Path) -> None:
    tokens = (rootfs / "boot/firmware/cmdline.txt").read_text().split()
    assert "console=tty3" in tokens and "console=tty1" not in tokens
    assert {"consoleblank=0", "vt.global_cursor_default=0"} <= set(tokens)


def test_udev_reads_the_kiosk_rules_without_complaint(rootfs: Path) -> None:
    run = in_booted_chroot(rootfs, "udevadm test --action=add /sys/class/tty/tty1 2>&1", timeout=120)
    out = run.stdout + run.stderr
    assert "/etc/udev/rules.d/60-kiosk.rules" in out, out[-2000:]
    assert not [line for line in out.splitlines() if "60-kiosk.rules" in line and ("Invalid" in line or "rror" in line)]


def test_app_imports_with_every_device_library_inside_the_arm64_tree(rootfs: Path) -> None:
    in_chroot(
        rootfs,
        "/opt/kiosk/venv/bin/python",
        "-c",
        "import kiosk.cli, kiosk.lobby.server, drivers.card.pcsc, smartcard.System, pygame, gpiozero, serial, usb.core,"
        " psycopg, pyopenjtalk, numpy, cryptography.x509",
    )


def test_app_is_byte_compiled_for_the_read_only_root(rootfs: Path) -> None:
    site = rootfs / "opt/kiosk/venv/lib/python3.11/site-packages"
    for module in ("kiosk/cli.py", "kiosk/ui/app.py", "drivers/card/pcsc.py"):
        source = site / module
        assert (source.parent / "__pycache__" / f"{source.stem}.cpython-311.pyc").is_file(), module
    assert not (rootfs / "opt/kiosk/venv/bin/pip").exists()  # nothing on the appliance installs


def test_sdl_lists_the_kmsdrm_driver(rootfs: Path) -> None:
    script = (
        "import ctypes, glob, os, pygame\n"
        "lib = glob.glob(os.path.join(os.path.dirname(pygame.__file__), '..', 'pygame_ce.libs', 'libSDL2*'))[0]\n"
        "sdl = ctypes.CDLL(lib)\n"
        "sdl.SDL_GetVideoDriver.restype = ctypes.c_char_p\n"
        "print(' '.join(sdl.SDL_GetVideoDriver(i).decode() for i in range(sdl.SDL_GetNumVideoDrivers())))\n"
    )
    drivers = in_chroot(rootfs, "/opt/kiosk/venv/bin/python", "-c", script).split()
    assert "KMSDRM" in drivers


def test_first_boot_takes_site_config_hostname_and_staff_password_from_the_boot_partition(rootfs: Path) -> None:
    boot = rootfs / "bootfs/kiosk"
    boot.mkdir(parents=True, exist_ok=True)
    shipped = (rootfs / "usr/share/kiosk/site.toml").read_text()
    (boot / "site.toml").write_text(shipped.replace('kiosk_id = "lobby-1"', 'kiosk_id = "lobby-2"'))
    (boot / "hostname").write_text("kiosk-maebashi-2\n")
    (boot / "staff-password").write_text("correct-horse-battery\n")
    run = in_booted_chroot(rootfs, "/usr/libexec/kiosk/site-setup && hostname")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.split()[-1] == "kiosk-maebashi-2"
    assert 'kiosk_id = "lobby-2"' in (rootfs / "var/lib/kiosk-site/site.toml").read_text()
    assert not (boot / "staff-password").exists()  # read once, then gone from the card
    # /etc/kiosk is the slot-shared copy; the check the units run passes on it, as the kiosk user.
    in_chroot(rootfs, "setpriv", "--reuid=kiosk", "--regid=kiosk", "--init-groups",
              "/opt/kiosk/venv/bin/kiosk", "check-config", "/etc/kiosk/site.toml")  # fmt: skip
    accounts = in_chroot(rootfs, "/opt/kiosk/venv/bin/kiosk", "staff", "list", "--config", "/etc/kiosk/site.toml")
    assert accounts.split()[:1] == ["staff"]


def test_a_frame_renders_headless_with_biz_ud_gothic(rootfs: Path) -> None:
    script = (
        "import pygame\n"
        "from kiosk.fonts import Face, font_path\n"
        "path = font_path(Face.BOLD, 'ja')\n"
        "assert 'BIZUD' in path.name, path\n"
        "pygame.init()\n"
        "screen = pygame.display.set_mode((480, 160))\n"
        "screen.fill((255, 255, 255))\n"
        "text = pygame.font.Font(str(path), 64).render('受付 M-012', True, (0, 0, 0))\n"
        "screen.blit(text, (16, 40))\n"
        "pygame.display.flip()\n"
        "dark = sum(1 for x in range(480) for y in range(160) if screen.get_at((x, y))[0] < 128)\n"
        "print(path.name, dark)\n"
    )
    headless = ("SDL_VIDEODRIVER=dummy", "SDL_AUDIODRIVER=dummy")
    out = in_chroot(rootfs, "/opt/kiosk/venv/bin/python", "-c", script, env=headless)
    name, dark = out.split()[-2:]
    assert name.startswith("BIZUDPGothic")
    assert int(dark) > 1000  # the glyphs are there
