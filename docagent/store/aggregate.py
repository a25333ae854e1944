"""Report aggregation in the database: the figures ``docagent report`` shows, by GROUP BY.

:func:`aggregate` runs the rule of docs/reports.md over the whole log inside the database (the
standing decision of every draft by :data:`docagent.decisions.STANDING_SQL`, the outcome of
every draft, then one GROUP BY per dimension) and returns per-key counters. Only aggregated
rows come back to Python, plus the texts of edited drafts (edit similarity is computed by
rapidfuzz) and, per key, the distinct review times with their counts (exact medians). Memory
does not grow with the number of decisions.

The SQL is standard (window functions, CASE, CREATE TEMPORARY TABLE … AS); the few
expressions SQLite and PostgreSQL spell differently are in :mod:`docagent.store.dialect`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from docagent.decisions import STANDING_SQL
from docagent.store import dialect as sql
from docagent.store.records import APPLY_MODE, BATCH_REVIEWER

#: The dimensions a report slices by, and the overall "dimension" (one key for everything).
DIMENSIONS = (
    "model",
    "prompt",
    "kind",
    "style",
    "path",
    "reviewer",
    "mode",
    "day",
    "effort",
    "repo",
)
OVERALL = ""
#: Key of drafts awaiting a decision in the ``reviewer`` dimension.
PENDING_KEY = "(pending)"
#: Rejection reasons that were left empty.
NO_REASON = "(no reason given)"
NONE_KEY = "(none)"


@dataclass
class Slice:
    """The counters of one key of one dimension (see :func:`docagent.report.compute.summarize`).

    ``outcomes`` counts drafts per report outcome; ``review_ms`` counts decisions per measured
    review time; ``retention`` counts followed drafts per repository outcome.
    """

    drafts: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    cost_usd: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    checked: int = 0
    passed: int = 0
    pending: int = 0
    failed: int = 0
    review_ms: Counter[int] = field(default_factory=Counter)
    similarities: list[float] = field(default_factory=list)
    retention: Counter[str] = field(default_factory=Counter)


@dataclass
class Aggregates:
    """Everything a report is computed from, already aggregated.

    ``slices[dim][key]``; ``slices[OVERALL][""]`` is the whole scope. ``timeline[dim]`` holds
    ``(key, day, kept, decided)`` rows; ``cache_by_model`` the prompt-cache token sums of drafts
    that used the cache, per model.
    """

    slices: dict[str, dict[str, Slice]] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)
    measured: int = 0
    measured_kept: int = 0
    measured_ms: int = 0
    cache_read: int = 0
    cache_write: int = 0
    plain_in: int = 0
    cache_by_model: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    first: str | None = None
    last: str | None = None
    timeline: dict[str, list[tuple[str, str, int, int]]] = field(default_factory=dict)
    similarities: list[float] = field(default_factory=list)


def _key_exprs(dims: Iterable[str]) -> dict[str, str]:
    """The column of the items table that holds each dimension's key."""
    return {OVERALL: "''", **{d: f"k_{d}" for d in dims}}


def _columns(conn: Any, table: str) -> set[str]:
    """The column names of ``table`` (portable: from an empty SELECT's description)."""
    cur = conn.execute(f"SELECT * FROM {table} WHERE 1 = 0")
    return {str(d[0]) for d in cur.description}


def _repo_expr(conn: Any) -> str:
    """The repository of a draft: a ``repo`` column of drafts or runs where the schema has one,
    else the store's repository (the ``:repo`` parameter)."""
    parts = []
    if "repo" in _columns(conn, "drafts"):
        parts.append("NULLIF(d.repo, '')")
    if "repo" in _columns(conn, "runs"):
        parts.append("NULLIF(r.repo, '')")
    return f"COALESCE({', '.join([*parts, ':repo'])})"


