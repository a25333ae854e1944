"""A batch re-run that can show nothing changed: the record of the last run, and its check.

A ``batch`` run that drafted nothing (every target reused an earlier draft, none failed) and
left ``--out`` as the next run would write it is a fixed point: run again on the same inputs,
it makes the same decisions, writes the same records and prints the same summary.
``.docagent/last-batch.json`` records such a run: a digest of its inputs
(:func:`inputs_digest`: every scanned file version, the settings, provider, model, notice,
prompt version, style, the decision log's mark, the key environment variables that records are
scrubbed of, the ``--out`` path), the hash of ``--out`` as it left it and its summary. The next
run computes the same digest after its scan; when it and the hash of ``--out`` match, the run
does what a run does (holds the run lock, logs a run with its configuration, coverage and
summary, prints the estimate and the summary, exits with the same code) without reading,
looking up or writing any target: ``--out`` already holds exactly the records it would write.
Anything else — a changed file, setting, drafter or prompt version, a draft or decision added to
the log, an edited ``--out`` — gives another digest or hash, and the run is a normal one.

A run that drafted (none failed) is recorded too when what the next run does can be shown at
its end (``docagent.batch._settled``): that run would reuse every draft and write the same
lines, in the file order this run left ``--out`` in (every run writing to a file leaves its
records in file order). The next run then reports a run that reused everything, and leaves
``--out`` as it is.

The record also lists the summary's texts that the secret scrubbing found clean when the run
was logged, so the replayed run logs them without compiling the scrubbing's rules again.

Like the scan cache the record is data, signed with this user's scan-cache key
(:func:`docagent.scan.cache_key`): one that is missing, damaged or from another user or
machine is ignored. Runs with ``--apply``, ``--readme``, ``--batch-api``, ``--since``,
``--estimate`` or ``--out`` to a stream neither write nor use one (:func:`eligible`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docagent.signed_json import read_signed, write_signed

if TYPE_CHECKING:
    from docagent.scan import ScanResult
    from docagent.session import Session

RECORD_NAME = "last-batch.json"
#: bump when what a run's result depends on changes (2: no reordering of ``--out`` on replay)
RECORD_VERSION = 2
_MAGIC = b"docagent-last-batch"


def eligible(
    *,
    apply: bool,
    readme: bool,
    batch_api: bool,
    since: str | None,
    estimate_only: bool,
    stream: bool,
) -> bool:
    """Whether a run with these options may write or use the record (see the module doc)."""
    return not (apply or readme or batch_api or since or estimate_only or stream)


def inputs_digest(session: Session, result: ScanResult, out: Path | None) -> str:
    """A digest of everything a re-run's result depends on, after :meth:`Session.scan_work`."""
    from docagent import __version__
    from docagent.store.redact import env_values_digest

    provider = session.provider
    head = {
        "record": RECORD_VERSION,
        "docagent": __version__,
        "python": list(sys.version_info[:2]),
        "path": str(session.path.resolve()),
        "root": str(session.root),
        "settings": dataclasses.asdict(session.settings),
        "provider": [provider.name, provider.model, str(getattr(provider, "base_url", ""))],
        "notice": session.notice,
        "prompt_version": session.prompt_version,
        "style": [session.style, result.style, result.style_source],
        "special": repr(result.special),
        "errors": [list(e) for e in result.errors],
        "log": [session.store.label, session.store.log_mark()],
        "env": env_values_digest(),
        "out": str(out) if out is not None else None,
    }
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps(head, sort_keys=True, default=repr).encode())
    for rel in sorted(result.files):
        entry = result.files[rel]
        digest.update(f"\0{rel}\0{entry.sha}\0{entry.error}".encode())
    return digest.hexdigest()


def bytes_digest(data: bytes) -> str:
    """The hash by which the record knows ``--out``'s bytes."""
    return hashlib.sha256(data).hexdigest()  # (faster than blake2b where the CPU has SHA)


def file_digest(path: Path | None) -> str | None:
    """The hash of a file's bytes ("" when it does not exist); None without a path."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ""
    return bytes_digest(data)


def _path(root: Path) -> Path:
    return root / ".docagent" / RECORD_NAME


#: the header tag of the record (its kind and format)
_TAG = b"%s %d" % (_MAGIC, RECORD_VERSION)


@dataclass
class LastRun:
    """The record of the last run (see the module docstring)."""

    root: Path
    inputs: str
    #: the summary, minus ``run_id``, ``duration_s`` and ``coverage``
    summary: dict[str, Any]


def load(root: Path, inputs: str, out_sha: str | None) -> LastRun | None:
    """The last run when it had these inputs and left ``--out`` with this hash, else None."""
    record = read_signed(_path(root), _TAG)
    if not isinstance(record, dict) or not isinstance(record.get("summary"), dict):
        return None
    if record.get("inputs") != inputs or record.get("out") != out_sha:
        return None
    clean = record.get("clean")
    if isinstance(clean, list):
        from docagent.store.redact import trust_clean

        trust_clean(clean)  # what the run logs again was found clean when it was logged
    return LastRun(root, inputs, record["summary"])


def save(root: Path, inputs: str, out_sha: str | None, summary: dict[str, Any]) -> None:
    """Record what the next run on ``inputs`` does (see the module docstring and
    :class:`LastRun`); failures are ignored (only the next run is slower)."""
    from docagent.store.redact import scrub_text

    clean = sorted({t for t in _strings(summary) if scrub_text(t) == t})
    record: dict[str, Any] = {"inputs": inputs, "out": out_sha, "summary": summary}
    record["clean"] = clean
    write_signed(_path(root), _TAG, record)


def _strings(value: Any) -> list[str]:
    """Every string in a JSON-like value (the texts the run's log entry scrubs)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def forget(root: Path) -> None:
    """Remove the record (a run that is not a fixed point is under way)."""
    try:
        _path(root).unlink(missing_ok=True)
    except OSError:
        return


__all__ = [
    "RECORD_NAME",
    "LastRun",
    "bytes_digest",
    "eligible",
    "file_digest",
    "forget",
    "inputs_digest",
    "load",
    "save",
]
