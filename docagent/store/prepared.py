"""A draft in the form its decision-log row is written: scrubbed, serialised, ready to insert.

Recording a draft is mostly preparing its row: every text and JSON value scrubbed for secrets
(:mod:`docagent.store.redact`), the JSON values serialised, the module's text hashed, scrubbed
and compressed once per file version (:mod:`docagent.store.sources`). None of that reads the
log, so :func:`prepare_draft` can run wherever the draft is made (another process, say) and
the process that holds the log only inserts the row: :meth:`Store.record_draft
<docagent.store.api.Store.record_draft>` takes a :class:`PreparedDraft` as it takes a
:class:`~docagent.store.records.DraftRecord` (which it prepares first), and stores the same row.

A :class:`PreparedDraft` is plain data (strings, numbers, bytes): it pickles, for a pipe.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from docagent.store.records import DraftRecord
from docagent.store.redact import scrub_text, scrub_value, secret_env_values
from docagent.store.sources import apply_cut, cut_to_text, pack, text_sha

#: the columns of a draft row a :class:`PreparedDraft` holds (the writer adds ``id``,
#: ``run_id``, ``created_at``, ``repo`` and ``reviewer``)
COLUMNS = (
    "path",
    "qualname",
    "kind",
    "code_sha",
    "status",
    "style",
    "provider",
    "model",
    "prompt_version",
    "context_json",
    "structured_json",
    "text",
    "checks_json",
    "checks_ok",
    "tokens_in",
    "tokens_out",
    "cache_read_tokens",
    "cache_write_tokens",
    "cost_usd",
    "latency_ms",
    "error",
    "context_hash",
    "cache_key",
    "source",
    "source_sha",
    "source_cut",
    "original_docstring",
    "attempts",
)


@dataclass(frozen=True)
class PreparedDraft:
    """A draft row with every value as it is stored: texts scrubbed, JSON values serialised.

    ``values`` are the row's :data:`COLUMNS`, in that order. ``version`` is the file version
    the row's source refers to (``source_sha``) with its stored form (:func:`pack`), or
    ``None`` for its data when the preparer was told the log has it; ``None`` when the row
    keeps its own source (or none).
    """

    values: tuple[Any, ...]
    version: tuple[str, bytes | None] | None = None

    @property
    def columns(self) -> dict[str, Any]:
        """The row's values by column name."""
        return dict(zip(COLUMNS, self.values, strict=True))

    @property
    def text(self) -> str:
        """The draft's text as stored (scrubbed)."""
        return str(self.values[_TEXT])


_TEXT = COLUMNS.index("text")


#: ``json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)``, one encoder for all
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def stored_json(value: Any, env: tuple[str, ...] | None = None) -> str:
    """``value`` scrubbed and serialised as the log stores JSON (``env``: the key environment
    variables' values, :func:`~docagent.store.redact.secret_env_values`, when read already)."""
    return _ENCODER.encode(scrub_value(value, env))


#: the stored JSON of recent check lists, by their items (most drafts repeat a few lists)
_CHECKS: dict[tuple[Any, ...], str] = {}
#: the types of values whose equal values serialise alike (unlike ``True`` and ``1``)
_PLAIN = (str, bool, type(None))


def _checks_json(checks: list[dict[str, Any]], env: tuple[str, ...]) -> str:
    """The stored JSON of a draft's checks, remembered for lists seen before.

    A list of checks is usually one of a few (every check passed, no detail): its JSON is the
    same whenever its items are (strings, booleans) and so are the key environment variables'
    values (``env``), so it is serialised and scrubbed once per distinct list.
    """
    if not all(
        type(c) is dict and all(type(k) is str and type(v) in _PLAIN for k, v in c.items())
        for c in checks
    ):
        return stored_json(list(checks), env)
    key = (env, *(tuple(c.items()) for c in checks))
    found = _CHECKS.get(key)
    if found is None:
        if len(_CHECKS) >= 1024:
            _CHECKS.clear()  # bounded: the same few lists recur
        found = _CHECKS[key] = stored_json(list(checks), env)
    return found


def stored_text(value: str | None, env: tuple[str, ...] | None = None) -> str | None:
    """``value`` scrubbed as the log stores text (None stays None)."""
    return None if value is None else scrub_text(value, env)


def prepare_draft(
    draft: DraftRecord,
    stored: Mapping[str, bool] | None = None,
    env: tuple[str, ...] | None = None,
) -> PreparedDraft:
    """The row of ``draft`` as the log stores it (see the module docstring).

    ``stored``: file versions known to be in the log (sha -> whether stored as they are),
    whose text is then neither scrubbed nor compressed again. ``env``:
    :func:`~docagent.store.redact.secret_env_values`, when the caller read them already.
    """
    d = draft
    env = secret_env_values() if env is None else env
    source, source_sha, source_cut, version = _source_columns(d, stored or {}, env)
    values = (
        d.path,
        d.qualname,
        d.kind,
        d.code_sha,
        d.status,
        d.style,
        d.provider,
        d.model,
        d.prompt_version,
        stored_json(d.context, env),
        stored_json(d.structured, env),
        scrub_text(d.text, env),
        _checks_json(d.checks, env),
        int(d.checks_ok),
        int(d.tokens_in),
        int(d.tokens_out),
        int(d.cache_read_tokens),
        int(d.cache_write_tokens),
        float(d.cost_usd),
        int(d.latency_ms),
        stored_text(d.error, env),
        d.context_hash,
        d.cache_key,
        source,
        source_sha,
        source_cut,
        stored_text(d.original_docstring, env),
        int(d.attempts),
    )
    return PreparedDraft(values, version)


#: file versions prepared lately: (sha, key values) -> (stored as they are, stored form)
_VERSIONS: dict[tuple[str, tuple[str, ...]], tuple[bool, bytes | None]] = {}


def _source_columns(
    d: DraftRecord, stored: Mapping[str, bool], env: tuple[str, ...]
) -> tuple[str | None, str | None, str | None, tuple[str, bytes | None] | None]:
    """``(source, source_sha, source_cut)`` of a draft row, and its file version.

    With ``file_text``, the file version is stored once (scrubbed once) and the row keeps its
    address and the cut; a file whose text scrubbing would change keeps the old form, its
    scrubbed source in the row (the cut's offsets are those of the unscrubbed text). A file
    version is scrubbed and compressed once for all its drafts: ``stored`` says which ones the
    log has, and the last few prepared are remembered.
    """
    if d.file_text is None:
        return stored_text(d.source, env), None, None, None
    sha = text_sha(d.file_text)
    clean = stored.get(sha)
    data: bytes | None = None
    if clean is None:
        known = _VERSIONS.get((sha, env))
        if known is None:
            clean = scrub_text(d.file_text, env) == d.file_text
            data = pack(d.file_text) if clean else None
            if len(_VERSIONS) >= 16:  # a run moves on file by file
                with contextlib.suppress(StopIteration, KeyError, RuntimeError):
                    del _VERSIONS[next(iter(_VERSIONS))]
            _VERSIONS[(sha, env)] = (clean, data)
        else:
            clean, data = known
    cut = d.source_cut or (0, 0, "")
    if not clean:
        return scrub_text(apply_cut(d.file_text, cut), env), None, None, None
    return None, sha, cut_to_text(cut), (sha, data)
