"""The ticket printer on a thread of its own: the UI loop never waits for the printer.

A status query costs about a millisecond on a good TCP link, the read timeout (0.5 s) on a printer
that accepts and never answers, the connect timeout (3 s) on a host that is gone; a ticket on a
115,200-baud serial printer takes about 2 s. So every call to the printer goes through
`PrinterWorker.submit` and runs on its one thread, one job at a time, in the order asked: the
kiosk's status checks and tickets (kiosk/shell/runtime.py picks their answers up on a later poll,
as it does card reads) and the jobs staff ask for through the control socket
(kiosk/shell/control.py). Nothing else in the process touches the printer.

The port lock (kiosk/shell/port_lock.py), when given, is taken on this thread before the first
job and held until `close`: while the kiosk runs, no staff command opens the printer's port beside
it. A lock held by a staff command that is printing right now is waited for; jobs wait behind it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from drivers.interfaces import TicketPrinter
from kiosk.shell.port_lock import PortLock

log = logging.getLogger(__name__)

T = TypeVar("T")
LOCK_RETRY_S = 0.1


@dataclass(frozen=True)
class _Job:
    run: Callable[[TicketPrinter], Any]
    future: Future[Any]
    staff: bool


class PrinterWorker:
    def __init__(self, printer: TicketPrinter, lock: PortLock | None = None) -> None:
        self.printer = printer
        self.lock = lock
        self.staff_jobs_done = 0  # jobs staff asked for (the runtime asks the printer again after one)
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()  # None: stop
        self._stop = threading.Event()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, job: Callable[[TicketPrinter], T], *, staff: bool = False) -> Future[T]:
        """Run `job(printer)` on the printer's thread after the jobs before it; its answer (or its
        exception) comes in the future. After `close`, the future fails at once. `staff`: a job
        staff asked for (a test print, a reprint, a new roll), counted in `staff_jobs_done`."""
        future: Future[T] = Future()
        if self._stop.is_set():
            future.set_exception(RuntimeError("the printer worker is closed"))
            return future
        self._started()
        self._queue.put(_Job(job, future, staff))
        return future

    def close(self, timeout_s: float = 5.0) -> None:
        """Finish the job under way (up to `timeout_s`), refuse the rest, let go of the port lock.
        The printer itself is closed by its owner (`KioskApp.close`), once this thread is done."""
        self._stop.set()
        self._queue.put(None)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)
            if thread.is_alive():
                log.warning("the printer worker is still in a job after %.1f s; leaving it", timeout_s)

    def _started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="printer", daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        try:
            if self.lock is not None and not self._take_lock(self.lock):
                return
            while True:
                job = self._queue.get()
                if job is None or self._stop.is_set():
                    if job is not None:
                        self._queue.put(job)  # refused below with the rest
                    break
                if not job.future.set_running_or_notify_cancel():
                    continue
                try:
                    job.future.set_result(job.run(self.printer))
                except BaseException as exc:  # the caller gets it: a broken driver must not stop the lobby
                    job.future.set_exception(exc)
                if job.staff:
                    self.staff_jobs_done += 1
        finally:
            self._refuse_the_rest()
            if self.lock is not None:
                self.lock.release()

    def _take_lock(self, lock: PortLock) -> bool:
        told = False
        while not self._stop.is_set():
            if lock.try_acquire():
                if told:
                    log.warning("printer port %s free again: the kiosk owns it", lock.name)
                return True
            if not told:
                log.warning("printer port %s is held by another process (a staff command?): waiting", lock.name)
                told = True
            self._stop.wait(LOCK_RETRY_S)
        return False

    def _refuse_the_rest(self) -> None:
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if job is not None and job.future.set_running_or_notify_cancel():
                job.future.set_exception(RuntimeError("the printer worker is closed"))
