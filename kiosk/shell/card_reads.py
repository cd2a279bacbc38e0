"""Card reads on a worker thread: the UI loop never waits for a card.

A full pre-check costs ~16 round trips (tens of ms each on a contactless reader), and a card that
was pulled or a mute chip costs the driver most of a second to tell apart. The shell starts a read
here and picks the answer up on a later poll as a `CardRead`/`CardFailed` event. Only the answer to
the latest read is ever delivered: an older read that finishes late is dropped (and the flow
ignores answers that come when it no longer waits for one).
"""

from __future__ import annotations

import logging
import threading

from drivers.interfaces import CardReader
from kiosk.domain.flow import CardFailed, CardProblem, CardRead, Event
from kiosk.errors import CardRemoved, NoCard, ReaderUnavailable

log = logging.getLogger(__name__)


def read_event(reader: CardReader) -> Event:
    """One read, as the event the flow understands. Any driver failure becomes an event, never a crash."""
    try:
        return CardRead(reader.read_facts())
    except (CardRemoved, NoCard):
        return CardFailed(CardProblem.REMOVED)
    except ReaderUnavailable:
        return CardFailed(CardProblem.READER_UNAVAILABLE)
    except Exception:  # a broken driver must not stop the lobby
        log.exception("card read failed")
        return CardFailed(CardProblem.READER_UNAVAILABLE)


class CardReads:
    def __init__(self, reader: CardReader) -> None:
        self._reader = reader
        self._lock = threading.Lock()
        self._latest = 0
        self._answer: Event | None = None
        self._idle = threading.Event()
        self._idle.set()

    def start(self) -> None:
        with self._lock:
            self._latest += 1
            number = self._latest
            self._answer = None
            self._idle.clear()
        threading.Thread(target=self._read, args=(number,), name=f"card-read-{number}", daemon=True).start()

    def take(self) -> Event | None:
        """The answer of the latest read, once, when it has come."""
        with self._lock:
            answer, self._answer = self._answer, None
            return answer

    def wait(self, timeout_s: float) -> Event | None:
        """Block until the latest read has answered (scripted runs and tests only): its event, or None."""
        self._idle.wait(timeout_s)
        return self.take()

    def _read(self, number: int) -> None:
        event = read_event(self._reader)
        with self._lock:
            if number != self._latest:
                log.info("a card read finished after a newer one started: its answer is dropped")
                return
            self._answer = event
            self._idle.set()
