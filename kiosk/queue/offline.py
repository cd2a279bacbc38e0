"""A kiosk's ticket store on the shared database that keeps issuing while the database is away.

Where other queue systems stop (a NovoSGA kiosk that loses its server issues nothing), ours goes on
without ever duplicating a number:
- while online it issues from the shared sequence (kiosk/queue/pg_store.py: 1, 2, 3… from the
  range's first number) and holds, per group and business date, one *block* of numbers leased
  from the top of the same range (`storage.block_size`, about the tickets of 30 minutes), which
  online numbering never reaches, so no other kiosk can ever issue them;
- when the database cannot be reached (the connection broke, a statement failed for want of the
  server) the next ticket comes from the block at once: its number and the visitor's request go to
  the kiosk's own SQLite outbox (kiosk/queue/outbox.py: `outbox.sqlite3` in the data folder, a
  number handed out survives a power cut), and health turns DEGRADED (staff see "offline");
- a keeper thread tries the database again every `retry_s`; once it answers, the outbox is uploaded
  in issue order (each ticket once: its `issue_key`, also when the kiosk's own online attempt did
  commit unseen) and print states set meanwhile follow. A block keeps its unused numbers for the
  next outage; a used-up one is closed and replaced, and blocks of earlier days are closed with
  their unused numbers recorded as skipped (staff see why a number never appeared).
- The outbox and its blocks survive a restart: a kiosk started while the database is away issues
  from the block it holds for today, if any.

Offline tickets carry negative ids (minus the outbox row) until uploaded; `set_print_state` finds
them either way. Issuing is on the caller's thread; only the keeper retries, so an outage never
makes a visitor wait for a connection timeout more than once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from drivers.interfaces import Health, HealthState
from kiosk.domain.model import Procedure
from kiosk.errors import StoreError, StoreUnreachable
from kiosk.queue.model import PrintState, Ticket, TicketRequest, TicketStore
from kiosk.queue.outbox import Outbox, Pending
from kiosk.queue.pg_store import OfflineTicket, PgTicketStore
from kiosk.site.model import CounterGroup

log = logging.getLogger(__name__)

RETRY_S = 2.0  # how often the keeper asks a missing database again
TCP_TIMEOUT_MS = 400  # unacknowledged data for this long (a silent network) breaks the connection


class OfflineTicketStore:
    """The kiosk's `TicketStore` on a shared database, with offline blocks. Thread-safe: the caller's
    thread issues, the keeper thread reconnects and uploads, one lock between them."""

    def __init__(
        self,
        url: str,
        outbox: Path,
        *,
        groups: Sequence[CounterGroup],
        kiosk_id: str,
        timezone: str,
        block_size: int,
        today: Callable[[], date],
        clock: Callable[[], datetime],
        retry_s: float = RETRY_S,
    ) -> None:
        self._url = url
        self._timezone = timezone
        self._groups = tuple(groups)
        self._kiosk_id = kiosk_id
        self._block_size = block_size
        self._today = today
        self._clock = clock
        self._retry_s = retry_s
        self._lock = threading.RLock()
        self._outbox = Outbox(outbox)
        self._online: PgTicketStore | None = None
        self._closing = threading.Event()
        self._wake = threading.Event()
        self._closed = False
        try:
            self._online = self._connect()
            with self._lock:
                self._catch_up(self._online)
        except StoreUnreachable as exc:  # a kiosk may start during an outage: it issues from what it holds
            log.warning("shared ticket database unreachable at start (%s): issuing from offline blocks", exc)
            self._went_offline(exc)
        except BaseException:  # a schema it does not know, a broken outbox: refuse to start
            if self._online is not None:
                self._online.close()
            self._outbox.close()
            raise
        self._keeper = threading.Thread(target=self._keep, name="offline-keeper", daemon=True)
        self._keeper.start()

    @property
    def offline(self) -> bool:
        return self._online is None

    def health(self) -> Health:
        with self._lock:
            if self._online is not None:
                return Health("store", HealthState.OK, "shared ticket database connected", False)
            left, waiting = self._outbox.numbers_left(self._today()), self._outbox.waiting()
        state = HealthState.DEGRADED if left else HealthState.DOWN
        return Health(
            "store",
            state,
            f"shared ticket database unreachable: {left} offline numbers left, {waiting} tickets wait to upload",
            False,
        )

    def issue(self, request: TicketRequest) -> Ticket:
        key = uuid.uuid4().hex
        with self._lock:
            self._check_open()
            online, attempted = self._online, False
            if online is not None and not online.broken:
                try:
                    return online.issue(request, issue_key=key)
                except StoreUnreachable as exc:
                    attempted = True  # it may have committed: the offline ticket keeps its key
                    self._went_offline(exc)
            elif online is not None:
                self._went_offline(None)
            taken = self._outbox.take(request, key)
            if taken is None and attempted:
                self._outbox.add_unconfirmed(key)  # withdrawn once the database is back
        if taken is None:
            raise StoreUnreachable(
                f"shared ticket database unreachable and no offline numbers left for {request.group}"
                f" on {request.business_date.isoformat()}"
            )
        return _ticket(taken)

    def set_print_state(self, ticket_id: int, state: PrintState, at: datetime) -> Ticket:
        with self._lock:
            if ticket_id < 0:
                local = self._outbox.pending(-ticket_id)
                if local is None:
                    raise StoreError(f"{self._outbox.path}: no offline ticket {ticket_id}")
                if local.server_id is None:
                    self._outbox.set_print_state(local.local_id, state, at)
                    updated = self._outbox.pending(local.local_id)
                    assert updated is not None
                    return _ticket(updated)
                ticket_id = local.server_id
            online = self._online
            if online is not None:
                try:
                    return online.set_print_state(ticket_id, state, at)
                except StoreUnreachable as exc:
                    self._went_offline(exc)
            self._outbox.add_print_change(ticket_id, state, at)
            raise StoreUnreachable(f"print state of ticket {ticket_id} kept to send when the database is back")

    def get(self, group: str, business_date: date, number: int) -> Ticket | None:
        with self._lock:
            if self._online is None:
                raise StoreUnreachable("shared ticket database unreachable")
            return self._online.get(group, business_date, number)

    def count_issued(self, business_date: date, procedure: Procedure) -> int:
        with self._lock:
            self._check_open()
            if self._online is None:
                raise StoreUnreachable("shared ticket database unreachable: daily counts not known")
            try:
                return self._online.count_issued(business_date, procedure)
            except StoreUnreachable as exc:
                self._went_offline(exc)
                raise

    def waiting_upload(self) -> int:
        with self._lock:
            return self._outbox.waiting()

    def retry_now(self) -> None:
        """Ask the keeper to try the database at once (tests, and a kiosk told the network is back)."""
        self._wake.set()

    def close(self) -> None:
        self._closing.set()
        self._wake.set()
        self._keeper.join(timeout=10)
        with self._lock:
            if self._online is not None:
                self._online.close()
            self._outbox.close()
            self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self._outbox.path}: the kiosk's ticket store was closed")

    # --- the keeper ------------------------------------------------------------------------------

    def _connect(self) -> PgTicketStore:
        return PgTicketStore(self._url, timezone=self._timezone, tcp_timeout_ms=TCP_TIMEOUT_MS)

    def _went_offline(self, exc: BaseException | None) -> None:
        if self._online is not None:
            log.error("shared ticket database unreachable (%s): issuing from offline blocks", exc or "connection lost")
            self._online.close()
            self._online = None
            self._wake.set()

    def _keep(self) -> None:
        while not self._closing.is_set():
            self._wake.wait(self._retry_s)
            self._wake.clear()
            if self._closing.is_set():
                return
            try:
                if self._online is None:
                    store = self._connect()  # outside the lock: a slow connect never holds up a visitor
                    with self._lock:
                        self._catch_up(store)
                        self._online = store
                    log.info("shared ticket database back: outbox uploaded, issuing online")
                else:
                    with self._lock:
                        if self._online is not None:
                            self._catch_up(self._online)
            except StoreUnreachable:
                with self._lock:
                    self._went_offline(None)
            except StoreError:
                log.exception("offline outbox: the upload failed; kept to try again")

    def _catch_up(self, store: PgTicketStore) -> None:
        """Under the lock: upload in order, replay print states, give back spent blocks, lease missing ones."""
        while (pending := self._outbox.next_upload()) is not None:
            server_id = store.upload(
                OfflineTicket(
                    pending.request,
                    pending.number,
                    pending.block_id,
                    pending.issue_key,
                    pending.print_state,
                    pending.print_at,
                )
            )
            self._outbox.uploaded(pending.local_id, server_id)
        for key in self._outbox.unconfirmed():
            if store.withdraw(key, self._clock()):
                log.warning("an issue whose commit was not confirmed, and whose visitor got no number, was cancelled")
            self._outbox.drop_unconfirmed(key)
        for change_id, server_id, state, at in self._outbox.print_changes():
            try:
                store.set_print_state(server_id, state, at)
            except StoreUnreachable:
                raise
            except StoreError:
                log.exception("a print state kept while offline cannot be set; dropped")
            self._outbox.drop_print_change(change_id)
        today, now = self._today(), self._clock()
        for block_id, expired in self._outbox.spent_blocks(today):
            skipped = store.release_block(block_id, now, expired=expired)
            self._outbox.drop_block(block_id)
            if skipped:
                log.info("offline block %d closed: %d unused numbers recorded as skipped", block_id, skipped)
        self._outbox.forget_before(today)
        for group in self._groups:
            if not self._outbox.has_block(group.id, today):
                block = store.lease_block(group, today, self._kiosk_id, self._block_size, now)
                if block is not None:
                    self._outbox.add_block(block)


def _ticket(pending: Pending) -> Ticket:
    request = pending.request
    return Ticket(
        id=-pending.local_id if pending.server_id is None else pending.server_id,
        number=pending.number,
        group=request.group,
        prefix=request.prefix,
        counter=request.counter,
        procedure=request.procedure,
        current=request.current,
        after=request.after,
        reasons=request.reasons,
        business_date=request.business_date,
        issued_at=request.issued_at,
        kiosk_id=request.kiosk_id,
        print_state=pending.print_state,
        lang=request.lang,
    )


def _conforms(store: OfflineTicketStore) -> TicketStore:
    return store  # mypy fails here when the class drifts from the Protocol
