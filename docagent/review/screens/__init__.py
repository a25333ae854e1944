"""Screens of the review TUI: main, reason picker, editor, hint, help and summary."""

from docagent.review.screens.editor import EditorScreen
from docagent.review.screens.help import HelpScreen
from docagent.review.screens.hint import HintScreen
from docagent.review.screens.main import MainScreen
from docagent.review.screens.reason import ReasonScreen
from docagent.review.screens.summary import SummaryScreen

__all__ = [
    "EditorScreen",
    "HelpScreen",
    "HintScreen",
    "MainScreen",
    "ReasonScreen",
    "SummaryScreen",
]
