"""Plumbing of the decision log: opening, WAL, busy timeout, migrations, transactions, errors.

A log is a SQLite file (the default) or a PostgreSQL database (:mod:`docagent.store.postgres`);
:data:`Connection` is either, and the functions here take both. Nothing here ever deletes,
truncates or replaces a database file: a locked, corrupt or too-new database becomes a one-line
:class:`~docagent.errors.DocagentError` naming the file (or the server, without its password).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeAlias

from docagent.errors import DocagentError
from docagent.store.migrations import MIGRATIONS, SCHEMA_VERSION, Backfill
from docagent.store.postgres import MIGRATION_LOCK, PgConnection

#: An open decision log: a SQLite connection or a PostgreSQL one.
Connection: TypeAlias = sqlite3.Connection | PgConnection
#: A result row of either (:class:`sqlite3.Row` or :class:`~docagent.store.postgres.PgRow`):
#: read by column name or position.
Row: TypeAlias = Any

DEFAULT_BUSY_TIMEOUT = 5.0
_SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(DocagentError):
    """The decision log cannot be used (locked, corrupt, unreadable or from a newer docagent)."""


def translate(exc: sqlite3.Error, path: Path, busy_timeout: float) -> StoreError:
    """Turn a sqlite3 error into a one-line :class:`StoreError` that names ``path``."""
    msg = str(exc).strip() or type(exc).__name__
    low = msg.lower()
    if "locked" in low or "busy" in low:
        return StoreError(
            f"{path}: decision log is locked by another process (waited {busy_timeout:g} s); "
            "finish or close the other docagent session and try again"
        )
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return StoreError(
            f"{path}: decision log is corrupt ({msg}); it was left untouched: move it away "
            "to start a new log, or set DOCAGENT_DB to another file"
        )
    if "disk is full" in low or "disk i/o error" in low:
        return StoreError(
            f"{path}: cannot write the decision log: the disk is full ({msg}); decisions "
            "already recorded are kept — free some space and run again"
        )
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return StoreError(f"{path}: cannot write the decision log ({msg})")
    return StoreError(f"{path}: decision log error: {msg}")


def _check_header(path: Path) -> None:
    """Refuse a non-empty file that is not SQLite before sqlite3 touches it."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the decision log ({exc.strerror or exc})") from None
    if head and head != _SQLITE_MAGIC:
        raise StoreError(
            f"{path}: decision log is corrupt (file is not a database); it was left untouched: "
            "move it away to start a new log, or set DOCAGENT_DB to another file"
        )