def items_sql(dims: Sequence[str], repo_expr: str, dialect: str = "sqlite") -> str:
    """The query of the report's items: one row per draft in scope with its outcome and keys.

    Parameters ``:since`` (None: everything) and ``:repo``. A decided draft is in scope when
    its standing decision was made at or after ``:since``, an undecided one when it was
    drafted then; drafts of eval runs are left out.
    """
    trim = sql.trim_space
    seq = sql.insertion_order
    kept = "s.decision IN ('accept', 'edit')"
    keys = {
        "model": "CASE WHEN d.model <> '' THEN d.model ELSE d.provider END",
        "prompt": "d.prompt_version",
        "kind": "d.kind",
        "style": "d.style",
        "path": "d.path",
        "reviewer": f"CASE WHEN s.draft_id IS NULL THEN '{PENDING_KEY}' ELSE s.reviewer END",
        "mode": "CASE WHEN s.draft_id IS NOT NULL AND s.mode <> '' THEN s.mode"
        " ELSE COALESCE(r.mode, '') END",
        "day": "SUBSTR(COALESCE(s.decided_at, d.created_at), 1, 10)",
        "effort": f"COALESCE({sql.json_text('d.context_json', 'effort', dialect)}, '')",
        "repo": repo_expr,
    }
    outcome = (
        "CASE"
        f" WHEN {kept} AND (s.reviewer = '{BATCH_REVIEWER}' OR s.mode = '{APPLY_MODE}')"
        " THEN 'auto_applied'"
        f" WHEN {kept} AND (s.final_text IS NULL"
        f" OR {trim('s.final_text', dialect)} = {trim('d.text', dialect)}) THEN 'accepted'"
        f" WHEN {kept} THEN 'edited'"
        " WHEN s.decision = 'reject' THEN 'rejected'"
        " WHEN o.via = 'pr' THEN 'pr_applied'"
        " WHEN s.decision = 'skip' THEN 'skipped'"
        " ELSE 'pending' END"
    )
    newer_draft = (
        "EXISTS (SELECT 1 FROM drafts d2 LEFT JOIN runs r2 ON r2.id = d2.run_id"
        " WHERE d2.path = d.path AND d2.qualname = d.qualname AND d2.kind = d.kind"
        " AND (r2.mode IS NULL OR r2.mode <> 'eval')"
        f" AND (d2.created_at > d.created_at OR (d2.created_at = d.created_at"
        f" AND {seq('d2', dialect)} > {seq('d', dialect)})))"
    )
    later_decision = (
        "EXISTS (SELECT 1 FROM drafts d3 JOIN da_standing s3 ON s3.draft_id = d3.id"
        " WHERE d3.path = d.path AND d3.qualname = d.qualname AND d3.kind = d.kind"
        " AND s3.decided_at > d.created_at)"
    )
    key_cols = ", ".join(f"{keys[d]} AS k_{d}" for d in dims)
    return f"""SELECT {key_cols},
    d.path, d.qualname, d.kind, d.model, s.decided_at, d.created_at AS drafted_at,
    s.review_ms, d.cost_usd, d.tokens_in, d.tokens_out, d.cache_read_tokens,
    d.cache_write_tokens, s.reason,
    CASE WHEN d.checks_json <> '[]' THEN 1 ELSE 0 END AS checked,
    CASE WHEN d.checks_json <> '[]' AND d.checks_ok = 1 THEN 1 ELSE 0 END AS passed,
    CASE WHEN d.error IS NOT NULL AND d.error <> '' THEN 1 ELSE 0 END AS has_error,
    o.outcome AS retained,
    {outcome} AS outcome,
    CASE WHEN s.draft_id IS NULL AND (o.via IS NULL OR o.via <> 'pr') AND NOT {newer_draft}
        AND NOT {later_decision} THEN 1 ELSE 0 END AS awaiting,
    CASE WHEN {kept} AND s.final_text IS NOT NULL THEN d.text END AS draft_text,
    CASE WHEN {kept} THEN s.final_text END AS final_text
FROM drafts d
LEFT JOIN runs r ON r.id = d.run_id
LEFT JOIN da_standing s ON s.draft_id = d.id
LEFT JOIN outcomes o ON o.draft_id = d.id
WHERE (r.mode IS NULL OR r.mode <> 'eval')
  AND (:since IS NULL OR (s.draft_id IS NOT NULL AND s.decided_at >= :since)
       OR (s.draft_id IS NULL AND d.created_at >= :since))"""


def aggregate(
    conn: Any,
    dims: Sequence[str],
    since: str | None,
    repo: str,
    *,
    timeline_dims: Sequence[str] = ("prompt", "model"),
    similarity: Callable[[str, str], float],
    dialect: str = "sqlite",
) -> Aggregates:
    """Aggregate the log behind ``conn`` for a report sliced by ``dims``.

    ``since`` is a stored-form timestamp (None: all); ``repo`` the repository name of drafts
    with no ``repo`` column of their own. ``similarity(draft, final)`` scores an edit (the
    report passes :func:`docagent.report.stats.edit_similarity`). Temporary tables are dropped
    at the end.
    """
    wanted = list(dict.fromkeys([*dims, "kind", "model", *timeline_dims]))
    for dim in wanted:
        if dim not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dim!r}")
    params = {"since": since, "repo": repo}
    agg = Aggregates()
    conn.execute("DROP TABLE IF EXISTS da_items")
    conn.execute("DROP TABLE IF EXISTS da_standing")
    try:
        conn.execute(f"CREATE TEMPORARY TABLE da_standing AS {STANDING_SQL}")
        conn.execute("CREATE INDEX da_standing_draft ON da_standing (draft_id)")
        conn.execute(
            "CREATE TEMPORARY TABLE da_items AS " + items_sql(wanted, _repo_expr(conn), dialect),
            params,
        )
        _fill(conn, agg, wanted, dims, timeline_dims, similarity)
    finally:
        conn.execute("DROP TABLE IF EXISTS da_items")
        conn.execute("DROP TABLE IF EXISTS da_standing")
    return agg


def _norm(key: object) -> str:
    return str(key) if key not in (None, "") else NONE_KEY


