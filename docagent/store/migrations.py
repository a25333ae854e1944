"""Numbered schema migrations of the decision log, one list for SQLite and PostgreSQL.

The schema version is ``PRAGMA user_version`` on SQLite and the ``docagent_schema`` table on
PostgreSQL. Migration *N* upgrades a database at version *N - 1* to version *N*. A migration
that has been released is never edited: change the schema by appending a new one. Each
migration is a list of single SQL statements so that :func:`docagent.store.db.migrate` can run
them all inside one transaction (``executescript`` would commit half-way).

Statements are written once, in the SQL both databases share, spelled as SQLite spells the few
things the two spell apart (``INTEGER PRIMARY KEY AUTOINCREMENT``, ``REAL``, ``BLOB``,
``INSERT OR IGNORE``); :mod:`docagent.store.dialect` translates them for PostgreSQL. A
:class:`Backfill` moves rows an older docagent wrote and is skipped on a new database; it may
use the SQLite-only functions of :func:`docagent.store.db.add_functions` only in migrations
released before PostgreSQL support (version 5 and below): later ones must be portable.

docs/decision-log.md embeds the schema generated from this list (``python -m
docagent.store.schema_doc``), so the documentation cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from docagent.decisions import STANDING_SQL


@dataclass(frozen=True)
class Backfill:
    """A statement that moves existing rows: skipped when the database is new (nothing to move)."""

    sql: str


@dataclass(frozen=True)
class Migration:
    """One schema step: its version number, a short description and its SQL statements."""

    version: int
    description: str
    statements: tuple[str | Backfill, ...]


#: Statements that set ``drafts.standing_id`` of every draft with a decision, in one pass of
#: :data:`~docagent.decisions.STANDING_SQL` over the decisions table (portable SQL: SQLite's
#: ``UPDATE ... FROM`` is too new to rely on). Drafts with no standing decision keep NULL.
FILL_STANDING: tuple[str, ...] = (
    "CREATE TEMPORARY TABLE da_fill_standing (draft_id TEXT PRIMARY KEY, decision_id BIGINT)",
    "INSERT INTO da_fill_standing (draft_id, decision_id)"
    f" SELECT s.draft_id, s.decision_id FROM ({STANDING_SQL}) s",
    "UPDATE drafts SET standing_id ="
    " (SELECT f.decision_id FROM da_fill_standing f WHERE f.draft_id = drafts.id)"
    " WHERE id IN (SELECT draft_id FROM da_fill_standing)",
    "DROP TABLE da_fill_standing",
)

#: The columns of the standing decision a report reads, kept on the draft row beside
#: ``standing_id`` (all NULL when no decision stands): its decision, time, reviewer, mode and
#: review time, and ``standing_edited``, 1 when its final text differs from the draft's even
#: after trimming spaces (an edit, not an accept), else 0.
KEPT_COLUMNS: tuple[str, ...] = (
    "standing_decision",
    "standing_at",
    "standing_reviewer",
    "standing_mode",
    "standing_review_ms",
    "standing_edited",
)
#: ASCII spaces as Python's ``str.strip`` removes them (the characters themselves)
SPACES = " \t\n\r\f\v"


def keep_standing(decision_id: str) -> str:
    """The ``SET`` assignment of the kept columns (:data:`KEPT_COLUMNS`) of a draft from the
    decision whose id is the SQL expression ``decision_id`` (portable: a row value set from a
    subquery, all NULL when there is no such decision)."""
    return (
        f"({', '.join(KEPT_COLUMNS)}) = (SELECT s.decision, s.created_at,"
        " s.reviewer, s.mode, s.review_ms,"
        " CASE WHEN s.final_text IS NOT NULL AND s.final_text <> drafts.text"
        f" AND TRIM(s.final_text, '{SPACES}') <> TRIM(drafts.text, '{SPACES}')"
        f" THEN 1 ELSE 0 END FROM decisions s WHERE s.id = {decision_id})"
    )


#: ``UPDATE`` of the kept columns of drafts from the decision their ``standing_id`` names, in
#: one statement; append a ``WHERE`` to limit it.
KEEP_STANDING = f"UPDATE drafts SET {keep_standing('drafts.standing_id')}"

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "runs, drafts and decisions",
        (
            """CREATE TABLE runs (
    id TEXT PRIMARY KEY,             -- short random hex id
    mode TEXT NOT NULL,              -- tui | batch | eval | other
    provider TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    prompt_version TEXT NOT NULL DEFAULT '',
    config_json TEXT NOT NULL DEFAULT '{}',   -- settings used (secrets scrubbed)
    docagent_version TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL,        -- UTC ISO 8601
    ended_at TEXT,
    summary_json TEXT NOT NULL DEFAULT '{}'
)""",
            """CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    run_id TEXT REFERENCES runs(id),
    created_at TEXT NOT NULL,
    path TEXT NOT NULL,              -- POSIX, relative to the repository root
    qualname TEXT NOT NULL,          -- DESIGN §3; a README section's heading
    kind TEXT NOT NULL,              -- module | class | method | function | readme_section
    code_sha TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '', -- the target's status when drafted: missing | stale | ok
    style TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    prompt_version TEXT NOT NULL DEFAULT '',
    context_json TEXT NOT NULL DEFAULT 'null',     -- the context pack sent to the model
    structured_json TEXT NOT NULL DEFAULT 'null',  -- the provider's structured draft
    text TEXT NOT NULL DEFAULT '',   -- rendered docstring content (inspect.cleandoc form)
    checks_json TEXT NOT NULL DEFAULT '[]',        -- [{"name", "ok", "detail"}]
    checks_ok INTEGER NOT NULL DEFAULT 1,          -- 1 when every check passed
    tokens_in INTEGER NOT NULL DEFAULT 0,
    tokens_out INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    latency_ms INTEGER NOT NULL DEFAULT 0,
    error TEXT
)""",
            "CREATE INDEX drafts_target ON drafts(path, qualname)",
            "CREATE INDEX drafts_created ON drafts(created_at)",
            """CREATE TABLE decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id TEXT NOT NULL REFERENCES drafts(id),
    created_at TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accept', 'edit', 'reject', 'skip', 'undo')),
    final_text TEXT,                 -- the text applied (accept/edit)
    reason TEXT NOT NULL DEFAULT '', -- rejection reason or note
    reviewer TEXT NOT NULL DEFAULT '',  -- git user.email, else the OS user
    review_ms INTEGER,               -- time the person spent on this draft
    mode TEXT NOT NULL DEFAULT ''    -- tui | batch | eval | other
)""",
            "CREATE INDEX decisions_draft ON decisions(draft_id)",
            "CREATE INDEX decisions_created ON decisions(created_at)",
        ),
    ),
    Migration(
        2,
        "draft cache key, recorded module source, model calls",
        (
            "ALTER TABLE drafts ADD COLUMN context_hash TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE drafts ADD COLUMN cache_key TEXT NOT NULL DEFAULT ''",
            # module text without the target's docstring: what `export` turns into an eval case
            "ALTER TABLE drafts ADD COLUMN source TEXT",
            "ALTER TABLE drafts ADD COLUMN original_docstring TEXT",
            "ALTER TABLE drafts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1",
            "CREATE INDEX drafts_cache_key ON drafts(cache_key)",
            """CREATE TABLE llm_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT REFERENCES runs(id),
    draft_id TEXT,
    created_at TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',  -- ok | error | an HTTP status
    retries INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    tokens_in INTEGER NOT NULL DEFAULT 0,
    tokens_out INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    error_type TEXT NOT NULL DEFAULT ''
)""",
            "CREATE INDEX llm_calls_draft ON llm_calls(draft_id)",
            "CREATE INDEX llm_calls_created ON llm_calls(created_at)",
        ),
    ),
    Migration(
        3,
        "coverage snapshots and eval runs",
        (
            """CREATE TABLE coverage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT REFERENCES runs(id),
    created_at TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',  -- the PATH the run covered ('' = whole repository)
    before REAL NOT NULL,            -- docstring coverage percent before the run
    after REAL NOT NULL,             -- and after it
    total INTEGER,                   -- number of targets counted
    documented_before INTEGER,
    documented_after INTEGER
)""",
            """CREATE TABLE eval_runs (
    id TEXT PRIMARY KEY,
    run_id TEXT REFERENCES runs(id),
    created_at TEXT NOT NULL,
    datasets_json TEXT NOT NULL DEFAULT '[]',
    provider TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    prompt_version TEXT NOT NULL DEFAULT '',
    score REAL NOT NULL,
    n_cases INTEGER NOT NULL DEFAULT 0,
    metrics_json TEXT NOT NULL DEFAULT '{}',
    cases_json TEXT NOT NULL DEFAULT '[]'   -- per-case results
)""",
            "CREATE INDEX eval_runs_created ON eval_runs(created_at)",
        ),
    ),
    Migration(
        4,
        "edit intents: a decision that changes a file is recorded before the write",
        (
            """CREATE TABLE edit_intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id TEXT NOT NULL REFERENCES drafts(id),
    created_at TEXT NOT NULL,
    path TEXT NOT NULL,              -- the file about to be written
    qualname TEXT NOT NULL,
    decision TEXT NOT NULL,          -- accept | edit
    final_text TEXT,                 -- the text about to be written
    reviewer TEXT NOT NULL DEFAULT '',
    review_ms INTEGER,
    mode TEXT NOT NULL DEFAULT ''
)""",
        ),
    ),
    Migration(
        5,
        "module sources stored once per file version (content-addressed)",
        (
            """CREATE TABLE file_versions (
    sha TEXT PRIMARY KEY,            -- content address: 32 hex digits of the text's SHA-256
    data BLOB NOT NULL               -- a module's text (secrets scrubbed), UTF-8, zlib-compressed
)""",
            # a draft's source is file_versions.text of source_sha with source_cut applied
            "ALTER TABLE drafts ADD COLUMN source_sha TEXT",
            # "start:end:replacement" in the text's UTF-8 bytes ('' or NULL: nothing cut)
            "ALTER TABLE drafts ADD COLUMN source_cut TEXT",
            # existing sources move: one stored copy per distinct text
            Backfill(
                "INSERT OR IGNORE INTO file_versions (sha, data)"
                " SELECT docagent_sha(source), docagent_pack(source) FROM drafts"
                " WHERE source IS NOT NULL"
            ),
            Backfill(
                "UPDATE drafts SET source_sha = docagent_sha(source), source = NULL"
                " WHERE source IS NOT NULL"
            ),
        ),
    ),
    Migration(
        6,
        "outcomes: what became of applied or proposed drafts in the repository",
        (
            # one row per draft, replaced when a later comparison finds another outcome
            """CREATE TABLE outcomes (
    draft_id TEXT PRIMARY KEY REFERENCES drafts(id),
    via TEXT NOT NULL,               -- review | batch | apply | pr: how the text got in
    outcome TEXT NOT NULL CHECK (outcome IN ('kept', 'edited', 'removed', 'gone')),
    similarity REAL,                 -- edited: the repository's text against the applied one
    current_text TEXT,               -- edited: the docstring in the repository now
    applied_text TEXT NOT NULL DEFAULT '',  -- the text that was applied (or proposed)
    applied_at TEXT NOT NULL,        -- when it was applied (decision) or proposed (draft)
    changed_at TEXT NOT NULL,        -- when this outcome began: commit time, else first seen
    commit_sha TEXT NOT NULL DEFAULT '',    -- the commit where it changed, when git knows
    checked_at TEXT NOT NULL         -- the latest comparison with the repository
)""",
        ),
    ),
    Migration(
        7,
        "every record carries its repository and the person behind it (shared stores)",
        (
            # repo: the normalised remote URL (github.com/owner/name) or the configured
            # repo_name; '' in rows written before version 7 (`docagent store copy` fills it in)
            "ALTER TABLE runs ADD COLUMN repo TEXT NOT NULL DEFAULT ''",
            # reviewer: git user.email (else the OS user) of whoever ran docagent
            "ALTER TABLE runs ADD COLUMN reviewer TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE drafts ADD COLUMN repo TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE drafts ADD COLUMN reviewer TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE decisions ADD COLUMN repo TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE llm_calls ADD COLUMN repo TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE llm_calls ADD COLUMN reviewer TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE coverage ADD COLUMN repo TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE coverage ADD COLUMN reviewer TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE eval_runs ADD COLUMN repo TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE eval_runs ADD COLUMN reviewer TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE edit_intents ADD COLUMN repo TEXT NOT NULL DEFAULT ''",
            "CREATE INDEX runs_repo ON runs(repo)",
            "CREATE INDEX drafts_repo ON drafts(repo)",
            "CREATE INDEX decisions_repo ON decisions(repo)",
        ),
    ),
    Migration(
        8,
        "each draft's standing decision, kept as decisions are written (reports start from it)",
        (
            # the id of the decision that stands on the draft (docagent/decisions.py), NULL
            # when none does; every decision write updates it (docagent/store/standing.py)
            "ALTER TABLE drafts ADD COLUMN standing_id BIGINT",
            # an existing log: the rule in SQL, over every decision, in one pass
            *(Backfill(statement) for statement in FILL_STANDING),
        ),
    ),
    Migration(
        9,
        "the standing decision's columns a report reads, kept on the draft row",
        (
            # KEPT_COLUMNS, set with standing_id by every decision write
            "ALTER TABLE drafts ADD COLUMN standing_decision TEXT",
            "ALTER TABLE drafts ADD COLUMN standing_at TEXT",
            "ALTER TABLE drafts ADD COLUMN standing_reviewer TEXT",
            "ALTER TABLE drafts ADD COLUMN standing_mode TEXT",
            "ALTER TABLE drafts ADD COLUMN standing_review_ms INTEGER",
            "ALTER TABLE drafts ADD COLUMN standing_edited INTEGER",
            # an existing log: copied from the standing decisions in one pass
            Backfill(KEEP_STANDING + " WHERE standing_id IS NOT NULL"),
        ),
    ),
    Migration(
        10,
        "an index of the kept standing decisions (reports find pending, edited, rejected drafts)",
        (
            # the few drafts a report reads one by one (pending, edited, rejected) are found
            # by index instead of by reading every draft (docagent/store/aggregate.py)
            "CREATE INDEX drafts_standing ON drafts(standing_decision, standing_edited)",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version
