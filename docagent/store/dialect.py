"""The few SQL expressions that differ between the log's databases (SQLite, PostgreSQL).

Everything else the store runs is standard SQL; each non-standard piece is one function here,
chosen by the store's ``dialect`` (``sqlite`` or ``postgresql``).
"""

from __future__ import annotations


def trim_space(expr: str, dialect: str = "sqlite") -> str:
    """``expr`` without leading and trailing spaces, tabs, newlines, CR, FF and VT.

    Python's ``str.strip`` as far as ASCII goes (the rare Unicode spaces are kept).
    """
    spaces = " \t\n\r\f\v"  # the characters themselves inside a standard string literal
    if dialect == "postgresql":
        return f"BTRIM({expr}, '{spaces}')"
    return f"TRIM({expr}, '{spaces}')"


def json_text(column: str, key: str, dialect: str = "sqlite") -> str:
    """The text of ``key`` in the JSON object stored in ``column`` (NULL when absent)."""
    if not key.isidentifier():
        raise ValueError(f"not a JSON key this helper takes: {key!r}")
    if dialect == "postgresql":
        return f"(CAST({column} AS jsonb) ->> '{key}')"
    return f"CAST(json_extract({column}, '$.{key}') AS TEXT)"


def insertion_order(alias: str, dialect: str = "sqlite") -> str:
    """A column that orders a table's rows by insertion (ties of ``created_at``)."""
    return f"{alias}.id" if dialect == "postgresql" else f"{alias}.rowid"
