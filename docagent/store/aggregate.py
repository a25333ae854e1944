"""Report aggregation in the database: the figures ``docagent report`` shows, by GROUP BY.

:func:`aggregate` runs the rule of docs/reports.md over the whole log inside the database (the
outcome of every draft from its standing decision, which the log keeps in
``drafts.standing_id`` as decisions are written, see :mod:`docagent.store.standing`; then one
GROUP BY per dimension) and returns per-key counters. Only aggregated
rows come back to Python, plus the texts of edited drafts (edit similarity is computed by
rapidfuzz, once per draft) and, per key, the distinct review times with their counts (exact
medians; on PostgreSQL the middle values themselves). Memory does not grow with the number
of decisions.

On PostgreSQL the aggregation runs with a larger ``work_mem``
(:data:`docagent.store.dialect.REPORT_WORK_MEM`, reset afterwards), the items table is
analyzed before it is queried, and the drafts still awaiting a decision are found once, by
per-row index probes, into ``da_pending``.

The SQL is standard (CASE, CREATE TEMPORARY TABLE … AS); the few
expressions SQLite and PostgreSQL spell differently are in :mod:`docagent.store.dialect`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from docagent.store import dialect as sql
from docagent.store.records import APPLY_MODE, BATCH_REVIEWER
from docagent.vocab import REPORT_DIMENSIONS

#: The dimensions a report slices by, and the overall "dimension" (one key for everything).
DIMENSIONS = REPORT_DIMENSIONS
OVERALL = ""
#: Key of drafts awaiting a decision in the ``reviewer`` dimension.
PENDING_KEY = "(pending)"
#: Rejection reasons that were left empty.
NO_REASON = "(no reason given)"
NONE_KEY = "(none)"


@dataclass
class Slice:
    """The counters of one key of one dimension (see :func:`docagent.report.compute.summarize`).

    ``outcomes`` counts drafts per report outcome; ``measured`` the decisions with a review
    time; ``retention`` counts followed drafts per repository outcome.
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
    measured: int = 0
    #: the middle one or two measured review times (ms)
    median_ms: list[int] = field(default_factory=list)
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
    return f"COALESCE({', '.join([*parts, ':repo'])})" if parts else ":repo"


