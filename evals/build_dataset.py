"""Build the project's eval datasets from real, well-documented code nobody here wrote.

Sources (all already on the machine, versions recorded in ``evals/datasets/manifest.json``):

- the running interpreter's standard library (CPython; docstrings are mostly PEP 257 prose);
- installed, pinned dependencies with sectioned docstrings: ``rich`` and ``textual`` (Google
  style), ``GitPython``, ``anyio`` and ``docstring_parser`` (Sphinx style), ``rapidfuzz`` (NumPy
  style);
- pinned source distributions fetched from PyPI (``pip download --no-deps --no-binary :all:``)
  into :data:`SDIST_CACHE` on first use: ``click`` and ``requests`` (Sphinx style), ``networkx``
  (NumPy style), ``pydantic`` (Google style), and two packages first published in 2026,
  ``pydantic-handlebars`` and ``prime-tunnel`` (any style; see :data:`FIRST_PUBLISHED`).

Every case is one public target whose original docstring is the reference; its ``source`` is the
module text with that docstring removed (docs/evals.md format). Selection is deterministic:
candidates are ordered by a hash of their id and taken per (source group, kind) up to a quota,
at most :data:`PER_FILE` per file and only from files up to :data:`MAX_FILE_BYTES`. Cases go to
``dev.jsonl`` or ``heldout.jsonl`` by a stable hash of their *source file* (package and path), so
no file — and no reference, which every other case of its file carries in its ``source`` — is
shared across the splits (asserted). The manifest records each case's origin (package, version,
file), licence and split. Each case also records ``repository_exceptions``: the exception classes
defined anywhere in its package (:func:`repository_exceptions`), so a raise claim of an exception
raised by a decorator or callee in a file no case carries is checked as the product checks it on
the real repository, which it sees whole.

Run with ``.venv/bin/python evals/build_dataset.py`` (``--check`` rebuilds in memory and fails
when the committed files differ, e.g. after an interpreter or package upgrade).
"""

from __future__ import annotations

import argparse
import email.parser
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import subprocess
import sys
import sysconfig
import tarfile
from collections import Counter
from pathlib import Path

from docagent.code import pyast
from docagent.code.docstrings import detect_style, majority_style
from docagent.code.targets import SourceError, Target, read_file
from docagent.store.export import source_without_docstring

OUT = Path(__file__).parent / "datasets"
MAX_FILE_BYTES = 16_000
PER_FILE = 3
MIN_DOC_CHARS = 30
HELDOUT_SHARE = 50  # percent of cases in heldout.jsonl
SKIP_DIRS = {
    "test",
    "tests",
    "__pycache__",
    "idlelib",
    "lib2to3",
    "tkinter",
    "turtledemo",
    "site-packages",
    "ensurepip",
    "pydoc_data",
    "encodings",
    "_vendor",
    "vendor",
}

