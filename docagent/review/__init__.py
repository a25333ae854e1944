"""The review TUI (Textual). Import it lazily: the library never imports textual.

Usage::

    from docagent.review import ReviewApp
    summary = ReviewApp(lambda: Session(".", mode="tui", interactive=True)).run()
"""

from docagent.review.app import ReviewApp

__all__ = ["ReviewApp"]
