"""A second connection to the same decision log, working in a thread beside the first.

A report's queries that do not need each other's results run on two connections at once
(:func:`docagent.store.aggregate.aggregate`): PostgreSQL runs each connection's queries in a
server process of its own, SQLite steps each connection's statements without holding
Python's lock, so two cores share the work. The second connection only reads (a SQLite one is
opened read-only; it may write its own temporary tables) and is closed when its work ends.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import quote

from docagent.store.postgres import PgConnection
from docagent.store.postgres import connect as connect_postgres

T = TypeVar("T")


def _opener(conn: Any) -> Callable[[], Any]:
    """How to open another connection to ``conn``'s database (a SQLite one read-only)."""
    if isinstance(conn, PgConnection):
        url = conn.url
        return lambda: connect_postgres(url)
    main = next(row for row in conn.execute("PRAGMA database_list").fetchall() if row[1] == "main")
    uri = f"file:{quote(str(main[2]))}?mode=ro"
    return lambda: sqlite3.connect(uri, uri=True, isolation_level=None)


def beside(conn: Any, work: Callable[[Any], T]) -> Callable[[], T]:
    """Start ``work`` on a new connection to ``conn``'s database, in a thread; return at once.

    Returns a function that waits for ``work`` to end and returns its result, or raises what
    it raised (a connection that cannot be opened included).
    """
    opener = _opener(conn)
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            other = opener()
            try:
                box["value"] = work(other)
            finally:
                other.close()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc

    thread = threading.Thread(target=run, name="docagent-store-beside", daemon=True)
    thread.start()

    def wait() -> T:
        thread.join()
        if "error" in box:
            raise box["error"]
        return cast(T, box["value"])

    return wait
