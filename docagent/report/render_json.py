"""The ``json`` format: the §4 contract document (plus documented extra keys)."""

from __future__ import annotations

import json

from docagent.report.compute import Report


def render(report: Report) -> str:
    """The report as an indented JSON document with a trailing newline."""
    return json.dumps(report.data, ensure_ascii=False, indent=2) + "\n"
