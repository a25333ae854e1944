"""Each draft's standing decision, kept in the log as decisions are written.

``drafts.standing_id`` is the id of the decision that stands on the draft
(:func:`docagent.decisions.standing_decision` of its history), NULL when none does; beside it
the draft row keeps the few columns of that decision a report reads
(:data:`~docagent.store.migrations.KEPT_COLUMNS`: decision, time, reviewer, mode, review
time, whether its text differs from the draft's). Every write of a decision keeps them
current in the same transaction: :func:`lock` before the decisions are inserted,
:func:`refresh` after. On PostgreSQL :func:`lock` takes the drafts' rows ``FOR UPDATE``, so
two writers deciding on one draft at once (two reviewers, CI and a reviewer, ``docagent store
copy``) take turns: the second inserts its decision after the first committed and computes
the standing decision from the whole history. On SQLite the
write transaction (``BEGIN IMMEDIATE``) already serializes writers.

Reports (:mod:`docagent.store.aggregate`) start from the drafts and read the standing decision
by its id instead of working it out over the whole decisions table. A log from before schema
version 8 gets the column filled by the migration
(:data:`~docagent.store.migrations.FILL_STANDING`: the same rule in SQL,
:data:`docagent.decisions.STANDING_SQL`, tested equal to the Python rule).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from docagent.decisions import standing_decision
from docagent.store import db
from docagent.store.migrations import FILL_STANDING, KEEP_STANDING, keep_standing
from docagent.store.postgres import PgConnection

#: Drafts per query (an ``IN`` list of this many ids stays well under both databases' limits).
_CHUNK = 500
#: More drafts than this are refreshed in one set-based pass (:func:`refresh`).
BULK = 5_000


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(ids))  # one order for every writer: no lock cycles
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def lock(conn: db.Connection, draft_ids: Iterable[str]) -> None:
    """Take the rows of ``draft_ids`` for this transaction before deciding on them.

    PostgreSQL: ``SELECT ... FOR UPDATE`` in id order; a concurrent writer on the same draft
    waits until this transaction ends. SQLite: nothing to do (one writer at a time).
    """
    if not isinstance(conn, PgConnection):
        return
    for chunk in _chunks(draft_ids):
        marks = ", ".join("?" * len(chunk))
        conn.execute(
            f'SELECT id FROM drafts WHERE id IN ({marks}) ORDER BY id COLLATE "C" FOR UPDATE', chunk
        ).fetchall()


def refresh(conn: db.Connection, draft_ids: Iterable[str]) -> None:
    """Set ``drafts.standing_id`` of ``draft_ids`` from their histories, and the kept columns.

    Call it in the transaction that wrote their decisions, after :func:`lock`. Each draft's
    history is read in id order and :func:`~docagent.decisions.standing_decision` picks the
    decision that stands; rows already right are not written. The changed rows get the
    standing decision's columns a report reads copied beside it
    (:data:`~docagent.store.migrations.KEEP_STANDING`). More than :data:`BULK` drafts
    (``store copy`` of a whole log) are set in SQL instead, in one pass over the decisions
    (:data:`~docagent.store.migrations.FILL_STANDING`).
    """
    ids = sorted(set(draft_ids))
    if len(ids) > BULK:
        _refill(conn, ids)
        return
    for chunk in _chunks(ids):
        marks = ", ".join("?" * len(chunk))
        histories: dict[str, list[tuple[int, str]]] = {d: [] for d in chunk}
        for draft_id, decision_id, decision in conn.execute(
            f"SELECT draft_id, id, decision FROM decisions WHERE draft_id IN ({marks})"
            " ORDER BY draft_id, id",
            chunk,
        ).fetchall():
            histories[draft_id].append((int(decision_id), str(decision)))
        current = dict(
            conn.execute(
                f"SELECT id, standing_id FROM drafts WHERE id IN ({marks})", chunk
            ).fetchall()
        )
        updates: list[tuple[int | None, int | None, str]] = []
        for draft_id, history in histories.items():
            if draft_id not in current:
                continue
            entry = standing_decision(history, _decision)
            stands = None if entry is None else entry[0]
            if current[draft_id] != stands:
                updates.append((stands, stands, draft_id))
        if updates:  # one row version per draft (PostgreSQL writes a new one per UPDATE)
            conn.executemany(
                f"UPDATE drafts SET standing_id = ?, {keep_standing('?')} WHERE id = ?", updates
            )


def _refill(conn: db.Connection, draft_ids: Sequence[str]) -> None:
    """:func:`refresh` of many drafts in SQL: the standing decisions of the whole log in one
    pass, written to the drafts of ``draft_ids`` (NULL where none stands any more)."""
    conn.execute("CREATE TEMPORARY TABLE da_refresh (draft_id TEXT PRIMARY KEY)")
    conn.executemany("INSERT INTO da_refresh (draft_id) VALUES (?)", [(d,) for d in draft_ids])
    create, insert, _, drop = FILL_STANDING
    conn.execute(create)
    conn.execute(insert)
    conn.execute(
        "UPDATE drafts SET standing_id ="
        " (SELECT f.decision_id FROM da_fill_standing f WHERE f.draft_id = drafts.id)"
        " WHERE id IN (SELECT draft_id FROM da_refresh)"
    )
    conn.execute(KEEP_STANDING + " WHERE id IN (SELECT draft_id FROM da_refresh)")
    conn.execute(drop)
    conn.execute("DROP TABLE da_refresh")


def fill(conn: db.Connection) -> None:
    """Set ``drafts.standing_id`` of every draft from the decisions table, in SQL.

    The statements of the migration (:data:`~docagent.store.migrations.FILL_STANDING`), for a
    log whose decisions were written without :func:`refresh` (bulk loads: the report
    benchmark). Call it inside a write transaction.
    """
    conn.execute("UPDATE drafts SET standing_id = NULL WHERE standing_id IS NOT NULL")
    for statement in FILL_STANDING:
        conn.execute(statement)
    conn.execute(KEEP_STANDING + " WHERE standing_id IS NOT NULL OR standing_decision IS NOT NULL")


def _decision(entry: Sequence[object]) -> str:
    return str(entry[1])
