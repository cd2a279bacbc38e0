"""Where the kiosk's fonts are. BIZ UD Gothic (Debian `fonts-morisawa-bizud-gothic`) is the
universal-design face used by Japanese public bodies; the proportional "P" variant reads better
for running text, the fixed one lines up digits on tickets.

Pure path lookup: no pygame, no Pillow. A missing font is an error naming the package, never a
silent fallback to a face that draws Japanese as boxes.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from kiosk.errors import KioskError

FONT_DIRS = (Path("/usr/share/fonts/truetype/bizud-gothic"), Path("/usr/local/share/fonts/bizud-gothic"))
PACKAGE = "fonts-morisawa-bizud-gothic"


class Face(StrEnum):
    REGULAR = "BIZUDPGothic-Regular.ttf"
    BOLD = "BIZUDPGothic-Bold.ttf"
    FIXED = "BIZUDGothic-Regular.ttf"
    FIXED_BOLD = "BIZUDGothic-Bold.ttf"


def font_path(face: Face) -> Path:
    for folder in FONT_DIRS:
        path = folder / face.value
        if path.is_file():
            return path
    raise KioskError(f"font {face.value} not found in {', '.join(map(str, FONT_DIRS))}: install {PACKAGE}")
