"""The status line (provider, model, context tokens, cost, progress, accept rate) and banner."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static


@dataclass
class StatusInfo:
    """Everything the status line shows."""

    provider: str = ""
    model: str = ""
    context_tokens: int | None = None
    cost_usd: float = 0.0
    done: int = 0
    total: int = 0
    accept_rate: float | None = None


def render_status(info: StatusInfo) -> Text:
    """``provider · model │ ctx N tok │ $cost │ done/total │ accept N%``."""
    out = Text()
    out.append(f"{info.provider} · {info.model}", style="bold")
    ctx = "–" if info.context_tokens is None else f"{info.context_tokens:,}"
    out.append(f" │ ctx {ctx} tok │ ${info.cost_usd:.4f} │ {info.done}/{info.total} done │ ")
    rate = "–" if info.accept_rate is None else f"{info.accept_rate:.0%}"
    out.append(f"accept {rate}", style="bold")
    return out


class StatusLine(Static):
    """One line at the top of the main screen."""

    def show(self, info: StatusInfo) -> None:
        """Render ``info``."""
        self.update(render_status(info))


class OfflineBanner(Static):
    """A clear warning that drafts come from the offline drafter, not a model."""

    TEXT = "OFFLINE DRAFTER · no model (no ANTHROPIC_API_KEY) · drafts from code facts only"

    def __init__(self, **kwargs: object) -> None:
        """Create the banner with its fixed text."""
        super().__init__(self.TEXT, **kwargs)  # type: ignore[arg-type]
