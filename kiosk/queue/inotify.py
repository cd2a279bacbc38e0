"""Linux inotify through ctypes: being woken when named files in one directory are written.

Only what `SqliteNotifier` needs: one watch on a directory, the names of interest, a file
descriptor to poll, and a non-blocking drain that says whether one of those names was touched.
`open_watch` returns None where inotify is missing (not Linux, no libc symbol, a filesystem or
limit that refuses the watch): the caller then falls back to polling.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
from pathlib import Path

IN_MODIFY = 0x00000002
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_IGNORED = 0x00008000  # the watch is gone (directory removed, filesystem unmounted)
IN_Q_OVERFLOW = 0x00004000  # events were lost: treat as "something changed"
_HEADER = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len, then name[len]
_READ_SIZE = 64 * 1024


class DirectoryWatch:
    """An inotify descriptor watching `directory` for writes, creations and renames into it."""

    def __init__(self, fd: int, names: frozenset[str]) -> None:
        self.fd = fd
        self._names = {name.encode() for name in names}
        self.broken = False  # the watch was removed: only polling is left

    def drain(self) -> bool:
        """Read every queued event without blocking; True when one concerned a name of interest."""
        touched = False
        while True:
            try:
                data = os.read(self.fd, _READ_SIZE)
            except BlockingIOError:
                return touched
            if not data:
                return touched
            offset = 0
            while offset + _HEADER.size <= len(data):
                _wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
                name = data[offset + _HEADER.size : offset + _HEADER.size + length].rstrip(b"\0")
                offset += _HEADER.size + length
                if mask & (IN_Q_OVERFLOW | IN_IGNORED):
                    touched = True
                    self.broken = self.broken or bool(mask & IN_IGNORED)
                elif name in self._names:
                    touched = True

    def close(self) -> None:
        os.close(self.fd)


def open_watch(directory: Path, names: frozenset[str]) -> DirectoryWatch | None:
    """A watch on `directory` for `names`, or None where inotify cannot be had."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return None
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        init1 = libc.inotify_init1
        add_watch = libc.inotify_add_watch
    except (OSError, AttributeError):  # not Linux, or a libc without inotify
        return None
    init1.argtypes, init1.restype = [ctypes.c_int], ctypes.c_int
    add_watch.argtypes, add_watch.restype = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32], ctypes.c_int
    fd = init1(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:  # EMFILE: the user's instance limit (fs.inotify.max_user_instances)
        return None
    if add_watch(fd, os.fsencode(directory), IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0:
        os.close(fd)
        return None
    return DirectoryWatch(fd, names)
