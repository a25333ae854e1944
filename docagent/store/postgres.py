"""The decision log on a PostgreSQL server (psycopg 3): connecting, rows, errors, the URL.

The URL (``store`` setting or ``DOCAGENT_STORE``) names the server; credentials come from the
environment or libpq's files (``PGPASSWORD``, ``PGSERVICE`` with ``~/.pg_service.conf``,
``~/.pgpass``). A password written in the URL is accepted but never shown: messages and the log
name the store by :func:`redact_url` (``postgresql://user@host:port/db``).

Queries arrive in the store's one spelling and are turned into PostgreSQL's by
:func:`docagent.store.dialect.postgres_sql`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from docagent.errors import DocagentError
from docagent.store.dialect import POSTGRES, postgres_sql

SCHEMES = ("postgresql://", "postgres://")
#: Query parameters of a libpq URL that carry a secret.
_SECRET_PARAMS = ("password", "sslpassword")
#: Seconds to wait for the server before "cannot reach" (unless the URL sets connect_timeout).
CONNECT_TIMEOUT = 10
#: Rows a streamed query (:meth:`PgConnection.stream`) fetches per round trip.
STREAM_ROWS = 20_000
#: The first libpq version (``psycopg.pq.version()``) with chunked results.
CHUNKED_LIBPQ = 170_000
#: The advisory lock that serializes migrations of one database (an arbitrary constant).
MIGRATION_LOCK = 7_314_402_651


def is_url(value: str) -> bool:
    """True when ``value`` names a PostgreSQL store (``postgresql://`` or ``postgres://``)."""
    return value.strip().lower().startswith(SCHEMES)


def redact_url(url: str) -> str:
    """``url`` without its password (netloc or query): what messages and the log may show."""
    try:
        parts = urlsplit(url.strip())
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}@{hostport}" if user else hostport
        query = urlencode(
            [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in _SECRET_PARAMS]
        )
        return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
    except ValueError:  # unparseable: cut the secrets out by pattern
        return _SECRET_QUERY.sub("", _USERINFO_PASSWORD.sub(r"\1@", url.strip()))


#: ``://user:password@`` in a URL (group 1 keeps ``://user``).
_USERINFO_PASSWORD = re.compile(r"(://[^/@:\s]*):[^@\s]*@")
#: ``password=…`` / ``sslpassword=…`` query parameters.
_SECRET_QUERY = re.compile(r"(?i)[?&](?:ssl)?password=[^&\s\"']*")
#: A PostgreSQL URL quoted in a driver message.
_URL_IN_TEXT = re.compile(r"(?i)postgres(?:ql)?://[^\s\"']*")


def _secrets_of(url: str) -> list[str]:
    """The password(s) written in ``url`` (raw and percent-decoded), to keep out of messages."""
    found: list[str] = []
    for m in re.finditer(r"://[^/@:\s]*:([^@\s]*)@", url):
        found.append(m.group(1))
    found += [m.group(1) for m in re.finditer(r"(?i)(?:ssl)?password=([^&\s\"']*)", url)]
    found += [unquote(f) for f in found]
    return sorted({f for f in found if f}, key=len, reverse=True)


def _clean(text: str, url: str) -> str:
    """``text`` with URLs redacted and the URL's passwords removed (a driver message may quote
    the URL), on one line."""
    text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    for secret in _secrets_of(url):
        text = text.replace(secret, "[redacted]")
    return " ".join(text.split())


class PgRow:
    """A result row readable by column name or position, like :class:`sqlite3.Row`.

    When a join returns two columns of one name, the first wins (as in sqlite3).
    """

    __slots__ = ("_index", "_names", "_values")

    def __init__(self, values: Sequence[Any], names: list[str], index: dict[str, int]) -> None:
        """Wrap one row's ``values`` with its column ``names``."""
        self._values = tuple(values)
        self._names = names
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        """The value of column ``key`` (a name or a position)."""
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._names)

    def __iter__(self) -> Iterator[Any]:
        """The values, in column order."""
        return iter(self._values)

    def __len__(self) -> int:
        """The number of columns."""
        return len(self._values)


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], PgRow]:
    names = [d.name for d in (cursor.description or ())]
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)
    return lambda values: PgRow(values, names, index)