#: (group, packages, style of the references to take or None for any, {kind: quota})
GROUPS: list[tuple[str, tuple[str, ...], str | None, dict[str, int]]] = [
    ("stdlib", ("stdlib",), None, {"function": 70, "method": 80, "class": 50, "module": 40}),
    ("google", ("rich", "textual"), "google", {"function": 20, "method": 30, "class": 10}),
    (
        "sphinx",
        ("git", "anyio", "docstring_parser"),
        "sphinx",
        {"function": 20, "method": 25},
    ),
    ("numpy", ("rapidfuzz",), "numpy", {"function": 30, "method": 5}),
    ("sphinx-sdist", ("click", "requests"), "sphinx", {"function": 20, "method": 20}),
    ("numpy-sdist", ("networkx",), "numpy", {"function": 80, "method": 5, "class": 5}),
    ("google-sdist", ("pydantic",), "google", {"function": 15, "method": 20, "class": 10}),
    (
        "new-2026",
        ("pydantic_handlebars", "prime_tunnel"),
        None,
        {"function": 20, "method": 20, "class": 20, "module": 5},
    ),
]
#: Sources read from pinned sdists: import name -> (distribution, version).
SDISTS = {
    "click": ("click", "8.5.1"),
    "requests": ("requests", "2.34.2"),
    "networkx": ("networkx", "3.6.1"),
    "pydantic": ("pydantic", "2.14.4"),
    "pydantic_handlebars": ("pydantic-handlebars", "0.2.1"),
    "prime_tunnel": ("prime-tunnel", "0.1.15"),
}
#: Distributions whose first release on PyPI is in 2026 (after the training data of the models
#: the project drafts with): the date of their first upload, recorded in the manifest.
FIRST_PUBLISHED = {
    "pydantic-handlebars": "2026-03-01",
    "prime-tunnel": "2026-02-01",
}
SDIST_CACHE = Path(
    os.environ.get("EVALS_SDIST_CACHE") or Path.home() / ".cache" / "docagent" / "eval-sdists"
)
_SDIST_LICENCES: dict[str, str] = {}
_SDIST_SHA256: dict[str, str] = {}
DISTRIBUTIONS = {
    "git": "GitPython",
    "rich": "rich",
    "textual": "textual",
    "anyio": "anyio",
    "docstring_parser": "docstring_parser",
    "rapidfuzz": "rapidfuzz",
}


def _h(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16)


def sdist_root(name: str) -> tuple[Path, str, str]:
    """Fetch (once) and unpack a pinned sdist; return ``(case path root, dist, version)``."""
    dist, version = SDISTS[name]
    stem = f"{dist.replace('-', '_')}-{version}"
    unpacked = SDIST_CACHE / stem
    tarball = SDIST_CACHE / f"{stem}.tar.gz"
    if not unpacked.is_dir():
        SDIST_CACHE.mkdir(parents=True, exist_ok=True)
        if not tarball.is_file():
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
            done = subprocess.run(
                [*cmd, f"{dist}=={version}", "-d", str(SDIST_CACHE)],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0 or not tarball.is_file():
                raise SystemExit(f"build_dataset: cannot fetch {dist}=={version}: {done.stderr}")
        with tarfile.open(tarball) as tf:
            tf.extractall(SDIST_CACHE, filter="data")
    info = email.parser.Parser().parsestr((unpacked / "PKG-INFO").read_text("utf-8"))
    _SDIST_LICENCES[dist] = (info.get("License-Expression") or info.get("License") or "").strip()
    _SDIST_SHA256[dist] = hashlib.sha256(tarball.read_bytes()).hexdigest()
    base = unpacked / "src" if (unpacked / "src" / name).is_dir() else unpacked
    return base, dist, version


def licence(origin: str) -> str:
    """The SPDX licence of a source: the stdlib's PSF licence, else the package metadata's."""
    if origin == "cpython":
        return "PSF-2.0"
    if origin in _SDIST_LICENCES:
        return _SDIST_LICENCES[origin] or "unknown"
    meta = importlib.metadata.metadata(origin)
    expression = meta.get("License-Expression") or meta.get("License") or ""
    if expression and len(expression) < 40:
        return expression.strip()
    for c in meta.get_all("Classifier") or []:
        if c.startswith("License :: OSI Approved :: "):
            return c.rsplit(":: ", 1)[-1]
    return "unknown"


def split_of(case: dict) -> str:
    """``heldout`` or ``dev`` by a stable hash of the case's source file (package and path)."""
    package = case["origin"].rsplit(" ", 1)[0]
    return "heldout" if _h(f"split:{package}/{case['path']}") % 100 < HELDOUT_SHARE else "dev"


def assert_disjoint(splits: dict[str, list[dict]]) -> None:
    """Fail the build when a source file has cases in two splits (a reference would leak)."""
    owner: dict[tuple[str, str], str] = {}
    for split, cases in splits.items():
        for c in cases:
            key = (c["origin"].rsplit(" ", 1)[0], c["path"])
            if owner.setdefault(key, split) != split:
                raise SystemExit(f"build_dataset: {key[0]}/{key[1]} is in {owner[key]} and {split}")


def package_root(name: str) -> tuple[Path, str, str]:
    """``(directory whose subpaths are case paths, origin label, version)`` of a source."""
    if name == "stdlib":
        version = platform.python_version()
        return Path(sysconfig.get_paths()["stdlib"]), "cpython", version
    if name in SDISTS:
        return sdist_root(name)
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"build_dataset: package {name!r} is not installed")
    pkg_dir = Path(next(iter(spec.submodule_search_locations)))
    dist = DISTRIBUTIONS.get(name, name)
    return pkg_dir.parent, dist, importlib.metadata.version(dist)


