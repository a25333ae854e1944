"""The ``html`` format: one self-contained page with inline SVG charts (no scripts, no network).

Charts: accept rate over time per prompt version and per model, outcomes by kind, the
edit-similarity histogram, and cost per accepted docstring by model. Every value a user can
read on a chart is also in a table or a tooltip (``<title>``), so nothing depends on colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from docagent.report import fmt
from docagent.report.compute import OUTCOMES, Report
from docagent.report.render_table import overall_lines, scope_line

PALETTE = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"]
OUTCOME_COLORS = {
    "accepted": "#16a34a",
    "edited": "#38bdf8",
    "rejected": "#dc2626",
    "skipped": "#eab308",
    "pending": "#9ca3af",
    "auto_applied": "#a78bfa",
    "pr_applied": "#f472b6",
}
W, H = 560, 250
PAD_L, PAD_R, PAD_T, PAD_B = 46, 14, 14, 58
MAX_SERIES = 6

CSS = """
:root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0; background: #f9fafb; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 16px; margin: 26px 0 8px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
               letter-spacing: .04em; }
.card .value { font-size: 24px; font-weight: 650; margin-top: 2px; }
.card .note { color: var(--muted); font-size: 12px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin-top: 12px; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px;
         padding: 10px 12px 6px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
figcaption span { font-weight: 400; color: var(--muted); font-size: 12px; }
svg { display: block; width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #374151; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line);
        font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: right;
         white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; word-break: break-all; }
th { background: #f3f4f6; font-weight: 600; font-size: 12px; }
tr.small td { color: var(--muted); }
table.kv td { text-align: left; }
table.kv td:first-child { width: 220px; font-weight: 600; }
.tag { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 4px;
       background: #fef3c7; color: #92400e; margin-left: 4px; }
.note-block { background: #fff; border: 1px solid var(--line); border-radius: 8px;
              padding: 10px 14px; color: #374151; }
.note-block ul { margin: 6px 0 0; padding-left: 20px; }
.empty { padding: 40px; text-align: center; color: var(--muted); background: #fff;
         border: 1px dashed var(--line); border-radius: 8px; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
"""


def _e(value: Any) -> str:
    """Escape any value for HTML text or an attribute."""
    return escape(str(value), quote=True)


def _svg(label: str, body: list[str], height: int = H) -> str:
    """Wrap chart elements in an accessible ``<svg>``."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img"'
        f' aria-label="{_e(label)}">' + "".join(body) + "</svg>"
    )


def _no_data(label: str, message: str) -> str:
    """A chart placeholder that still is an SVG (the layout stays put)."""
    return _svg(
        label,
        [
            f'<rect x="0" y="0" width="{W}" height="{H}" fill="#f9fafb"/>',
            f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle">{_e(message)}</text>',
        ],
    )


def _y_axis(top: float, unit: str, ticks: Sequence[float], scale: float) -> list[str]:
    """Horizontal grid lines with labels for values ``ticks`` over a maximum of ``top``."""
    out = []
    plot_h = H - PAD_T - PAD_B
    for t in ticks:
        y = PAD_T + plot_h * (1 - t / top) if top else PAD_T + plot_h
        label = f"{t * scale:.0f}{unit}" if scale != 1 or float(t).is_integer() else f"{t:g}"
        out.append(
            f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{_e(label)}</text>'
        )
    return out


def _legend(items: Sequence[tuple[str, str]], y: float) -> list[str]:
    """A one- or two-row legend of (label, colour) pairs starting at height ``y``."""
    out, x, row = [], float(PAD_L), 0
    for label, color in items:
        width = 18 + 6.2 * len(label) + 14
        if x + width > W - PAD_R and x > PAD_L:
            x, row = float(PAD_L), row + 1
        yy = y + row * 16
        out.append(
            f'<rect x="{x:.1f}" y="{yy - 9:.1f}" width="11" height="11" rx="2" fill="{color}"/>'
            f'<text x="{x + 16:.1f}" y="{yy:.1f}">{_e(label)}</text>'
        )
        x += width
    return out


def rate_chart(timeline: dict[str, Any], dim: str) -> str:
    """Accept rate per period, one line per key of ``dim``; dot area grows with decisions."""
    label = f"Accept rate over time by {dim}"
    periods: list[str] = timeline["periods"]
    series: dict[str, list[tuple[str, int, int]]] = timeline["series"]
    if not periods:
        return _no_data(label, "no accepted, edited or rejected drafts yet")
    inset = 18  # keep the first and last dots and date labels clear of the axis and edge
    plot_w = W - PAD_L - PAD_R - 2 * inset
    plot_h = H - PAD_T - PAD_B
    step = plot_w / max(1, len(periods) - 1)

    def x_of(p: str) -> float:
        i = periods.index(p)
        return PAD_L + inset + (plot_w / 2 if len(periods) == 1 else i * step)

    body = _y_axis(1.0, "%", [0, 0.25, 0.5, 0.75, 1.0], 100)
    every = max(1, math.ceil(len(periods) / 8))
    for i, p in enumerate(periods):
        if i % every == 0 or i == len(periods) - 1 and len(periods) <= 8:
            body.append(
                f'<text x="{x_of(p):.1f}" y="{H - PAD_B + 16}" text-anchor="middle">'
                f"{_e(p[5:] if len(p) == 10 else p)}</text>"
            )
    if len(series) > MAX_SERIES:  # keep the busiest keys; the rest are in the tables
        busiest = sorted(series, key=lambda k: -sum(n for _, _, n in series[k]))[:MAX_SERIES]
        hidden = len(series) - MAX_SERIES
        series = {k: v for k, v in series.items() if k in busiest}
        body.append(
            f'<text x="{W - PAD_R}" y="{PAD_T - 2}" text-anchor="end">{hidden} more {_e(dim)}'
            " keys in the tables</text>"
        )
    biggest = max((n for pts in series.values() for _, _, n in pts), default=1)
    legend = []
    for index, (key, points) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        name = fmt.short_key(dim, key)
        legend.append((name, color))
        coords = [(x_of(p), PAD_T + plot_h * (1 - kept / n), p, kept, n) for p, kept, n in points]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, *_ in coords)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"'
                ' stroke-linejoin="round" opacity="0.85"/>'
            )
        for x, y, p, kept, n in coords:
            r = 2.5 + 4.5 * math.sqrt(n / biggest)
            tip = f"{name}, {p}: {kept}/{n} kept ({kept / n:.0%})"
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{color}" stroke="#fff"'
                f' stroke-width="1"><title>{_e(tip)}</title></circle>'
            )
    body += _legend(legend, H - PAD_B + 36)
    return _svg(label, body)


def kinds_chart(kinds: list[dict[str, Any]]) -> str:
    """Horizontal stacked bars: outcomes of the drafts of each kind."""
    label = "Outcomes by kind"
    if not kinds:
        return _no_data(label, "no drafts yet")
    left = 84
    plot_w = W - left - 50
    top = PAD_T
    bar_h = min(30, (H - PAD_T - 46) / len(kinds) - 8)
    biggest = max(k["drafts"] for k in kinds) or 1
    body: list[str] = []
    for i, k in enumerate(kinds):
        y = top + i * (bar_h + 8)
        body.append(
            f'<text x="{left - 6}" y="{y + bar_h / 2 + 4:.1f}" text-anchor="end">'
            f"{_e(k['key'])}</text>"
        )
        x = float(left)
        for outcome in OUTCOMES:
            n = k[outcome]
            if not n:
                continue
            w = plot_w * n / biggest
            tip = f"{k['key']}: {n} {outcome}"
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h:.1f}"'
                f' fill="{OUTCOME_COLORS[outcome]}"><title>{_e(tip)}</title></rect>'
            )
            if w > 22:
                body.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + bar_h / 2 + 4:.1f}" text-anchor="middle"'
                    f' style="fill:#fff;font-weight:600">{n}</text>'
                )
            x += w
        body.append(f'<text x="{x + 5:.1f}" y="{y + bar_h / 2 + 4:.1f}">{k["drafts"]}</text>')
    body += _legend([(o.replace("_", "-"), OUTCOME_COLORS[o]) for o in OUTCOMES], H - 14)
    return _svg(label, body)


