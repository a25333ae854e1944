"""Report aggregation in the database: the figures ``docagent report`` shows, by GROUP BY.

:func:`aggregate` runs the rule of docs/reports.md over the whole log inside the database (the
outcome of every draft from its standing decision, whose columns a report reads the log keeps
on the draft row as decisions are written, see :mod:`docagent.store.standing`; then a GROUP BY
per dimension or a few) and returns per-key counters. Only aggregated rows come back to
Python, plus the texts of edited drafts (edit similarity is computed by rapidfuzz, once per
draft) and the measured review times in order, as one stream read until every slice has its
middle values (exact medians). Memory does not grow with the number of decisions.

The work is shared by two connections at once (:mod:`docagent.store.beside`): a second one
finds the few drafts read one by one — pending (then whether each still waits, by per-row
index probes, into ``da_pending``), edited, rejected — by index (``drafts_standing``,
:func:`_aside`), while this one counts the slices and streams the medians. The report's items
(one row per draft: its keys, outcome and counters, :func:`items_sql`) are read differently on
the two backends. SQLite writes them once to a temporary table that every pass reads (it has
no hash aggregation: each GROUP BY is a sort, and a narrow table sorts faster than the drafts
it comes from). PostgreSQL writes no table: one hashed ``GROUP BY GROUPING SETS`` over the
drafts counts every slice, and the medians stream from the drafts. It runs with a larger
``work_mem`` (:data:`docagent.store.dialect.REPORT_WORK_MEM`, reset afterwards).

The SQL is standard (CASE, CREATE TEMPORARY TABLE … AS); the few
expressions SQLite and PostgreSQL spell differently are in :mod:`docagent.store.dialect`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from docagent.store import dialect as sql
from docagent.store.beside import beside
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


def item_columns(dims: Sequence[str], repo_expr: str, dialect: str = "sqlite") -> dict[str, str]:
    """The columns of the report's items, by name: ``k_<dim>`` for each of ``dims`` (its key),
    then the figures of one draft (its outcome, counters, and what pending and edited drafts
    need). Each is an SQL expression over ``drafts d``, ``runs r`` and ``outcomes o``."""
    # the standing decision's columns the report reads are kept on the draft row
    # (docagent/store/standing.py): no decision is read except the texts of edits and the
    # reasons of rejections
    kept = "d.standing_decision IN ('accept', 'edit')"
    keys = {
        "model": "CASE WHEN d.model <> '' THEN d.model ELSE d.provider END",
        "prompt": "d.prompt_version",
        "kind": "d.kind",
        "style": "d.style",
        "path": "d.path",
        "reviewer": f"CASE WHEN d.standing_id IS NULL THEN '{PENDING_KEY}'"
        " ELSE d.standing_reviewer END",
        "mode": "CASE WHEN d.standing_id IS NOT NULL AND d.standing_mode <> ''"
        " THEN d.standing_mode ELSE COALESCE(r.mode, '') END",
        "day": "SUBSTR(COALESCE(d.standing_at, d.created_at), 1, 10)",
        "effort": f"COALESCE({sql.json_text('d.context_json', 'effort', dialect)}, '')",
        "repo": repo_expr,
    }
    outcome = (
        "CASE"
        f" WHEN {kept} AND (d.standing_reviewer = '{BATCH_REVIEWER}'"
        f" OR d.standing_mode = '{APPLY_MODE}') THEN 'auto_applied'"
        f" WHEN {kept} AND d.standing_edited = 0 THEN 'accepted'"
        f" WHEN {kept} THEN 'edited'"
        " WHEN d.standing_decision = 'reject' THEN 'rejected'"
        " WHEN o.via = 'pr' THEN 'pr_applied'"
        " WHEN d.standing_decision = 'skip' THEN 'skipped'"
        " ELSE 'pending' END"
    )
    # the texts only where the similarity is scored (the rows of outcome 'edited')
    edited = (
        f"{kept} AND d.standing_reviewer <> '{BATCH_REVIEWER}'"
        f" AND d.standing_mode <> '{APPLY_MODE}' AND d.standing_edited = 1"
    )
    standing = "FROM decisions s WHERE s.id = d.standing_id"
    undecided = "d.standing_id IS NULL"
    return {
        **{f"k_{d}": keys[d] for d in dims},
        "stamp": "COALESCE(d.standing_at, d.created_at)",
        "review_ms": "d.standing_review_ms",
        "cost_usd": "d.cost_usd",
        "tokens_in": "d.tokens_in",
        "tokens_out": "d.tokens_out",
        "cache_read_tokens": "d.cache_read_tokens",
        "cache_write_tokens": "d.cache_write_tokens",
        "model": "CASE WHEN d.cache_read_tokens <> 0 OR d.cache_write_tokens <> 0 THEN d.model END",
        "reason": f"CASE WHEN d.standing_decision = 'reject' THEN (SELECT s.reason {standing}) END",
        "checked": "CASE WHEN d.checks_json <> '[]' THEN 1 ELSE 0 END",
        "passed": "CASE WHEN d.checks_json <> '[]' AND d.checks_ok = 1 THEN 1 ELSE 0 END",
        "retained": "o.outcome",
        "outcome": outcome,
        "path": f"CASE WHEN {undecided} THEN d.path END",
        "qualname": f"CASE WHEN {undecided} THEN d.qualname END",
        "kind": f"CASE WHEN {undecided} THEN d.kind END",
        "drafted_at": f"CASE WHEN {undecided} THEN d.created_at END",
        "seq": f"CASE WHEN {undecided} THEN {sql.insertion_order('d', dialect)} END",
        "has_error": "CASE WHEN d.error IS NOT NULL AND d.error <> '' THEN 1 ELSE 0 END",
        "draft_text": f"CASE WHEN {edited} THEN d.text END",
        "final_text": f"CASE WHEN {edited} THEN (SELECT s.final_text {standing}) END",
    }


def items_sql(
    dims: Sequence[str],
    repo_expr: str,
    dialect: str = "sqlite",
    columns: Sequence[str] | None = None,
    where: str = "",
) -> str:
    """The query of the report's items: one row per draft in scope with its outcome and keys.

    ``columns`` names the columns wanted (:func:`item_columns`; None: all of them); ``where``
    is one more condition on the draft (alias ``d``: one of :data:`PENDING`, :data:`EDITED`,
    :data:`REJECTED`, which index ``drafts_standing`` finds without a scan). Parameters
    ``:since`` (None: everything) and ``:repo``. A decided draft is in scope when its standing
    decision was made at or after ``:since``, an undecided one when it was drafted then;
    drafts of eval runs are left out.
    """
    exprs = item_columns(dims, repo_expr, dialect)
    names = list(exprs) if columns is None else list(dict.fromkeys(columns))
    select = ",\n    ".join(f"{exprs[name]} AS {name}" for name in names)
    # No table of the items is written: each pass reads the drafts with the few columns it
    # needs (the databases fold this query into the pass's own; see docs/performance.md).
    return f"""SELECT {select}
