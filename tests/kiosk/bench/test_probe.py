"""The benchmark's probe runs the real kiosk in a process of its own (figures are `make bench`'s, not tests')."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def test_the_first_frame_probe_starts_the_kiosk_and_reports_its_first_frame() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.bench.probe", "first-frame", str(REPO / "config")],
        env={**os.environ, "SDL_VIDEODRIVER": "dummy"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "frame" in done.stdout.splitlines()
