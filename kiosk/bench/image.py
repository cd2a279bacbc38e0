"""How long CI's check of the appliance image takes.

- `image.ci_build_s`: tests/image/test_rootfs_arm64.py, start to end: the aarch64 wheels, Debian
  bookworm arm64 with the kiosk-app layer built by bdebstrap under qemu-user-static, and every check
  run on that tree. Target <= 420 on the 2-core CI machine.

The build needs root and minutes, so the bench does not run it again: the test writes the figure it
measured to `out/bench/image.json` (MEASURED) and this module reports it. No file (the test has not
run on this machine, or was skipped) means no figure, never a made-up one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MEASURED = Path(__file__).resolve().parents[2] / "out" / "bench" / "image.json"
FIGURE = "image.ci_build_s"


def record(seconds: float, path: Path = MEASURED) -> None:
    """Called by the image test with what it measured."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({FIGURE: round(seconds, 1)}) + "\n", encoding="utf-8")


def measure(path: Path = MEASURED) -> dict[str, float]:
    if not path.is_file():
        print(f"{FIGURE}: not measured on this machine (run tests/image/test_rootfs_arm64.py as root)", file=sys.stderr)
        return {}
    figures = json.loads(path.read_text(encoding="utf-8"))
    return {FIGURE: float(figures[FIGURE])}
