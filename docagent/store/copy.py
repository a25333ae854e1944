"""Copy a local decision log into another store (a team's shared PostgreSQL store), idempotently.

``docagent store copy`` calls :func:`copy_log`. Rows keyed by text keep their keys (runs,
drafts and eval runs by id, outcomes by draft, stored file versions by content address), so a
row already in the target is left alone. Rows keyed by a number the database assigns
(decisions, model calls, coverage) get new numbers in the target, in the source's order, and
are recognised on a second copy by what they record (a decision by its draft, time, decision
and reviewer; a model call by its run, draft, time, request id and status; a coverage snapshot
by its run, time and scope).
Copying twice therefore adds nothing the second time. Edit intents are not copied: they are a
local process's pending writes, settled by the next run on that machine.

Rows written before the log recorded its repository (schema version 7) get ``repo``: the
repository being copied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from docagent.store import db, standing
from docagent.store.migrations import KEPT_COLUMNS

#: Tables copied, in an order that puts every referenced row before the rows that refer to it.
TABLES = (
    "runs",
    "file_versions",
    "drafts",
    "decisions",
    "outcomes",
    "llm_calls",
    "coverage",
    "eval_runs",
)
#: For tables whose rows get a new id in the target: the columns that identify a row.
NATURAL_KEYS = {
    "decisions": ("draft_id", "created_at", "decision", "reviewer"),
    "llm_calls": ("run_id", "draft_id", "created_at", "request_id", "status"),
    "coverage": ("run_id", "created_at", "scope"),
}
_TEXT_KEYS = {
    "runs": "id",
    "file_versions": "sha",
    "drafts": "id",
    "outcomes": "draft_id",
    "eval_runs": "id",
}
_CHUNK = 500


def _columns(conn: db.Connection, table: str) -> list[str]:
    """The source table's columns (the source is a SQLite log at the current schema)."""
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _present(conn: db.Connection, table: str, key: str, values: Sequence[Any]) -> set[Any]:
    """The values of ``key`` among ``values`` that ``table`` of the target already holds."""
    found: set[Any] = set()
    for chunk in _chunks(list(values)):
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(f"SELECT {key} FROM {table} WHERE {key} IN ({marks})", chunk)
        found.update(r[0] for r in rows.fetchall())
    return found


def _present_keys(
    conn: db.Connection, table: str, columns: Sequence[str], parent: str, parents: set[Any]
) -> set[tuple[Any, ...]]:
    """Natural keys of ``table`` rows in the target whose ``parent`` column is in ``parents``."""
    cols = ", ".join(columns)
    found: set[tuple[Any, ...]] = set()
    known = sorted(p for p in parents if p is not None)
    for chunk in _chunks(known):
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(f"SELECT {cols} FROM {table} WHERE {parent} IN ({marks})", chunk)
        found.update(tuple(r) for r in rows.fetchall())
    if None in parents:
        rows = conn.execute(f"SELECT {cols} FROM {table} WHERE {parent} IS NULL")
        found.update(tuple(r) for r in rows.fetchall())
    return found


def copy_log(source: db.Connection, target: db.Connection, repo: str) -> dict[str, list[int]]:
    """Copy every row of the SQLite log ``source`` that ``target`` lacks; one transaction.

    Call it inside a write transaction of ``target``. ``repo`` fills the ``repo`` column of
    rows that have none. Returns ``{table: [copied, already there]}``; rows that refer to
    a draft the source does not have (damage) are counted as neither and left out.
    """
    counts: dict[str, list[int]] = {}
    runs: set[Any] = set()
    drafts: set[Any] = set()
    for table in TABLES:
        columns = _columns(source, table)
        rows = [
            dict(zip(columns, r, strict=True))
            for r in source.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        ]
        if table == "runs":
            runs = {r["id"] for r in rows}
        if table == "drafts":
            drafts = {r["id"] for r in rows}
        for r in rows:
            if "repo" in r and not r["repo"]:
                r["repo"] = repo
            if r.get("run_id") is not None and r["run_id"] not in runs:
                r["run_id"] = None  # a run the source lost: keep the row, drop the link
        if table in ("decisions", "outcomes"):  # of a draft the log lost: cannot be kept
            rows = [r for r in rows if r["draft_id"] in drafts]
        if table == "llm_calls":
            for r in rows:
                if r["draft_id"] is not None and r["draft_id"] not in drafts:
                    r["draft_id"] = None
        if table in _TEXT_KEYS:
            key = _TEXT_KEYS[table]
            there = _present(target, table, key, [r[key] for r in rows])
            new = [r for r in rows if r[key] not in there]
        else:
            names = NATURAL_KEYS[table]
            parent = "draft_id" if table == "decisions" else "run_id"
            there_keys = _present_keys(target, table, names, parent, {r[parent] for r in rows})
            new, seen = [], set(there_keys)
            for r in rows:
                k = tuple(r[n] for n in names)
                if k not in seen:
                    seen.add(k)
                    new.append(r)
            columns = [c for c in columns if c != "id"]  # the target numbers them
        if table == "drafts":
            # the source's standing decisions name the source's decision ids: recomputed
            # (with the columns kept beside them) as the decisions are copied
            columns = [c for c in columns if c != "standing_id" and c not in KEPT_COLUMNS]
        if table == "decisions" and new:
            standing.lock(target, {r["draft_id"] for r in new})
        if new:
            cols = ", ".join(columns)
            marks = ", ".join("?" * len(columns))
            target.executemany(
                f"INSERT OR IGNORE INTO {table} ({cols}) VALUES ({marks})",
                [tuple(r[c] for c in columns) for r in new],
            )
        if table == "decisions" and new:
            standing.refresh(target, {r["draft_id"] for r in new})
        counts[table] = [len(new), len(rows) - len(new)]
    return counts
