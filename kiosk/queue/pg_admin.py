"""Setting up a site's shared database: the role, the database, the schema (`kiosk db setup|migrate`).

`setup_site` is the one command a site's administrator runs on the database server, as a role that
may create roles and databases (on Debian: `sudo -u postgres kiosk db setup …`, peer authentication):
it creates the kiosks' login role and a database it owns, then applies the schema on the role's
behalf (SET ROLE), so the kiosks own their tables and need no superuser. Run again, it changes
nothing that exists.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from kiosk.errors import StoreError
from kiosk.queue.pg_schema import migrate
from kiosk.queue.pg_store import CONNECT_TIMEOUT_S, redacted


def migrate_url(url: str, *, as_role: str | None = None) -> tuple[int, int]:
    """Apply the missing schema steps to the database at `url`; returns (from, to) versions.
    `as_role`: run them as that role (SET ROLE), so it owns what they create."""
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            if as_role is not None:
                conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(as_role)))
            return migrate(conn, redacted(url))
    except psycopg.Error as exc:
        raise StoreError(f"{redacted(url)}: cannot migrate: {exc}") from exc


def create_database(admin_url: str, name: str, *, template: str | None = None, owner: str | None = None) -> bool:
    """CREATE DATABASE unless it exists; returns whether it was created."""
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                return False
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if owner is not None:
                statement += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
            if template is not None:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(statement)
            return True
    except psycopg.Error as exc:
        raise StoreError(f"{redacted(admin_url)}: cannot create database {name}: {exc}") from exc


def create_role(admin_url: str, role: str, password: str | None = None) -> bool:
    """CREATE ROLE … LOGIN unless it exists; returns whether it was created."""
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                return False
            statement = sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role))
            if password is not None:
                statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
            conn.execute(statement)
            return True
    except psycopg.Error as exc:
        raise StoreError(f"{redacted(admin_url)}: cannot create role {role}: {exc}") from exc


def database_url(admin_url: str, database: str, role: str) -> str:
    """`admin_url` pointed at another database as another role (same host, port and options)."""
    parts = urlsplit(admin_url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{quote(role, safe='')}@{host}", "/" + quote(database), parts.query, ""))


def setup_site(admin_url: str, role: str, database: str, password: str | None = None) -> str:
    """Role, database and schema for a site; returns the URL the kiosks use (without a password).

    The schema is applied through the administrator's own login (on Debian: peer authentication as
    the postgres user, which could not log in as the new role) with SET ROLE, so the role owns it."""
    create_role(admin_url, role, password)
    create_database(admin_url, database, owner=role)
    migrate_url(_with_database(admin_url, database), as_role=role)
    return database_url(admin_url, database, role)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(database), parts.query, ""))
