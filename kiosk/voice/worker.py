"""The announcer in a process of its own, for the lobby service.

Why a process, not only a thread: the voice engine holds ~35 MB once it has spoken (Open JTalk's
dictionary pages, numpy, the HTS engine's buffers) and a burst of calls is seconds of CPU; in a child
at a lower priority neither weighs on the service that keeps the screens and consoles current, and a
crash inside the C engine costs one announcement, not the lobby. Measured on the bench's 80 calls in
30 s: in-process synthesis took the service to 85 MB and 66 % of a core for the 10 s after.

Protocol (one JSON object a line each way): the service writes
`{"id": 7, "kind": "call", "label": "M-012", "counter": "13", "lang": "en"}`; the worker answers
`{"id": 7, "path": "/…/call-M-012-13-en-….wav"}` or `{"id": 7, "error": "…"}`, in any order.
`python -m kiosk.voice.worker` is the child's side; `VoiceWorker` the service's.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import IO

from kiosk.errors import VoiceError
from kiosk.voice import cache
from kiosk.voice.announcement import WORKER_NICE, Announcement
from kiosk.voice.reading import AnnouncementKind

log = logging.getLogger(__name__)


class VoiceWorker:
    """Announcements made by a child process; the same `prepare` / `wav` / `close` as `Announcer`.

    A worker that dies fails its pending announcements (VoiceError) and is started again by the next one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[subprocess.Popen[str], Future[Path]]] = {}
        self._by_name: dict[str, Future[Path]] = {}
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._closed = False

    def cached(self, announcement: Announcement) -> Path | None:
        return cache.find(announcement.file_name())

    def warm_up(self) -> None:
        """Start the worker now: it loads its voice while the service starts, not at the first call."""
        with self._lock:
            self._ensure()

    def prepare(self, announcement: Announcement) -> Future[Path]:
        name = announcement.file_name()
        with self._lock:
            pending = self._by_name.get(name)
            if pending is not None:
                return pending
            future: Future[Path] = Future()
            found = cache.find(name)
            if found is not None:
                future.set_result(found)
                return future
            if self._closed:
                future.set_exception(VoiceError("the voice worker is closed"))
                return future
            request_id = next(self._ids)
            request = {
                "id": request_id,
                "kind": announcement.kind.value,
                "label": announcement.label,
                "counter": announcement.counter,
                "lang": announcement.lang,
            }
            try:
                process = self._ensure()
                assert process.stdin is not None
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
            except (OSError, ValueError) as exc:
                future.set_exception(VoiceError(f"the voice worker cannot be reached: {exc}"))
                return future
            self._pending[request_id] = (process, future)
            self._by_name[name] = future
            future.add_done_callback(lambda _: self._forget(name))
            return future

    def wav(self, announcement: Announcement, timeout_s: float = 30.0) -> Path:
        return self.prepare(announcement).result(timeout=timeout_s)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            process, self._process = self._process, None
            reader, self._reader = self._reader, None
        if process is None:
            return
        with contextlib.suppress(OSError, ValueError):
            assert process.stdin is not None
            process.stdin.close()  # the worker ends at the end of its input
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if reader is not None:
            reader.join(timeout=10)  # it closes the worker's output at its end

    # --- internals ----------------------------------------------------------------------------

    def _forget(self, name: str) -> None:
        with self._lock:
            self._by_name.pop(name, None)

    def _ensure(self) -> subprocess.Popen[str]:
        """The running worker (under the lock), started when there is none."""
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "kiosk.voice.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
            self._reader = threading.Thread(
                target=self._read, args=(self._process,), name="voice-worker-reader", daemon=True
            )
            self._reader.start()
        return self._process

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            try:
                reply = json.loads(line)
                request_id = int(reply["id"])
            except (ValueError, KeyError, TypeError):
                log.error("voice worker: unreadable reply %r", line[:200])
                continue
            with self._lock:
                _, future = self._pending.pop(request_id, (None, None))
            if future is None:
                continue
            if "path" in reply:
                future.set_result(Path(reply["path"]))
            else:
                future.set_exception(VoiceError(str(reply.get("error", "the voice worker failed"))))
        process.stdout.close()
        code = process.wait()
        if process.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                process.stdin.close()
        with self._lock:
            ids = [i for i, (owner, _) in self._pending.items() if owner is process]
            lost = [self._pending.pop(i)[1] for i in ids]
        if lost and not self._closed:
            log.error("voice worker exited with %s; %d announcement(s) lost", code, len(lost))
        for future in lost:
            future.set_exception(VoiceError(f"the voice worker exited with {code}"))


def serve(requests: IO[str], replies: IO[str]) -> None:
    """The child's side: one announcement per request line, one reply line each, until the input ends."""
    from kiosk.voice.announcer import Announcer, default_voice  # numpy and the voices: the child's only

    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)
    announcer = Announcer(default_voice, nice=0)  # the whole process is lowered already
    announcer.warm_up()
    try:
        for line in requests:
            request_id = None
            try:
                request = json.loads(line)
                request_id = request["id"]
                announcement = Announcement(
                    AnnouncementKind(request["kind"]), str(request["label"]), str(request["counter"]), request["lang"]
                )
                reply: dict[str, object] = {"id": request_id, "path": str(announcer.wav(announcement))}
            except Exception as exc:  # a process's one broad except: answer the error, keep serving
                reply = {"id": request_id, "error": f"{type(exc).__name__}: {exc}"}
            replies.write(json.dumps(reply, ensure_ascii=False) + "\n")
            replies.flush()
    finally:
        announcer.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(sys.stdin, sys.stdout)
