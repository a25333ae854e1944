"""The offline draft of a module: a package, a program, or the classes and functions it holds."""

from __future__ import annotations

from docagent.code.targets import FileFacts, Target
from docagent.draft.models import StructuredDraft
from docagent.draft.offline.words import as_phrase, listing, split_words
from docagent.draft.symbols import module_name


def module_draft(facts: FileFacts, target: Target) -> StructuredDraft:
    """Draft module ``target`` of ``facts``: what it is, and its public classes and functions."""
    mod = module_name(facts.path)
    top = [t for t in facts.targets if t.kind != "module" and "." not in t.qualname]
    classes = [t.name for t in top if t.kind == "class" and t.public]
    funcs = [t.name for t in top if t.kind == "function" and t.public]
    words = as_phrase(split_words(mod.rsplit(".", 1)[-1])) or mod
    if target.name == "__main__" or mod.endswith("__main__"):
        summary = "Run the package as a program (python -m)."
    elif target.name == "__init__" or facts.path.endswith("__init__.py"):
        summary = f"The {words} package."
    elif classes and not funcs:
        summary = f"Classes for {words}."
    elif funcs and not classes:
        summary = f"Functions for {words}."
    elif top:
        summary = f"Classes and functions for {words}."
    else:
        summary = f"The {words} module."
    parts = []
    if classes:
        parts.append(f"Classes: {listing(classes)}.")
    if funcs:
        parts.append(f"Functions: {listing(funcs)}.")
    return StructuredDraft(summary=summary, description="\n\n".join(parts))
