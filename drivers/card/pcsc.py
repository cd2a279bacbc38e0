"""The real card reader: a PC/SC contactless reader through pcscd, with pyscard 2.3.

Device: any PC/SC reader pcscd knows (Sony RC-S300, ACR1252 via libccid; in tests and demos the
vsmartcard vpcd reader with our card emulator). Facts relied on (device-facts.md): pyscard has no
async API; its CardMonitor/ReaderMonitor die for good when pcscd restarts, so this driver owns a
watcher thread (waiting in SCardGetStatusChange) that re-establishes its PC/SC context on every
service error; pcscd itself polls card presence every 400 ms. A transmit that fails does not say
why: we ask pcscd whether the card is still there (pulled mid-read -> CardRemoved, never a verdict
from half the data) or not (a mute or garbled chip -> one more try, then "unreadable").

A reader that cannot carry extended-length APDUs (its driver fails the transmit, or it answers
67 00 itself) would cost every card one refused read: `ReaderExtendedLength` remembers it per
reader name (see there for when), and later cards on that reader get short reads at once.

Past ~400 lines because the watcher, the read with its recovery and the per-reader memory share one
reader's state and locks; split, each would reach into the others.

Threads: the watcher thread owns one context for presence; each read runs on the caller's thread
(the shell's worker, never the UI) with a connection and context of its own. pcsc-lite's
SCardCancel only wakes a wait already in progress: a cancel that lands between the watcher's stop
check and its wait is lost, so close() cancels again until the watcher has ended.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from smartcard import scard
from smartcard.Exceptions import NoCardException, SmartcardException
from smartcard.pcsc.PCSCReader import PCSCReader

from drivers.card.certs import load_trust_anchors
from drivers.card.precheck import CardReading, ExtendedLength, TransportError, read_card
from drivers.card.settings import ReaderConfig
from drivers.interfaces import CardPresence, Health, HealthState
from kiosk.domain.model import CardFacts, CardKind
from kiosk.errors import CardRemoved, NoCard, ReaderUnavailable

log = logging.getLogger(__name__)

# pcscd is gone or restarting: drop the context and establish a new one.
_SERVICE_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_F_COMM_ERROR,
    scard.SCARD_E_NO_READERS_AVAILABLE,
}
_READER_GONE = {scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE}
_PNP = "\\\\?PnP?\\Notification"  # pcsc-lite's pseudo-reader: its state changes when readers come or go
_WAIT_MS = 60_000  # the watcher's wait inside pcscd; any change ends it at once
_SETTLE_MS = 700  # longer than pcscd's 400 ms presence poll: a pulled card shows up as EMPTY by then
_CLOSE_TIMEOUT_S = 3.0  # close() gives up on a watcher stuck outside pcscd's wait (pcscd hung) after this
_CANCEL_EVERY_S = 0.02  # close(): how often the cancel is sent again while the watcher lives


class PyscardTransport:
    """The reading session's transport over a pyscard CardConnection (its doTransmit is the seam tests fake)."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def transmit(self, apdu: bytes) -> bytes:
        try:
            data, sw1, sw2 = self._connection.transmit(list(apdu))
        except SmartcardException as exc:
            raise TransportError(f"no answer: {exc}") from exc
        return bytes(data) + bytes((sw1, sw2))


class ReaderExtendedLength:
    """What one reader has shown of extended-length APDUs, over the cards read on it.

    A transmit that failed where the same read as a short APDU worked is the reader (or its driver):
    remembered at once. A refusal by status word may be the card (short-APDU-only cards exist) or
    the reader answering for it: remembered after `REFUSED_READS` reads in a row, so one old card
    does not make every later card pay ~8 more commands. Lives as long as the driver (a restart, or
    another reader under the same name, starts afresh)."""

    REFUSED_READS = 2

    def __init__(self) -> None:
        self.allowed = True
        self._refused_in_a_row = 0

    def learn(self, outcome: ExtendedLength) -> None:
        if outcome is ExtendedLength.WORKS:
            self._refused_in_a_row = 0
        elif outcome is ExtendedLength.REFUSED:
            self._refused_in_a_row += 1
            if self._refused_in_a_row >= self.REFUSED_READS:
                self._refuse(f"refused by status word on {self._refused_in_a_row} reads in a row")
        elif outcome is ExtendedLength.NOT_CARRIED:
            self._refuse("the transmit failed where a short read worked")

    def _refuse(self, why: str) -> None:
        if self.allowed:
            log.warning("card reader does not take extended-length APDUs (%s): short reads from now on", why)
        self.allowed = False


