"""The serial number boards above the counters: LED boards on one RS-485 (or RS-232) line each,
driven through a USB adapter with pyserial, speaking lobby-facts.md §4 (drivers/board/frames.py).

What we rely on (§4, a SPEC of ours; the emulator holds the boards to it): a board answers a frame
addressed to it within 100 ms with ACK, NAK (bad frame) or ENQ (restarted, "send me everything")
followed by its address; frames are idempotent except the chime, so resending is safe.

How the host behaves:
- One writer thread per port (`BoardPort`), so the line is never shared between threads and a call
  never waits for a slow caller; every board on the port has its own queue.
- Each frame: write, wait 150 ms for that board's answer, up to 3 tries in all. No answer after the
  third: the board is offline (health DOWN with the time of its last ACK); its queued frames are
  dropped but the rows it should show are kept, so a call made while it was away appears the moment it
  answers again. NAKed three times: the board is alive but took nothing; the whole state goes again
  at the next ping.
- Every board, online or offline, is pinged every 5 s. An ENQ, or any answer from an offline board,
  sends C and then every row. Every 60 s every row goes to every board anyway.
- A garbled answer is no answer (resend). An adapter that cannot be opened is tried again every 5 s.

Rejected: sending blind as QSystem does (a board that missed a frame shows a stale number until the
next call), and one thread per board (two threads on one RS-485 line would collide).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from drivers.board.frames import Answer, AnswerReader, Command, Frame, encode, flash, show
from drivers.board.settings import BoardConfig, BoardTiming
from drivers.interfaces import Health, HealthState
from kiosk.errors import DisplayError

log = logging.getLogger(__name__)

PROTOCOL_TIMING = BoardTiming()


class SerialLink:
    """The port as the writer thread uses it: pyserial, opened 8N1 (imported lazily)."""

    def __init__(self, url: str, baud: int) -> None:
        import serial

        try:
            self._port = serial.serial_for_url(url, baudrate=baud, bytesize=8, parity="N", stopbits=1, timeout=0.02)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DisplayError(f"cannot open {url}: {exc}") from exc
        self._errors: tuple[type[BaseException], ...] = (serial.SerialException, OSError)

    def exchange_start(self, data: bytes) -> None:
        try:
            self._port.reset_input_buffer()  # a late answer to an earlier try is not this frame's
            self._port.write(data)
            self._port.flush()  # the frame's last byte is on the wire: the answer's clock starts
        except self._errors as exc:
            raise DisplayError(f"writing to the board's port failed: {exc}") from exc

    def read(self) -> bytes:
        """What arrived, waiting at most ~20 ms for the first byte."""
        try:
            first: bytes = self._port.read(1)
            if not first:
                return b""
            rest: bytes = self._port.read(self._port.in_waiting)
            return first + rest
        except self._errors as exc:
            raise DisplayError(f"reading from the board's port failed: {exc}") from exc

    def close(self) -> None:
        with contextlib.suppress(*self._errors):
            self._port.close()


OpenLink = Callable[[str, int], SerialLink]


def send_once(
    url: str, baud: int, frame: Frame, reply_timeout_s: float = PROTOCOL_TIMING.reply_timeout_s
) -> Answer | None:
    """One frame, one try, for staff wiring a board (`kiosk board send`): its answer, or None for
    none in time (or only noise). Raises DisplayError when the port cannot be used."""
    link = SerialLink(url, baud)
    try:
        link.exchange_start(encode(frame))
        return _await_answer(link, frame.address, reply_timeout_s)
    finally:
        link.close()


def _await_answer(link: SerialLink, address: str, timeout_s: float) -> Answer | None:
    reader = AnswerReader()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for reply in reader.feed(link.read()):
            if reply.address == address:
                return reply.answer
    return None


@dataclass
class _Board:
    config: BoardConfig
    rows: dict[int, str]  # what it should show, row -> text ("" = blank)
    queue: deque[Frame] = field(default_factory=deque)
    online: bool | None = None  # None: not heard from yet
    needs_clear: bool = True  # C then every row before anything else (power-on, ENQ, comeback)
    needs_rows: bool = False  # every row again (the 60 s refresh)
    resync_at_ping: bool = False  # a frame was NAKed to the end: every row again at the next ping
    ping_due: bool = False  # an offline board's ping, sent before anything else
    last_ack: datetime | None = None
    last_problem: str = "not answered yet"


class BoardPort:
    """Every board on one serial port, and the one thread that writes to it."""

    def __init__(
        self,
        boards: Sequence[BoardConfig],
        timing: BoardTiming = PROTOCOL_TIMING,
        *,
        open_link: OpenLink = SerialLink,
        wall: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        if not boards:
            raise ValueError("a board port needs at least one board")
        self.url = boards[0].port
        self.baud = boards[0].baud
        if any(b.port != self.url or b.baud != self.baud for b in boards):
            raise ValueError("every board of one port must name the same port and baud")
        self.timing = timing
        self._open_link = open_link
        self._clock = time.monotonic
        self._wall = wall
        self._boards = {b.address: _Board(b, dict.fromkeys(range(1, len(b.rows) + 1), "")) for b in boards}
        self._link: SerialLink | None = None
        self._port_problem = ""
        self._lock = threading.Condition()
        self._stop = False
        self._next_ping = self._clock()
        self._next_refresh = self._clock() + timing.refresh_every_s
        self._next_open = self._clock()
        self.sent = 0  # frames written, tries included (bench, tests)
        self.acked: deque[tuple[Frame, float]] = deque(maxlen=64)  # (frame, monotonic time of its ACK): the bench
        self._busy = False
        self._thread = threading.Thread(target=self._run, name=f"board-port {self.url}", daemon=True)
        self._thread.start()

    # --- what the lobby asks -----------------------------------------------------------------

    def show(self, counter: str, text: str, *, call: bool = False) -> None:
        """Every row showing `counter`'s calls now shows `text` ("" blanks it); a call also flashes
        the row and chimes. Returns at once: the writer thread sends it."""
        with self._lock:
            for board in self._boards.values():
                for row, key in enumerate(board.config.rows, start=1):
                    if key != counter:
                        continue
                    board.rows[row] = text
                    if board.online is False or board.needs_clear:
                        continue  # it gets every row when it answers again
                    board.queue.append(show(board.config.address, row, text))
                    if call:
                        board.queue.append(flash(board.config.address, row, self.timing.flash_s))
                        board.queue.append(Frame(board.config.address, Command.CHIME))
            self._lock.notify()

    def rows(self, address: str) -> dict[int, str]:
        """What the board at `address` should be showing."""
        with self._lock:
            return dict(self._boards[address].rows)

    def settled(self) -> bool:
        """Nothing being sent and nothing waiting to be (tests, the bench)."""
        with self._lock:
            return not self._busy and self._link is not None and self._idle()

    def health(self) -> list[Health]:
        with self._lock:
            return [self._health(board) for board in self._boards.values()]

    def close(self) -> None:
        with self._lock:
            self._stop = True
            self._lock.notify()
        self._thread.join(timeout=5)
        if self._link is not None:
            self._link.close()
            self._link = None

    # --- health ------------------------------------------------------------------------------

    def _health(self, board: _Board) -> Health:
        name = f"board {board.config.address} on {self.url}"
        since = "never" if board.last_ack is None else board.last_ack.strftime("%H:%M:%S")
        if self._port_problem:
            return Health(name, HealthState.DOWN, f"{self._port_problem}; last ACK {since}", simulated=False)
        if board.online is False:
            return Health(name, HealthState.DOWN, f"not answering; last ACK {since}", simulated=False)
        if board.online is None:
            return Health(name, HealthState.DEGRADED, "not answered yet", simulated=False)
        if board.resync_at_ping or board.needs_rows or board.needs_clear:
            return Health(name, HealthState.DEGRADED, f"{board.last_problem}; last ACK {since}", simulated=False)
        return Health(name, HealthState.OK, f"answering; last ACK {since}", simulated=False)

    # --- the writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._stop and self._idle():
                    self._lock.wait(self._until_next_timer())
                if self._stop:
                    return
                work = self._take_work()
                self._busy = work is not None
            if work is None:
                continue
            board, frames, kind = work
            try:
                self._carry_out(board, frames, kind)
            except DisplayError as exc:  # the adapter went away: reopen later
                log.error("board port %s: %s", self.url, exc)
                self._drop_link(str(exc))
            finally:
                with self._lock:
                    self._busy = False

    def _idle(self) -> bool:
        now = self._clock()
        if now >= self._next_ping or now >= self._next_refresh:
            return False
        if self._link is None:
            return True  # nothing can go until the port opens (at the next ping)
        return not any(
            b.queue or b.ping_due or (b.online is not False and (b.needs_clear or b.needs_rows))
            for b in self._boards.values()
        )

    def _until_next_timer(self) -> float:
        return max(0.0, min(self._next_ping, self._next_refresh) - self._clock())

    def _take_work(self) -> tuple[_Board, list[Frame], str] | None:
        """Under the lock: the next frames to send, oldest need first. The writer sends them without
        holding the lock, so `show` never waits for the line."""
        now = self._clock()
        if self._link is None:
            if now < self._next_open:
                self._next_ping = max(self._next_ping, self._next_open)
                return None
            self._next_open = now + self.timing.reopen_every_s
            try:
                self._link = self._open_link(self.url, self.baud)
                self._port_problem = ""
            except DisplayError as exc:
                if self._port_problem != str(exc):
                    log.error("board port: %s", exc)
                self._port_problem = str(exc)
                self._next_ping = self._next_open
                return None
        if now >= self._next_refresh:
            self._next_refresh = now + self.timing.refresh_every_s
            for board in self._boards.values():
                board.needs_rows = True
        if now >= self._next_ping:
            self._next_ping = now + self.timing.ping_every_s
            for board in self._boards.values():
                board.needs_rows |= board.resync_at_ping
                board.resync_at_ping = False
                if board.online is True:
                    board.queue.append(Frame(board.config.address, Command.PING))  # behind what waits
                else:
                    board.ping_due = True
        for board in self._boards.values():
            if board.online is False:
                continue
            if board.needs_clear:
                board.needs_clear = board.needs_rows = board.resync_at_ping = False
                board.queue.clear()  # the full state below says everything they would
                return board, [Frame(board.config.address, Command.CLEAR), *self._row_frames(board)], "full"
            if board.needs_rows:
                board.needs_rows = board.resync_at_ping = False
                return board, self._row_frames(board), "rows"
        for board in self._boards.values():
            if board.queue:
                return board, [board.queue.popleft()], "queued"
        # Last: an offline board's ping costs the line every try (450 ms); the boards that answer go first.
        for board in self._boards.values():
            if board.ping_due:
                board.ping_due = False
                return board, [Frame(board.config.address, Command.PING)], "ping"
        return None

    def _row_frames(self, board: _Board) -> list[Frame]:
        return [show(board.config.address, row, text) for row, text in sorted(board.rows.items())]

    def _carry_out(self, board: _Board, frames: list[Frame], kind: str) -> None:
        for frame in frames:
            answer = self._exchange(board, frame)
            with self._lock:
                if answer is None:  # no answer after every try
                    if board.online is not False:
                        log.warning("board %s on %s stopped answering", board.config.address, self.url)
                    board.online = False
                    board.needs_clear = True  # whatever it shows now may be stale
                    board.queue.clear()
                    return
                came_back = board.online is not True
                board.online = True
                if answer is Answer.NAK:
                    board.last_problem = f"NAKed {frame.command.value} {frame.data}".rstrip()
                    board.resync_at_ping = True  # not at once: a board NAKing everything would spin us
                    return
                board.last_ack = self._wall()
                self.acked.append((frame, time.monotonic()))
                if (answer is Answer.ENQ and frame.command is not Command.CLEAR) or (came_back and kind != "full"):
                    if came_back:
                        log.info("board %s on %s answers again", board.config.address, self.url)
                    board.needs_clear = True
                    return

    def _exchange(self, board: _Board, frame: Frame) -> Answer | None:
        """Send `frame` until its board answers: the answer (NAK only after the last try), or None."""
        link = self._link
        assert link is not None
        data = encode(frame)
        answer: Answer | None = None
        for _try in range(self.timing.tries):
            link.exchange_start(data)
            self.sent += 1
            answer = _await_answer(link, frame.address, self.timing.reply_timeout_s)
            if answer is Answer.ACK or answer is Answer.ENQ:
                return answer
        return answer

    def _drop_link(self, problem: str) -> None:
        with self._lock:
            if self._link is not None:
                self._link.close()
                self._link = None
            self._port_problem = problem
            self._next_open = self._clock() + self.timing.reopen_every_s
            for board in self._boards.values():
                board.needs_clear = True
