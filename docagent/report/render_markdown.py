"""The ``markdown`` format: GitHub-flavoured tables, ready for a pull-request comment."""

from __future__ import annotations

from docagent.report import fmt
from docagent.report.compute import Report
from docagent.report.render_table import overall_lines, scope_line


def cell(text: str) -> str:
    """Escape a value for a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render(report: Report) -> str:
    """The report as Markdown."""
    data = report.data
    title = "### docagent report"
    if scope_line(data):
        title += f" ({scope_line(data)})"
    if report.empty:
        return f"{title}\n\n{fmt.empty_message(data)}\n"
    out = [title, "", "| | |", "|---|---|"]
    out += [f"| **{cell(label)}** | {cell(value)} |" for label, value in overall_lines(data)]
    any_small = False
    columns = fmt.columns(data)
    for dim, rows in data["slices"].items():
        out += ["", f"#### By {dim}", ""]
        out.append("| " + " | ".join([dim] + [h for h, _, _ in columns]) + " |")
        out.append("|---" + "|---:" * len(columns) + "|")
        for row in rows:
            key = cell(fmt.short_key(dim, row["key"]))
            if dim == "prompt":
                key = f"`{key}`"
            if row["small"]:
                any_small = True
                key += " \\*"
            out.append("| " + " | ".join([key] + [cell(f(row)) for _, _, f in columns]) + " |")
    if any_small:
        out += ["", f"\\* fewer than {data['small_n']} decided drafts: too small to judge."]
    if data["reasons"]:
        out += ["", "#### Rejection reasons", "", "| reason | count |", "|---|---:|"]
        out += [f"| {cell(r)} | {n} |" for r, n in data["reasons"].items()]
    out += ["", f"_{cell(fmt.time_saved_sentence(data['time_saved']))}_", ""]
    cache_line = fmt.prompt_cache_sentence(data.get("prompt_cache"))
    if cache_line:
        out += [f"_{cell(cache_line)}_", ""]
    return "\n".join(out)
