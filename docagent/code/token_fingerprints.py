"""Code fingerprints of a file Python's parser rejects, from its tokens.

A file that tree-sitter reads but Python cannot parse (Python 2 code, a newer syntax) has no
``ast`` fingerprint. :func:`token_shas` gives each target one from the tokens of its span
(Python's ``tokenize``, which accepts such code): comments, line breaks and indentation are
left out, and so is every docstring literal, so a fingerprint changes when the target's code
changes and not when a docstring, a comment or the formatting does — as ``code_sha`` behaves
for a file that parses. A file that cannot even be tokenized gets a hash of each target's
bytes without the docstrings (it changes on any other edit). The fingerprints are those of
this file version only: they are never compared with ``ast`` ones.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import tokenize
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docagent.code.targets import FileFacts

_SKIP = frozenset(
    {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENCODING,
        tokenize.ENDMARKER,
    }
)


def _tokens(text: str, docstrings: set[int]) -> list[tuple[int, str]] | None:
    """``(byte offset, token)`` of the code tokens of ``text``, docstrings left out; None when
    ``text`` cannot be tokenized."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line.encode("utf-8", "surrogatepass")) + 1)
    found: list[tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in _SKIP:
                continue
            row, col = tok.start
            line = lines[row - 1] if row - 1 < len(lines) else ""
            at = starts[row - 1] + (
                col if line.isascii() else len(line[:col].encode("utf-8", "surrogatepass"))
            )
            if tok.type == tokenize.STRING and at in docstrings:
                continue
            found.append((at, f"{tok.type} {tok.string}"))
    except (tokenize.TokenError, SyntaxError):
        return None
    return found


def _digest(parts: list[str] | list[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def token_shas(facts: FileFacts) -> dict[str, str]:
    """``{qualname: fingerprint}`` of every target of ``facts`` (see the module docstring)."""
    spans = sorted(
        (t.docstring.start_byte, t.docstring.end_byte) for t in facts.targets if t.docstring
    )
    tokens = _tokens(facts.text, {start for start, _ in spans})
    shas: dict[str, str] = {}
    if tokens is not None:
        offsets = [at for at, _ in tokens]
        for t in facts.targets:
            lo = bisect.bisect_left(offsets, t.start_byte)
            hi = bisect.bisect_left(offsets, t.end_byte)
            shas.setdefault(t.qualname, _digest([tok for _, tok in tokens[lo:hi]]))
        return shas
    source = facts.source
    for t in facts.targets:
        pieces: list[bytes] = []
        at = t.start_byte
        for start, end in spans:
            if end <= at or start >= t.end_byte:
                continue
            pieces.append(source[at:start])
            at = end
        pieces.append(source[at : t.end_byte])
        shas.setdefault(t.qualname, _digest(pieces))
    return shas


__all__ = ["token_shas"]