def _param(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters (SQLite can): they become U+FFFD."""
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


class PgConnection:
    """One psycopg connection with the surface the store uses of :class:`sqlite3.Connection`.

    It runs in autocommit mode; :meth:`transaction` opens an explicit transaction.
    """

    dialect = POSTGRES

    def __init__(self, raw: Any, url: str) -> None:
        """Wrap the psycopg connection ``raw`` opened from ``url``."""
        self.raw = raw
        self.url = url
        self.label = redact_url(url)

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        """Run one statement (the store's spelling) and return its cursor.

        ``params`` is a sequence for ``?`` placeholders or a mapping for ``:name`` ones. Named
        parameters are bound by the driver on the client (``ClientCursor``, quoted by psycopg),
        so one name can stand both where its type is known and where it is not
        (``:since IS NULL OR created_at >= :since``), as on SQLite.
        """
        if isinstance(params, Mapping):
            import psycopg

            cur = psycopg.ClientCursor(self.raw)
            return cur.execute(postgres_sql(sql), {k: _param(v) for k, v in params.items()})
        return self.raw.execute(postgres_sql(sql), tuple(_param(p) for p in params))

    def stream(
        self, sql: str, params: Mapping[str, Any], size: int | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of one query (the store's spelling, ``:name`` parameters) as tuples,
        received ``size`` (default :data:`STREAM_ROWS`) at a time: the client holds one
        chunk, however many rows the query has.

        With libpq 17 or later in libpq's chunked mode (the server may still run the query in
        parallel); with an older libpq from a server-side cursor in a transaction. Closing
        the iterator early ends the query.
        """
        import psycopg
        from psycopg.rows import tuple_row

        size = size or STREAM_ROWS
        values = {k: _param(v) for k, v in params.items()}
        if psycopg.pq.version() >= CHUNKED_LIBPQ:
            with psycopg.ClientCursor(self.raw, row_factory=tuple_row) as cur:
                yield from cur.stream(postgres_sql(sql), values, size=size)
            return
        # a server-side cursor binds parameters on the server: render them here instead
        text = psycopg.ClientCursor(self.raw).mogrify(postgres_sql(sql), values)
        with (
            self.raw.transaction(),
            self.raw.cursor("docagent_stream", row_factory=tuple_row) as cur,
        ):
            cur.itersize = size
            cur.execute(text)
            yield from cur

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of ``rows`` (pipelined by the driver)."""
        with self.raw.cursor() as cur:
            cur.executemany(postgres_sql(sql), [tuple(_param(p) for p in r) for r in rows])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        with self.raw.transaction():
            yield self

    @property
    def in_transaction(self) -> bool:
        """True inside :meth:`transaction`."""
        import psycopg

        return bool(self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)

    def close(self) -> None:
        """Close the connection."""
        self.raw.close()


def connect(url: str) -> PgConnection:
    """Connect to the PostgreSQL store at ``url``; errors become one-line :class:`StoreError`.

    Raises:
        StoreError: psycopg is missing, the server is down, authentication failed, the
            database does not exist (the message names the host and database, never a
            password).
    """
    from docagent.store.db import StoreError

    label = redact_url(url)
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            f"{label}: a PostgreSQL store needs psycopg: pip install 'docagent[postgres]'"
        ) from None
    kwargs: dict[str, Any] = {"autocommit": True, "row_factory": _row_factory}
    if "connect_timeout" not in url:
        kwargs["connect_timeout"] = CONNECT_TIMEOUT
    if "application_name" not in url:
        kwargs["application_name"] = "docagent"
    try:
        raw = psycopg.connect(url.strip(), **kwargs)
    except psycopg.Error as exc:
        raise translate(exc, url) from None
    except Exception as exc:  # a malformed URL: psycopg raises ProgrammingError or ValueError
        why = _clean(str(exc), url)
        raise StoreError(f"{label}: not a usable PostgreSQL URL ({why})") from None
    return PgConnection(raw, url)


def translate(exc: BaseException, url: str) -> DocagentError:
    """A psycopg error as one line naming the store (host and database), never the password."""
    from docagent.store.db import StoreError

    label = redact_url(url)
    msg = _clean(str(exc).strip() or type(exc).__name__, url)
    low = msg.lower()
    state = str(getattr(exc, "sqlstate", "") or "")
    if state == "28P01" or "password authentication failed" in low or "no password" in low:
        return StoreError(
            f"{label}: PostgreSQL authentication failed for this user; set PGPASSWORD, "
            "a ~/.pgpass entry or PGSERVICE (never the URL in a shared file)"
        )
    if state == "3D000" or ("database" in low and "does not exist" in low):
        return StoreError(
            f"{label}: the database does not exist on the server; create it "
            "(createdb -O <role> <name>, see docs/team-setup.md)"
        )
    if state == "42501" or "permission denied" in low:
        return StoreError(
            f"{label}: permission denied ({msg}); the role needs the grants in docs/team-setup.md"
        )
    if state.startswith("28"):
        return StoreError(f"{label}: the server refused this connection ({msg})")
    unreachable = (
        "connection refused",
        "could not connect",
        "timeout expired",
        "could not translate host name",
        "no such file or directory",
        "server closed the connection",
        "connection is closed",
        "the connection is lost",
        "terminating connection",
    )
    if any(s in low for s in unreachable) or type(exc).__name__ == "OperationalError":
        return StoreError(f"{label}: cannot reach the PostgreSQL server ({msg})")
    return StoreError(f"{label}: decision log error: {msg}")


def transient(exc: BaseException) -> bool:
    """True for errors a transaction should simply be retried after (serialization, deadlock)."""
    return str(getattr(exc, "sqlstate", "") or "") in ("40001", "40P01")


def is_driver_error(exc: BaseException) -> bool:
    """True for an exception raised by psycopg (any of its error classes)."""
    return type(exc).__module__.split(".")[0] == "psycopg"
