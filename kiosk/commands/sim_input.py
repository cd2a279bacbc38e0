"""The fault lines a simulator reads on standard input, shared by `printer-sim` and `board-sim`."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def serve_fault_lines(apply: Callable[[str], str]) -> int:
    """Apply each line of standard input (`quit` ends); with no more input, serve until stopped."""
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            if line.strip() == "quit":
                return 0
            print(apply(line), flush=True)
        while True:  # no more input (a pipe, a service): serve until stopped
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
