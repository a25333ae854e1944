"""Generate the schema section of docs/decision-log.md from the migrations.

``python -m docagent.store.schema_doc`` prints it; ``--write`` replaces the text between the
``<!-- schema:start -->`` and ``<!-- schema:end -->`` markers of docs/decision-log.md. A test
checks the file is current, so the documented schema cannot drift from the code.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from docagent.store.db import add_functions
from docagent.store.migrations import MIGRATIONS, SCHEMA_VERSION, SPACES, Backfill

START = "<!-- schema:start -->"
END = "<!-- schema:end -->"


def final_columns() -> dict[str, list[tuple[str, str, bool, str | None]]]:
    """``{table: [(column, type, not_null, default)]}`` after all migrations."""
    conn = sqlite3.connect(":memory:")
    add_functions(conn)
    for migration in MIGRATIONS:
        for statement in migration.statements:
            if not isinstance(statement, Backfill):  # a new database has no rows to move
                conn.execute(statement)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    ]
    out = {
        t: [(c[1], c[2], bool(c[3]), c[4]) for c in conn.execute(f"PRAGMA table_info({t})")]
        for t in tables
    }
    conn.close()
    return out


def render() -> str:
    """The generated Markdown (without the markers)."""
    lines = [
        f"Schema version **{SCHEMA_VERSION}** (`PRAGMA user_version` on SQLite, the "
        "`docagent_schema` table on PostgreSQL). The same migrations build both backends "
        "(`docagent/store/dialect.py` translates the SQLite spelling). Generated from "
        "`docagent/store/migrations.py` by `python -m docagent.store.schema_doc --write`; "
        "do not edit by hand.",
        "",
        "### Tables after all migrations",
        "",
    ]
    for table, columns in final_columns().items():
        lines += [f"`{table}`", "", "| column | type | null | default |", "|---|---|---|---|"]
        for name, type_, not_null, default in columns:
            lines.append(
                f"| {name} | {type_} | {'no' if not_null else 'yes'} | "
                f"{'' if default is None else '`' + default + '`'} |"
            )
        lines.append("")
    lines += ["### Migrations", ""]
    for m in MIGRATIONS:
        lines += [f"**{m.version}: {m.description}**", "", "```sql"]
        for statement in m.statements:
            if isinstance(statement, Backfill):
                lines += ["-- backfill: moves rows of an existing log (skipped on a new one)"]
                # the trimmed characters shown by their escapes (the SQL holds them raw)
                statement = statement.sql.replace(SPACES, r" \t\n\r\f\v")
            lines.append(statement.strip() + ";")
        lines += ["```", ""]
    return "\n".join(lines)


def update(doc: Path) -> bool:
    """Rewrite the marked section of ``doc``; return True when it changed."""
    text = doc.read_text(encoding="utf-8")
    head, sep, rest = text.partition(START)
    _old, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"{doc}: missing {START} / {END} markers")
    new = f"{head}{START}\n{render()}{END}{tail}"
    if new != text:
        doc.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":  # pragma: no cover
    if "--write" in sys.argv:
        target = Path(__file__).resolve().parents[2] / "docs" / "decision-log.md"
        print(f"{target}: {'updated' if update(target) else 'already current'}")
    else:
        sys.stdout.write(render())
