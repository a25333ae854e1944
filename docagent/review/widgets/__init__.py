"""Widgets of the review TUI: target list, title, code view, checks panel and status line."""

from docagent.review.widgets.checks_panel import ChecksPanel
from docagent.review.widgets.code import CodeView
from docagent.review.widgets.status import OfflineBanner, StatusLine
from docagent.review.widgets.target_list import TargetList
from docagent.review.widgets.title import TitleLine

__all__ = ["ChecksPanel", "CodeView", "OfflineBanner", "StatusLine", "TargetList", "TitleLine"]
