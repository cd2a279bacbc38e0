"""A software roll counter: how much paper the tickets used, a second paper-low signal beside the
printer's near-end sensor (which some printers lack, or which a site may have disabled).

The length used is kept in a small JSON file in the data folder, so it survives restarts; it is
written atomically (temp file, then rename). A new roll resets it: by itself when the printer goes
from paper end back to paper (a roll was loaded), or when staff run `kiosk new-roll`.
"""

from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path

log = logging.getLogger(__name__)

DOTS_PER_MM = 8  # 203 dpi
CUT_FEED_MM = 15  # paper fed past the head to the cutter for each ticket (TM-class, ~15 mm)


class RollCounter:
    def __init__(self, path: Path, length_mm: int, low_mm: int) -> None:
        self.path = Path(path)
        self.length_mm = length_mm
        self.low_mm = low_mm
        self.used_mm = self._load()

    @property
    def left_mm(self) -> float:
        return max(self.length_mm - self.used_mm, 0.0)

    @property
    def low(self) -> bool:
        return self.left_mm < self.low_mm

    def add_ticket(self, height_dots: int) -> None:
        # Read again first: `kiosk new-roll` (another process) may have reset the file meanwhile.
        self.used_mm = self._load() + height_dots / DOTS_PER_MM + CUT_FEED_MM
        self._save()

    def new_roll(self) -> bool:
        """Start from a full roll; False when the file could not be written (staff must hear it:
        the next start would count on from the old roll)."""
        self.used_mm = 0.0
        if not self._save():
            return False
        log.info("paper roll counter reset: a new roll of %d mm", self.length_mm)
        return True

    def _load(self) -> float:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            used = float(data["used_mm"])
            if not math.isfinite(used) or used < 0:
                # NaN would compare false with every bound and silently switch the low warning off.
                raise ValueError(f"used_mm {used} is not a length")
            return used
        except FileNotFoundError:
            return 0.0
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # A broken counter file must not stop the printer: start counting again, say so.
            log.error("paper roll counter %s unreadable (%s): counting from a full roll", self.path, exc)
            return 0.0

    def _save(self) -> bool:
        partial = self.path.with_name(f".{self.path.name}.partial")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps({"used_mm": round(self.used_mm, 1)}), encoding="utf-8")
            os.replace(partial, self.path)
        except OSError as exc:
            log.error("paper roll counter %s not saved: %s", self.path, exc)
            return False
        return True
