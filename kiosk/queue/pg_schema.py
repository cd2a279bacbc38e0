"""The shared PostgreSQL store's schema, its versions and the one way they are applied.

Several machines share one database, so the schema is never changed behind anyone's back: a store
opening it only checks the version (`check_version`) and refuses a schema newer than its code, or
older (it says to run `kiosk db migrate`). `migrate` applies the missing steps in one transaction
under an advisory lock, so two machines migrating at once run them once; PostgreSQL's DDL is
transactional, so a failed step leaves the previous version whole.

Differences from the SQLite schema (kiosk/queue/sqlite_store.py), each for several machines at once:
- `number_counter` holds, per (group, business date), the last number issued online (counting up
  from the range's first) and the lowest one leased to an offline block (`number_block`, counting
  down from the range's end): one row lock serialises both, online issuing stops below the lowest
  block, so a block's numbers are never issued by anyone else, and in normal running the numbers
  of the day are 1, 2, 3… with no gap for the blocks set aside;
- `event_clock` hands out event ids under a row lock held to commit, so ids become visible in
  order: a screen that saw event N never later finds an N-1 committed behind it (a plain sequence
  would let a slower transaction commit a lower id after a faster one);
- a trigger NOTIFYs channel `kiosk_queue` with each new event id (delivered at commit);
- `ticket.issue_key` is the kiosk's own name for one issue attempt: a ticket whose commit was not
  confirmed and that is then uploaded from the offline outbox is stored once, not twice;
- `skipped_number` says why a number never appeared (an expired block's unused numbers).
No personal data: no column could hold a name, birth date or card serial.
"""

from __future__ import annotations

import logging

import psycopg

from kiosk.errors import StoreError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
NOTIFY_CHANNEL = "kiosk_queue"
_MIGRATION_LOCK = 0x6B696F736B  # pg_advisory_xact_lock key: "kiosk"

_TICKET_STATES = "'waiting', 'called', 'serving', 'done', 'no_show', 'cancelled'"  # kiosk.domain.lifecycle
_PRINT_STATES = "'reserved', 'printed', 'print_failed', 'reprinted'"

_SCHEMA_1 = (
    """CREATE TABLE number_counter (
    counter_group text NOT NULL,
    business_date date NOT NULL,
    last_number integer NOT NULL,          -- the last number issued online (they count up from first_number)
    reserve_floor integer,                 -- the lowest number leased to a block (they count down from
                                           -- the range's end); NULL: none yet. Online stops below it.
    PRIMARY KEY (counter_group, business_date)
)""",
    """CREATE TABLE number_block (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    counter_group text NOT NULL,
    business_date date NOT NULL,
    kiosk_id text NOT NULL,
    first_number integer NOT NULL,
    last_number integer NOT NULL,
    leased_at timestamptz NOT NULL,
    closed_at timestamptz,                 -- released or expired; its unused numbers are in skipped_number
    CHECK (first_number <= last_number)
)""",
    "CREATE INDEX number_block_open ON number_block (business_date, closed_at)",
    f"""CREATE TABLE ticket (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_date date NOT NULL,
    counter_group text NOT NULL,
    number integer NOT NULL,
    prefix text NOT NULL,
    counter text NOT NULL,
    procedure text NOT NULL,
    current_status text,
    after_status text,
    reasons text[] NOT NULL,
    issued_at timestamptz NOT NULL,
    printed_at timestamptz,
    failed_at timestamptz,
    reprinted_at timestamptz,
    kiosk_id text NOT NULL,
    print_state text NOT NULL CHECK (print_state IN ({_PRINT_STATES})),
    lang text,
    issue_key text NOT NULL UNIQUE,        -- the kiosk's name for the attempt: stored once
    block_id bigint REFERENCES number_block (id),  -- issued offline from this block
    state text NOT NULL DEFAULT 'waiting' CHECK (state IN ({_TICKET_STATES})),
    queue_group text NOT NULL,
    queue_pos bigint,
    at_counter text,
    recalls integer NOT NULL DEFAULT 0,
    transfers integer NOT NULL DEFAULT 0,
    called_at timestamptz,
    serving_at timestamptz,
    done_at timestamptz,
    ended_at timestamptz,
    UNIQUE (counter_group, business_date, number)
)""",
    "CREATE INDEX ticket_by_date_procedure ON ticket (business_date, procedure)",
    "CREATE INDEX ticket_line ON ticket (business_date, queue_group, state, queue_pos)",
    "CREATE INDEX ticket_at_counter ON ticket (business_date, at_counter, state)",
    """CREATE TABLE skipped_number (
    counter_group text NOT NULL,
    business_date date NOT NULL,
    number integer NOT NULL,
    block_id bigint REFERENCES number_block (id),
    reason text NOT NULL,                  -- 'block_expired', 'block_released', 'unconfirmed_issue'
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (counter_group, business_date, number)
)""",
    """CREATE TABLE event_clock (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    last_id bigint NOT NULL
)""",
    "INSERT INTO event_clock (last_id) VALUES (0)",
    """CREATE TABLE queue_event (
    id bigint PRIMARY KEY,                 -- from event_clock, in commit order
    kind text NOT NULL,
    at timestamptz NOT NULL,
    business_date date NOT NULL,
    ticket_id bigint REFERENCES ticket (id),
    counter text,
    queue_group text,
    from_group text
)""",
    "CREATE INDEX queue_event_by_date ON queue_event (business_date, kind, id)",
    f"""CREATE FUNCTION queue_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{NOTIFY_CHANNEL}', NEW.id::text);
    RETURN NULL;
END $$""",
    """CREATE TRIGGER queue_event_notify AFTER INSERT ON queue_event
    FOR EACH ROW EXECUTE FUNCTION queue_event_notify()""",
    """CREATE TABLE counter_day (
    business_date date NOT NULL,
    counter text NOT NULL,
    open boolean NOT NULL DEFAULT true,
    passes jsonb NOT NULL DEFAULT '{}',
    floor integer NOT NULL DEFAULT 0,
    press_at timestamptz,
    press_ticket bigint,
    press_event bigint,
    PRIMARY KEY (business_date, counter)
)""",
)

# _MIGRATIONS[v] brings a database of schema v to v + 1; an empty one (0) runs them all.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (_SCHEMA_1,)
assert len(_MIGRATIONS) == SCHEMA_VERSION


def current_version(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    """The schema version of the database (0 when it has none yet)."""
    exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if exists is None or not exists[0]:
        return 0
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
    return 0 if row is None else int(str(row[0]))


def check_version(conn: psycopg.Connection[tuple[object, ...]], where: str) -> None:
    """Refuse a database whose schema is not the one this code knows."""
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where}: the database schema is version {version}, newer than this kiosk's code knows"
            f" ({SCHEMA_VERSION}); update the kiosk software, never the other way round"
        )
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"{where}: the database schema is version {version}, this code needs {SCHEMA_VERSION}:"
            " run `kiosk db migrate` first"
        )


def migrate(conn: psycopg.Connection[tuple[object, ...]], where: str) -> tuple[int, int]:
    """Bring the schema up to SCHEMA_VERSION in one transaction; returns (from, to)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)"
        )
        version = current_version(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{where}: the database schema is version {version}, newer than this code ({SCHEMA_VERSION})"
            )
        for step, statements in enumerate(_MIGRATIONS[version:], start=version + 1):
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (%s, now())", (step,))
    if version < SCHEMA_VERSION:
        log.info("%s: schema migrated from %d to %d", where, version, SCHEMA_VERSION)
    return version, SCHEMA_VERSION
