"""Which store a process opens: the one place that reads `[storage] url` (or a command's `--store`).

No URL: the SQLite file in the data folder (one kiosk, or a few on one disk). A postgresql:// URL:
the centre's shared database, where the kiosk's ticket store also issues from its offline number
blocks while the database is away (kiosk/queue/offline.py). Every shell opens its stores here, so
`kiosk run`, `kiosk lobby`, `kiosk call`, `kiosk reprint` and the demo agree on where the queue is.
Engine modules are imported when a store is opened, so a SQLite-only kiosk never loads psycopg.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from kiosk.domain.numbering import business_date
from kiosk.errors import StoreError, UsageError
from kiosk.queue.health import HealthStore
from kiosk.queue.lifecycle import CallingSetup, CallingStore
from kiosk.queue.model import TicketStore
from kiosk.queue.notify import Notifier
from kiosk.queue.sqlite_store import DATABASE_FILE
from kiosk.site.model import SiteConfig

OUTBOX_FILE = "outbox.sqlite3"  # offline tickets waiting for the shared database, in the data folder


def with_store(config: SiteConfig, url: str | None) -> SiteConfig:
    """The config with a command's `--store URL` in place of `[storage] url` (None: unchanged)."""
    if url is None:
        return config
    if not url.startswith(("postgresql://", "postgres://")):
        raise UsageError(f"--store {url!r}: a postgresql:// URL (the SQLite file is chosen with --data-dir)")
    return replace(config, storage=replace(config.storage, url=url))


def sqlite_file(config: SiteConfig, data_dir: Path | None = None) -> Path:
    return (data_dir or config.storage.data_dir) / DATABASE_FILE


def open_calling(config: SiteConfig, data_dir: Path | None = None, *, must_exist: bool = False) -> CallingStore:
    """The site's calling store. `must_exist`: a missing SQLite file is an error, never a fresh one."""
    setup = CallingSetup.from_site(config)
    if config.storage.url is not None:
        from kiosk.queue.pg_calling import PgCallingStore

        return PgCallingStore(config.storage.url, setup)
    from kiosk.queue.sqlite_calling import SqliteCallingStore

    path = sqlite_file(config, data_dir)
    if must_exist and not path.is_file():
        raise UsageError(f"no ticket database at {path}")
    return SqliteCallingStore(path, setup)


def open_tickets(config: SiteConfig, data_dir: Path | None = None, *, must_exist: bool = False) -> TicketStore:
    """The site's ticket store as staff tools use it (look up, reprint): no offline issuing."""
    if config.storage.url is not None:
        from kiosk.queue.pg_store import PgTicketStore

        return PgTicketStore(config.storage.url, timezone=config.site.timezone)
    from kiosk.queue.sqlite_store import SqliteTicketStore

    path = sqlite_file(config, data_dir)
    if must_exist and not path.is_file():
        raise UsageError(f"no ticket database at {path}")
    return SqliteTicketStore(path)


def open_kiosk_tickets(config: SiteConfig, clock: Callable[[], datetime]) -> TicketStore:
    """The ticket store a kiosk issues from: with a shared database, one that keeps issuing from its
    offline blocks (outbox in the data folder) while the database is unreachable."""
    if config.storage.url is not None:
        from kiosk.queue.offline import OfflineTicketStore

        def today() -> date:
            return business_date(clock(), config.site.timezone, config.site.business_day_reset)

        return OfflineTicketStore(
            config.storage.url,
            config.storage.data_dir / OUTBOX_FILE,
            groups=tuple(config.groups.values()),
            kiosk_id=config.site.kiosk_id,
            timezone=config.site.timezone,
            block_size=config.storage.block_size,
            today=today,
            clock=clock,
        )
    return open_tickets(config)


def open_notifier(config: SiteConfig, data_dir: Path | None = None, *, poll_interval_s: float = 1.0) -> Notifier:
    """Being told of new events: LISTEN/NOTIFY on the shared database, else inotify on the SQLite
    file (`poll_interval_s`: the fallback poll where inotify is missing)."""
    if config.storage.url is not None:
        from kiosk.queue.pg_notify import PgNotifier

        return PgNotifier(config.storage.url)
    from kiosk.queue.sqlite_notify import SqliteNotifier

    path = sqlite_file(config, data_dir)
    if not path.exists():
        raise StoreError(f"{path}: no ticket database to follow (open the store first)")
    return SqliteNotifier(path, poll_interval_s=poll_interval_s)


def health_opener(config: SiteConfig, data_dir: Path | None = None) -> Callable[[], HealthStore]:
    """How to open the staff page's store (heartbeats, commands, audit: kiosk/queue/health.py): the
    shared database's tables (schema 2) with a postgresql:// URL, else the SQLite file's. Each call
    of the opener is a new connection, for the one thread that uses it."""
    if config.storage.url is not None:
        from kiosk.queue.pg_health import PgHealthStore

        url, timezone = config.storage.url, config.site.timezone
        return lambda: PgHealthStore(url, timezone=timezone)
    from kiosk.queue.sqlite_health import SqliteHealthStore

    path = sqlite_file(config, data_dir)
    return lambda: SqliteHealthStore(path)
