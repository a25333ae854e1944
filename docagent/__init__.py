"""docagent: engineered LLM documentation for Python repositories.

The library never imports textual; the review TUI (:mod:`docagent.review`) and the
headless batch runner are thin front ends over the same library calls.
"""

__version__ = "0.1.0"
