"""Benchmark figures `ui.*`: the touch screens and the event loop, each measured in a fresh process.

`python -m kiosk.bench.probe NAME` does the measuring (it loads pygame, the screens and the devices;
this module does not); this module starts it with SDL's dummy video driver and collects its figures. Targets
(the ui issue): first frame ≤ 600 ms, idle CPU ≤ 0.5 %, frame p95 ≤ 8 ms at 1080×1920, touch to
frame ≤ 50 ms, RSS after a full visit ≤ 120 MB.

- `ui.first_frame_ms`: from just before the process is started to the moment it says its first
  frame is on the display (interpreter start, imports, config, fonts, devices, the welcome screen).
- `ui.idle_cpu_percent`: CPU time of the kiosk process over 20 s of its real loop on the welcome
  screen, as a share of one core, with the devices the shipped config names (the PC/SC reader's
  watcher thread included); `ui.idle_cpu_percent_sim_reader`: the same with the simulated reader,
  the loop's own cost.
- `ui.frame_p95_ms` (and `ui.frame_median_ms`): drawing and showing every screen of the gallery
  in ja and en, as later visitors see them (glyphs and wrapped lines cached);
  `ui.frame_first_pass_p95_ms` is the same for the very first time each screen is drawn.
- `ui.touch_to_frame_ms` (median; `ui.touch_to_frame_max_ms`): a whole visit tapped through the
  real loop, finger events posted to SDL's queue from another thread, to the next frame shown.
- `ui.rss_mb`: resident memory of that process at the end of the visit (ticket printed).
- `ui.frame_p95_ms_during_print` (issue 10: ≤ 8): each turn of the real loop while a ticket prints
  on a serial printer at 115,200 baud (the emulator behind a paced pty); `ui.print_s` is how long
  that ticket took, `ui.frames_during_print` how many turns the loop made meanwhile.
- `ui.max_frame_gap_ms` (issue 10: ≤ 100): the longest time between two turns of the loop over a
  whole visit with a network printer that accepts connections and never answers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "config"
RUNS = 5  # first frame: the median of several cold starts


def _env() -> dict[str, str]:
    return {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}


def _probe(name: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.bench.probe", name, str(CONFIG)],
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _first_frame_ms() -> float:
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "kiosk.bench.probe", "first-frame", str(CONFIG)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == "frame":
            elapsed = (time.perf_counter() - start) * 1000
            break
    else:
        raise RuntimeError("the kiosk exited before its first frame")
    child.wait(timeout=30)
    return elapsed


def measure() -> dict[str, float]:
    starts = sorted(_first_frame_ms() for _ in range(RUNS))
    figures = {"first_frame_ms": starts[RUNS // 2]}
    for name in ("frames", "visit", "print", "dead-printer", "idle", "idle-sim-reader"):
        figures.update(_probe(name))
    return {f"ui.{key}": round(value, 2) for key, value in figures.items()}
