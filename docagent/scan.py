"""Scan a repository: every target with its status, in parallel, cached by file content.

The cache (``.docagent/scan-cache.pickle``) is keyed by each file's content hash, so it is never
stale when a file changes; a warm scan of an unchanged repository only lists, reads and hashes
files. Parsing runs in worker processes across cores.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docagent import repo
from docagent.config import Settings

CACHE_NAME = "scan-cache.pickle"
CACHE_VERSION = 5  # bump when the scan result of an unchanged file can change
# Row layout kept per target for fast summaries: (kind, public, has_docstring, status).
_KIND, _PUBLIC, _HAS_DOC, _STATUS = range(4)


@dataclass
class FileEntry:
    """Cached scan result of one file, keyed by the hash of its bytes."""

    sha: str
    rows: list[tuple[str, bool, bool, str]]
    json_targets: str
    style_votes: dict[str, int]
    error: str | None = None

    def records(self) -> list[dict[str, Any]]:
        """The file's targets as ``scan --json`` contract dicts, in source order."""
        return json.loads("[" + self.json_targets + "]") if self.json_targets else []


@dataclass
class ScanResult:
    """The outcome of a scan: per-file entries plus what the filters select."""

    root: Path
    files: dict[str, FileEntry]
    style: str
    include_private: bool
    kinds: tuple[str, ...]
    errors: list[tuple[str, str]] = field(default_factory=list)

    def selected(self, row: tuple[str, bool, bool, str]) -> bool:
        """True when a target row counts under the visibility and kind filters."""
        return (self.include_private or row[_PUBLIC]) and row[_KIND] in self.kinds

    def summary(self) -> dict[str, Any]:
        """The ``summary`` object of the ``scan --json`` contract."""
        total = documented = stale = 0
        for entry in self.files.values():
            for row in entry.rows:
                if self.selected(row):
                    total += 1
                    documented += row[_HAS_DOC]
                    stale += row[_STATUS] == "stale"
        coverage = round(100.0 * documented / total, 1) if total else 100.0
        return {
            "total": total,
            "documented": documented,
            "coverage": coverage,
            "missing": total - documented,
            "stale": stale,
        }

    def per_file(self) -> list[dict[str, Any]]:
        """Coverage of each file under the filters, in path order."""
        out = []
        for path, entry in sorted(self.files.items()):
            rows = [r for r in entry.rows if self.selected(r)]
            if not rows:
                continue
            documented = sum(r[_HAS_DOC] for r in rows)
            out.append(
                {
                    "path": path,
                    "total": len(rows),
                    "documented": documented,
                    "stale": sum(r[_STATUS] == "stale" for r in rows),
                    "coverage": round(100.0 * documented / len(rows), 1),
                }
            )
        return out

    def records(self, selected_only: bool = True) -> list[dict[str, Any]]:
        """Targets as contract dicts, in path order (only those the filters select, by default).

        For full code facts (parameters, body facts, byte offsets) read the file with
        :func:`docagent.code.targets.read_file`.
        """
        out = []
        for _path, entry in sorted(self.files.items()):
            for t in entry.records():
                if not selected_only or (
                    (self.include_private or t["public"]) and t["kind"] in self.kinds
                ):
                    out.append(t)
        return out

    def to_json(self, root_label: str = ".") -> str:
        """The ``scan --json`` contract document (every target listed, public or not)."""
        parts = [e.json_targets for _, e in sorted(self.files.items()) if e.json_targets]
        head = {
            "root": root_label,
            "summary": self.summary(),
            "style": self.style,
            "errors": [{"path": p, "error": m} for p, m in self.errors],
        }
        head_json = json.dumps(head)[:-1]
        return head_json + ', "targets": [' + ", ".join(parts) + "]}"


def _hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def scan_file_bytes(rel_path: str, data: bytes, sha: str) -> FileEntry:
    """Parse one file's bytes into a cache entry (the unit of work of a worker process)."""
    from docagent.code.docstrings import apply_status, style_votes
    from docagent.code.targets import SourceError, read_file

    try:
        facts = read_file(rel_path, rel_path, data, body_facts="sectioned")
    except SourceError as exc:
        return FileEntry(sha, [], "", {}, error=str(exc))
    apply_status(facts.targets)
    targets = facts.targets
    rows = [(t.kind, t.public, t.has_docstring, t.status) for t in targets]
    json_targets = json.dumps([t.contract_dict() for t in targets])[1:-1]
    votes = dict(style_votes(t.docstring.text for t in targets if t.docstring is not None))
    return FileEntry(sha, rows, json_targets, votes)


_Job = tuple[str, str, bytes | None, str]  # (relative path, absolute path, bytes, sha)