def _fill(
    conn: Any,
    agg: Aggregates,
    wanted: Sequence[str],
    dims: Sequence[str],
    timeline_dims: Sequence[str],
    similarity: Callable[[str, str], float],
) -> None:
    """Run the GROUP BY queries over ``da_items`` into ``agg``."""
    exprs = _key_exprs(wanted)
    sliced = [OVERALL, *dict.fromkeys([*dims, "kind", "model"])]
    for dim in sliced:
        per: dict[str, Slice] = {}
        agg.slices[dim] = per
        k = exprs[dim]
        for row in conn.execute(
            f"SELECT {k}, outcome, COUNT(*), SUM(cost_usd), SUM(tokens_in), SUM(tokens_out),"
            " SUM(checked), SUM(passed),"
            " SUM(CASE WHEN retained = 'kept' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN retained = 'edited' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN retained = 'removed' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN retained = 'gone' THEN 1 ELSE 0 END)"
            f" FROM da_items GROUP BY {k}, outcome"
        ):
            s = per.setdefault(_norm(row[0]) if dim else "", Slice())
            s.drafts += row[2]
            s.outcomes[row[1]] += row[2]
            s.cost_usd += row[3] or 0.0
            s.tokens_in += row[4] or 0
            s.tokens_out += row[5] or 0
            s.checked += row[6] or 0
            s.passed += row[7] or 0
            for name, value in zip(("kept", "edited", "removed", "gone"), row[8:12], strict=True):
                s.retention[name] += value or 0
        for row in conn.execute(
            f"SELECT k, COUNT(*), SUM(e) FROM (SELECT {k} AS k, path, qualname, kind,"
            " MAX(has_error) AS e FROM da_items WHERE awaiting = 1"
            f" GROUP BY {k}, path, qualname, kind) t GROUP BY k"
        ):
            s = per.setdefault(_norm(row[0]) if dim else "", Slice())
            s.pending += row[1]
            s.failed += row[2] or 0
        for row in conn.execute(
            f"SELECT {k}, review_ms, COUNT(*) FROM da_items"
            " WHERE review_ms IS NOT NULL AND decided_at IS NOT NULL"
            f" GROUP BY {k}, review_ms"
        ):
            per.setdefault(_norm(row[0]) if dim else "", Slice()).review_ms[row[1]] += row[2]
    cols = ", ".join(exprs[d] for d in sliced[1:])
    for row in conn.execute(
        f"SELECT draft_text, final_text, {cols} FROM da_items WHERE outcome = 'edited'"
    ):
        value = similarity(row[0] or "", row[1] or "")
        agg.similarities.append(value)
        agg.slices[OVERALL].setdefault("", Slice()).similarities.append(value)
        for dim, key in zip(sliced[1:], row[2:], strict=True):
            agg.slices[dim].setdefault(_norm(key), Slice()).similarities.append(value)
    for reason, n in conn.execute(
        "SELECT reason, COUNT(*) FROM da_items WHERE outcome = 'rejected' GROUP BY reason"
    ):
        agg.reasons[(reason or "").strip() or NO_REASON] += n
    row = conn.execute(
        "SELECT COUNT(*), SUM(CASE WHEN outcome IN ('accepted', 'edited') THEN 1 ELSE 0 END),"
        " SUM(review_ms) FROM da_items WHERE decided_at IS NOT NULL AND review_ms IS NOT NULL"
    ).fetchone()
    agg.measured, agg.measured_kept, agg.measured_ms = row[0], row[1] or 0, row[2] or 0
    row = conn.execute(
        "SELECT SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(tokens_in),"
        " MIN(COALESCE(decided_at, drafted_at)), MAX(COALESCE(decided_at, drafted_at))"
        " FROM da_items"
    ).fetchone()
    agg.cache_read, agg.cache_write, agg.plain_in = row[0] or 0, row[1] or 0, row[2] or 0
    agg.first, agg.last = row[3], row[4]
    for model, t_in, t_out, c_read, c_write in conn.execute(
        "SELECT model, SUM(tokens_in), SUM(tokens_out), SUM(cache_read_tokens),"
        " SUM(cache_write_tokens) FROM da_items"
        " WHERE cache_read_tokens <> 0 OR cache_write_tokens <> 0 GROUP BY model"
    ):
        agg.cache_by_model[model] = (t_in or 0, t_out or 0, c_read or 0, c_write or 0)
    for dim in timeline_dims:
        k = exprs[dim]
        agg.timeline[dim] = [
            (str(r[0] or ""), str(r[1]), int(r[2] or 0), int(r[3]))
            for r in conn.execute(
                f"SELECT {k}, SUBSTR(COALESCE(decided_at, drafted_at), 1, 10),"
                " SUM(CASE WHEN outcome IN ('accepted', 'edited') THEN 1 ELSE 0 END), COUNT(*)"
                " FROM da_items WHERE outcome IN ('accepted', 'edited', 'rejected')"
                f" GROUP BY {k}, SUBSTR(COALESCE(decided_at, drafted_at), 1, 10)"
            )
        ]
