"""Widgets of the review TUI: target list, code view, checks panel and status line."""

from docagent.review.widgets.checks import ChecksPanel
from docagent.review.widgets.code import CodeView
from docagent.review.widgets.status import OfflineBanner, StatusLine
from docagent.review.widgets.targets import TargetList

__all__ = ["ChecksPanel", "CodeView", "OfflineBanner", "StatusLine", "TargetList"]