def _work(batch: list[_Job]) -> list[tuple[str, FileEntry]]:
    import gc

    gc.disable()  # extraction allocates many small objects that never form cycles
    try:
        out = []
        for rel, abs_path, data, sha in batch:
            if data is None:  # cold scan: the worker reads the file itself
                try:
                    with open(abs_path, "rb") as fh:
                        data = fh.read()
                except OSError as exc:
                    out.append((rel, FileEntry("", [], "", {}, f"{rel}: cannot read: {exc}")))
                    continue
                sha = _hash(data)
            out.append((rel, scan_file_bytes(rel, data, sha)))
        return out
    finally:
        gc.enable()


def _load_cache(path: Path) -> dict[str, FileEntry]:
    try:
        with path.open("rb") as fh:
            data = pickle.load(fh)
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION:
            return data["files"]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
        pass  # a missing or damaged cache is rebuilt; it holds nothing that cannot be recomputed
    return {}


def _save_cache(path: Path, files: dict[str, FileEntry]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".scan-cache.")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(
                {"version": CACHE_VERSION, "files": files}, fh, protocol=pickle.HIGHEST_PROTOCOL
            )
        os.replace(tmp, path)
    except OSError:
        pass  # read-only repository or full disk: scanning still works, only slower next time


def _chunks(items: list[Any], n: int) -> Iterable[list[Any]]:
    """Small batches in the given order (largest files first keeps the workers' tails even)."""
    size = max(1, min(16, len(items) // (n * 16) or 1))
    for i in range(0, len(items), size):
        yield items[i : i + size]


def scan_files(
    root: Path,
    paths: Sequence[str],
    *,
    use_cache: bool = True,
    workers: int | None = None,
) -> tuple[dict[str, FileEntry], list[tuple[str, str]]]:
    """Scan ``paths`` (relative to ``root``), reusing cached entries whose content is unchanged.

    Returns the entries of readable files and a list of ``(path, error)`` for files that could
    not be read, decoded or parsed.
    """
    cache_path = root / ".docagent" / CACHE_NAME
    cache = _load_cache(cache_path) if use_cache else {}
    entries: dict[str, FileEntry] = {}
    errors: list[tuple[str, str]] = []
    todo: list[_Job] = []
    sizes: dict[str, int] = {}
    for rel in paths:
        abs_path = str(root / rel)
        if not cache:  # nothing to compare with: workers read and hash in parallel
            try:
                sizes[rel] = os.stat(abs_path).st_size
            except OSError as exc:
                errors.append((rel, f"{rel}: cannot read: {exc.strerror or exc}"))
                continue
            todo.append((rel, abs_path, None, ""))
            continue
        try:
            with open(abs_path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            errors.append((rel, f"{rel}: cannot read: {exc.strerror or exc}"))
            continue
        sha = _hash(data)
        hit = cache.get(rel)
        if hit is not None and hit.sha == sha:
            entries[rel] = hit
        else:
            sizes[rel] = len(data)
            todo.append((rel, abs_path, data, sha))
    if todo:
        todo.sort(key=lambda job: -sizes[job[0]])  # big files first: workers finish together
        n = workers if workers is not None else (os.cpu_count() or 1)
        if n > 1 and len(todo) > 8 and sum(sizes.values()) > 200_000:
            import multiprocessing

            ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
                for done in pool.map(_work, _chunks(todo, n)):
                    entries.update(done)
        else:
            entries.update(_work(todo))
    for rel, entry in list(entries.items()):
        if entry.error:
            errors.append((rel, entry.error))
    if use_cache and (todo or set(cache) - set(entries)):
        merged = {**{k: v for k, v in cache.items() if (root / k).exists()}, **entries}
        with contextlib.suppress(OSError):
            repo.ensure_excluded(root)
        _save_cache(cache_path, merged)
    good = {k: v for k, v in entries.items() if not v.error}
    return good, sorted(errors)


def scan(
    path: str | Path = ".",
    settings: Settings | None = None,
    *,
    since: str | None = None,
    include_private: bool | None = None,
    use_cache: bool = True,
    workers: int | None = None,
) -> ScanResult:
    """Scan the repository containing ``path`` (narrowed to ``path`` when it is inside it)."""
    from docagent.config import load_settings

    root = repo.find_root(path)
    settings = settings or load_settings(root)
    under = Path(path).resolve()
    paths = repo.python_files(root, settings.include, settings.exclude, since=since, under=under)
    entries, errors = scan_files(root, paths, use_cache=use_cache, workers=workers)
    if include_private is None:
        include_private = settings.visibility == "all"
    style = settings.style
    if style == "auto":
        style = repo_style(entries.values())
    return ScanResult(
        root=root,
        files=entries,
        style=style,
        include_private=include_private,
        kinds=tuple(settings.kinds),
        errors=errors,
    )


def repo_style(entries: Iterable[FileEntry]) -> str:
    """The majority docstring style over the files' style votes."""
    from docagent.code.docstrings import style_from_votes

    votes: Counter[str] = Counter()
    for e in entries:
        votes.update(e.style_votes)
    return style_from_votes(votes)
