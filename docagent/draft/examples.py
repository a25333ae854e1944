"""Few-shot examples chosen per target: the team's accepted or edited docstrings most like it.

The pool is the decisions people made (accepted or edited docstrings, never the batch policy's).
For each target the most similar ones are shown with their code, ranked by:

- kind: the same kind first (a method and a function count as close);
- place: the same file, then the same package, then the longest shared module path;
- signature: shared parameter names and a similar number of parameters, both returning a value
  or not.

Ties keep the pool's order (newest first), so the choice is deterministic. A rejected draft's
reason is not an example: :func:`rejection_note` turns it into a note for the next draft.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from docagent.code.targets import Target
from docagent.draft.symbols import SymbolIndex

MAX_EXAMPLES = 2
MAX_CODE_LINES = 8


@dataclass(frozen=True)
class Example:
    """One accepted (or edited) docstring of the repository and where it belongs."""

    path: str
    qualname: str
    kind: str
    text: str
    edited: bool = False


def _params(signature: str) -> list[str]:
    inside = signature.partition("(")[2].rpartition(")")[0]
    names = []
    for part in inside.split(","):
        name = part.split(":")[0].split("=")[0].strip().lstrip("*")
        if name and name not in ("self", "cls", "/", ""):
            names.append(name)
    return names


def _score(ex: Example, target: Target, path: str, symbols: SymbolIndex | None) -> float:
    score = 0.0
    if ex.kind == target.kind:
        score += 4
    elif {ex.kind, target.kind} <= {"function", "method"}:
        score += 2
    if ex.path == path:
        score += 3
    else:
        a, b = ex.path.split("/")[:-1], path.split("/")[:-1]
        shared = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            shared += 1
        score += 2 if a == b else min(shared, 2) * 0.5
    sym = symbols.get(ex.path, ex.qualname) if symbols is not None else None
    if sym is not None and target.kind in ("function", "method"):
        mine = set(_params(sym.signature))
        theirs = {p.name.lstrip("*") for p in target.params} - {"self", "cls"}
        union = mine | theirs
        if union:
            score += 2 * len(mine & theirs) / len(union)
        score -= 0.25 * abs(len(mine) - len(theirs))
        score += 0.5 if ("->" in sym.signature) == bool(target.returns) else 0
    return score


def choose_examples(
    pool: Iterable[Example],
    target: Target,
    path: str,
    symbols: SymbolIndex | None = None,
    n: int = MAX_EXAMPLES,
) -> list[Example]:
    """Return the ``n`` examples of ``pool`` most similar to ``target`` of ``path``."""
    ranked = [
        (-_score(ex, target, path, symbols), i, ex)
        for i, ex in enumerate(pool)
        if not (ex.path == path and ex.qualname == target.qualname)
    ]
    ranked.sort(key=lambda t: (t[0], t[1]))
    return [ex for _, _, ex in ranked[:n]]


def _code(symbols: SymbolIndex | None, ex: Example) -> str:
    """The example's code without its docstring (first lines), or its signature."""
    if symbols is None:
        return ""
    node = symbols.resolver.functions.get((ex.path, ex.qualname))
    text = symbols.texts.get(ex.path, "")
    if node is None or not text:
        sym = symbols.get(ex.path, ex.qualname)
        return sym.signature if sym is not None else ""
    lines = text.splitlines()
    body = list(node.body)  # type: ignore[attr-defined]
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    first = node.body[0].lineno - 1  # type: ignore[attr-defined]
    head = [x for x in lines[node.lineno - 1 : first] if x.strip()]  # type: ignore[attr-defined]
    start = body[0].lineno - 1 if body else first
    end = min(node.end_lineno or start, start + MAX_CODE_LINES)  # type: ignore[attr-defined]
    code = head + lines[start:end]
    if (node.end_lineno or 0) > end:  # type: ignore[attr-defined]
        code.append("    ...")
    indent = min((len(x) - len(x.lstrip()) for x in code if x.strip()), default=0)
    return "\n".join(x[indent:] for x in code)


def render_examples(examples: Iterable[Example], symbols: SymbolIndex | None) -> str:
    """The examples as prompt text: each one's place, code and accepted docstring."""
    parts = []
    for ex in examples:
        how = "edited and accepted by a reviewer" if ex.edited else "accepted by a reviewer"
        code = _code(symbols, ex)
        block = f"{ex.path}: {ex.qualname} ({how})\n"
        if code:
            block += code + "\n"
        block += 'docstring:\n"""' + ex.text.strip() + '"""'
        parts.append(block)
    return "\n---\n".join(parts)


def rejection_note(reason: str, text: str) -> str:
    """The note a target's next draft gets after a reviewer rejected its previous one."""
    why = reason.strip() or "no reason given"
    return (
        f"A reviewer rejected the previous draft of this docstring ({why}). "
        f'The rejected text was:\n"""{text.strip()}"""\n'
        "Write a docstring that addresses the reason."
    )


__all__ = ["Example", "choose_examples", "rejection_note", "render_examples"]
