"""``docagent report --format html``: one self-contained page whose SVG charts are present."""

from __future__ import annotations

import importlib.util
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from docagent.cli import main
from docagent.report import build, render
from docagent.store import DraftRecord, Store

_spec = importlib.util.spec_from_file_location(
    "report_logs", Path(__file__).parent / "fixtures" / "report" / "logs.py"
)
assert _spec is not None and _spec.loader is not None
logs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(logs)

VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "source", "wbr"}
CHARTS = [
    "Accept rate over time by prompt",
    "Accept rate over time by model",
    "Outcomes by kind",
    "Edit similarity of edited drafts",
    "Cost per accepted docstring by model",
    "Rejection reasons",
]


class Page(HTMLParser):
    """Collects SVG charts, text, external references and checks that tags balance."""

    def __init__(self) -> None:
        """Start with no tags open and nothing collected."""
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.svgs: list[str] = []
        self.counts: dict[str, int] = {}
        self.text: list[str] = []
        self.external: list[str] = []
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Count the tag, note SVG labels and external references, open it."""
        a = dict(attrs)
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag == "svg":
            self.svgs.append(a.get("aria-label") or "")
        if tag in ("script", "link", "img", "iframe"):
            self.external.append(tag)
        for key in ("src", "href"):
            if a.get(key):
                self.external.append(str(a[key]))
        if tag == "tr":
            self._row = []
        if tag in ("td", "th"):
            self._cell = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Count a self-closing tag (SVG shapes are written with end tags)."""
        self.counts[tag] = self.counts.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        """Close the tag, collecting table cells; record mismatched tags as errors."""
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        """Collect page text and the text of the current table cell."""
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> Page:
    """Parse ``html`` and assert it is well formed."""
    page = Page()
    page.feed(html)
    page.close()
    assert page.errors == []
    assert page.stack == []
    return page


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository."""
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_html_report_parses_with_every_chart(repo: Path, tmp_path: Path) -> None:
    logs.build_known(repo)
    out = tmp_path / "report.html"
    args = ["report", "--format", "html", "--by", "model", "--by", "kind", "--out", str(out)]
    assert main([*args, "--repo", str(repo)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    page = parse(html)
    for chart in CHARTS:
        assert any(label.startswith(chart) for label in page.svgs), chart
    # the charts draw the data: lines with dots, stacked bars, histogram bars
    assert page.counts.get("circle", 0) >= 3
    assert page.counts.get("polyline", 0) >= 1
    assert page.counts.get("rect", 0) >= 10
    assert page.external == []  # self-contained: no scripts, links, images or URLs
    text = " ".join(page.text)
    assert "78.6%" in text and "52.4–92.4%" in text
    rows = {r[0]: r for r in page.rows if r}
    assert rows["claude-a"][1:6] == ["12", "6", "2", "2", "1"]
    assert rows["claude-a"][6:8] == ["80.0%", "49.0–94.3%"]
    assert rows["claude-bsmall"][6] == "75.0%"  # small slice tagged, still shown
    assert rows["classsmall"][4] == "2"  # rejected
    assert "writing_seconds_baseline" in text and "assumption" in text


def test_html_escapes_user_text(repo: Path) -> None:
    with Store.open(repo) as store:
        did = store.record_draft(
            None, DraftRecord("<b>x</b>.py", "f", "function", text="F.", model="<script>m")
        )
        store.record_decision(did, "reject", reason="<img src=x onerror=alert(1)>")
    with Store.open(repo) as store:
        html = render(build(store, ["model", "path"]), "html")
    page = parse(html)
    assert page.external == []
    assert "<script>m" in " ".join(page.text)
    assert "&lt;img src=x" in html


def test_empty_html_is_a_page_with_the_friendly_message(repo: Path) -> None:
    html = render(build(None), "html")
    page = parse(html)
    assert "No decisions logged yet" in " ".join(page.text)
    assert page.svgs == []


def test_realistic_log_renders_weekly_model_lines(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    logs.build_realistic(root, n=150)
    with Store.open(root) as store:
        report = build(store, ["model", "prompt"])
    timeline = report.charts["timeline_model"]
    assert timeline["weekly"] is True  # a handful of decisions per model and day: weeks
    assert len(timeline["series"]) == 3
    page = parse(render(report, "html"))
    assert page.counts.get("polyline", 0) >= 4


def test_many_prompt_versions_keep_the_chart_readable(repo: Path) -> None:
    """A log with ten prompt versions draws the six busiest and says the rest are in tables."""
    with Store.open(repo) as store:
        for v in range(10):
            for i in range(v + 1):
                did = store.record_draft(
                    None,
                    DraftRecord("a.py", f"f{v}_{i}", "function", text="F.", prompt_version=f"p{v}"),
                )
                store.record_decision(did, "accept")
    with Store.open(repo) as store:
        report = build(store, ["prompt"])
    svg = render(report, "html")
    page = parse(svg)
    assert "4 more prompt keys in the tables" in " ".join(page.text)
    assert [r[0] for r in page.rows if r and r[0].startswith("p") and r[0] != "prompt"] == [
        *(f"p{v}small" for v in range(9)),
        "p9",  # ten decided drafts: no longer small
    ]
