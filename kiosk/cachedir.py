"""Where the kiosk keeps what it can rebuild from its own files (a font face copied out of a
collection, the parsed message catalogs), and how a file gets there safely.

First choice first: the unit's own cache directory (systemd's `CacheDirectory=kiosk` sets
$CACHE_DIRECTORY), the user's ($XDG_CACHE_HOME or ~/.cache, then kiosk/), then the temp folder (a
read-only home under `ProtectHome=` must not stop the kiosk). Losing the cache costs time, never
words or glyphs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from kiosk.errors import KioskError


def cache_dirs(kind: str) -> list[Path]:
    dirs = []
    systemd = os.environ.get("CACHE_DIRECTORY")
    if systemd:
        dirs.append(Path(systemd.split(":")[0]) / kind)
    xdg = os.environ.get("XDG_CACHE_HOME")
    dirs.append((Path(xdg) if xdg else Path.home() / ".cache") / "kiosk" / kind)
    dirs.append(Path(tempfile.gettempdir()) / f"kiosk-{kind}-{os.getuid()}")
    return dirs


def find(kind: str, name: str) -> Path | None:
    """The cached file `name`, wherever it was put; None when it is nowhere."""
    return next((folder / name for folder in cache_dirs(kind) if (folder / name).is_file()), None)


def put(kind: str, name: str, data: bytes, stale: Iterable[str] = ()) -> Path:
    """Write `data` as `name` in the first cache folder that takes it, atomically (a second process
    never reads half a file); then remove the `stale` glob patterns' other files there."""
    problems = []
    for folder in cache_dirs(kind):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".part") as part:
                part.write(data)
            os.replace(part.name, folder / name)
        except OSError as exc:
            problems.append(f"{folder}: {exc.strerror or exc}")
            continue
        for pattern in stale:
            for old in folder.glob(pattern):
                if old.name != name:
                    old.unlink(missing_ok=True)
        return folder / name
    raise KioskError(f"cannot write {name} to any cache folder: " + "; ".join(problems))
