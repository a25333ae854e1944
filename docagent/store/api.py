"""The decision log API: what the drafting engine, batch, the TUI, evals and reports call.

One :class:`Store` wraps one connection guarded by a lock, so the TUI's worker threads can share
it: a local SQLite file (the default) or a shared PostgreSQL database (the ``store`` setting).
Every ``record_*`` call is its own committed transaction: a process killed right after a call
returns loses nothing that call wrote. Every record carries the repository (:attr:`Store.repo`)
and the person (:meth:`Store.default_reviewer`) it came from.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from docagent.decisions import standing_decision
from docagent.errors import DocagentError
from docagent.store import db, dialect, standing
from docagent.store.prepared import COLUMNS, PreparedDraft, prepare_draft
from docagent.store.prepared import stored_json as _json
from docagent.store.prepared import stored_text as _text
from docagent.store.records import (
    DECISIONS,
    Call,
    CallRecord,
    CoverageSnapshot,
    Decision,
    DraftRecord,
    EvalRun,
    Intent,
    LogEntry,
    LoggedDraft,
    Outcome,
    OutcomeCandidate,
    Reviewed,
    Run,
)
from docagent.store.redact import scrub_text, scrub_value
from docagent.store.sources import apply_cut, cut_from_text, pack, text_sha, unpack

DEFAULT_DB = ".docagent/docagent.db"

Timestamp = datetime | date | str | None
R = TypeVar("R")


def now() -> str:
    """The current UTC time as the ISO 8601 string the store writes."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _ts(at: Timestamp) -> str:
    """Normalize ``at`` (None = now; naive datetimes are UTC) to the stored ISO form."""
    if at is None:
        return now()
    if isinstance(at, datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return at.astimezone(UTC).isoformat(timespec="milliseconds")
    if isinstance(at, date):
        return datetime(at.year, at.month, at.day, tzinfo=UTC).isoformat(timespec="milliseconds")
    try:
        return _ts(datetime.fromisoformat(str(at)))
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {at!r}") from None


def _since(since: Timestamp) -> str | None:
    """A lower bound comparable with stored timestamps (a date means its first instant)."""
    if since is None:
        return None
    if isinstance(since, str):
        try:
            return _ts(since)
        except ValueError:
            raise DocagentError(f"--since {since}: not a date (expected YYYY-MM-DD)") from None
    return _ts(since)


def _load(raw: str | None, default: Any) -> Any:
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return default


#: recent stored lists of checks, decoded (most drafts have one of a few lists)
_CHECK_LISTS: dict[str, list[dict[str, Any]]] = {}


def _load_checks(raw: str | None) -> Any:
    """A draft's stored checks, decoded (a copy of the decoded list when read before)."""
    if raw is None:
        return []
    found = _CHECK_LISTS.get(raw)
    if found is None:
        found = _load(raw, [])
        plain = isinstance(found, list) and all(
            type(c) is dict and all(type(v) in (str, bool, int, type(None)) for v in c.values())
            for c in found
        )
        if not plain:
            return found  # not remembered: its copy would share what it holds
        if len(_CHECK_LISTS) >= 256:
            _CHECK_LISTS.clear()  # bounded: the same few lists recur
        _CHECK_LISTS[raw] = found
    return [dict(c) for c in found]


def _record(cls: type[R], row: Any, **values: Any) -> R:
    """Build the record ``cls`` from ``values`` and the row's columns named like its fields.

    A field whose column the row lacks (an older schema) keeps its default.
    """
    fields = _field_set(cls)  # type: ignore[arg-type]  # a dataclass type is hashable
    for name, value in zip(row.keys(), row, strict=True):  # one pass: a row finds a name
        if name in fields and name not in values:  # by going through its columns
            values[name] = value
    return cls(**values)


@functools.cache
def _field_set(cls: Any) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


#: Tables whose rows are keyed by an integer the database assigns.
_INTEGER_KEYED = frozenset({"decisions", "llm_calls", "coverage", "edit_intents"})


def _insert(conn: db.Connection, table: str, values: Mapping[str, Any]) -> int:
    """``INSERT INTO table`` one row of ``values`` (column name -> value).

    Returns the new row's id for tables keyed by an integer, else 0.
    """
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    if table in _INTEGER_KEYED:
        return db.insert_id(conn, sql, tuple(values.values()))
    conn.execute(sql, tuple(values.values()))
    return 0


#: the columns of a new draft row, in the order :func:`_insert_draft` gives them
_DRAFT_COLUMNS = ("id", "run_id", "created_at", "repo", "reviewer", *COLUMNS)
_INSERT_DRAFT = (
    f"INSERT INTO drafts ({', '.join(_DRAFT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_DRAFT_COLUMNS))})"
)
_RUN_DEFAULTS = slice(COLUMNS.index("provider"), COLUMNS.index("prompt_version") + 1)


def _insert_draft(
    conn: db.Connection,
    run_id: str | None,
    draft: DraftRecord | PreparedDraft,
    draft_id: str,
    stamp: str,
    versions: Mapping[str, bool] | None = None,
    who: Mapping[str, str] | None = None,
) -> str | None:
    """Insert one draft row (provider, model and prompt version default to the run's).

    ``draft`` is prepared first unless it is already (:func:`prepare_draft`). ``who`` is the
    row's ``repo`` and ``reviewer`` (:meth:`Store._who`).

    ``versions`` are file versions known to be in the log (sha -> stored as they are); returns
    the draft's stored file version, to remember once the row is committed.

    Raises:
        StoreError: a prepared draft refers to a file version the log does not have and
            does not carry its data.
    """
    versions = versions or {}
    prepared = draft if isinstance(draft, PreparedDraft) else prepare_draft(draft, versions)
    values = prepared.values
    if run_id is not None and not all(values[_RUN_DEFAULTS]):
        run = conn.execute(
            "SELECT provider, model, prompt_version FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        if run is not None:
            given = values[_RUN_DEFAULTS]
            filled = tuple(v or run[n] for n, v in enumerate(given))
            values = values[: _RUN_DEFAULTS.start] + filled + values[_RUN_DEFAULTS.stop :]
    sha = None
    if prepared.version is not None:
        sha, data = prepared.version
        if not versions.get(sha):
            if data is not None:
                conn.execute(
                    "INSERT OR IGNORE INTO file_versions (sha, data) VALUES (?, ?)", (sha, data)
                )
            elif (
                conn.execute("SELECT 1 FROM file_versions WHERE sha = ?", (sha,)).fetchone() is None
            ):
                raise db.StoreError(f"draft {draft_id}: its file version {sha} is not in the log")
    who = who or {}
    row = (draft_id, run_id, stamp, who.get("repo", ""), who.get("reviewer", ""), *values)
    conn.execute(_INSERT_DRAFT, row)
    return sha


def _journal_form(draft: PreparedDraft) -> dict[str, Any]:
    """A prepared draft as the journal keeps it (JSON): its values, and the text of its file
    version when it carries it (else the log has it: :func:`_version_there`)."""
    form: dict[str, Any] = {"values": list(draft.values)}
    if draft.version is not None and draft.version[1] is not None:
        form["file_text"] = unpack(draft.version[1])
    return form


def _from_journal(form: dict[str, Any]) -> PreparedDraft:
    """A prepared draft from its journal form (:meth:`Store._journal_form`).

    Raises:
        ValueError: the form is not one (its values, its file version's text).
    """
    values = tuple(form["values"])
    if len(values) != len(COLUMNS):
        raise ValueError("not a prepared draft")
    sha = values[COLUMNS.index("source_sha")]
    if sha is None:
        return PreparedDraft(values)
    text = form.get("file_text")
    if text is None:
        return PreparedDraft(values, (str(sha), None))
    if not isinstance(text, str) or text_sha(text) != sha:
        raise ValueError("the file version's text is not the one the draft refers to")
    return PreparedDraft(values, (sha, pack(text)))


def _version_there(conn: db.Connection, draft: PreparedDraft) -> bool:
    """Whether the file version ``draft`` refers to is in the log or carried by it."""
    if draft.version is None or draft.version[1] is not None:
        return True
    found = conn.execute("SELECT 1 FROM file_versions WHERE sha = ?", (draft.version[0],))
    return found.fetchone() is not None


#: the columns of a draft row a record needs (:meth:`Store.drafts_by_id` without the module
#: source, the context pack and the structured draft): every field of a logged draft but those
_RECORD_COLUMNS = tuple(
    name
    for name in ("id", "run_id", "created_at", "repo", "reviewer", *COLUMNS)
    if name not in ("context_json", "structured_json", "source", "source_sha", "source_cut")
)


def _insert_call(
    conn: db.Connection,
    run_id: str | None,
    c: CallRecord,
    stamp: str,
    who: Mapping[str, str] | None = None,
) -> int:
    """Insert one model call row (``who``: its repo and reviewer); return its id."""
    return _insert(
        conn,
        "llm_calls",
        {
            **(who or {}),
            "run_id": run_id,
            "draft_id": c.draft_id,
            "created_at": stamp,
            "provider": c.provider,
            "model": c.model,
            "request_id": scrub_text(c.request_id),
            "status": scrub_text(str(c.status)),
            "retries": int(c.retries),
            "duration_ms": int(c.duration_ms),
            "tokens_in": int(c.tokens_in),
            "tokens_out": int(c.tokens_out),
            "cache_read_tokens": int(c.cache_read_tokens),
            "cache_write_tokens": int(c.cache_write_tokens),
            "cost_usd": float(c.cost_usd),
            "error_type": scrub_text(c.error_type),
        },
    )


def resolve_db_path(root: Path, db_path: str | os.PathLike[str] | None = None) -> Path:
    """Where the decision log of the repository at ``root`` lives.

    ``db_path`` wins, then ``DOCAGENT_DB``, then the ``db`` setting of ``[tool.docagent]`` (only
    a path inside the repository, see :func:`docagent.config.repo_settings`), then
    ``<root>/.docagent/docagent.db``. Relative paths are relative to ``root``.
    """
    chosen: str | os.PathLike[str] | None = db_path or os.environ.get("DOCAGENT_DB") or None
    if not chosen:
        from docagent.config import repo_settings

        configured = repo_settings(root).get("db")
        chosen = configured if isinstance(configured, str) and configured else DEFAULT_DB
    path = Path(chosen).expanduser()
    if not path.is_absolute():
        path = Path(root) / path
    if chosen == DEFAULT_DB and not _stays_inside(Path(root), path):
        raise DocagentError(
            f"{path}: the decision log would be written outside the repository "
            "(.docagent is a symlink?); set DOCAGENT_DB to choose where it goes"
        )
    return path


def resolve_store_url(
    root: Path,
    db_path: str | os.PathLike[str] | None = None,
    store: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """The PostgreSQL URL of the repository's shared store, or None for the local SQLite log.

    ``store`` wins, then an explicit ``db_path`` (a local file), then ``DOCAGENT_STORE``, then
    ``DOCAGENT_DB`` (a local file), then the ``store`` setting of ``[tool.docagent]`` (honoured
    only when the user trusts the repository's settings, see
    :func:`docagent.config.repo_settings`: it decides where the user's database credentials and
    code go).

    Raises:
        DocagentError: the chosen value is not a ``postgresql://`` URL.
    """
    from docagent.store.postgres import is_url

    env = os.environ if environ is None else environ
    chosen, source = store, "the store setting"
    if not chosen and not db_path:
        chosen, source = env.get("DOCAGENT_STORE", "").strip(), "DOCAGENT_STORE"
        if not chosen and not env.get("DOCAGENT_DB"):
            from docagent.config import repo_settings

            configured = repo_settings(root, env).get("store")
            chosen = configured if isinstance(configured, str) else ""
            source = "the store setting of [tool.docagent]"
    if not chosen:
        return None
    if not is_url(chosen):
        raise DocagentError(
            f"{source} must be a postgresql:// URL (or empty for the local SQLite log)"
        )
    return chosen.strip()


def repo_name(
    root: Path | None,
    environ: Mapping[str, str] | None = None,
    *,
    folder: bool = True,
    remote: str | None = None,
) -> str:
    """The repository every record of this checkout carries.

    ``DOCAGENT_REPO_NAME``, else the ``repo_name`` setting, else the normalised URL of the
    ``origin`` remote (``github.com/owner/name``, :func:`docagent.repo.remote_name`; ``remote``
    is its URL when the caller read it already), else — with ``folder`` — the checkout's
    folder name ("" without).
    """
    env = os.environ if environ is None else environ
    if env.get("DOCAGENT_REPO_NAME", "").strip():
        return env["DOCAGENT_REPO_NAME"].strip()
    if root is None:
        return ""
    from docagent.config import repo_settings
    from docagent.repo import remote_name

    with contextlib.suppress(DocagentError):
        configured = repo_settings(root, env).get("repo_name")
        if isinstance(configured, str) and configured.strip():
            return configured.strip()
    return remote_name(root, remote) or (Path(root).resolve().name if folder else "")


def _stays_inside(root: Path, path: Path) -> bool:
    """True when ``path`` (following symlinks) stays inside ``root``."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


class Store:
    """The decision log: runs, drafts, decisions, model calls, coverage and eval runs."""

    def __init__(
        self,
        path: Path | None,
        root: Path | None = None,
        busy_timeout: float = db.DEFAULT_BUSY_TIMEOUT,
        *,
        url: str | None = None,
        repo: str | None = None,
    ) -> None:
        """Open (create, migrate) the SQLite log at ``path`` or the PostgreSQL store at ``url``.

        ``repo`` is the repository the records carry (default: :func:`repo_name` of ``root``;
        a local log leaves it empty rather than guess from the folder's name, so a remote
        added later names the earlier rows too). Prefer :meth:`open`.
        """
        from docagent.store.postgres import redact_url

        if (path is None) == (url is None):
            raise ValueError("a Store needs exactly one of path and url")
        self.path = Path(path) if path is not None else None
        self.url = url
        #: how messages name this log: its file, or the server URL without its password
        self.label = str(self.path) if self.path is not None else redact_url(url or "")
        self.root = Path(root) if root is not None else None
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: db.Connection | None = (
            db.connect(self.path, busy_timeout) if self.path is not None else None
        )
        if url is not None:
            self._conn = db.connect_postgres(url)
        #: the repository's ``remote.origin.url`` and ``user.email``, read by one git process
        self._git_config: dict[str, str] | None = None
        if self.root is not None:
            from docagent.repo import git_config

            self._git_config = git_config(self.root, ["remote.origin.url", "user.email"])
        self.repo = (
            repo
            if repo is not None
            else repo_name(
                self.root,
                folder=url is not None,
                remote=(self._git_config or {}).get("remote.origin.url", ""),
            )
        )
        #: the SQL dialect of this store's database (see :mod:`docagent.store.dialect`)
        self.dialect = dialect.SQLITE if url is None else dialect.POSTGRES
        self._reviewer: str | None = None
        #: file versions this store wrote or found, by sha: True when stored as they are
        self._versions: dict[str, bool] = {}
        #: a few file versions read back (consecutive drafts usually share one)
        self._texts: dict[str, str] = {}

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def open(
        cls,
        root: Path,
        db_path: str | os.PathLike[str] | None = None,
        *,
        store: str | None = None,
        busy_timeout: float = db.DEFAULT_BUSY_TIMEOUT,
    ) -> Store:
        """Open the decision log of the repository at ``root``.

        A shared PostgreSQL store when one is configured (:func:`resolve_store_url`), else the
        local SQLite file (:func:`resolve_db_path`). Creates the database (and its directory,
        or its tables on a server) when missing; when the file lies inside the repository, its
        top directory is added to ``.git/info/exclude``. Drafts and model calls an earlier run
        could not log are written in (:meth:`replay_unlogged`).
        """
        root = Path(root).resolve()
        url = resolve_store_url(root, db_path, store)
        path = None if url else resolve_db_path(root, db_path)
        opened = cls(path, root=root, busy_timeout=busy_timeout, url=url)
        with contextlib.suppress(DocagentError, OSError):
            opened.replay_unlogged()  # model calls an earlier run could not log
        if path is None:
            return opened
        with contextlib.suppress(ValueError, DocagentError, OSError):
            rel = path.resolve().relative_to(root)
            if len(rel.parts) > 1:
                from docagent.repo import ensure_excluded

                ensure_excluded(root, rel.parts[0] + "/")
        return opened

    @staticmethod
    def exists(root: Path, db_path: str | os.PathLike[str] | None = None) -> bool:
        """True when the repository's decision log exists (reading commands check first).

        A shared PostgreSQL store always exists (it is created on first use).

        Raises:
            StoreError: the log path exists but is not a file (a directory, say): reading
                commands then fail with this one line instead of reporting an empty log.
        """
        root = Path(root).resolve()
        if resolve_store_url(root, db_path):
            return True
        path = resolve_db_path(root, db_path)
        if path.exists() and not path.is_file():
            raise db.StoreError(f"{path}: not a decision log file (it is a directory or device)")
        return path.is_file()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Store:
        """Use the store as a context manager that closes it on exit."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the store."""
        self.close()

    @contextlib.contextmanager
    def _op(self, write: bool = False) -> Iterator[db.Connection]:
        """Run one operation under the lock (in a transaction when ``write``), errors translated.

        A PostgreSQL error a retry fixes becomes :class:`~docagent.store.db.TransientError`
        (:meth:`_write` retries it).
        """
        from docagent.store import postgres

        with self._lock:
            if self._conn is None:
                raise DocagentError(f"{self.label}: decision log is closed")
            try:
                if write:
                    with db.transaction(self._conn) as conn:
                        yield conn
                else:
                    yield self._conn
            except sqlite3.Error as exc:
                raise db.translate(exc, Path(self.label), self.busy_timeout) from None
            except Exception as exc:
                if not postgres.is_driver_error(exc):
                    raise
                if postgres.transient(exc):
                    why = postgres.translate(exc, self.url or "")
                    raise db.TransientError(str(why)) from None
                raise postgres.translate(exc, self.url or "") from None

    def _write(self, fn: Callable[[db.Connection], R], attempts: int = 5) -> R:
        """Run ``fn(conn)`` in one write transaction, retried when PostgreSQL asks for it."""
        for attempt in range(attempts):
            try:
                with self._op(write=True) as conn:
                    return fn(conn)
            except db.TransientError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _who(self, reviewer: str | None = None) -> dict[str, str]:
        """The ``repo`` and ``reviewer`` columns of a new row."""
        return {"repo": self.repo, "reviewer": reviewer or self.default_reviewer()}

    def copy_from(self, source: Store, repo: str | None = None) -> dict[str, list[int]]:
        """Copy every row of the local SQLite log ``source`` that this store lacks.

        One transaction; idempotent (see :mod:`docagent.store.copy`). ``repo`` (default
        :attr:`repo`) fills in rows logged before the log recorded the repository. Returns
        ``{table: [copied, already there]}``.
        """
        from docagent.store.copy import copy_log

        if source.path is None:
            raise DocagentError(f"{source.label}: only a local SQLite log can be copied")
        name = repo or self.repo
        with source._op() as src:
            return self._write(lambda dst: copy_log(src, dst, name))

    @property
    def schema_version(self) -> int:
        """The database's schema version (``PRAGMA user_version``, or ``docagent_schema``)."""
        with self._op() as conn:
            return db.schema_version(conn)

    def default_reviewer(self) -> str:
        """git ``user.email`` of the repository, else the OS user (cached)."""
        if self._reviewer is None:
            if self.root is not None:
                from docagent.repo import user_email

                known = None if self._git_config is None else self._git_config.get("user.email", "")
                self._reviewer = user_email(self.root, known)
            else:
                import getpass

                try:
                    self._reviewer = getpass.getuser()
                except Exception:
                    self._reviewer = "unknown"
        return self._reviewer

    # ----------------------------------------------------------------- writing

    def start_run(
        self,
        mode: str,
        provider: str = "",
        model: str = "",
        prompt_version: str = "",
        config: Mapping[str, Any] | None = None,
        *,
        at: Timestamp = None,
    ) -> str:
        """Record the start of a run (``mode``: tui | batch | eval | other); return its id."""
        from docagent import __version__

        run_id = secrets.token_hex(6)
        who = self._who()
        self._write(
            lambda conn: _insert(
                conn,
                "runs",
                {
                    **who,
                    "id": run_id,
                    "mode": mode,
                    "provider": provider,
                    "model": model,
                    "prompt_version": prompt_version,
                    "config_json": _json(dict(config or {})),
                    "docagent_version": __version__,
                    "started_at": _ts(at),
                },
            )
        )
        return run_id

    def end_run(self, run_id: str, *, at: Timestamp = None, **summary: Any) -> None:
        """Record the end of a run with a JSON-able summary (counts, cost, …)."""
        self._write(
            lambda conn: conn.execute(
                "UPDATE runs SET ended_at = ?, summary_json = ? WHERE id = ?",
                (_ts(at), _json(summary), run_id),
            )
        )

    def record_draft(
        self, run_id: str | None, draft: DraftRecord | PreparedDraft, *, at: Timestamp = None
    ) -> str:
        """Store one draft (committed at once) and return its id.

        ``draft`` may be prepared already (:func:`~docagent.store.prepared.prepare_draft`, in
        another process, say): then only its row is written.
        """
        draft_id = secrets.token_hex(8)
        stamp, who = _ts(at), self._who()
        if not isinstance(draft, PreparedDraft):
            draft = self.prepare(draft)
        version = self._write(
            lambda conn: _insert_draft(conn, run_id, draft, draft_id, stamp, self._versions, who)
        )
        self._remember(version)
        return draft_id

    def prepare(self, draft: DraftRecord) -> PreparedDraft:
        """``draft`` as this log stores it (:func:`~docagent.store.prepared.prepare_draft`): a
        file version the log has is neither scrubbed nor compressed again."""
        return prepare_draft(draft, self._versions)

    def _remember(self, sha: str | None) -> None:
        """A committed draft's file version is in the log: not stored or scrubbed again."""
        if sha is not None:
            with self._lock:
                self._versions[sha] = True

    def record_paid(
        self,
        run_id: str | None,
        draft: DraftRecord | PreparedDraft,
        call: CallRecord,
        *,
        at: Timestamp = None,
    ) -> str:
        """Store a draft and the model call behind it in one transaction; return the draft id.

        When the log cannot be written (locked, full disk, read-only), both are appended to
        :attr:`unlogged_path` first — a paid call is never forgotten — and written into the log
        the next time it is opened (:meth:`replay_unlogged`); then the error is raised: a
        :class:`~docagent.store.db.StoreError` whose message names the journal
        (:meth:`record_drafts` with one draft).
        """
        return self.record_drafts(run_id, [draft], [call], at=at)[0]

    def record_drafts(
        self,
        run_id: str | None,
        drafts: Sequence[DraftRecord | PreparedDraft],
        calls: Sequence[CallRecord | None] | None = None,
        *,
        at: Timestamp = None,
    ) -> list[str]:
        """Store drafts, and the model call behind each that has one (``calls[i]`` for
        ``drafts[i]``), in one transaction; return the drafts' ids.

        For drafts that arrive together (from a process that drafts, say): one commit for
        all of them instead of one each. Like :meth:`record_draft`, everything is committed
        when this returns. When the log cannot be written, the drafts with a model call are
        kept in the journal, as by :meth:`record_paid`, and the error is raised.

        Raises:
            StoreError: The log cannot be written (the message names the journal when a model
                call was kept in it).
            ValueError: ``calls`` is not one per draft.
        """
        stamp, who = _ts(at), self._who()
        paid = list(calls) if calls is not None else [None] * len(drafts)
        if len(paid) != len(drafts):
            raise ValueError("record_drafts needs one call (or None) per draft")
        rows = []
        for draft, call in zip(drafts, paid, strict=True):
            draft_id = secrets.token_hex(8)
            prepared = draft if isinstance(draft, PreparedDraft) else self.prepare(draft)
            if call is not None:
                call = dataclasses.replace(call, draft_id=draft_id)
            rows.append((draft_id, draft, prepared, call))

        def write(conn: db.Connection) -> list[str | None]:
            versions = self._versions
            shas = []
            for draft_id, _, prepared, call in rows:
                sha = _insert_draft(conn, run_id, prepared, draft_id, stamp, versions, who)
                if sha is not None and not versions.get(sha):
                    versions = {**versions, sha: True}  # inserted by this transaction
                if call is not None:
                    _insert_call(conn, run_id, call, stamp, who)
                shas.append(sha)
            return shas

        try:
            for sha in self._write(write):
                self._remember(sha)
        except DocagentError as exc:
            entries = [(i, d, c) for i, d, _, c in rows if c is not None]
            kept = self._keep_unlogged(run_id, stamp, entries) if entries else ""
            raise db.StoreError(f"{exc}{kept}") from None
        return [draft_id for draft_id, *_ in rows]

    def _keep_unlogged(
        self,
        run_id: str | None,
        stamp: str,
        entries: list[tuple[str, DraftRecord | PreparedDraft, CallRecord]],
    ) -> str:
        """Append paid drafts the log could not take to the journal (:attr:`unlogged_path`);
        return what to add to the error message."""
        lines = []
        try:
            for draft_id, draft, call in entries:
                entry: dict[str, Any] = {"run_id": run_id, "draft_id": draft_id, "at": stamp}
                if isinstance(draft, PreparedDraft):
                    # scrubbed already: only the call is scrubbed here
                    entry["call"] = scrub_value(call.to_dict())
                    entry["prepared"] = _journal_form(draft)
                    lines.append(json.dumps(entry, default=str) + "\n")
                else:
                    entry.update(draft=draft.to_dict(), call=call.to_dict())
                    lines.append(json.dumps(scrub_value(entry), default=str) + "\n")
            self.unlogged_path.parent.mkdir(parents=True, exist_ok=True)
            with self.unlogged_path.open("a", encoding="utf-8") as fh:
                fh.write("".join(lines))
                fh.flush()
                os.fsync(fh.fileno())
        except (OSError, TypeError, ValueError) as werr:
            return f"; the model call could not be kept either ({werr})"
        what = "model call was" if len(entries) == 1 else "model calls were"
        return (
            f"; the {what} kept in {self.unlogged_path} and go"
            f"{'es' if len(entries) == 1 else ''} into the log the next time it opens"
        )

    @property
    def unlogged_path(self) -> Path:
        """The journal of drafts and model calls the log could not take (see record_paid).

        Beside a SQLite log; in the repository's ``.docagent/`` for a PostgreSQL store.
        """
        if self.path is None:
            return (self.root or Path.cwd()) / ".docagent" / "store-unlogged.jsonl"
        return self.path.with_name(self.path.name + "-unlogged.jsonl")

    def replay_unlogged(self) -> int:
        """Write the journal's drafts and model calls into the log; return how many.

        Entries already in the log are not written twice; an unreadable line, or an entry of a
        run this log does not have (a journal committed to a repository by someone else), is
        dropped. The journal is removed once its entries are committed, and kept when the log is
        still unwritable.
        """
        journal = self.unlogged_path
        if not journal.is_file():
            return 0
        taken = journal.with_name(f"{journal.name}.{os.getpid()}")
        try:
            os.replace(journal, taken)
            lines = taken.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return 0
        entries = []
        for line in lines:
            try:
                e = json.loads(line)
                entries.append(
                    (
                        e.get("run_id"),
                        str(e["draft_id"]),
                        str(e["at"]),
                        _from_journal(e["prepared"])
                        if "prepared" in e
                        else DraftRecord(**e["draft"]),
                        CallRecord(**e["call"]),
                    )
                )
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
        written = 0
        try:
            with self._op(write=True) as conn:
                for run_id, draft_id, stamp, draft, call in entries:
                    if conn.execute("SELECT 1 FROM drafts WHERE id = ?", (draft_id,)).fetchone():
                        continue
                    # only runs of this log: a journal planted in a clone has no run here
                    known = conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone()
                    if run_id is None or known is None:
                        continue
                    if isinstance(draft, PreparedDraft) and not _version_there(conn, draft):
                        continue  # its file version is in neither the journal nor the log
                    who = self._who()
                    _insert_draft(conn, run_id, draft, draft_id, stamp, who=who)
                    _insert_call(conn, run_id, call, stamp, who)
                    written += 1
        except DocagentError:
            with contextlib.suppress(OSError), journal.open("a", encoding="utf-8") as fh:
                fh.write("".join(line + "\n" for line in lines))
            with contextlib.suppress(OSError):
                taken.unlink()
            return 0
        with contextlib.suppress(OSError):
            taken.unlink()
        return written

    def _stored_source(self, row: db.Row) -> str | None:
        """The draft's source: the row's own, else its file version with the cut applied."""
        keys = row.keys()
        if row["source"] is not None or "source_sha" not in keys or not row["source_sha"]:
            return row["source"]
        sha = row["source_sha"]
        with self._op() as conn:
            text = self._texts.get(sha)
            if text is None:
                found = conn.execute(
                    "SELECT data FROM file_versions WHERE sha = ?", (sha,)
                ).fetchone()
                if found is None:
                    return None
                text = unpack(bytes(found[0]))
                if len(self._texts) >= 8:
                    self._texts.pop(next(iter(self._texts)))
                self._texts[sha] = text
        return apply_cut(text, cut_from_text(row["source_cut"]))

    def record_decision(
        self,
        draft_id: str,
        decision: str,
        final_text: str | None = None,
        reason: str = "",
        reviewer: str | None = None,
        review_ms: int | None = None,
        mode: str | None = None,
        *,
        at: Timestamp = None,
    ) -> int:
        """Record a decision on a draft and commit it before returning its id.

        ``decision`` is accept | edit | reject | skip | undo (``undo`` cancels the draft's
        latest remaining decision). For ``accept`` without ``final_text`` the draft's text is
        stored. ``reviewer`` defaults to :meth:`default_reviewer`, ``mode`` to the run's mode.
        """
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
        if reviewer is None:
            reviewer = self.default_reviewer()
        stamp = _ts(at)

        def write(conn: db.Connection) -> int:
            standing.lock(conn, [draft_id])
            row = conn.execute(
                "SELECT d.text, r.mode FROM drafts d LEFT JOIN runs r ON r.id = d.run_id"
                " WHERE d.id = ?",
                (draft_id,),
            ).fetchone()
            if row is None:
                raise DocagentError(f"{self.label}: no draft with id {draft_id!r}")
            text = row["text"] if final_text is None and decision == "accept" else final_text
            decision_id = _insert(
                conn,
                "decisions",
                {
                    "repo": self.repo,
                    "draft_id": draft_id,
                    "created_at": stamp,
                    "decision": decision,
                    "final_text": _text(text),
                    "reason": scrub_text(reason or ""),
                    "reviewer": reviewer,
                    "review_ms": None if review_ms is None else int(review_ms),
                    "mode": mode if mode is not None else (row["mode"] or ""),
                },
            )
            standing.refresh(conn, [draft_id])
            return decision_id

        return self._write(write)

    def record_intent(
        self,
        draft_id: str,
        decision: str,
        *,
        path: str,
        qualname: str,
        final_text: str,
        reviewer: str | None = None,
        review_ms: int | None = None,
        mode: str = "",
    ) -> int:
        """Record, before a file is written, the decision the write will carry; return its id.

        After the write, :meth:`confirm_intent` turns it into the decision (one transaction);
        when the write is refused, :meth:`drop_intent` forgets it. An intent left behind by a
        killed process is settled by :meth:`reconcile_intents` on the next run, so no edit is
        ever in a file without its decision in the log. When the log cannot be written, this
        raises and nothing is written to the file.
        """
        row = (draft_id, decision, path, qualname, final_text)
        return self._write(
            lambda conn: self._insert_intent(conn, row, reviewer, review_ms, mode, _ts(None))
        )

    def record_intents(
        self, intents: Sequence[tuple[str, str, str, str, str]], *, mode: str = ""
    ) -> list[int]:
        """:meth:`record_intent` for several writes in one transaction: each intent is
        ``(draft_id, decision, path, qualname, final_text)``; their ids, in order. All are
        recorded or (when the log cannot be written: this raises) none."""
        stamp = _ts(None)
        return self._write(
            lambda conn: [self._insert_intent(conn, i, None, None, mode, stamp) for i in intents]
        )

    def _insert_intent(
        self,
        conn: db.Connection,
        intent: tuple[str, str, str, str, str],
        reviewer: str | None,
        review_ms: int | None,
        mode: str,
        stamp: str,
    ) -> int:
        draft_id, decision, path, qualname, final_text = intent
        return _insert(
            conn,
            "edit_intents",
            {
                "repo": self.repo,
                "draft_id": draft_id,
                "created_at": stamp,
                "path": path,
                "qualname": qualname,
                "decision": decision,
                "final_text": _text(final_text),
                "reviewer": reviewer if reviewer is not None else self.default_reviewer(),
                "review_ms": None if review_ms is None else int(review_ms),
                "mode": mode,
            },
        )

    def confirm_intent(self, intent_id: int) -> int:
        """The write happened: record the intent's decision and forget the intent (atomically)."""
        return self._write(lambda conn: self._confirm(conn, intent_id))

    def confirm_intents(self, intent_ids: Sequence[int]) -> list[int]:
        """:meth:`confirm_intent` for several intents in one transaction (all or none); the
        decisions' ids, in order."""
        return self._write(lambda conn: [self._confirm(conn, i) for i in intent_ids])

    def _confirm(self, conn: db.Connection, intent_id: int) -> int:
        row = conn.execute("SELECT * FROM edit_intents WHERE id = ?", (intent_id,)).fetchone()
        if row is None:
            raise DocagentError(f"{self.label}: no edit intent {intent_id}")
        standing.lock(conn, [row["draft_id"]])
        decision_id = _insert(
            conn,
            "decisions",
            {
                "repo": row["repo"] or self.repo,
                "draft_id": row["draft_id"],
                "created_at": _ts(None),
                "decision": row["decision"],
                "final_text": row["final_text"],
                "reason": "",
                "reviewer": row["reviewer"],
                "review_ms": row["review_ms"],
                "mode": row["mode"],
            },
        )
        standing.refresh(conn, [row["draft_id"]])
        conn.execute("DELETE FROM edit_intents WHERE id = ?", (intent_id,))
        return decision_id

    def drop_intent(self, intent_id: int) -> None:
        """The write did not happen: forget the intent."""
        self.drop_intents([intent_id])

    def drop_intents(self, intent_ids: Sequence[int]) -> None:
        """The writes did not happen: forget these intents (one transaction)."""

        def write(conn: db.Connection) -> None:
            for intent_id in intent_ids:
                conn.execute("DELETE FROM edit_intents WHERE id = ?", (intent_id,))

        self._write(write)

    def intents(self) -> list[Intent]:
        """Intents not yet confirmed or dropped (left by a killed process), oldest first."""
        return [_record(Intent, r) for r in self._select("edit_intents", "id")]

    def reconcile_intents(self, written: Callable[[Intent], bool]) -> tuple[int, int]:
        """Settle intents left by a killed process: confirm those whose text is in the file.

        ``written(intent)`` says whether the file holds the intent's text. Returns
        ``(confirmed, dropped)``.
        """
        confirmed = dropped = 0
        for intent in self.intents():
            if written(intent):
                self.confirm_intent(intent.id)
                confirmed += 1
            else:
                self.drop_intent(intent.id)
                dropped += 1
        return confirmed, dropped

    def record_call(
        self,
        run_id: str | None,
        call: CallRecord | None = None,
        *,
        at: Timestamp = None,
        **fields: Any,
    ) -> int:
        """Record one model call (a :class:`CallRecord`, or its fields as keywords)."""
        c = call if call is not None else CallRecord(**fields)
        stamp, who = _ts(at), self._who()
        return self._write(lambda conn: _insert_call(conn, run_id, c, stamp, who))

    def record_coverage(
        self,
        run_id: str | None,
        before: float,
        after: float,
        *,
        scope: str = "",
        total: int | None = None,
        documented_before: int | None = None,
        documented_after: int | None = None,
        at: Timestamp = None,
    ) -> int:
        """Record docstring coverage (percent) before and after a run."""
        who = self._who()
        return self._write(
            lambda conn: _insert(
                conn,
                "coverage",
                {
                    **who,
                    "run_id": run_id,
                    "created_at": _ts(at),
                    "scope": scope,
                    "before": float(before),
                    "after": float(after),
                    "total": total,
                    "documented_before": documented_before,
                    "documented_after": documented_after,
                },
            )
        )

    def record_eval_run(
        self,
        score: float,
        metrics: Mapping[str, Any],
        cases: list[dict[str, Any]],
        *,
        run_id: str | None = None,
        eval_id: str | None = None,
        datasets: list[str] | tuple[str, ...] = (),
        provider: str = "",
        model: str = "",
        prompt_version: str = "",
        at: Timestamp = None,
    ) -> str:
        """Store an eval run (score, metrics, per-case results); return its id."""
        eval_id = eval_id or secrets.token_hex(6)
        who = self._who()
        self._write(
            lambda conn: _insert(
                conn,
                "eval_runs",
                {
                    **who,
                    "id": eval_id,
                    "run_id": run_id,
                    "created_at": _ts(at),
                    "datasets_json": _json(list(datasets)),
                    "provider": provider,
                    "model": model,
                    "prompt_version": prompt_version,
                    "score": float(score),
                    "n_cases": len(cases),
                    "metrics_json": _json(dict(metrics)),
                    "cases_json": _json(list(cases)),
                },
            )
        )
        return eval_id

    # ----------------------------------------------------------------- reading

    def _draft(
        self,
        row: db.Row,
        with_source: bool = True,
        with_context: bool = True,
        with_structured: bool = True,
    ) -> LoggedDraft:
        return _record(
            LoggedDraft,
            row,
            source=self._stored_source(row) if with_source else None,
            context=_load(row["context_json"], None) if with_context else None,
            structured=_load(row["structured_json"], None) if with_structured else None,
            checks=_load_checks(row["checks_json"]),
        )

    @staticmethod
    def _decision(row: db.Row) -> Decision:
        return _record(Decision, row)

    @staticmethod
    def _call(row: db.Row) -> Call:
        return _record(Call, row)

    def _select(
        self,
        table: str,
        order: str,
        since: Timestamp = None,
        since_column: str = "created_at",
        **equal: Any,
    ) -> list[db.Row]:
        """Rows of ``table`` from ``since`` on, sorted by ``order``, filtered on ``equal``.

        ``equal`` maps column names to the value they must have (None: any value).
        """
        where, params = [], []
        if since is not None:
            where.append(f"{since_column} >= ?")
            params.append(_since(since))
        for column, value in equal.items():
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = f"SELECT * FROM {table}" + (" WHERE " + " AND ".join(where) if where else "")
        with self._op() as conn:
            return conn.execute(f"{sql} ORDER BY {order}", params).fetchall()

    def draft(self, draft_id: str, *, with_source: bool = True) -> LoggedDraft | None:
        """Return the draft with ``draft_id``, or None.

        ``with_source=False`` leaves :attr:`LoggedDraft.source` None (the module text is not
        read and cut): for a caller that only reuses the draft.
        """
        rows = self._select("drafts", "rowid", id=draft_id)
        return self._draft(rows[0], with_source) if rows else None

    def drafts_by_id(
        self,
        draft_ids: list[str],
        *,
        with_source: bool = True,
        with_context: bool = True,
        with_structured: bool = True,
    ) -> dict[str, LoggedDraft]:
        """The drafts of ``draft_ids`` that exist, by id (read a few hundred per query).

        ``with_source`` as in :meth:`draft`; ``with_context=False`` leaves
        :attr:`LoggedDraft.context` None (not decoded): for a caller that writes the drafts'
        records; ``with_structured=False`` leaves :attr:`LoggedDraft.structured` None too (not
        read): for a caller that only rebuilds their records.
        """
        found: dict[str, LoggedDraft] = {}
        columns = "*"
        if not (with_source or with_context or with_structured):
            columns = ", ".join(_RECORD_COLUMNS)
        for start in range(0, len(draft_ids), 500):
            chunk = draft_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            with self._op() as conn:
                rows = conn.execute(
                    f"SELECT {columns} FROM drafts WHERE id IN ({marks})", chunk
                ).fetchall()
            for row in rows:
                found[row["id"]] = self._draft(row, with_source, with_context, with_structured)
        return found

    def drafts(self, since: Timestamp = None, run_id: str | None = None) -> list[LoggedDraft]:
        """Drafts (decided or not) created at or after ``since``, oldest first."""
        rows = self._select("drafts", "created_at, rowid", since, run_id=run_id)
        return [self._draft(r) for r in rows]

    def run_draft_keys(
        self, mode: str, provider: str, model: str
    ) -> list[tuple[str, str, str, str, str, str, str | None, bool]]:
        """``(id, path, qualname, code_sha, prompt_version, style, original_docstring, decided)``
        of reusable drafts, oldest first.

        Only the error-free, non-empty drafts of runs of ``mode`` with ``provider`` and
        ``model``; only these columns are read, in one query (a batch re-run indexes them
        without loading every earlier draft's text and context). ``decided`` says whether any
        decision was recorded on the draft (only then does reusing it need its history).
        """
        with self._op() as conn:
            rows = conn.execute(
                "SELECT d.id, d.path, d.qualname, d.code_sha, d.prompt_version, d.style,"
                " d.original_docstring,"
                " EXISTS (SELECT 1 FROM decisions c WHERE c.draft_id = d.id)"
                " FROM drafts d JOIN runs r ON r.id = d.run_id"
                " WHERE r.mode = ? AND r.provider = ? AND r.model = ?"
                " AND (d.error IS NULL OR d.error = '') AND d.text != ''"
                " ORDER BY d.created_at, d.rowid",
                (mode, provider, model),
            ).fetchall()
        return [(*(v := tuple(r))[:7], bool(v[7])) for r in rows]

    def log_mark(self) -> str:
        """A mark that changes whenever a draft or a decision is added to the log.

        The log never deletes or changes a draft or a decision, so the newest of each (by
        insertion order) marks its state: a batch re-run whose mark, files and settings are
        those of the last run can reuse that run's result (:mod:`docagent.batch_rerun`).
        """
        with self._op() as conn:
            drafts = conn.execute("SELECT max(rowid) FROM drafts").fetchone()[0]
            decisions = conn.execute("SELECT max(id) FROM decisions").fetchone()[0]
        return f"{drafts or 0}:{decisions or 0}"

    def cached_draft(self, cache_key: str, *, include_rejected: bool = False) -> LoggedDraft | None:
        """The newest error-free draft stored under ``cache_key``.

        The key is :func:`docagent.draft.cache.cache_key` of the draft's inputs.
        A draft whose effective decision is ``reject`` is not reused unless
        ``include_rejected``: a person already said no to that text.
        """
        if not cache_key:
            return None
        with self._op() as conn:
            rows = conn.execute(
                "SELECT * FROM drafts WHERE cache_key = ? AND error IS NULL"
                " ORDER BY created_at DESC, rowid DESC",
                (cache_key,),
            ).fetchall()
            for row in rows:
                if include_rejected:
                    return self._draft(row)
                history = conn.execute(
                    "SELECT * FROM decisions WHERE draft_id = ? ORDER BY id", (row["id"],)
                ).fetchall()
                eff = standing_decision([self._decision(h) for h in history])
                if eff is None or eff.decision != "reject":
                    return self._draft(row)
        return None

    def history(self, draft_id: str) -> list[Decision]:
        """Every decision recorded on a draft, undo records included, oldest first."""
        return [self._decision(r) for r in self._select("decisions", "id", draft_id=draft_id)]

    def decisions(self, since: Timestamp = None, *, effective: bool = True) -> list[Reviewed]:
        """Decisions joined with their drafts, oldest first: what reports are built from.

        With ``effective`` (default) there is one row per decided draft, its latest decision
        after ``undo`` records are applied (a draft whose decisions were all undone is left
        out); ``since`` filters on that decision's time. With ``effective=False`` every
        non-undo decision row is returned.
        """
        with self._op() as conn:
            rows = conn.execute(
                # the decision's columns first: they win over the draft's of the same name
                "SELECT c.id AS decision_id, c.draft_id, c.created_at AS decided_at,"
                " c.decision, c.final_text, c.reason, c.reviewer, c.review_ms, c.mode, c.repo,"
                " d.* FROM decisions c JOIN drafts d ON d.id = c.draft_id ORDER BY c.id"
            ).fetchall()
        if effective:
            histories: dict[str, list[db.Row]] = {}
            for row in rows:
                histories.setdefault(row["draft_id"], []).append(row)
            standing = (standing_decision(h, _row_decision) for h in histories.values())
            ordered = [row for row in standing if row is not None]
        else:
            ordered = [row for row in rows if row["decision"] != "undo"]
        ordered.sort(key=lambda r: (r["decided_at"], r["decision_id"]))
        lower = _since(since)
        return [self._reviewed(r) for r in ordered if lower is None or r["decided_at"] >= lower]

    def _reviewed(self, row: db.Row) -> Reviewed:
        draft = self._draft(row)
        return _record(
            Reviewed,
            row,
            day=row["decided_at"][:10],
            draft_text=draft.text,
            checks=draft.checks,
            checks_ok=draft.checks_ok,
            drafted_at=draft.created_at,
            source=draft.source,
        )

    def accepted_examples(
        self, *, kind: str | None = None, style: str | None = None, n: int = 5
    ) -> list[Reviewed]:
        """The newest accepted or edited docstrings (the team's own style examples)."""
        rows = [
            r
            for r in self.decisions()
            if r.decision in ("accept", "edit")
            and r.final_text
            and (kind is None or r.kind == kind)
            and (style is None or r.style == style)
        ]
        return rows[-n:][::-1] if n > 0 else []

    def latest(
        self, n: int = 20, path: str | None = None, decision: str | None = None
    ) -> list[LogEntry]:
        """The ``n`` most recently active drafts with their decisions and model calls.

        ``path`` keeps drafts of that file (or under that directory); ``decision`` keeps drafts
        whose effective decision is that one (``undo``: drafts with any undo record).
        """
        sql, params = "SELECT * FROM drafts", []
        if path:
            norm = path.strip().removeprefix("./").rstrip("/")
            sql += " WHERE path = ? OR path LIKE ? ESCAPE '\\'"
            escaped = norm.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [norm, escaped + "/%"]
        with self._op() as conn:
            rows = conn.execute(sql + " ORDER BY created_at, rowid", params).fetchall()
            drafts = [self._draft(r) for r in rows]
            by_draft: dict[str, list[Decision]] = {}
            for r in conn.execute("SELECT * FROM decisions ORDER BY id").fetchall():
                by_draft.setdefault(r["draft_id"], []).append(self._decision(r))
            calls: dict[str, list[Call]] = {}
            for r in conn.execute(
                "SELECT * FROM llm_calls WHERE draft_id IS NOT NULL ORDER BY id"
            ).fetchall():
                calls.setdefault(r["draft_id"], []).append(self._call(r))
        entries: list[tuple[str, int, LogEntry]] = []
        for index, d in enumerate(drafts):
            history = by_draft.get(d.id, [])
            eff = standing_decision(history)
            eff_name = eff.decision if eff else None
            if decision == "undo":
                if not any(h.decision == "undo" for h in history):
                    continue
            elif decision is not None and eff_name != decision:
                continue
            last = max([d.created_at, *(h.created_at for h in history)])
            entry = LogEntry(d, eff_name, history, calls.get(d.id, []), last)
            entries.append((last, index, entry))
        entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
        return [e[2] for e in entries[: max(n, 0)]]

    def calls(self, since: Timestamp = None, draft_id: str | None = None) -> list[Call]:
        """Model calls, oldest first."""
        return [self._call(r) for r in self._select("llm_calls", "id", since, draft_id=draft_id)]

    @staticmethod
    def _run(row: db.Row) -> Run:
        return _record(
            Run, row, config=_load(row["config_json"], {}), summary=_load(row["summary_json"], {})
        )

    def run(self, run_id: str) -> Run | None:
        """Return the run with ``run_id``, or None."""
        rows = self._select("runs", "rowid", id=run_id)
        return self._run(rows[0]) if rows else None

    def runs(self, since: Timestamp = None) -> list[Run]:
        """Runs started at or after ``since``, oldest first."""
        rows = self._select("runs", "started_at, rowid", since, "started_at")
        return [self._run(r) for r in rows]

    def coverage(self, since: Timestamp = None) -> list[CoverageSnapshot]:
        """Coverage snapshots, oldest first."""
        rows = self._select("coverage", "created_at, id", since)
        return [_record(CoverageSnapshot, r) for r in rows]

    @staticmethod
    def _eval_run(row: db.Row) -> EvalRun:
        return _record(
            EvalRun,
            row,
            datasets=_load(row["datasets_json"], []),
            metrics=_load(row["metrics_json"], {}),
            cases=_load(row["cases_json"], []),
        )

    def eval_run(self, eval_id: str) -> EvalRun | None:
        """The eval run with this id or unique id prefix (``latest`` = the newest), or None."""
        with self._op() as conn:
            if eval_id == "latest":
                rows = conn.execute(
                    "SELECT * FROM eval_runs ORDER BY created_at DESC, rowid DESC LIMIT 1"
                ).fetchall()
            else:
                rows = conn.execute(
                    "SELECT * FROM eval_runs WHERE id = ? OR id LIKE ? LIMIT 2",
                    (eval_id, eval_id.replace("%", "").replace("_", "") + "%"),
                ).fetchall()
                exact = [r for r in rows if r["id"] == eval_id]
                rows = exact or rows
        if len(rows) != 1:
            return None
        return self._eval_run(rows[0])

    def eval_runs(self, n: int = 20) -> list[EvalRun]:
        """The ``n`` newest eval runs, newest first."""
        with self._op() as conn:
            rows = conn.execute(
                "SELECT * FROM eval_runs ORDER BY created_at DESC, rowid DESC LIMIT ?", (n,)
            ).fetchall()
        return [self._eval_run(r) for r in rows]

    def aggregate(
        self,
        dims: list[str],
        since: str | None,
        repo: str,
        similarity: Callable[[str, str], float],
        *,
        charts: bool = True,
    ) -> Any:
        """The report's figures aggregated in the database (an ``Aggregates``).

        See :func:`docagent.store.aggregate.aggregate`; ``since`` is a stored-form time.
        """
        from docagent.store.aggregate import aggregate

        with self._op() as conn:
            return aggregate(
                conn,
                dims,
                since,
                repo,
                similarity=similarity,
                charts=charts,
                dialect=self.dialect,
            )

    # ----------------------------------------------------------------- outcomes

    def outcome_candidates(self) -> Iterator[OutcomeCandidate]:
        """Drafts ``docagent outcomes`` may follow, with their standing decisions.

        Docstring drafts outside eval runs that were applied (standing accept or edit), that
        were only proposed (no standing decision, or a skip; error-free, with text), or that
        have a recorded outcome. Streamed in the order of their target, oldest first.
        """
        sql = (
            "SELECT d.id, d.path, d.qualname, d.kind, d.text, d.created_at, d.error,"
            " d.standing_decision AS decision, s.final_text, d.standing_reviewer AS reviewer,"
            " d.standing_mode AS mode, d.standing_at AS decided_at,"
            " o.draft_id AS o_draft_id, o.via, o.outcome, o.applied_at, o.changed_at,"
            " o.checked_at, o.applied_text, o.similarity, o.current_text, o.commit_sha"
            # the standing decision kept on the draft row (docagent/store/standing.py); the
            # decision itself is read, by its id, only for its text
            " FROM drafts d LEFT JOIN decisions s ON s.id = d.standing_id"
            " LEFT JOIN runs r ON r.id = d.run_id"
            " LEFT JOIN outcomes o ON o.draft_id = d.id"
            " WHERE d.kind <> 'readme_section' AND (r.mode IS NULL OR r.mode <> 'eval')"
            " AND (d.standing_decision IN ('accept', 'edit') OR o.draft_id IS NOT NULL"
            " OR ((d.standing_decision IS NULL OR d.standing_decision = 'skip')"
            " AND (d.error IS NULL OR d.error = '') AND d.text <> ''))"
            " ORDER BY d.path, d.qualname, d.created_at, d.id"
        )
        with self._op() as conn:
            rows = conn.execute(sql).fetchall()
        for r in rows:
            known = None
            if r["o_draft_id"] is not None:
                known = Outcome(
                    draft_id=r["id"],
                    via=r["via"],
                    outcome=r["outcome"],
                    applied_at=r["applied_at"],
                    changed_at=r["changed_at"],
                    checked_at=r["checked_at"],
                    applied_text=r["applied_text"],
                    similarity=r["similarity"],
                    current_text=r["current_text"],
                    commit_sha=r["commit_sha"],
                )
            yield OutcomeCandidate(
                draft_id=r["id"],
                path=r["path"],
                qualname=r["qualname"],
                kind=r["kind"],
                text=r["text"],
                created_at=r["created_at"],
                decision=r["decision"],
                final_text=r["final_text"],
                reviewer=r["reviewer"] or "",
                mode=r["mode"] or "",
                decided_at=r["decided_at"],
                error=r["error"],
                known=known,
            )

    def record_outcomes(self, outcomes: list[Outcome]) -> None:
        """Store ``outcomes`` in one transaction: one row per draft, replaced, never duplicated."""
        columns = [f.name for f in dataclasses.fields(Outcome)]
        with self._op(write=True) as conn:
            for o in outcomes:
                values = {k: getattr(o, k) for k in columns}
                values["current_text"] = _text(o.current_text)
                values["applied_text"] = scrub_text(o.applied_text)
                found = conn.execute(
                    "SELECT 1 FROM outcomes WHERE draft_id = ?", (o.draft_id,)
                ).fetchone()
                if found is None:
                    _insert(conn, "outcomes", values)
                    continue
                sets = ", ".join(f"{k} = ?" for k in columns if k != "draft_id")
                params = [values[k] for k in columns if k != "draft_id"]
                conn.execute(
                    f"UPDATE outcomes SET {sets} WHERE draft_id = ?", [*params, o.draft_id]
                )

    def outcomes(self) -> list[Outcome]:
        """Every recorded outcome, oldest application first."""
        rows = self._select("outcomes", "applied_at, draft_id")
        return [_record(Outcome, r) for r in rows]


def _row_decision(row: db.Row) -> str:
    return str(row["decision"])
