"""The offline drafter: a :class:`StructuredDraft` for any target, built from its code facts."""

from __future__ import annotations

from docagent.code.targets import FileFacts, Target
from docagent.draft.models import StructuredDraft
from docagent.draft.offline.args_section import param_text
from docagent.draft.offline.body_facts import body_facts
from docagent.draft.offline.class_draft import class_draft
from docagent.draft.offline.module_draft import module_draft
from docagent.draft.offline.raises_section import raises
from docagent.draft.offline.returns_section import returns_text, yields_text
from docagent.draft.offline.summaries import function_summary
from docagent.draft.offline.words import as_phrase, split_words
from docagent.draft.render import typed_heads


class OfflineDrafter:
    """Build a :class:`StructuredDraft` for any target from its code facts."""

    def draft(
        self,
        facts: FileFacts,
        target: Target,
        init_in_class: bool = False,
        style: str = "google",
        types: bool = False,
    ) -> StructuredDraft:
        """Return a draft for ``target`` of ``facts``.

        ``init_in_class``: a class's draft documents the arguments and exceptions of an
        undocumented ``__init__`` (for repositories that want no ``__init__`` docstrings).
        ``style`` and ``types`` (the ``types_in_docstrings`` choice) say which entry heads
        the draft will be rendered with a type in (:func:`~docagent.draft.render.typed_heads`):
        the descriptions under those do not repeat it.
        """
        typed_params, typed_return = typed_heads(style, types)
        if target.kind == "module":
            return module_draft(facts, target)
        if target.kind == "class":
            return class_draft(facts, target, init_in_class, typed_params)
        return function_draft(facts, target, typed_params, typed_return)


def function_draft(
    facts: FileFacts, target: Target, typed_params: bool = False, typed_return: bool = False
) -> StructuredDraft:
    """Draft function or method ``target`` of ``facts``: summary, notes and every section.

    ``typed_params`` / ``typed_return``: the parameter entries / the Returns entry are
    rendered with the annotation in their head, so their text leaves it out.
    """
    body = body_facts(facts, target)
    owner = facts.target(target.qualname.rsplit(".", 1)[0]) if target.kind == "method" else None
    cls_words = as_phrase(split_words(owner.name)) if owner is not None else ""
    summary = function_summary(facts, target, body, cls_words)
    notes = []
    if body.not_implemented:
        notes.append("Subclasses must override this method.")
    elif body.trivial and target.kind == "method":
        notes.append("This implementation does nothing; subclasses may override it.")
    if target.is_async and not target.yields:
        notes.append("This is a coroutine.")
    params = {p.name: param_text(p, target, body, typed_params) for p in target.documented_params()}
    returns = ""
    ann = target.returns
    annotated_none = ann is None or ann.strip() in ("None", "NoReturn", "Never")
    if not target.yields and (target.returns_value or not annotated_none):
        returns = returns_text(target, body, cls_words, typed_return)
    yields = yields_text(target, body) if target.yields_value else ""  # not for a bare yield
    return StructuredDraft(
        summary=summary,
        description="\n\n".join(notes),
        params=params,
        returns=returns,
        yields=yields,
        raises=raises(target, body),
    )