def items_sql(dims: Sequence[str], repo_expr: str, dialect: str = "sqlite") -> str:
    """The query of the report's items: one row per draft in scope with its outcome and keys.

    Parameters ``:since`` (None: everything) and ``:repo``. A decided draft is in scope when
    its standing decision was made at or after ``:since``, an undecided one when it was
    drafted then; drafts of eval runs are left out.
    """
    trim = sql.trim_space
    kept = "s.decision IN ('accept', 'edit')"
    keys = {
        "model": "CASE WHEN d.model <> '' THEN d.model ELSE d.provider END",
        "prompt": "d.prompt_version",
        "kind": "d.kind",
        "style": "d.style",
        "path": "d.path",
        "reviewer": f"CASE WHEN s.id IS NULL THEN '{PENDING_KEY}' ELSE s.reviewer END",
        "mode": "CASE WHEN s.id IS NOT NULL AND s.mode <> '' THEN s.mode"
        " ELSE COALESCE(r.mode, '') END",
        "day": "SUBSTR(COALESCE(s.created_at, d.created_at), 1, 10)",
        "effort": f"COALESCE({sql.json_text('d.context_json', 'effort', dialect)}, '')",
        "repo": repo_expr,
    }
    outcome = (
        "CASE"
        f" WHEN {kept} AND (s.reviewer = '{BATCH_REVIEWER}' OR s.mode = '{APPLY_MODE}')"
        " THEN 'auto_applied'"
        f" WHEN {kept} AND (s.final_text IS NULL OR s.final_text = d.text"
        f" OR {trim('s.final_text', dialect)} = {trim('d.text', dialect)}) THEN 'accepted'"
        f" WHEN {kept} THEN 'edited'"
        " WHEN s.decision = 'reject' THEN 'rejected'"
        " WHEN o.via = 'pr' THEN 'pr_applied'"
        " WHEN s.decision = 'skip' THEN 'skipped'"
        " ELSE 'pending' END"
    )
    key_cols = "".join(f"{keys[d]} AS k_{d},\n    " for d in dims)
    # Only the columns later queries read, and text only on the rows that need it: the
    # table is written once and read by a handful of GROUP BYs.
    return f"""SELECT {key_cols}COALESCE(s.created_at, d.created_at) AS stamp,
    s.review_ms, d.cost_usd, d.tokens_in, d.tokens_out, d.cache_read_tokens,
    d.cache_write_tokens,
    CASE WHEN d.cache_read_tokens <> 0 OR d.cache_write_tokens <> 0 THEN d.model END AS model,
    CASE WHEN s.decision = 'reject' THEN s.reason END AS reason,
    CASE WHEN d.checks_json <> '[]' THEN 1 ELSE 0 END AS checked,
    CASE WHEN d.checks_json <> '[]' AND d.checks_ok = 1 THEN 1 ELSE 0 END AS passed,
    o.outcome AS retained,
    {outcome} AS outcome,
    CASE WHEN s.id IS NULL THEN d.path END AS path,
    CASE WHEN s.id IS NULL THEN d.qualname END AS qualname,
    CASE WHEN s.id IS NULL THEN d.kind END AS kind,
    CASE WHEN s.id IS NULL THEN d.created_at END AS drafted_at,
    CASE WHEN s.id IS NULL THEN {sql.insertion_order("d", dialect)} END AS seq,
    CASE WHEN d.error IS NOT NULL AND d.error <> '' THEN 1 ELSE 0 END AS has_error,
    CASE WHEN {kept} AND s.final_text IS NOT NULL THEN d.text END AS draft_text,
    CASE WHEN {kept} THEN s.final_text END AS final_text
FROM drafts d
LEFT JOIN runs r ON r.id = d.run_id
LEFT JOIN decisions s ON s.id = d.standing_id
LEFT JOIN outcomes o ON o.draft_id = d.id
WHERE (r.mode IS NULL OR r.mode <> 'eval')
  AND (:since IS NULL OR (s.id IS NOT NULL AND s.created_at >= :since)
       OR (s.id IS NULL AND d.created_at >= :since))"""


def awaiting_sql(dialect: str = "sqlite") -> str:
    """True for a pending item (alias ``i``) that still waits for a decision.

    It is not when a newer draft of its target exists (outside eval runs) or a standing
    decision on its target came after it was drafted: it is *superseded*.
    """
    seq = sql.insertion_order("d2", dialect)
    # one probe per pending item: the drafts of its target (index ``drafts_target``), each with
    # its standing decision (by its id)
    return (
        "NOT EXISTS (SELECT 1 FROM drafts d2 LEFT JOIN runs r2 ON r2.id = d2.run_id"
        " LEFT JOIN decisions s2 ON s2.id = d2.standing_id"
        " WHERE d2.path = i.path AND d2.qualname = i.qualname AND d2.kind = i.kind"
        " AND (((r2.mode IS NULL OR r2.mode <> 'eval')"
        " AND (d2.created_at > i.drafted_at"
        f" OR (d2.created_at = i.drafted_at AND {seq} > i.seq)))"
        f" OR s2.created_at > i.drafted_at){sql.per_row_probe(dialect)})"
    )


