"""The checks panel: which checks a draft passed, which failed and why."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from docagent.draft.models import Draft


def render_checks(draft: Draft | None) -> Group:
    """One line summing up the checks (names of those passed), then one per failed check."""
    if draft is None:
        return Group(Text("checks: waiting for the draft", style="dim"))
    if draft.error:
        return Group(Text(f"✗ draft failed: {draft.error}", style="bold red"))
    if not draft.checks:
        return Group(Text("no checks ran", style="dim"))
    passed = [c.name for c in draft.checks if c.ok]
    failed = [c for c in draft.checks if not c.ok]
    head = Text(no_wrap=True, overflow="ellipsis")
    if failed:
        hard = any(c.hard for c in failed)
        head.append(f"✗ {len(failed)} failed", style="bold red" if hard else "bold yellow")
        head.append(f", {len(passed)} passed", style="green")
    else:
        head.append(f"✓ all {len(passed)} checks passed", style="bold green")
    if passed:
        head.append(": " + ", ".join(passed), style="dim green")
    lines = [head]
    for c in failed:
        line = Text(f"✗ {c.name}", style="red" if c.hard else "yellow")
        if not c.hard:
            line.append(" (advice)", style="dim")
        if c.detail:
            line.append(f": {c.detail}", style="")
        lines.append(line)
    return Group(*lines)


class ChecksPanel(Static):
    """Shows :func:`render_checks` for the current draft."""

    def show(self, draft: Draft | None) -> None:
        """Render the checks of ``draft`` (None while it is being drafted)."""
        self.update(render_checks(draft))
