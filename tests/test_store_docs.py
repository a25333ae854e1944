"""docs/decision-log.md carries the schema generated from the migrations; it cannot drift."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from docagent.store import schema_doc
from docagent.store.db import add_functions
from docagent.store.migrations import MIGRATIONS, SCHEMA_VERSION, Backfill

DOC = Path(__file__).resolve().parents[1] / "docs" / "decision-log.md"


def test_schema_section_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split(schema_doc.START, 1)[1].split(schema_doc.END, 1)[0]
    assert section == "\n" + schema_doc.render(), (
        "docs/decision-log.md is stale: run python -m docagent.store.schema_doc --write"
    )


def test_migrations_are_numbered_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    conn = sqlite3.connect(":memory:")
    add_functions(conn)  # the SQL functions a migration may use, as the store defines them
    for m in MIGRATIONS:  # every statement is valid on the schema before it
        for statement in m.statements:
            conn.execute(statement.sql if isinstance(statement, Backfill) else statement)
    conn.close()