def aggregate(
    conn: Any,
    dims: Sequence[str],
    since: str | None,
    repo: str,
    *,
    similarity: Callable[[str, str], float],
    charts: bool = True,
    dialect: str = "sqlite",
) -> Aggregates:
    """Aggregate the log behind ``conn`` for a report sliced by ``dims``.

    ``since`` is a stored-form timestamp (None: all); ``repo`` the repository name of drafts
    with no ``repo`` column of their own. ``similarity(draft, final)`` scores an edit (the
    report passes :func:`docagent.report.stats.edit_similarity`). ``charts`` also aggregates
    what only the HTML charts draw (slices by kind and by model, accept rate per day by prompt
    and by model).
    """
    extra = ("kind", "model") if charts else ()
    timeline_dims = ("prompt", "model") if charts else ()
    sliced = list(dict.fromkeys([*dims, *extra]))
    wanted = list(dict.fromkeys([*sliced, *timeline_dims]))  # key columns
    for dim in wanted:
        if dim not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dim!r}")
    params = {"since": since, "repo": repo}
    agg = Aggregates()
    # The temporary tables live until the next call or until the connection closes (dropping
    # a million rows costs as much as a query; closing frees them anyway).
    conn.execute("DROP TABLE IF EXISTS da_pending")
    conn.execute("DROP TABLE IF EXISTS da_items")
    before, after = sql.report_settings(dialect)
    for statement in before:
        conn.execute(statement)
    try:
        conn.execute(
            "CREATE TEMPORARY TABLE da_items AS " + items_sql(wanted, _repo_expr(conn), dialect),
            params,
        )
        if analyze := sql.analyze("da_items", dialect):
            conn.execute(analyze)
        # the items still awaiting a decision, found once for every pass
        conn.execute(
            "CREATE TEMPORARY TABLE da_pending AS SELECT * FROM da_items i"
            f" WHERE i.outcome = 'pending' AND {awaiting_sql(dialect)}"
        )
        _fill(conn, agg, wanted, sliced, timeline_dims, similarity, dialect)
    finally:
        for statement in after:
            conn.execute(statement)
    return agg


def _norm(key: object) -> str:
    return str(key) if key not in (None, "") else NONE_KEY


#: dimensions with a key per file or per day: aggregated in passes of their own, so that the
#: combinations of keys one GROUP BY returns stay few
SPREAD = ("path", "day")
#: how many key combinations the per-row lookups remember (memory stays bounded)
_COMBOS = 50_000


def _fill(
    conn: Any,
    agg: Aggregates,
    wanted: Sequence[str],
    sliced: Sequence[str],
    timeline_dims: Sequence[str],
    similarity: Callable[[str, str], float],
    dialect: str = "sqlite",
) -> None:
    """Aggregate ``da_items`` into ``agg``: a few passes, whatever the number of dimensions.

    The dimensions with few keys share one GROUP BY (the rows come back rolled up by key
    combination and are summed per dimension in Python); ``path`` and ``day`` get a pass each.
    Review-time medians come from one pass over the distinct measured times in order
    (PostgreSQL: its ordered-set aggregate); edit similarities are scored once per edited
    draft; the rest are small filtered queries.
    """
    agg.slices = {OVERALL: {"": Slice()}, **{d: {} for d in sliced}}
    low = [d for d in sliced if d not in SPREAD]
    groups = [low, *([d] for d in sliced if d in SPREAD)]
    if not low and len(groups) > 1:
        groups = groups[1:]
    for i, group in enumerate(groups):
        _pass(conn, agg, group, i == 0, dialect)
    _similarities(conn, agg, sliced, similarity)
    _whole(conn, agg, timeline_dims)
    agg.first, agg.last = conn.execute("SELECT MIN(stamp), MAX(stamp) FROM da_items").fetchone()