def connect(path: Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> sqlite3.Connection:
    """Open (creating if needed) the database at ``path`` in WAL mode and migrate it.

    The connection is in autocommit mode (``isolation_level=None``); callers open explicit
    transactions with :func:`transaction`. It may be shared between threads under a lock.
    """
    _check_header(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create its directory ({exc.strerror or exc})") from None
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(
            str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        add_functions(conn)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        # SQLite skips the busy handler in a few setup races (two processes switching a new
        # file to WAL at once), so the setup is retried until the busy timeout is used up.
        deadline = time.monotonic() + busy_timeout
        while True:
            try:
                _setup(conn, path)
                return conn
            except sqlite3.OperationalError as exc:
                low = str(exc).lower()
                if ("locked" not in low and "busy" not in low) or time.monotonic() > deadline:
                    raise
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                time.sleep(0.02)
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        raise translate(exc, path, busy_timeout) from None
    except BaseException:
        if conn is not None:
            conn.close()
        raise


class TransientError(StoreError):
    """A PostgreSQL transaction failed in a way that a retry fixes (serialization, deadlock)."""


def connect_postgres(url: str) -> PgConnection:
    """Connect to the PostgreSQL store at ``url`` and migrate it; errors are one line.

    Raises:
        StoreError: see :func:`docagent.store.postgres.connect`, or the schema is newer than
            this docagent.
    """
    from docagent.store import postgres

    conn = postgres.connect(url)  # psycopg is importable once this succeeded
    import psycopg

    migrated = False
    try:
        migrate(conn, conn.label)
        migrated = True
    except psycopg.Error as exc:
        raise postgres.translate(exc, url) from None
    finally:
        if not migrated:
            conn.close()
    return conn


def add_functions(conn: sqlite3.Connection) -> None:
    """Define the SQL functions migrations use (NULL stays NULL).

    ``docagent_sha(text)`` is a stored text's address and ``docagent_pack(text)`` its stored
    form (:func:`docagent.store.sources.text_sha`, :func:`docagent.store.sources.pack`).
    """
    from docagent.store.sources import pack, text_sha

    def sha(text: str | None) -> str | None:
        return None if text is None else text_sha(str(text))

    def packed(text: str | None) -> bytes | None:
        return None if text is None else pack(str(text))

    conn.create_function("docagent_sha", 1, sha, deterministic=True)
    conn.create_function("docagent_pack", 1, packed, deterministic=True)


def _setup(conn: sqlite3.Connection, path: Path) -> None:
    """Check the file is SQLite, switch it to WAL and migrate it."""
    # Reading the schema first surfaces "file is not a database" before any write.
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = OFF")
    migrate(conn, path)


def schema_version(conn: Connection) -> int:
    """The database's schema version: ``PRAGMA user_version`` (SQLite) or ``docagent_schema``.

    A PostgreSQL database without the ``docagent_schema`` table is at version 0 (empty).
    """
    if isinstance(conn, PgConnection):
        found = conn.execute("SELECT to_regclass('docagent_schema') IS NOT NULL").fetchone()
        if not found[0]:
            return 0
        row = conn.execute("SELECT max(version) FROM docagent_schema").fetchone()
        return int(row[0] or 0)
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _set_version(conn: Connection, version: int) -> None:
    if isinstance(conn, PgConnection):
        conn.execute("CREATE TABLE IF NOT EXISTS docagent_schema (version INTEGER NOT NULL)")
        conn.execute("DELETE FROM docagent_schema")
        conn.execute("INSERT INTO docagent_schema (version) VALUES (?)", (version,))
    else:
        conn.execute(f"PRAGMA user_version = {int(version)}")


def migrate(conn: Connection, where: Path | str) -> int:
    """Apply every pending migration in one transaction; return the schema version.

    SQLite takes the write lock (``BEGIN IMMEDIATE``), PostgreSQL an advisory lock, so two
    processes opening an old database at once are safe: the second waits for the
    first's transaction and then finds nothing left to do. A :class:`Backfill` statement is
    skipped on a new (empty) database: it only moves rows an older docagent wrote.
    """
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where}: decision log has schema version {version}, newer than this docagent "
            f"understands ({SCHEMA_VERSION}); upgrade docagent"
        )
    if version == SCHEMA_VERSION:
        return version
    if isinstance(conn, PgConnection):
        # a session lock taken before the transaction: the transaction then starts with the
        # catalog as the previous migrator committed it (a lock taken inside it would not
        # refresh a cached "no docagent_schema table")
        conn.execute("SELECT pg_advisory_lock(?)", (MIGRATION_LOCK,))
    try:
        with transaction(conn):
            version = schema_version(conn)  # re-read under the lock
            new = version == 0
            for migration in MIGRATIONS:
                if migration.version <= version:
                    continue
                for statement in migration.statements:
                    if isinstance(statement, Backfill):
                        if new:
                            continue
                        statement = statement.sql
                    conn.execute(statement)
                _set_version(conn, migration.version)
                version = migration.version
    finally:
        if isinstance(conn, PgConnection):
            conn.execute("SELECT pg_advisory_unlock(?)", (MIGRATION_LOCK,))
    return version


@contextlib.contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """Run a block in a transaction: commit on success, else roll back.

    SQLite: ``BEGIN IMMEDIATE`` (the write lock is taken at once, waiting up to the busy
    timeout). PostgreSQL: a read-committed transaction.
    """
    if isinstance(conn, PgConnection):
        with conn.transaction():
            yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def insert_id(conn: Connection, sql: str, params: Sequence[Any]) -> int:
    """Run one ``INSERT`` into a table with an integer ``id`` and return the new row's id."""
    if isinstance(conn, PgConnection):
        return int(conn.execute(sql + " RETURNING id", params).fetchone()[0])
    return int(conn.execute(sql, params).lastrowid or 0)
