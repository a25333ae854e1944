"""The decision log: runs, drafts, decisions, model calls, coverage and evals.

A local SQLite file by default, or a team's shared PostgreSQL database. Open it with
:meth:`Store.open` (``<root>/.docagent/docagent.db``, ``DOCAGENT_DB`` or the ``db`` setting;
``DOCAGENT_STORE`` or the ``store`` setting for PostgreSQL); see docs/decision-log.md for the
API and the schema, docs/team-setup.md for the shared store.
"""

from docagent.store.api import DEFAULT_DB, Store, now, resolve_db_path
from docagent.store.db import StoreError
from docagent.store.migrations import SCHEMA_VERSION
from docagent.store.prepared import PreparedDraft, prepare_draft
from docagent.store.records import (
    BATCH_REVIEWER,
    DECISIONS,
    MODES,
    Call,
    CallRecord,
    CoverageSnapshot,
    Decision,
    DraftRecord,
    EvalRun,
    LogEntry,
    LoggedDraft,
    Reviewed,
    Run,
)
from docagent.store.redact import scrub_text, scrub_value

__all__ = [
    "BATCH_REVIEWER",
    "DECISIONS",
    "DEFAULT_DB",
    "MODES",
    "SCHEMA_VERSION",
    "Call",
    "CallRecord",
    "CoverageSnapshot",
    "Decision",
    "LoggedDraft",
    "DraftRecord",
    "PreparedDraft",
    "EvalRun",
    "LogEntry",
    "Reviewed",
    "Run",
    "Store",
    "StoreError",
    "now",
    "prepare_draft",
    "resolve_db_path",
    "scrub_text",
    "scrub_value",
]