def _pass(
    conn: Any,
    agg: Aggregates,
    dims: Sequence[str],
    first: bool,
    dialect: str,
) -> None:
    """The slices of ``dims`` (and, on the ``first`` pass, the overall figures) into ``agg``."""
    per = agg.slices
    cols = ", ".join(["''", *(f"k_{d}" for d in dims)])  # '' keeps the list non-empty
    grp = "".join(f"k_{d}, " for d in dims)  # what to GROUP BY before other columns
    at = {d: i + 1 for i, d in enumerate(dims)}
    combos: dict[tuple[Any, ...], list[Slice]] = {}

    def slices_of(row: Sequence[Any]) -> list[Slice]:
        combo = tuple(row[1 : len(dims) + 1])
        found = combos.get(combo)
        if found is None:
            found = [per[OVERALL][""]] if first else []
            for dim in dims:
                key = _norm(row[at[dim]])
                found.append(per[dim].get(key) or per[dim].setdefault(key, Slice()))
            if len(combos) >= _COMBOS:
                combos.clear()
            combos[combo] = found
        return found

    n = len(dims) + 1
    for row in conn.execute(
        f"SELECT {cols}, outcome, retained, COUNT(*), SUM(cost_usd), SUM(tokens_in),"
        " SUM(tokens_out), SUM(checked), SUM(passed), SUM(cache_read_tokens),"
        " SUM(cache_write_tokens), COUNT(review_ms), SUM(review_ms)"
        f" FROM da_items GROUP BY {grp}outcome, retained"
    ):
        outcome, retained, count = row[n], row[n + 1], row[n + 2]
        cost, t_in, t_out, checked, passed, c_read, c_write, measured, ms = row[n + 3 :]
        for s in slices_of(row):
            s.drafts += count
            s.outcomes[outcome] += count
            s.cost_usd += cost or 0.0
            s.tokens_in += t_in or 0
            s.tokens_out += t_out or 0
            s.checked += checked or 0
            s.passed += passed or 0
            if retained:
                s.retention[retained] += count
            s.measured += measured or 0
        if first:
            agg.cache_read += c_read or 0
            agg.cache_write += c_write or 0
            agg.plain_in += t_in or 0
            if measured:
                agg.measured += measured
                agg.measured_ms += ms or 0
                if outcome in ("accepted", "edited"):
                    agg.measured_kept += measured
    slices = {(OVERALL, "")} if first else set()
    slices |= {(d, k) for d in dims for k in per[d]}
    if dialect == sql.POSTGRES:
        _ordered_medians(conn, per, dims, first)
    else:
        _medians(conn, per, slices, slices_of, cols, grp)
    # awaiting targets of each slice: whether one failed (a target may sit in several rows)
    targets: dict[int, tuple[Slice, dict[tuple[str, str, str], int]]] = {}
    for row in conn.execute(
        f"SELECT {cols}, i.path, i.qualname, i.kind, MAX(i.has_error) FROM da_pending i"
        f" GROUP BY {grp}i.path, i.qualname, i.kind"
    ):
        target = (row[n], row[n + 1], row[n + 2])
        for s in slices_of(row):
            seen = targets.setdefault(id(s), (s, {}))[1]
            seen[target] = max(seen.get(target, 0), row[n + 3] or 0)
    for s, seen in targets.values():
        s.pending, s.failed = len(seen), sum(1 for e in seen.values() if e)


def _similarities(
    conn: Any, agg: Aggregates, dims: Sequence[str], similarity: Callable[[str, str], float]
) -> None:
    """The edit similarity of every edited draft, scored once, into the overall figures and
    the slice of each of ``dims`` it counts in."""
    cols = "".join(f", k_{d}" for d in dims)
    overall = agg.slices[OVERALL][""]
    for row in conn.execute(
        f"SELECT draft_text, final_text{cols} FROM da_items WHERE outcome = 'edited'"
    ):
        value = similarity(row[0] or "", row[1] or "")
        agg.similarities.append(value)
        overall.similarities.append(value)
        for i, dim in enumerate(dims):
            agg.slices[dim][_norm(row[i + 2])].similarities.append(value)


def _whole(conn: Any, agg: Aggregates, timeline_dims: Sequence[str]) -> None:
    """What is counted over the whole scope only: reasons, prompt cache, timelines."""
    for reason, count in conn.execute(
        "SELECT reason, COUNT(*) FROM da_items WHERE outcome = 'rejected' GROUP BY reason"
    ):
        agg.reasons[(reason or "").strip() or NO_REASON] += count
    for model, t_in, t_out, c_read, c_write in conn.execute(
        "SELECT model, SUM(tokens_in), SUM(tokens_out), SUM(cache_read_tokens),"
        " SUM(cache_write_tokens) FROM da_items"
        " WHERE cache_read_tokens <> 0 OR cache_write_tokens <> 0 GROUP BY model"
    ):
        agg.cache_by_model[model] = (t_in or 0, t_out or 0, c_read or 0, c_write or 0)
    if not timeline_dims:
        return
    tl = [f"k_{d}" for d in timeline_dims]
    rows = conn.execute(
        f"SELECT {', '.join(tl)}, SUBSTR(stamp, 1, 10),"
        " SUM(CASE WHEN outcome IN ('accepted', 'edited') THEN 1 ELSE 0 END), COUNT(*)"
        " FROM da_items WHERE outcome IN ('accepted', 'edited', 'rejected')"
        f" GROUP BY {', '.join(tl)}, SUBSTR(stamp, 1, 10)"
    ).fetchall()
    for i, dim in enumerate(timeline_dims):
        cells: Counter[tuple[str, str]] = Counter()
        kept: Counter[tuple[str, str]] = Counter()
        for row in rows:
            cells[(str(row[i] or ""), str(row[-3]))] += row[-1]
            kept[(str(row[i] or ""), str(row[-3]))] += row[-2] or 0
        agg.timeline[dim] = [(k, day, kept[(k, day)], c) for (k, day), c in cells.items()]


