"""The offline draft of a class: what kind of class it is, its bases, its public attributes."""

from __future__ import annotations

from docagent.code.targets import FileFacts, Target
from docagent.draft.models import StructuredDraft
from docagent.draft.offline.args_section import param_text
from docagent.draft.offline.body_facts import body_facts
from docagent.draft.offline.raises_section import raises
from docagent.draft.offline.words import as_phrase, listing, meaningful, split_words

_ENUM_BASES = ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag")


def class_draft(
    facts: FileFacts, target: Target, init_in_class: bool = False, typed_params: bool = False
) -> StructuredDraft:
    """Draft class ``target`` of ``facts`` (``init_in_class``: document the arguments and
    exceptions of an undocumented ``__init__`` here)."""
    bases = [b.rsplit(".", 1)[-1] for b in target.bases if "=" not in b]
    summary = class_summary(target, bases)
    description = ""
    real_bases = [b for b in bases if b not in ("object", "ABC", "Generic", "Protocol")]
    if real_bases and not summary.startswith("Exception"):
        description = f"Extends {listing(real_bases)}."
    stored: dict[str, str] = {}
    params: dict[str, str] = {}
    exceptions: dict[str, str] = {}
    init = facts.target(target.qualname + ".__init__")
    if init is not None:
        init_body = body_facts(facts, init)
        if init_in_class and init.docstring is None:
            params = {
                p.name: param_text(p, init, init_body, typed_params)
                for p in init.documented_params()
            }
            exceptions = raises(init, init_body)
        for pname, use in init_body.uses.items():
            for attr in use.stored:
                stored.setdefault(attr.split(".", 1)[1], pname)
    return StructuredDraft(
        summary=summary,
        description=description,
        params=params,
        raises=exceptions,
        attributes=_attribute_texts(target, stored),
    )


def class_summary(target: Target, bases: list[str]) -> str:
    """The summary sentence of class ``target`` with base class names ``bases`` (last parts)."""
    words = split_words(target.name)
    return _by_base(target, words, bases) or _by_shape(target, words, bases)


def _by_base(target: Target, words: list[str], bases: list[str]) -> str:
    """Exceptions, warnings, enumerations, protocols and test cases; '' for other classes."""
    name, phrase = target.name, as_phrase(words)
    if any(
        b.endswith(("Error", "Exception")) or b in ("Exception", "BaseException") for b in bases
    ) or name.endswith(("Error", "Exception")):
        core = [w for w in words if w.lower() not in ("error", "exception")]
        return f"Exception raised for {as_phrase(core) or 'these'} errors."
    if any(b.endswith("Warning") for b in bases) or name.endswith("Warning"):
        return f"Warning category for {phrase}."
    if any(b in _ENUM_BASES for b in bases):
        return f"Enumeration of {phrase} values."
    if "Protocol" in bases:
        return f"Protocol for {phrase} objects."
    if any(b.endswith("TestCase") for b in bases) or name.startswith("Test"):
        core = [w for w in words if w.lower() not in ("test", "tests")]
        return f"Tests for {as_phrase(core) or 'this module'}."
    return ""


def _by_shape(target: Target, words: list[str], bases: list[str]) -> str:
    """Records, data classes, abstract bases, mixins, and any other class."""
    name, phrase = target.name, as_phrase(words)
    if "NamedTuple" in bases or "TypedDict" in bases:
        return f"Record type for {phrase}."
    if "dataclass" in [d.rsplit(".", 1)[-1] for d in target.decorators]:
        return f"Data container for {phrase}."
    if name.startswith(("Abstract", "Base")) or "ABC" in bases:
        return f"Abstract base class for {phrase}."
    if name.endswith("Mixin"):
        return f"Mixin that adds {as_phrase(words[:-1]) or phrase} behaviour."
    return f"A {phrase}."


def _attribute_texts(target: Target, stored: dict[str, str]) -> dict[str, str]:
    """The Attributes section: each public attribute, and the ``__init__`` argument it is set
    from (``stored``: attribute -> argument)."""
    attrs = {}
    for a in target.attributes:
        if a.startswith("_"):
            continue
        text = f"The {as_phrase(split_words(a))}." if meaningful(a) else f"The `{a}` attribute."
        if a in stored:
            text += f" Set from the {stored[a]} argument."
        attrs[a] = text
    return attrs
