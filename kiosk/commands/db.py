"""`kiosk db`: the shared PostgreSQL database of a centre with several kiosks (registered by `kiosk.cli`).

  kiosk db setup --admin postgresql:///postgres [--role kiosk] [--database kiosk]
  kiosk db migrate [--store postgresql://kiosk@dbhost/kiosk]
  kiosk db status [--store URL]

`setup` is the one command a site runs once on its database server, as a role that may create roles
and databases (Debian: `sudo -u postgres kiosk db setup --admin postgresql:///postgres`): it makes
the kiosks' login role, their database and the schema, and prints the URL for `[storage] url`.
`migrate` brings the schema up to this code's version (kiosks refuse to start on any other);
`status` prints the schema version the database has and the one the code needs.
"""

from __future__ import annotations

import argparse

from kiosk.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="the shared PostgreSQL database: setup, migrate, status")
    actions = db.add_subparsers(dest="action", required=True)
    setup = actions.add_parser("setup", help="create the kiosks' role, database and schema (once per site)")
    setup.add_argument("--admin", required=True, help="a URL of a role that may create roles and databases")
    setup.add_argument("--role", default="kiosk", help="the kiosks' login role (default: kiosk)")
    setup.add_argument("--database", default="kiosk", help="their database (default: kiosk)")
    setup.set_defaults(func=_setup)
    for name, help_text, func in (
        ("migrate", "bring the schema up to this code's version", _migrate),
        ("status", "the schema version of the database and of this code", _status),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("--config", default="config", help="a TOML file or a folder holding site.toml")
        action.add_argument("--store", help="the shared queue database postgresql://… (default: storage.url)")
        action.set_defaults(func=func)


def _url(args: argparse.Namespace) -> str:
    from kiosk.queue.stores import with_store
    from kiosk.site.load import load_site_config

    config = with_store(load_site_config(args.config), args.store)
    if config.storage.url is None:
        raise UsageError("no shared database: give --store postgresql://… or set [storage] url")
    return config.storage.url


def _setup(args: argparse.Namespace) -> int:
    from kiosk.queue.pg_admin import setup_site
    from kiosk.queue.pg_store import is_postgres_url

    if not is_postgres_url(args.admin):
        raise UsageError(f"--admin {args.admin!r}: a postgresql:// URL")
    url = setup_site(args.admin, args.role, args.database)
    print(f'ready: in config/site.toml set [storage] url = "{url}"')
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from kiosk.queue.pg_admin import migrate_url
    from kiosk.queue.pg_store import redacted

    url = _url(args)
    before, after = migrate_url(url)
    print(
        f"{redacted(url)}: schema {before} -> {after}"
        if before != after
        else f"{redacted(url)}: schema {after}, current"
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    import psycopg

    from kiosk.errors import StoreError
    from kiosk.queue.pg_schema import SCHEMA_VERSION, current_version
    from kiosk.queue.pg_store import CONNECT_TIMEOUT_S, redacted

    url = _url(args)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            version = current_version(conn)
    except psycopg.Error as exc:
        raise StoreError(f"{redacted(url)}: {exc}") from exc
    print(f"{redacted(url)}: schema {version}, this code needs {SCHEMA_VERSION}")
    return 0 if version == SCHEMA_VERSION else 1
