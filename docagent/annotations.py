"""Scan findings for CI: GitHub workflow annotations and SARIF 2.1.0 (``scan --format``).

Both list the missing and stale targets the scan selects (public ones unless ``--all``), with
paths relative to the repository root, which is the workspace in a GitHub Actions checkout.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from docagent import __version__
from docagent.scan import ScanResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/docagent/docagent"
RULES = {
    "missing": ("missing-docstring", "Public target without a docstring"),
    "stale": ("stale-docstring", "Docstring that disagrees with the code"),
}


def _message(t: dict[str, Any]) -> str:
    name = "module docstring" if t["kind"] == "module" else f"{t['kind']} {t['qualname']}"
    if t["status"] == "stale":
        return f"stale docstring: {name}: " + "; ".join(t["problems"])
    return f"missing docstring: {name}"


def _escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Escape a workflow command's property value (GitHub's ``escapeProperty``)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def findings(result: ScanResult) -> list[dict[str, Any]]:
    """The missing and stale targets the scan selects, in path order."""
    return [t for t in result.records() if t["status"] in RULES]


def github_annotations(result: ScanResult, fail_under: float | None = None) -> str:
    """One ``::warning`` line per finding, then a ``::notice`` (or ``::error``) with coverage.

    The ``::error`` is written when coverage is below ``fail_under``.
    """
    lines = []
    for t in findings(result):
        props = f"file={_escape_property(t['path'])},line={t['line']}"
        if t.get("end_line") and t["kind"] != "module":  # a module spans its whole file
            props += f",endLine={t['end_line']}"
        title = _escape_property(f"docagent {RULES[t['status']][0]}")
        lines.append(f"::warning {props},title={title}::{_escape_data(_message(t))}")
    s = result.summary()
    text = (
        f"docstring coverage {s['coverage']:.1f}%: {s['documented']} of {s['total']} "
        f"documented, {s['missing']} missing, {s['stale']} stale"
    )
    if fail_under is not None and s["coverage"] < fail_under:
        text += f", below --fail-under {fail_under:g}%"
        lines.append(f"::error title=docagent::{_escape_data(text)}")
    else:
        lines.append(f"::notice title=docagent::{_escape_data(text)}")
    return "\n".join(lines) + "\n"


def sarif(result: ScanResult) -> str:
    """A SARIF 2.1.0 log with one result per finding (for GitHub code scanning and others)."""
    rules = [
        {
            "id": rule_id,
            "name": rule_id.title().replace("-", ""),
            "shortDescription": {"text": text},
            "helpUri": INFO_URI,
            "defaultConfiguration": {"level": "warning"},
        }
        for rule_id, text in RULES.values()
    ]
    index = {rule_id: n for n, (rule_id, _) in enumerate(RULES.values())}
    results = []
    for t in findings(result):
        rule_id = RULES[t["status"]][0]
        region: dict[str, int] = {"startLine": max(1, int(t["line"]))}
        if t.get("end_line") and t["kind"] != "module":
            region["endLine"] = max(region["startLine"], int(t["end_line"]))
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": index[rule_id],
                "level": "warning",
                "message": {"text": _message(t)},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": quote(t["path"]), "uriBaseId": "%SRCROOT%"},
                            "region": region,
                        },
                        "logicalLocations": [
                            {"fullyQualifiedName": t["qualname"], "kind": t["kind"]}
                        ],
                    }
                ],
            }
        )
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "docagent",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