def source_files(name: str, base: Path) -> list[Path]:
    """The package's (or stdlib's) Python files in sorted order, skipping tests and vendored code.

    For the standard library only top-level modules and one package level are taken.
    """
    top = base if name == "stdlib" else base / name
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        here = Path(dirpath)
        if name == "stdlib" and here != top and here.parent != top:
            continue
        out.extend(here / f for f in sorted(filenames) if f.endswith(".py"))
    return sorted(out)


def candidates(
    name: str, base: Path, origin: str, version: str, want_style: str | None
) -> list[dict]:
    """Every eligible case of one source (public, documented, in a small enough file)."""
    out: list[dict] = []
    for path in source_files(name, base):
        if path.stat().st_size > MAX_FILE_BYTES:
            continue
        rel = path.relative_to(base).as_posix()
        try:
            facts = read_file(str(path), rel)
        except SourceError:
            continue
        docs = [t.docstring.text for t in facts.targets if t.docstring]
        file_style = majority_style(docs, default="pep257")
        for t in facts.targets:
            if not t.public or t.docstring is None or len(t.docstring.text) < MIN_DOC_CHARS:
                continue
            ref_style = detect_style(t.docstring.text)
            if want_style is not None and ref_style != want_style:
                continue
            case = make_case(facts.text, rel, t, origin, version, want_style or file_style)
            if case is not None:
                out.append(case)
    return out


def repository_exceptions(name: str, base: Path) -> list[str]:
    """The exception classes defined in a source's files, sorted.

    A class is an exception when a base's last name is a builtin exception, ends in ``Error``,
    ``Exception`` or ``Warning``, or is (transitively) another exception class of the source.
    """
    import ast
    import builtins

    bases: dict[str, set[str]] = {}
    for path in source_files(name, base):
        try:
            tree = pyast.parse(path.read_text("utf-8"), quiet=True)
        except (SyntaxError, ValueError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases
                )
    known = {
        n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)
    }
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for cls, parents in bases.items():
            if cls in found:
                continue
            if any(p in known or p in found or p.endswith(_EXC_SUFFIXES) for p in parents):
                found.add(cls)
                changed = True
    return sorted(found)


_EXC_SUFFIXES = ("Error", "Exception", "Warning")


def make_case(text: str, rel: str, t: Target, origin: str, version: str, style: str) -> dict | None:
    """Build one case; None when removing the docstring does not leave a clean source."""
    assert t.docstring is not None
    source = source_without_docstring(text, t.docstring.start_byte, t.docstring.end_byte)
    try:
        check = read_file(rel, rel, source.encode("utf-8")).target(t.qualname)
    except SourceError:
        return None
    if check is None or check.docstring is not None or check.kind != t.kind:
        return None
    tags = [t.kind, style, origin]
    if t.yields:
        tags.append("generator")
    if t.raises:
        tags.append("raises")
    if t.is_async:
        tags.append("async")
    if origin in FIRST_PUBLISHED:
        tags.append(f"published:{FIRST_PUBLISHED[origin][:4]}")
    return {
        "id": f"{origin}/{rel}::{t.qualname}",
        "path": rel,
        "qualname": t.qualname,
        "kind": t.kind,
        "source": source,
        "reference": t.docstring.text,
        "style": style,
        "tags": tags,
        "origin": f"{origin} {version}",
    }


