"""The Args section: what each parameter is, from its name, annotation, default and uses."""

from __future__ import annotations

import re

from docagent.code.targets import Param, Target
from docagent.draft.offline.body_facts import BodyFacts
from docagent.draft.offline.param_uses import ParamUse
from docagent.draft.offline.vocabulary import PARAM_PHRASES, PROTOCOL_PARAMS, VAR_KINDS, VERBS
from docagent.draft.offline.words import (
    as_phrase,
    call_listing,
    clip,
    listing,
    meaningful,
    plain_code,
    split_words,
)

#: At most this many facts about how the body uses a parameter.
_MAX_USES = 3
#: Leading words of counts and bounds (``num_workers``, ``max_size``) and how they read.
_QUANTITY_WORDS = {"num": "number of", "n": "number of", "max": "maximum", "min": "minimum"}
#: Parameter names of :data:`PARAM_PHRASES` whose phrase holds only with evidence from the code:
#: a ``path`` is also a path of keys in a nested structure, of a URL, of an attribute.
_FILE_SYSTEM_NAMES = frozenset({"path"})
#: Annotations that make a value a file-system path.
_FS_ANNOTATION = re.compile(
    r"\b(?:Path|PurePath|PathLike|StrPath|StrOrBytesPath|FileDescriptorOrPath)\b"
)
#: Calls that take a file-system path (a parameter passed to one is a path on disk).
_FS_CALL = re.compile(
    r"(?:open|io\.open|(?:pathlib\.)?Path|os(?:\.path)?\.\w+|shutil\.\w+|glob\.\w+)"
)


def param_text(p: Param, target: Target, body: BodyFacts | None = None, typed: bool = False) -> str:
    """The Args entry of parameter ``p`` of ``target``: what it is, its annotation, how the
    body uses it, its default. ``typed``: the entry's head gives the annotation (``x (int):``,
    NumPy ``x : int``), so the text does not repeat it."""
    use = body.uses.get(p.name, ParamUse()) if body is not None else ParamUse()
    ann = clip(p.annotation) if p.annotation else ""
    usage = ""
    if p.kind in VAR_KINDS:
        text = _pack_text(p, use)
    else:
        usage = use_text(use)
        text = _protocol_meaning(p, target) or _named_meaning(p, target, ann, use)
    if ann and p.kind not in VAR_KINDS and not typed:
        text += f" ({plain_code(ann)})"
    text += "."
    if usage:
        text += " " + usage
    if p.default is not None:
        default = p.default
        if "\n" in default:  # on several lines: one, unless a string's spaces would change
            default = "" if "'" in default or '"' in default else " ".join(default.split())
        if not default or "`" in default or len(default) > 40:
            text += " Optional."
        else:
            text += f" Defaults to {default}."
    return text


def _pack_text(p: Param, use: ParamUse) -> str:
    """``*args`` and ``**kwargs``: extra arguments, or the calls they are passed on to."""
    what = "Positional" if p.kind == "var_positional" else "Keyword"
    if use.forwarded_to:
        return f"{what} arguments passed on to " + call_listing(use.forwarded_to)
    return f"Additional {what.lower()} arguments"


def _protocol_meaning(p: Param, target: Target) -> str:
    """What the protocol says parameter ``p`` of a magic method is, by position; '' if nothing."""
    if target.kind != "method" or target.name not in PROTOCOL_PARAMS:
        return ""
    named = [q.name for q in target.documented_params() if q.kind not in VAR_KINDS]
    meanings = PROTOCOL_PARAMS[target.name]
    if p.name in named and named.index(p.name) < len(meanings):
        return meanings[named.index(p.name)]
    return ""


def _named_meaning(p: Param, target: Target, ann: str, use: ParamUse) -> str:
    """What a named parameter is, read from its name (never guessed from a generic name)."""
    words = split_words(p.name)
    is_bool = (ann == "bool") or (p.default in ("True", "False"))
    if p.name == "other" and target.name.startswith("__") and target.name.endswith("__"):
        return "The other operand"
    if p.name in PARAM_PHRASES and (
        p.name not in _FILE_SYSTEM_NAMES or _is_file_system_path(ann, use)
    ):
        return PARAM_PHRASES[p.name]
    if is_bool:
        flag = _flag_meaning(p.name, words, ann)
        if flag:
            return flag
    if len(words) > 1 and words[0] in _QUANTITY_WORDS and meaningful("_".join(words[1:])):
        return f"The {_QUANTITY_WORDS[words[0]]} {as_phrase(words[1:])}"
    if meaningful(p.name):
        return f"The {as_phrase(words)}"
    return f"The `{p.name}` argument"


def _is_file_system_path(ann: str, use: ParamUse) -> bool:
    """True when the annotation or a call the value is passed to makes it a path on disk."""
    if _FS_ANNOTATION.search(ann):
        return True
    return any(_FS_CALL.fullmatch(c) for c in use.passed_to)


def _flag_meaning(name: str, words: list[str], ann: str) -> str:
    """A boolean parameter: "Whether to <verb> ..." or "The ... flag"; '' when neither fits."""
    if len(words) > 1 and words[0] in VERBS and words[0] not in ("set",):
        return f"Whether to {as_phrase(words)}"
    if meaningful(name):
        return f"The {as_phrase(words)} {'flag' if ann == 'bool' else 'option'}"
    return ""


def use_text(use: ParamUse) -> str:
    """Describe what the body visibly does with a parameter, in at most three facts."""
    parts = _use_facts(use)[:_MAX_USES]
    tail = _use_tail(use, _MAX_USES - len(parts))
    if not parts and not tail and use.returned:
        parts.append("returned")
    out = []
    if parts:
        out.append("It is " + listing(parts) + ".")
    out.extend(tail)
    return " ".join(out)


def _use_facts(use: ParamUse) -> list[str]:
    """What the body does with the parameter itself: "stored as ...", "called", ..."""
    parts: list[str] = []
    if use.stored:
        parts.append(f"stored as {use.stored[0]}")
    if use.called:
        parts.append("called")
    if use.iterated:
        parts.append("iterated over")
    if use.indexed:
        parts.append("indexed")
    if use.index_into:
        where = [c for c in use.index_into if c != "?"][:2]
        parts.append("used to index " + listing(where) if where else "used as an index")
    if use.none_checked:
        parts.append("checked for None")
    if use.compared_with:
        parts.append("compared with " + listing([plain_code(c) for c in use.compared_with[:2]]))
    if use.passed_to:
        parts.append("passed to " + call_listing(use.passed_to))
    return parts


def _use_tail(use: ParamUse, room: int) -> list[str]:
    """Sentences on the parameter's methods called and attributes read, in ``room`` at most."""
    tail: list[str] = []
    if room > 0 and use.methods:
        ms = use.methods[:2]
        many = len(ms) > 1
        tail.append(
            f"Its {listing([m + '()' for m in ms])} method{'s are' if many else ' is'} called."
        )
        room -= 1
    if room > 0 and use.attributes:
        at = use.attributes[:2]
        many = len(at) > 1
        tail.append(f"Its {listing(at)} attribute{'s are' if many else ' is'} read.")
    return tail