class _Middle:
    """The search for one slice's middle measured review times (see :func:`_medians`)."""

    __slots__ = ("hi", "lo", "seen", "slice")

    def __init__(self, s: Slice) -> None:
        self.slice = s
        self.lo, self.hi = (s.measured - 1) // 2, s.measured // 2
        self.seen = 0


def _medians(
    conn: Any,
    per: dict[str, dict[str, Slice]],
    slices: set[tuple[str, str]],
    slices_of: Callable[[Sequence[Any]], list[Slice]],
    cols: str,
    grp: str,
) -> None:
    """The median review time of each of ``slices``, from one pass over the times in order.

    The counts of measured decisions per key are known (``Slice.measured``), so the middle
    one or two values of each key are found as the times stream by, smallest first; the pass
    stops once every slice has its middle values. ``slices_of(row)`` gives the slices a row
    of ``cols`` counts in.
    """
    middles: dict[int, _Middle] = {}
    for dim, key in slices:
        s = per[dim][key]
        if s.measured:
            middles[id(s)] = _Middle(s)
    left = len(middles)
    cursor = conn.execute(
        f"SELECT review_ms, {cols}, COUNT(*) FROM da_items WHERE review_ms IS NOT NULL"
        f" GROUP BY {grp}review_ms ORDER BY review_ms"
    )
    for row in cursor:
        todo = [middles[id(s)] for s in slices_of(row[1:-1]) if id(s) in middles]
        ms, count = row[0], row[-1]
        for m in todo:
            before = m.seen
            if before > m.hi:
                continue
            m.seen = after = before + count
            if before <= m.lo < after:
                m.slice.median_ms = [ms]
            if before <= m.hi < after:
                if m.hi != m.lo:
                    m.slice.median_ms.append(ms)
                left -= 1
        if not left:
            break
    cursor.close()


#: percentile_disc of these fractions picks the lower and the upper middle value of n sorted
#: values (positions ceil(n / 2) and ceil(n / 2 + n * 1e-9), 1-based: exact below 5e8 values)
_MIDDLES = "ARRAY[0.5, 0.500000001]::float8[]"


def _ordered_medians(
    conn: Any, per: dict[str, dict[str, Slice]], dims: Sequence[str], first: bool
) -> None:
    """:func:`_medians` by PostgreSQL's ordered-set aggregate: one sort per dimension in the
    server and one row per key back, instead of every (key combination, time) pair.

    Keys are compared as the report names them (NULL and empty text are one key).
    """
    keys = ", ".join(["review_ms", *(f"COALESCE(k_{d}, '') AS c_{d}" for d in dims)])
    sets = ", ".join([*(["()"] if first else []), *(f"(c_{d})" for d in dims)])
    marks = "".join(f"GROUPING(c_{d}), c_{d}, " for d in dims)
    rows = conn.execute(
        f"SELECT {marks}percentile_disc({_MIDDLES}) WITHIN GROUP (ORDER BY review_ms)"
        f" FROM (SELECT {keys} FROM da_items WHERE review_ms IS NOT NULL) t"
        f" GROUP BY GROUPING SETS ({sets})"
    )
    for row in rows:
        if row[-1] is None:  # the whole scope with no measured time at all
            continue
        lo, hi = row[-1]
        found = [(d, row[2 * i + 1]) for i, d in enumerate(dims) if not row[2 * i]]
        dim, key = found[0] if found else (OVERALL, "")
        s = per[dim][_norm(key)] if dim else per[OVERALL][""]
        if s.measured:
            s.median_ms = [lo] if s.measured % 2 else [lo, hi]
