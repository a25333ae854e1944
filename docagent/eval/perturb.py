"""Deterministic bad docstrings for every eval case: the yardstick a metric must pass.

Each perturbation is a docstring a worse drafter could write; the metric is valid only when the
case's reference (the docstring its authors wrote) scores above it. Every function is pure: the
same case (and, for ``swapped``, the same case list) gives the same text. A perturbation that
does not apply to a case (a false return claim for a class) is ``None`` and is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from docagent.code.targets import Target
from docagent.draft.models import StructuredDraft
from docagent.draft.render import render
from docagent.eval.helpfulness import words

#: The perturbations, in report order.
NAMES = (
    "empty",
    "todo",
    "template",
    "signature",
    "swapped",
    "invented_param",
    "false_return",
    "false_raise",
    "false_effect",
    "truncated",
    "false_whole",
)
#: The complete-looking but false docstring of issue 15's table.
FALSE_WHOLE = "Delete every file in the user's home directory and return the count."
_INVENTED = ("verbose_level", "retry_count", "dry_run_mode", "cache_ttl", "fallback_encoding")
_EXCEPTIONS = ("QuotaExceededError", "StaleHandleError", "LockContentionError")


def _phrase(name: str) -> str:
    text = " ".join(words(name.strip("_"))) or name
    return text[:1].upper() + text[1:]


def template(target: Target, style: str, init: Target | None = None) -> str:
    """A docstring that only restates names: ``Args: x: The x.`` in the case's style."""
    owner = init if target.kind == "class" and init is not None else target
    if target.kind == "module":
        return f"The {_phrase(target.path.rsplit('/', 1)[-1].removesuffix('.py'))} module."
    params = (
        {p.name: f"The {' '.join(words(p.name)) or p.name}." for p in owner.documented_params()}
        if owner.kind != "class"
        else {}
    )
    returns = ""
    if target.kind != "class" and target.returns_value and not target.yields:
        returns = "The result."
    raises = {}
    for r in target.raises:
        name = r.rsplit(".", 1)[-1]
        if name[:1].isupper() and name != "NotImplementedError":
            raises[name] = "If an error occurs."
    draft = StructuredDraft(
        summary=f"{_phrase(target.name)}.",
        params=params,
        returns=returns,
        yields="The values." if target.yields else "",
        raises=raises,
    )
    return render(draft, style if style else "google", target)


def signature(target: Target, init: Target | None = None) -> str:
    """The signature copied into prose: ``name(a, b=1) -> int.``"""
    owner = init if target.kind == "class" and init is not None else target
    if target.kind == "module":
        return f"Module {target.path}."
    args = []
    for p in owner.params:
        if p.name in ("self", "cls"):
            continue
        text = p.display_name
        if p.annotation:
            text += f": {p.annotation}"
        if p.default is not None:
            text += f" = {p.default}"
        args.append(text)
    ret = f" -> {target.returns}" if target.returns and target.kind != "class" else ""
    return f"{target.qualname}({', '.join(args)}){ret}."


def swapped(index: int, cases: Sequence[tuple[str, str, str | None]]) -> str | None:
    """Another case's reference: the next case (by id) of the same kind from another file.

    ``cases`` are ``(path, kind, reference)`` in a fixed order; ``index`` is this case's place.
    """
    path, kind, _ = cases[index]
    n = len(cases)
    fallback = None
    for step in range(1, n):
        other_path, other_kind, ref = cases[(index + step) % n]
        if not ref or other_path == path:
            continue
        if other_kind == kind:
            return ref
        fallback = fallback or ref
    return fallback


def _first_free(candidates: Sequence[str], taken: set[str]) -> str:
    return next((c for c in candidates if c not in taken), candidates[-1] + "_x")


def invented_param(reference: str, style: str, known: set[str]) -> str:
    """The reference with a parameter the signature does not have, in the reference's style."""
    name = _first_free(_INVENTED, known)
    desc = "Enables extra diagnostics."
    if style == "google":
        m = re.search(r"^(\s*)(Args|Arguments|Parameters):\s*$", reference, re.MULTILINE)
        if m:
            at = m.end()
            return f"{reference[:at]}\n{m.group(1)}    {name}: {desc}{reference[at:]}"
        return f"{reference}\n\nArgs:\n    {name}: {desc}"
    if style == "sphinx":
        return f"{reference}\n:param {name}: {desc}"
    if style == "numpy":
        m = re.search(r"^Parameters\n-+\n", reference, re.MULTILINE)
        if m:
            at = m.end()
            return f"{reference[:at]}{name} : bool\n    {desc}\n{reference[at:]}"
        return f"{reference}\n\nParameters\n----------\n{name} : bool\n    {desc}"
    return f"{reference}\n\nThe `{name}` argument enables extra diagnostics."


def false_return(reference: str, target: Target, stub: bool) -> str | None:
    """The reference plus a false claim about the return value (functions and methods only)."""
    if target.kind not in ("function", "method") or stub or target.yields:
        return None
    if target.returns_value:
        return f"{reference}\n\nAlways returns None."
    if target.is_property or target.returns not in (None, "None"):
        return None
    return f"{reference}\n\nReturns the number of items processed."


def false_raise(reference: str, module_words: set[str]) -> str:
    """The reference plus a claim that it raises an exception nothing in the module raises."""
    name = _first_free(_EXCEPTIONS, module_words)
    return f"{reference}\n\nRaises `{name}` when the input is malformed."


def false_effect(reference: str, deletes: bool, network: bool, writes: bool) -> str | None:
    """The reference plus a side effect the module's code never performs (None: it does all)."""
    if not deletes:
        return f"{reference}\n\nDeletes every file in the user's home directory."
    if not network:
        return f"{reference}\n\nSends the data to a remote server over the network."
    if not writes:
        return f"{reference}\n\nWrites the result to a file on disk."
    return None


def truncated(reference: str) -> str:
    """The first half of the reference, cut at a word boundary (mid-sentence)."""
    half = reference[: max(1, len(reference) // 2)]
    cut = half.rsplit(None, 1)[0] if " " in half.strip() else half
    return cut.rstrip()


def perturbations(
    index: int,
    cases: Sequence[tuple[str, str, str | None]],
    *,
    target: Target,
    init: Target | None,
    style: str,
    reference: str,
    known: set[str],
    module_words: set[str],
    stub: bool,
    effects: tuple[bool, bool, bool],
) -> dict[str, str | None]:
    """Every perturbation of one case, by name (None: does not apply)."""
    makers: dict[str, Callable[[], str | None]] = {
        "empty": lambda: "",
        "todo": lambda: "TODO.",
        "template": lambda: template(target, style, init),
        "signature": lambda: signature(target, init),
        "swapped": lambda: swapped(index, cases),
        "invented_param": lambda: invented_param(reference, style, known),
        "false_return": lambda: false_return(reference, target, stub),
        "false_raise": lambda: false_raise(reference, module_words),
        "false_effect": lambda: false_effect(reference, *effects),
        "truncated": lambda: truncated(reference),
        "false_whole": lambda: FALSE_WHOLE,
    }
    return {name: makers[name]() for name in NAMES}