def select(cases: list[dict], quotas: dict[str, int]) -> list[dict]:
    """Take up to ``quotas[kind]`` cases per kind, in hash order, at most PER_FILE per file."""
    per_file: Counter[str] = Counter()
    taken: Counter[str] = Counter()
    out = []
    for case in sorted(cases, key=lambda c: (_h(c["id"]), c["id"])):
        kind = case["kind"]
        key = case["origin"] + case["path"]
        if taken[kind] >= quotas.get(kind, 0) or per_file[key] >= PER_FILE:
            continue
        taken[kind] += 1
        per_file[key] += 1
        out.append(case)
    return out


def build() -> tuple[dict[str, list[dict]], dict]:
    """Build both splits and the manifest (nothing is written)."""
    chosen: list[dict] = []
    versions: dict[str, str] = {}
    for group, packages, want, quotas in GROUPS:
        pool: list[dict] = []
        for name in packages:
            base, origin, version = package_root(name)
            versions[origin] = version
            found = candidates(name, base, origin, version, want)
            exceptions = repository_exceptions(name, base)
            for c in found:
                c["repository_exceptions"] = exceptions
            pool.extend(found)
        picked = select(pool, quotas)
        for c in picked:
            c["tags"].append(f"group:{group}")
        chosen.extend(picked)
    chosen.sort(key=lambda c: c["id"])
    splits: dict[str, list[dict]] = {"dev": [], "heldout": []}
    for c in chosen:
        splits[split_of(c)].append(c)
    assert_disjoint(splits)
    manifest = {
        "builder": "evals/build_dataset.py",
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "sources": dict(sorted(versions.items())),
        "licences": {o: licence(o) for o in sorted(versions)},
        "sdists": {
            d: {"version": versions[d], "sha256": _SDIST_SHA256[d]}
            | ({"first_published": FIRST_PUBLISHED[d]} if d in FIRST_PUBLISHED else {})
            for d in sorted(_SDIST_SHA256)
        },
        "split_by": "source file (package and path)",
        "splits": {},
        "cases": {},
    }
    for split, cases in splits.items():
        for c in cases:
            package, version = c["origin"].rsplit(" ", 1)
            manifest["cases"][c["id"]] = {
                "package": package,
                "version": version,
                "file": c["path"],
                "licence": manifest["licences"][package],
                "split": split,
            }
            if package in FIRST_PUBLISHED:
                manifest["cases"][c["id"]]["first_published"] = FIRST_PUBLISHED[package]
    for split, cases in splits.items():
        text = _jsonl(cases)
        manifest["splits"][split] = {
            "file": f"evals/datasets/{split}.jsonl",
            "cases": len(cases),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "kinds": dict(sorted(Counter(c["kind"] for c in cases).items())),
            "styles": dict(sorted(Counter(c["style"] for c in cases).items())),
            "origins": dict(sorted(Counter(c["origin"] for c in cases).items())),
        }
    manifest["cases"] = dict(sorted(manifest["cases"].items()))
    return splits, manifest


def _jsonl(cases: list[dict]) -> str:
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, verify) evals/datasets/{dev,heldout}.jsonl and the manifest."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the files would change")
    args = parser.parse_args(argv)
    splits, manifest = build()
    files = {OUT / f"{s}.jsonl": _jsonl(c) for s, c in splits.items()}
    files[OUT / "manifest.json"] = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    if args.check:
        stale = [p for p, text in files.items() if not p.is_file() or p.read_text("utf-8") != text]
        for p in stale:
            print(f"build_dataset: {p} differs from a fresh build", file=sys.stderr)
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for p, text in files.items():
        p.write_text(text, encoding="utf-8")
    total = sum(len(c) for c in splits.values())
    print(
        f"build_dataset: {total} cases "
        + ", ".join(f"{s} {len(c)}" for s, c in splits.items())
        + f" -> {OUT}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