def similarity_chart(bins: list[int]) -> str:
    """Histogram of edit similarity (draft vs. kept text) of edited drafts."""
    label = "Edit similarity of edited drafts"
    if not any(bins):
        return _no_data(label, "no edited drafts yet")
    top = max(bins)
    ticks = sorted({0, top // 2, top}) if top > 1 else [0, top]
    body = _y_axis(top, "", ticks, 1)
    plot_w = W - PAD_L - PAD_R
    plot_h = H - PAD_T - PAD_B
    bw = plot_w / len(bins)
    for i, n in enumerate(bins):
        h = plot_h * n / top
        x = PAD_L + i * bw
        lo, hi = i / len(bins), (i + 1) / len(bins)
        body.append(
            f'<rect x="{x + 2:.1f}" y="{PAD_T + plot_h - h:.1f}" width="{bw - 4:.1f}"'
            f' height="{h:.1f}" fill="#38bdf8"><title>{lo:.1f}–{hi:.1f}: {n} edited'
            "</title></rect>"
        )
    for i in range(len(bins) + 1):
        if i % 2 == 0:
            body.append(
                f'<text x="{PAD_L + i * bw:.1f}" y="{H - PAD_B + 16}" text-anchor="middle">'
                f"{i / len(bins):.1f}</text>"
            )
    body.append(
        f'<text x="{PAD_L + plot_w / 2:.1f}" y="{H - PAD_B + 36}" text-anchor="middle">'
        "similarity of the kept text to the draft (1.0 = unchanged)</text>"
    )
    return _svg(label, body)


def cost_chart(models: list[dict[str, Any]]) -> str:
    """Horizontal bars: cost per accepted docstring for each model."""
    label = "Cost per accepted docstring by model"
    rows = [m for m in models if m["cost_per_accepted_usd"] is not None]
    if not rows:
        return _no_data(label, "no accepted docstrings yet")
    left = 150
    plot_w = W - left - 90
    bar_h = min(28, (H - PAD_T - 20) / len(rows) - 8)
    biggest = max(m["cost_per_accepted_usd"] for m in rows) or 1.0
    body: list[str] = []
    for i, m in enumerate(rows):
        y = PAD_T + i * (bar_h + 8)
        value = m["cost_per_accepted_usd"]
        w = max(1.0, plot_w * value / biggest) if value else 1.0
        name = m["key"] if len(m["key"]) <= 22 else m["key"][:21] + "…"
        tip = (
            f"{m['key']}: {fmt.usd(value)} per accepted ({fmt.usd(m['cost_usd'])} for"
            f" {m['accepted'] + m['edited']} kept)"
        )
        body.append(
            f'<text x="{left - 6}" y="{y + bar_h / 2 + 4:.1f}" text-anchor="end">{_e(name)}</text>'
            f'<rect x="{left}" y="{y:.1f}" width="{w:.1f}" height="{bar_h:.1f}" rx="2"'
            f' fill="{PALETTE[i % len(PALETTE)]}"><title>{_e(tip)}</title></rect>'
            f'<text x="{left + w + 5:.1f}" y="{y + bar_h / 2 + 4:.1f}">{_e(fmt.usd(value))}'
            "</text>"
        )
    return _svg(label, body)


def reasons_chart(reasons: dict[str, int], limit: int = 8) -> str:
    """Horizontal bars: the most frequent rejection reasons."""
    label = "Rejection reasons"
    rows = list(reasons.items())[:limit]
    if not rows:
        return _no_data(label, "no rejected drafts")
    left = 170
    plot_w = W - left - 50
    bar_h = min(24, (H - PAD_T - 20) / len(rows) - 6)
    biggest = max(n for _, n in rows)
    body: list[str] = []
    for i, (reason, n) in enumerate(rows):
        y = PAD_T + i * (bar_h + 6)
        w = max(1.0, plot_w * n / biggest)
        name = reason if len(reason) <= 26 else reason[:25] + "…"
        body.append(
            f'<text x="{left - 6}" y="{y + bar_h / 2 + 4:.1f}" text-anchor="end">'
            f"<title>{_e(reason)}</title>{_e(name)}</text>"
            f'<rect x="{left}" y="{y:.1f}" width="{w:.1f}" height="{bar_h:.1f}" rx="2"'
            f' fill="#dc2626" opacity="0.8"><title>{_e(reason)}: {n}</title></rect>'
            f'<text x="{left + w + 5:.1f}" y="{y + bar_h / 2 + 4:.1f}">{n}</text>'
        )
    if len(reasons) > limit:
        body.append(
            f'<text x="{left}" y="{H - 6}">{len(reasons) - limit} more in the table below</text>'
        )
    return _svg(label, body)


def _cards(data: dict[str, Any]) -> str:
    """The headline numbers as cards."""
    o = data["overall"]
    cov = data["coverage"]
    ts = data["time_saved"]
    rate_note = (
        f"95% CI {fmt.ci(o['accept_rate_ci'], o['decided'])} · n={o['decided']}"
        + (" · too few to judge" if o["small"] else "")
        if o["decided"]
        else "nothing decided yet"
    )
    if ts.get("estimate_seconds") is None:
        saved, saved_note = "–", "no measured review time"
    else:
        saved = f"≈ {fmt.duration(max(0, ts['estimate_seconds']))}"
        lo, hi = ts["range_seconds"]
        saved_note = f"rough: {fmt.duration(lo)} to {fmt.duration(hi)} (see method)"
    cards = [
        ("Accept rate", fmt.pct(o["accept_rate"]) if o["decided"] else "–", rate_note),
        (
            "Accepted unchanged",
            fmt.pct(o["unchanged_rate"]) if o["decided"] else "–",
            f"{o['accepted']} of {o['decided']} decided",
        ),
        (
            "Drafts",
            str(o["drafts"]),
            f"{o['edited']} edited · {o['rejected']} rejected · {o['skipped']} skipped"
            f" · {o['pending']} pending"
            f" · {o['auto_applied']} applied unreviewed (batch policy or apply)"
            f" · {o['pr_applied']} applied on pull requests",
        ),
        (
            "Retention",
            fmt.pct(o["retention_rate"]) if o["retention"]["followed"] else "–",
            fmt.retention_sentence(o).split(" (", 1)[-1].rstrip(")")
            if o["retention"]["followed"]
            else "run docagent outcomes",
        ),
        (
            "Median review",
            fmt.seconds(o["median_review_seconds"]),
            f"edit similarity {fmt.num(o['median_edit_similarity'])}",
        ),
        (
            "Cost per accepted",
            fmt.usd(o["cost_per_accepted_usd"]),
            f"{fmt.usd(o['cost_usd'])} total · {fmt.tokens(o['tokens']['input'])} in /"
            f" {fmt.tokens(o['tokens']['output'])} out tokens",
        ),
        ("Checks pass rate", fmt.pct(o["checks_pass_rate"]), "drafts passing every check"),
        (
            "Coverage",
            f"{cov['after']:.1f}%" if cov.get("snapshots") else "–",
            f"from {cov['before']:.1f}% ({cov['snapshots']} snapshots)"
            if cov.get("snapshots")
            else "no coverage snapshots",
        ),
        ("Time saved", saved, saved_note),
    ]
    return (
        '<section class="cards">'
        + "".join(
            f'<div class="card"><div class="label">{_e(a)}</div><div class="value">{_e(b)}</div>'
            f'<div class="note">{_e(c)}</div></div>'
            for a, b, c in cards
        )
        + "</section>"
    )


def _slice_table(
    dim: str, rows: list[dict[str, Any]], small_n: int, columns: list[tuple[str, str, Any]]
) -> str:
    """One slice table (``columns``: :func:`fmt.columns`); small slices are greyed, never hidden."""
    head = "".join(f"<th>{_e(h)}</th>" for h, _, _ in columns)
    body = []
    for row in rows:
        key = _e(fmt.short_key(dim, row["key"]))
        if dim == "prompt":
            key = f'<code title="{_e(row["key"])}">{key}</code>'
        cls = ""
        if row["small"]:
            key += f'<span class="tag" title="fewer than {small_n} decided drafts">small</span>'
            cls = ' class="small"'
        cells = "".join(f"<td>{_e(f(row))}</td>" for _, _, f in columns)
        body.append(f"<tr{cls}><td>{key}</td>{cells}</tr>")
    return (
        f"<h2>By {_e(dim)}</h2><table><thead><tr><th>{_e(dim)}</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _figure(title: str, note: str, svg: str) -> str:
    return f"<figure><figcaption>{_e(title)} <span>{_e(note)}</span></figcaption>{svg}</figure>"


def render(report: Report) -> str:
    """The report as one self-contained HTML document."""
    data, charts = report.data, report.charts
    scope = scope_line(data)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>docagent report{_e(' — ' + scope) if scope else ''}</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<h1>docagent report</h1>",
        f'<p class="sub">{_e(scope or "no decisions")} · generated {_e(data["generated_at"])}'
        " · accept rate = (accepted + edited) / (accepted + edited + rejected)</p>",
    ]
    if report.empty:
        parts.append(f'<div class="empty">{_e(fmt.empty_message(data))}</div>')
    else:

        def period(dim: str) -> str:
            weekly = charts[f"timeline_{dim}"]["weekly"]
            return ("per week" if weekly else "per day") + "; larger dots = more decisions"

        parts.append(_cards(data))
        parts.append('<section class="charts">')
        parts.append(
            _figure(
                "Accept rate over time by prompt version",
                period("prompt"),
                rate_chart(charts["timeline_prompt"], "prompt"),
            )
        )
        parts.append(
            _figure(
                "Accept rate over time by model",
                period("model"),
                rate_chart(charts["timeline_model"], "model"),
            )
        )
        parts.append(_figure("Outcomes by kind", "drafts", kinds_chart(charts["kinds"])))
        parts.append(
            _figure(
                "Edit similarity",
                "edited drafts, rapidfuzz normalized",
                similarity_chart(charts["similarity_bins"]),
            )
        )
        parts.append(
            _figure(
                "Cost per accepted docstring",
                "model cost of all drafts ÷ accepted + edited",
                cost_chart(charts["models"]),
            )
        )
        parts.append(
            _figure("Rejection reasons", "rejected drafts", reasons_chart(data["reasons"]))
        )
        parts.append("</section>")
        parts.append('<h2>Overall</h2><table class="kv"><tbody>')
        parts += [
            f"<tr><td>{_e(label)}</td><td>{_e(value)}</td></tr>"
            for label, value in overall_lines(data)
        ]
        parts.append("</tbody></table>")
        for dim, rows in data["slices"].items():
            parts.append(_slice_table(dim, rows, data["small_n"], fmt.columns(data)))
        if data["reasons"]:
            parts.append(
                "<h2>Rejection reasons</h2><table><thead><tr><th>reason</th><th>count</th>"
                "</tr></thead><tbody>"
            )
            parts += [f"<tr><td>{_e(r)}</td><td>{n}</td></tr>" for r, n in data["reasons"].items()]
            parts.append("</tbody></table>")
        ts = data["time_saved"]
        parts.append('<h2>How to read this</h2><div class="note-block">')
        parts.append(f"<p>{_e(fmt.time_saved_sentence(ts))}</p>")
        cache_line = fmt.prompt_cache_sentence(data.get("prompt_cache"))
        if cache_line:
            parts.append(f"<p>{_e(cache_line)}</p>")
        parts.append("<ul>")
        parts += [f"<li>{_e(a)}</li>" for a in ts["assumptions"]]
        parts.append(
            f"<li>Slices tagged <em>small</em> have fewer than {data['small_n']} decided drafts:"
            " their rates are too uncertain to compare; the 95% Wilson interval shows how"
            " uncertain.</li>"
            "<li>Accepted = kept exactly as drafted; edited = kept after a person's edit;"
            " undone decisions do not count; pending drafts have no standing decision.</li>"
            "</ul></div>"
        )
    parts.append(
        "<footer>Generated by <code>docagent report --format html</code> from the decision"
        " log. Self-contained: no scripts, no network.</footer></main></body></html>\n"
    )
    return "\n".join(parts)