def read_connection(
    connection: Any,
    settings: ReaderConfig,
    anchors: tuple[Any, ...] = (),
    reader: ReaderExtendedLength | None = None,
) -> CardReading:
    """The whole pre-check over an open pyscard connection; `reader` learns from it and guides it."""
    try:
        atr = bytes(connection.getATR())
    except SmartcardException as exc:
        raise TransportError(f"no ATR: {exc}") from exc
    reading = read_card(
        PyscardTransport(connection),
        atr,
        anchors,
        settings.free_area_needed_bytes,
        extended_allowed=reader is None or reader.allowed,
    )
    if reader is not None:
        reader.learn(reading.extended_length)
    return reading


class PcscCardReader:
    """`drivers.interfaces.CardReader` over PC/SC."""

    def __init__(self, settings: ReaderConfig) -> None:
        self.settings = settings
        self._anchors = load_trust_anchors(settings.trust_anchors)
        self._lock = threading.Lock()
        # One reading session at a time: two interleaved sessions on one card would each believe
        # their own SELECT is current, and the allowlist's file checks rest on that belief.
        self._reading = threading.Lock()
        self._presence = CardPresence.READER_GONE
        self._reader: str | None = None
        self._pcscd_ok = False
        self._last_error: str | None = None
        self._insertions = 0
        self._seen_insertions = 0
        self._reported = CardPresence.READER_GONE
        self._stop = threading.Event()
        # Held while the watcher drops its context and while close() cancels: a cancel never goes to a
        # context being released (pcsc-lite looks the context up without holding it).
        self._waiting = threading.Lock()
        self._context: int | None = None
        self._extended_length: dict[str, ReaderExtendedLength] = {}  # by reader name; under _reading
        self.last_reading: CardReading | None = None
        self._thread = threading.Thread(target=self._watch, name="pcsc-watch", daemon=True)
        self._thread.start()

    @property
    def watcher_ident(self) -> int:
        """The watcher thread's id (the bench reads its CPU time)."""
        assert self._thread.ident is not None  # started in __init__
        return self._thread.ident

    @property
    def reader_name(self) -> str | None:
        with self._lock:
            return self._reader

    @property
    def presence(self) -> CardPresence:
        """What the watcher saw last, without poll()'s report of a card swapped in between."""
        with self._lock:
            return self._presence

    # --- CardReader ---

    def poll(self) -> CardPresence:
        with self._lock:
            presence = self._presence
            if presence is CardPresence.PRESENT and self._insertions != self._seen_insertions:
                self._seen_insertions = self._insertions
                if self._reported is CardPresence.PRESENT:
                    # Another card came while we looked away: report a gap, so the shell reads it afresh.
                    self._reported = CardPresence.ABSENT
                    return CardPresence.ABSENT
            self._reported = presence
            return presence

    def read_facts(self) -> CardFacts:
        return self.read().facts

    def read(self) -> CardReading:
        """Read the card in the field: CardReading, or NoCard / CardRemoved / ReaderUnavailable."""
        with self._reading:
            return self._read()

    def _read(self) -> CardReading:
        reader = self._reader_now()
        extended_length = self._extended_length.setdefault(reader, ReaderExtendedLength())
        for attempt in (1, 2):
            connection = self._connect(reader)
            try:
                reading = read_connection(connection, self.settings, self._anchors, extended_length)
            except TransportError as exc:
                self._note_error(str(exc))
                state = self._settled_state(reader)
                if state is CardPresence.ABSENT:
                    raise CardRemoved("the card left the field during the read") from None
                if state is CardPresence.READER_GONE:
                    raise ReaderUnavailable("the reader went away during the read") from None
                log.warning("card did not answer (attempt %d): %s", attempt, exc)
                continue
            finally:
                _release(connection)
            self.last_reading = reading
            log.info("card read: %s in %d commands", reading.facts.kind.value, len(reading.apdus))
            return reading
        return CardReading(facts=CardFacts(kind=CardKind.UNREADABLE), auth_cert_issuer=None, apdus=())

    def health(self) -> Health:
        with self._lock:
            reader, ok, error = self._reader, self._pcscd_ok, self._last_error
        if not ok:
            detail, state = "pcscd not reachable", HealthState.DOWN
        elif reader is None:
            match = self.settings.name_match or "any"
            detail, state = f"no card reader ({match!r} wanted)", HealthState.DOWN
        else:
            detail, state = f"reader {reader}", HealthState.OK
        if error:
            detail += f"; last error: {error}"
        return Health("card_reader", state, detail, simulated=False)

    def close(self) -> None:
        """Stop the watcher and wait for it to end (within `_CLOSE_TIMEOUT_S`)."""
        self._stop.set()
        deadline = time.monotonic() + _CLOSE_TIMEOUT_S
        while self._thread.is_alive() and time.monotonic() < deadline:
            with self._waiting:
                context = self._context
                if context is not None:
                    scard.SCardCancel(context)  # wake the watcher out of SCardGetStatusChange
            self._thread.join(timeout=_CANCEL_EVERY_S)
        if self._thread.is_alive():
            log.warning("card reader watcher did not stop within %.0f s", _CLOSE_TIMEOUT_S)

    # --- reading helpers ---

    def _reader_now(self) -> str:
        with self._lock:
            reader = self._reader
        if reader is None:
            reader = self._find_reader()
        if reader is None:
            raise ReaderUnavailable("no card reader")
        return reader

    def _find_reader(self) -> str | None:
        with _Context() as context:
            if context.handle is None:
                return None
            result, readers = scard.SCardListReaders(context.handle, [])
            if result != scard.SCARD_S_SUCCESS:
                return None
            return _match(readers, self.settings.name_match)

    def _connect(self, reader: str) -> Any:
        try:
            connection = PCSCReader(reader).createConnection()
        except SmartcardException as exc:
            self._note_error(str(exc))
            raise ReaderUnavailable(f"cannot reach pcscd: {exc}") from exc
        try:
            connection.connect()
        except NoCardException:
            _release(connection)
            raise NoCard("no card in the field") from None
        except SmartcardException as exc:
            _release(connection)
            self._note_error(str(exc))
            hresult = getattr(exc, "hresult", -1)
            if hresult in _SERVICE_GONE or hresult in _READER_GONE:
                raise ReaderUnavailable(f"cannot reach the reader: {exc}") from exc
            raise NoCard(f"cannot connect to the card: {exc}") from exc
        return connection

    def _settled_state(self, reader: str) -> CardPresence:
        """After a failed command: wait for pcscd's next presence poll, then say where the card is."""
        with _Context() as context:
            if context.handle is None:
                return CardPresence.READER_GONE
            result, states = scard.SCardGetStatusChange(context.handle, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
            if result != scard.SCARD_S_SUCCESS:
                return CardPresence.READER_GONE
            current = states[0][1] & ~scard.SCARD_STATE_CHANGED
            if _presence_of(current) is not CardPresence.PRESENT:
                return _presence_of(current)  # already gone: no need to wait for the next poll
            result, states = scard.SCardGetStatusChange(context.handle, _SETTLE_MS, [(reader, current)])
            if result == scard.SCARD_E_TIMEOUT:
                return _presence_of(current)
            if result != scard.SCARD_S_SUCCESS:
                return CardPresence.READER_GONE
            return _presence_of(states[0][1])

    def _note_error(self, error: str) -> None:
        with self._lock:
            self._last_error = error

    # --- the watcher thread: presence, and recovery from pcscd restarts ---

    def _watch(self) -> None:
        """Wait inside pcscd for the next change of the reader or of the reader list.

        One SCardGetStatusChange covers the reader and pcsc-lite's PnP pseudo-reader, with a long
        timeout: idle, the thread sleeps in pcscd's socket and costs nothing, yet a card, a reader
        plugged or unplugged, or pcscd going away wakes it at once (the socket closes). Only when
        pcscd is unreachable does it retry, every `poll_interval_ms`."""
        retry_s = self.settings.poll_interval_ms / 1000
        known = pnp_known = scard.SCARD_STATE_UNAWARE
        last_counter: int | None = None
        while not self._stop.is_set():
            if self._context is None:
                result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                if result != scard.SCARD_S_SUCCESS:
                    self._set(CardPresence.READER_GONE, None, pcscd_ok=False, error=_message(result))
                    self._stop.wait(retry_s)
                    continue
                self._context, known, pnp_known = context, scard.SCARD_STATE_UNAWARE, scard.SCARD_STATE_UNAWARE
            context = self._context
            result, readers = scard.SCardListReaders(context, [])
            if result in _SERVICE_GONE - {scard.SCARD_E_NO_READERS_AVAILABLE}:
                self._drop_context()
                self._set(CardPresence.READER_GONE, None, pcscd_ok=False, error=_message(result))
                self._stop.wait(retry_s)
                continue
            reader = _match(readers, self.settings.name_match) if result == scard.SCARD_S_SUCCESS else None
            if reader is None:
                self._set(CardPresence.READER_GONE, None, pcscd_ok=True)
                known = scard.SCARD_STATE_UNAWARE
            watched = [(_PNP, pnp_known)] + ([(reader, known)] if reader is not None else [])
            result, states = scard.SCardGetStatusChange(context, _WAIT_MS, watched)
            if result == scard.SCARD_E_TIMEOUT:
                continue
            if result != scard.SCARD_S_SUCCESS:
                if result != scard.SCARD_E_CANCELLED:
                    self._drop_context()
                    self._set(CardPresence.READER_GONE, None, pcscd_ok=False, error=_message(result))
                    self._stop.wait(retry_s)
                continue
            for name, event, _atr in states:
                if name == _PNP:
                    pnp_known = event & ~scard.SCARD_STATE_CHANGED  # the reader list changed: look again
                    continue
                known = event & ~scard.SCARD_STATE_CHANGED
                presence = _presence_of(event)
                counter = event >> 16  # pcsc-lite counts card events in the high word
                if presence is CardPresence.PRESENT and counter != last_counter:
                    with self._lock:
                        self._insertions += 1
                last_counter = counter if presence is CardPresence.PRESENT else None
                self._set(presence, reader, pcscd_ok=True)
        self._drop_context()

    def _drop_context(self) -> None:
        with self._waiting:
            context, self._context = self._context, None
            if context is not None:
                scard.SCardReleaseContext(context)

    def _set(self, presence: CardPresence, reader: str | None, *, pcscd_ok: bool, error: str | None = None) -> None:
        with self._lock:
            if presence is not self._presence:
                log.info("card reader: %s", presence.value)
            self._presence, self._reader, self._pcscd_ok = presence, reader, pcscd_ok
            if error is not None:
                self._last_error = error


class _Context:
    """A short-lived PC/SC context (None when pcscd is not reachable)."""

    def __enter__(self) -> _Context:
        result, handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        self.handle: int | None = handle if result == scard.SCARD_S_SUCCESS else None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            scard.SCardReleaseContext(self.handle)


def _presence_of(event: int) -> CardPresence:
    if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE | scard.SCARD_STATE_IGNORE):
        return CardPresence.READER_GONE
    return CardPresence.PRESENT if event & scard.SCARD_STATE_PRESENT else CardPresence.ABSENT


def _match(readers: list[str], name_match: str) -> str | None:
    for reader in readers:
        if name_match in reader:
            return str(reader)
    return None


def _message(result: int) -> str:
    return str(scard.SCardGetErrorMessage(result)).rstrip(". ")


def _release(connection: Any) -> None:
    with contextlib.suppress(SmartcardException):  # the card or pcscd is already gone
        connection.disconnect()
    try:
        connection.release()
    except SmartcardException:
        # pcscd is gone: forget the context, or pyscard's __del__ would try (and fail) again.
        component = getattr(connection, "component", connection)
        component.hcontext = None


def wait_for(reader: PcscCardReader, presence: CardPresence, timeout_s: float = 5.0) -> bool:
    """Block until the watcher reports `presence` (tests, the headless demo): True when it did."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if reader.presence is presence:
            return True
        time.sleep(0.005)
    return False