FROM drafts d
LEFT JOIN runs r ON r.id = d.run_id
LEFT JOIN outcomes o ON o.draft_id = d.id
WHERE (r.mode IS NULL OR r.mode <> 'eval')
  AND (:since IS NULL OR (d.standing_id IS NOT NULL AND d.standing_at >= :since)
       OR (d.standing_id IS NULL AND d.created_at >= :since)){f" AND {where}" if where else ""}"""


#: the drafts among which the pending, the edited and the rejected items are (by the kept
#: standing decision: index ``drafts_standing`` finds them without reading every draft)
PENDING = "d.standing_decision IS NULL"
EDITED = "d.standing_decision IN ('accept', 'edit') AND d.standing_edited = 1"
REJECTED = "d.standing_decision = 'reject'"


def awaiting_sql(dialect: str = "sqlite") -> str:
    """True for a pending item (alias ``i``) that still waits for a decision.

    It is not when a newer draft of its target exists (outside eval runs) or a standing
    decision on its target came after it was drafted: it is *superseded*.
    """
    seq = sql.insertion_order("d2", dialect)
    # one probe per pending item: the drafts of its target (index ``drafts_target``), each with
    # its standing decision (by its id); the eval runs are listed once, not joined per probe
    return (
        "NOT EXISTS (SELECT 1 FROM drafts d2"
        " WHERE d2.path = i.path AND d2.qualname = i.qualname AND d2.kind = i.kind"
        " AND (((d2.run_id IS NULL"
        " OR d2.run_id NOT IN (SELECT e.id FROM runs e WHERE e.mode = 'eval'))"
        " AND (d2.created_at > i.drafted_at"
        f" OR (d2.created_at = i.drafted_at AND {seq} > i.seq)))"
        f" OR d2.standing_at > i.drafted_at){sql.per_row_probe(dialect)})"
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
    items = _Items(conn, wanted, _repo_expr(conn), dialect, {"since": since, "repo": repo})
    agg = Aggregates()
    # The temporary tables live until the next call or until the connection closes (dropping
    # a million rows costs as much as a query; closing frees them anyway).
    conn.execute("DROP TABLE IF EXISTS da_pending")
    conn.execute("DROP TABLE IF EXISTS da_items")
    before, after = sql.report_settings(dialect)
    for statement in before:
        conn.execute(statement)
    try:
        # the drafts found by index (pending, edited, rejected) on a second connection, at
        # once; this one counts the slices and streams the medians
        wait = beside(conn, lambda other: _aside(other, items, sliced, similarity, before))
        try:
            if dialect == sql.POSTGRES:
                agg.slices = {OVERALL: {"": Slice()}, **{d: {} for d in sliced}}
                _grouped(items, agg, sliced)
                _medians(items, agg.slices, sliced)
            else:
                # SQLite: the passes read a table of the items, written once (reading the
                # drafts again per pass costs more than writing it); PostgreSQL reads the
                # drafts
                items.materialize([*(f"k_{d}" for d in wanted), *_COUNTED, "model"])
                _fill(items, agg, sliced)
            _whole(items, agg, timeline_dims, cache=dialect != sql.POSTGRES)
        finally:
            side = wait()
        _merge(agg, side)
    finally:
        for statement in after:
            conn.execute(statement)
    return agg


def _find_pending(items: _Items) -> None:
    """The items still awaiting a decision into ``da_pending``, found once for every pass
    (by index, then one probe per pending draft)."""
    items.run(
        "CREATE TEMPORARY TABLE da_pending AS SELECT *",
        [*(f"k_{d}" for d in items.dims), "outcome", *_PENDING],
        f"WHERE i.outcome = 'pending' AND {awaiting_sql(items.dialect)}",
        PENDING,
    )


def _aside(
    conn: Any,
    items: _Items,
    sliced: Sequence[str],
    similarity: Callable[[str, str], float],
    settings: Sequence[str],
) -> Aggregates:
    """What a second connection ``conn`` aggregates (:func:`docagent.store.beside.beside`,
    with the report's ``settings``), into an :class:`Aggregates` of its own: the awaiting
    drafts, the edits' similarities and the rejections' reasons, all from drafts found by
    index (``drafts_standing``)."""
    for statement in settings:
        conn.execute(statement)
    other = replace(items, conn=conn, table="")
    side = Aggregates(slices={OVERALL: {"": Slice()}, **{d: {} for d in sliced}})
    _find_pending(other)
    if items.dialect == sql.POSTGRES:
        _awaiting_sets(conn, side, sliced)
    else:
        _awaiting(conn, side.slices, sliced, first=True)
    _similarities(other, side, sliced, similarity)
    _reasons(other, side)
    return side


def _merge(agg: Aggregates, side: Aggregates) -> None:
    """Add what :func:`_aside` found to ``agg``."""
    for dim, keys in side.slices.items():
        for key, got in keys.items():
            s = _slice(agg.slices, (dim, key))
            s.pending, s.failed = got.pending, got.failed
            s.similarities.extend(got.similarities)
    agg.similarities.extend(side.similarities)
    agg.reasons.update(side.reasons)


#: the columns of a pending item that :func:`awaiting_sql` and the awaiting counts read
_PENDING = ("path", "qualname", "kind", "drafted_at", "seq", "has_error")


@dataclass
class _Items:
    """The report's items of one aggregation: queries over :func:`items_sql` (alias ``i``)."""

    conn: Any
    dims: Sequence[str]
    repo_expr: str
    dialect: str
    params: dict[str, Any]

    #: the temporary table of the items, once :meth:`materialize` wrote it
    table: str = ""

    def sql(self, columns: Sequence[str], where: str = "") -> str:
        """The query of the items with ``columns`` (:func:`items_sql`; from :attr:`table`
        when it is written, unless ``where`` picks a few drafts by index)."""
        if self.table and not where:
            return f"SELECT * FROM {self.table}"
        return items_sql(self.dims, self.repo_expr, self.dialect, columns, where)

    def run(
        self, head: str, columns: Sequence[str], tail: str = "", where: str = "", fence: str = ""
    ) -> Any:
        """Execute ``<head> FROM (<the items with columns><fence>) i <tail>``; return the
        cursor (``fence``: :func:`docagent.store.dialect.estimate_fence`)."""
        query = f"{head} FROM ({self.sql(columns, where)}{fence}) i {tail}"
        return self.conn.execute(query, self.params)

    def stream(self, head: str, columns: Sequence[str], tail: str = "") -> Any:
        """:meth:`run` for a long result read once, in order: on PostgreSQL from a
        server-side cursor, a batch at a time (SQLite's cursor steps row by row anyway)."""
        query = f"{head} FROM ({self.sql(columns)}) i {tail}"
        if self.dialect == sql.POSTGRES:
            return self.conn.stream(query, self.params)
        return self.conn.execute(query, self.params)

    def materialize(self, columns: Sequence[str]) -> None:
        """Write the items with ``columns`` to the temporary table ``da_items``: the
        queries without a ``where`` read it from then on."""
        self.conn.execute("CREATE TEMPORARY TABLE da_items AS " + self.sql(columns), self.params)
        self.table = "da_items"


def _norm(key: object) -> str:
    return str(key) if key not in (None, "") else NONE_KEY


#: dimensions with a key per file: on SQLite aggregated in a pass of their own, so that the
#: combinations of keys one GROUP BY returns stay few (``day`` has a key per day the log spans,
#: not per row: it shares the first pass, whose sort then costs one more key, not a sort more)
SPREAD = ("path",)
#: how many key combinations the per-row lookups remember (memory stays bounded)
_COMBOS = 50_000
#: the counters one GROUP BY row carries, after its keys, ``outcome`` and ``retained``: those
#: of a slice (:func:`_count`), then those of the whole scope only (:func:`_overall`)
_SLICE_COUNTERS = (
    "COUNT(*), SUM(cost_usd), SUM(tokens_in), SUM(tokens_out), SUM(checked), SUM(passed),"
    " COUNT(review_ms)"
)
_COUNTERS = (
    f"{_SLICE_COUNTERS}, SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(review_ms),"
    " MIN(stamp), MAX(stamp)"
)


#: the item columns the counters read, ``outcome`` and ``retained`` first
_COUNTED = (
    "outcome",
    "retained",
    "cost_usd",
    "tokens_in",
    "tokens_out",
    "checked",
    "passed",
    "review_ms",
    "cache_read_tokens",
    "cache_write_tokens",
    "stamp",
)


def _fill(items: _Items, agg: Aggregates, sliced: Sequence[str]) -> None:
    """SQLite: aggregate the items into ``agg``, a few passes whatever the number of dimensions
    (:func:`_fill_postgres` on PostgreSQL).

    No hash aggregation: every GROUP BY is a sort. The dimensions with few keys, and
    ``day``, share one GROUP BY (the rows come back rolled up by key combination and are summed
    per dimension in Python), ``path`` gets a pass of its own, and the medians of every slice
    come from one stream of the measured review times in order. Edit similarities are scored
    once per edited draft; the rest are small filtered queries.
    """
    agg.slices = {OVERALL: {"": Slice()}, **{d: {} for d in sliced}}
    low = [d for d in sliced if d not in SPREAD]
    groups = [low, *([d] for d in sliced if d in SPREAD)]
    if not low and len(groups) > 1:
        groups = groups[1:]
    for i, group in enumerate(groups):
        _pass(items, agg, group, i == 0)
    _medians(items, agg.slices, sliced)


def _count(s: Slice, outcome: str, retained: str | None, values: Sequence[Any]) -> None:
    """Add one GROUP BY row's counters (``values``: :data:`_COUNTERS`) to the slice ``s``."""
    count, cost, t_in, t_out, checked, passed, measured = values[:7]
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


def _overall(agg: Aggregates, outcome: str, values: Sequence[Any]) -> None:
    """Add one row's counters (:data:`_COUNTERS`) to the figures of the whole scope."""
    _, _, t_in, _, _, _, measured, c_read, c_write, ms, first, last = values
    agg.cache_read += c_read or 0
    agg.cache_write += c_write or 0
    agg.plain_in += t_in or 0
    if measured:
        agg.measured += measured
        agg.measured_ms += ms or 0
        if outcome in ("accepted", "edited"):
            agg.measured_kept += measured
    if first is not None and (agg.first is None or first < agg.first):
        agg.first = first
    if last is not None and (agg.last is None or last > agg.last):
        agg.last = last


def _pass(items: _Items, agg: Aggregates, dims: Sequence[str], first: bool) -> None:
    """The slices of ``dims`` (and, on the ``first`` pass, the overall figures) into ``agg``."""
    per = agg.slices
    cols = ", ".join(["''", *(f"k_{d}" for d in dims)])  # '' keeps the list non-empty
    grp = "".join(f"k_{d}, " for d in dims)  # what to GROUP BY before other columns
    slices_of = _slices_of(per, dims, first)
    n = len(dims) + 1
    counters = _COUNTERS if first else _SLICE_COUNTERS  # (a sort carries fewer columns)
    for row in items.run(
        f"SELECT {cols}, outcome, retained, {counters}",
        [*(f"k_{d}" for d in dims), *_COUNTED],
        f"GROUP BY {grp}outcome, retained",
    ):
        outcome, retained, values = row[n], row[n + 1], row[n + 2 :]
        for s in slices_of(row):
            _count(s, outcome, retained, values)
        if first:
            _overall(agg, outcome, values)


def _slices_of(
    per: dict[str, dict[str, Slice]], dims: Sequence[str], first: bool
) -> Callable[[Sequence[Any]], list[Slice]]:
    """The slices a row of ``'', k_<dim>...`` counts in (remembered per key combination)."""
    combos: dict[tuple[Any, ...], list[Slice]] = {}
    end = len(dims) + 1

    def slices_of(row: Sequence[Any]) -> list[Slice]:
        combo = tuple(row[1:end])
        found = combos.get(combo)
        if found is None:
            found = [per[OVERALL][""]] if first else []
            for i, dim in enumerate(dims):
                key = _norm(row[i + 1])
                found.append(per[dim].get(key) or per[dim].setdefault(key, Slice()))
            if len(combos) >= _COMBOS:
                combos.clear()
            combos[combo] = found
        return found

    return slices_of


def _awaiting(
    conn: Any, per: dict[str, dict[str, Slice]], dims: Sequence[str], first: bool
) -> None:
    """SQLite: the awaiting targets of each slice of ``dims`` (and, on the ``first`` pass, of
    the whole scope), and how many of them failed: a small GROUP BY of ``da_pending`` each
    (keys compared as the report names them: NULL and empty text are one key)."""
    for dim in [*([OVERALL] if first else []), *dims]:
        key = "''" if dim == OVERALL else f"COALESCE(k_{dim}, '')"
        for value, targets, failed in conn.execute(
            f"SELECT key, COUNT(*), SUM(failed) FROM (SELECT {key} AS key,"
            " MAX(has_error) AS failed FROM da_pending"
            f" GROUP BY {key}, path, qualname, kind) t GROUP BY key"
        ):
            s = per[OVERALL][""] if dim == OVERALL else _slice(per, (dim, _norm(value)))
            s.pending, s.failed = int(targets), int(failed or 0)


def _grouping(dims: Sequence[str], prefix: str = "k") -> tuple[str, str]:
    """``GROUPING(<prefix>_<dim>), <prefix>_<dim>, ...`` for a SELECT (empty without ``dims``)
    and the grouping sets, the whole scope and one per dimension, each ending in ``{extra}``."""
    marks = "".join(f"GROUPING({prefix}_{d}), {prefix}_{d}, " for d in dims)
    return marks, ", ".join(["({extra})", *(f"({prefix}_{d}, {{extra}})" for d in dims)])


def _set_of(row: Sequence[Any], dims: Sequence[str]) -> tuple[str, str]:
    """The slice ``(dimension, key)`` of a grouping-sets row (see :func:`_grouping`)."""
    for i, dim in enumerate(dims):
        if not row[2 * i]:
            return dim, _norm(row[2 * i + 1])
    return OVERALL, ""


def _slice(per: dict[str, dict[str, Slice]], found: tuple[str, str]) -> Slice:
    dim, key = found
    return per[dim].get(key) or per[dim].setdefault(key, Slice())


#: the outcomes :func:`item_columns` gives a draft, and what ``docagent outcomes`` finds of
#: one (the values the ``outcomes`` table allows)
_OUTCOMES = ("auto_applied", "accepted", "edited", "rejected", "pr_applied", "skipped", "pending")
_RETAINED = ("kept", "edited", "removed", "gone")
#: the counters of one key as one row: :data:`_COUNTERS`, the measured decisions of kept
#: drafts, then the drafts per outcome and per retention outcome
_WIDE_COUNTERS = ", ".join(
    [
        _COUNTERS,
        "COUNT(CASE WHEN outcome IN ('accepted', 'edited') THEN review_ms END)",
        *(f"SUM(CASE WHEN outcome = '{o}' THEN 1 ELSE 0 END)" for o in _OUTCOMES),
        *(f"SUM(CASE WHEN retained = '{r}' THEN 1 ELSE 0 END)" for r in _RETAINED),
    ]
)


def _grouped(items: _Items, agg: Aggregates, dims: Sequence[str]) -> None:
    """PostgreSQL: the counters of every slice of ``dims`` and of the whole scope, in one
    ``GROUP BY GROUPING SETS`` over the drafts, one row per key (the outcomes counted in
    columns: few groups, so every set is hashed in the one pass)."""
    # one set more: the prompt cache's tokens per model (``model`` is NULL without cache use)
    keys = [*(f"k_{d}" for d in dims), "model"]
    marks = "".join(f"GROUPING({k}), {k}, " for k in keys)
    sets = ", ".join(["()", *(f"({k})" for k in keys)])
    n = 2 * len(keys)
    for row in items.run(
        f"SELECT {marks}{_WIDE_COUNTERS}",
        [*keys, *_COUNTED],
        f"GROUP BY GROUPING SETS ({sets})",
        fence=sql.estimate_fence(items.dialect),
    ):
        values = row[n:]
        if not row[n - 2]:
            if row[n - 1] is not None:
                c_read, c_write = values[7:9]
                agg.cache_by_model[row[n - 1]] = (values[2], values[3], c_read, c_write)
            continue
        found = _set_of(row, dims)
        s = _slice(agg.slices, found)
        count, cost, t_in, t_out, checked, passed, measured = values[:7]
        s.drafts += count
        s.cost_usd += cost or 0.0
        s.tokens_in += t_in or 0
        s.tokens_out += t_out or 0
        s.checked += checked or 0
        s.passed += passed or 0
        s.measured += measured or 0
        by_outcome = values[13 : 13 + len(_OUTCOMES)]
        by_retained = values[13 + len(_OUTCOMES) :]
        for name, got in zip(_OUTCOMES, by_outcome, strict=True):
            if got:
                s.outcomes[name] += got
        for name, got in zip(_RETAINED, by_retained, strict=True):
            if got:
                s.retention[name] += got
        if found[0] == OVERALL and count:
            _, _, _, _, _, _, _, c_read, c_write, ms, first, last, kept = values[:13]
            agg.cache_read += c_read or 0
            agg.cache_write += c_write or 0
            agg.plain_in += t_in or 0
            agg.measured += measured or 0
            agg.measured_ms += ms or 0
            agg.measured_kept += kept or 0
            agg.first, agg.last = first, last


def _awaiting_sets(conn: Any, agg: Aggregates, dims: Sequence[str]) -> None:
    """PostgreSQL: the awaiting targets of every slice, and how many of them failed, in one
    query (keys compared as the report names them: NULL and empty text are one key)."""
    _, sets = _grouping(dims, "c")
    keys = "".join(f"COALESCE(k_{d}, '') AS c_{d}, " for d in dims)
    outer = ", ".join(f"g_{d}, c_{d}" for d in dims)
    named = "".join(f"GROUPING(c_{d}) AS g_{d}, c_{d}, " for d in dims)
    n = 2 * len(dims)
    rows = conn.execute(
        f"SELECT {outer + ', ' if outer else ''}COUNT(*), SUM(failed) FROM ("
        f"SELECT {named}MAX(has_error) AS failed"
        f" FROM (SELECT {keys}path, qualname, kind, has_error FROM da_pending) p"
        f" GROUP BY GROUPING SETS ({sets.format(extra='path, qualname, kind')})) t"
        + (f" GROUP BY {outer}" if outer else "")
    )
    for row in rows:
        s = _slice(agg.slices, _set_of(row, dims))
        s.pending, s.failed = int(row[n]), int(row[n + 1] or 0)


def _similarities(
    items: _Items, agg: Aggregates, dims: Sequence[str], similarity: Callable[[str, str], float]
) -> None:
    """The edit similarity of every edited draft, scored once, into the overall figures and
    the slice of each of ``dims`` it counts in."""
    cols = "".join(f", k_{d}" for d in dims)
    overall = agg.slices[OVERALL][""]
    for row in items.run(
        f"SELECT draft_text, final_text{cols}",
        ["draft_text", "final_text", "outcome", *(f"k_{d}" for d in dims)],
        "WHERE outcome = 'edited'",
        EDITED,
    ):
        value = similarity(row[0] or "", row[1] or "")
        agg.similarities.append(value)
        overall.similarities.append(value)
        for i, dim in enumerate(dims):
            _slice(agg.slices, (dim, _norm(row[i + 2]))).similarities.append(value)


def _reasons(items: _Items, agg: Aggregates) -> None:
    """The rejections per reason (rejected drafts found by index)."""
    for reason, count in items.run(
        "SELECT reason, COUNT(*)",
        ["reason", "outcome"],
        "WHERE outcome = 'rejected' GROUP BY reason",
        REJECTED,
    ):
        agg.reasons[(reason or "").strip() or NO_REASON] += count


def _whole(
    items: _Items, agg: Aggregates, timeline_dims: Sequence[str], cache: bool = True
) -> None:
    """What is counted over the whole scope only: prompt cache (unless ``cache`` is False:
    :func:`_grouped` counted it), timelines (reasons: :func:`_reasons`)."""
    for model, t_in, t_out, c_read, c_write in (
        ()
        if not cache
        else items.run(
            "SELECT model, SUM(tokens_in), SUM(tokens_out), SUM(cache_read_tokens),"
            " SUM(cache_write_tokens)",
            ["model", "tokens_in", "tokens_out", "cache_read_tokens", "cache_write_tokens"],
            "WHERE cache_read_tokens <> 0 OR cache_write_tokens <> 0 GROUP BY model",
        )
    ):
        agg.cache_by_model[model] = (t_in or 0, t_out or 0, c_read or 0, c_write or 0)
    if not timeline_dims:
        return
    tl = [f"k_{d}" for d in timeline_dims]
    rows = items.run(
        f"SELECT {', '.join(tl)}, SUBSTR(stamp, 1, 10),"
        " SUM(CASE WHEN outcome IN ('accepted', 'edited') THEN 1 ELSE 0 END), COUNT(*)",
        [*tl, "stamp", "outcome"],
        "WHERE outcome IN ('accepted', 'edited', 'rejected')"
        f" GROUP BY {', '.join(tl)}, SUBSTR(stamp, 1, 10)",
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

    def add(self, ms: int) -> bool:
        """Count one more time ``ms`` (times come smallest first); True once both middle
        values are known."""
        seen = self.seen
        self.seen = seen + 1
        if seen == self.lo:
            self.slice.median_ms = [ms]
        if seen == self.hi:
            if self.hi != self.lo:
                self.slice.median_ms.append(ms)
            return True
        return False


def _medians(items: _Items, per: dict[str, dict[str, Slice]], dims: Sequence[str]) -> None:
    """The median review time of every slice, from one stream of the measured times in order.

    The counts of measured decisions per key are known (``Slice.measured``), so the middle
    one or two values of each key are found as the times stream by, smallest first (one sort
    of the measured times, whatever the number of dimensions); the stream stops once every
    slice has its middle values.
    """
    overall = per[OVERALL][""]
    whole = _Middle(overall) if overall.measured else None
    # per dimension: the key as SQL returns it -> its search (None once done)
    found: list[dict[Any, _Middle | None]] = []
    searching: list[int] = []  # per dimension: its searches not done yet
    for dim in dims:
        table: dict[Any, _Middle | None] = {}
        for key, s in per[dim].items():
            if s.measured:
                m = table[key] = _Middle(s)
                if key == NONE_KEY:
                    table[None] = table[""] = m
        found.append(table)
        searching.append(sum(1 for s in per[dim].values() if s.measured))
    # the dimensions still searching (a dimension with few keys is done near the middle of
    # the stream: its column is not looked at after that)
    active = [(i, table) for i, table in enumerate(found, 1) if searching[i - 1]]
    if whole is None and not active:
        return
    columns = "".join(f", k_{d}" for d in dims)
    cursor = items.stream(
        f"SELECT review_ms{columns}",
        ["review_ms", *(f"k_{d}" for d in dims)],
        "WHERE review_ms IS NOT NULL ORDER BY review_ms",
    )
    for row in cursor:
        ms = row[0]
        if whole is not None and whole.add(ms):
            whole = None
        done = False
        for i, table in active:
            search = table.get(row[i])
            if search is not None and search.add(ms):  # (another name of the key counts on)
                table[row[i]] = None
                searching[i - 1] -= 1
                done = done or not searching[i - 1]
        if done:
            active = [(i, table) for i, table in active if searching[i - 1]]
        if whole is None and not active:
            break
    cursor.close()
