"""The voice's cache folder (`kiosk.cachedir`'s "voice"), kept to a size a Pi's SD card can spare.

Every label of a day comes back the next day, so the cache fills once and then mostly hits; but
announcement files are ~0.4 MB each (9 s at 24 kHz), and labels × counters × languages × recalls can
reach thousands. A file's modification time is its last use (touched on every hit); beyond
`CAP_BYTES` the least recently used go, down to 80 % of it, never the file just written.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from kiosk import cachedir
from kiosk.voice.announcement import CACHE_KIND

CAP_BYTES = 256 * 1024 * 1024


def find(name: str) -> Path | None:
    """The cached file, marked as just used; None when it is not cached."""
    path = cachedir.find(CACHE_KIND, name)
    if path is not None:
        with contextlib.suppress(OSError):  # a read-only cache still serves; it just ages sooner
            os.utime(path)
    return path


def put(name: str, data: bytes, cap_bytes: int = CAP_BYTES) -> Path:
    path = cachedir.put(CACHE_KIND, name, data)
    prune(path.parent, keep=path, cap_bytes=cap_bytes)
    return path


def prune(folder: Path, keep: Path | None = None, cap_bytes: int = CAP_BYTES) -> list[Path]:
    """Remove the least recently used WAV files until the folder is under 80 % of `cap_bytes`
    (only once it is over the cap: no churn at the edge). Returns what was removed."""
    files = []
    for path in folder.glob("*.wav"):
        with contextlib.suppress(OSError):  # another process may have removed it meanwhile
            stat = path.stat()
            files.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in files)
    if total <= cap_bytes:
        return []
    removed = []
    for _, size, path in sorted(files, key=lambda f: (f[0], f[2].name)):
        if total <= cap_bytes * 0.8:
            break
        if path == keep:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
            total -= size
    return removed
