"""Benchmark ``docagent apply``: ~1,600 docstrings across 40 standard-library files.

Run ``python benchmarks/apply.py`` (from the repository, with docagent installed). It copies 40
modules of the running interpreter's standard library into a temporary git repository, strips
their docstrings with the edit engine, writes proposals with the original texts (with
``code_sha``), and times:

- a cold scan of the same files (``docagent.scan.scan_files`` without the cache, one process
  and the default worker pool),
- ``apply_proposals`` with ``--dry-run`` semantics (plan, verify, diff; nothing written),
- ``apply_proposals`` writing the files (plan, verify, atomic write per file),

then checks that every docstring came back exactly and prints the numbers.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from docagent.apply import apply_proposals
from docagent.code.edit import remove_docstrings
from docagent.code.targets import code_shas, read_file, strip_docstrings
from docagent.proposals import Proposal

MODULES = [
    "argparse.py", "ast.py", "calendar.py", "collections/__init__.py", "configparser.py",
    "contextlib.py", "csv.py", "dataclasses.py", "datetime.py", "difflib.py",
    "email/message.py", "enum.py", "fractions.py", "ftplib.py", "functools.py", "gettext.py",
    "heapq.py", "http/client.py", "http/cookiejar.py", "imaplib.py", "ipaddress.py",
    "logging/handlers.py", "optparse.py", "pathlib.py", "pickle.py", "pstats.py", "shutil.py",
    "smtplib.py", "socket.py", "statistics.py", "subprocess.py", "textwrap.py", "threading.py",
    "unittest/case.py", "urllib/request.py", "zipfile.py", "asyncio/events.py", "random.py",
    "string.py", "weakref.py",
]  # fmt: skip


def prepare(root: Path) -> tuple[dict[str, bytes], list[Proposal]]:
    """Write stripped copies under ``root/lib``; return the originals and the proposals."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    originals: dict[str, bytes] = {}
    proposals: list[Proposal] = []
    for rel in MODULES:
        src = stdlib / rel
        if not src.is_file():
            continue
        data = src.read_bytes()
        repo_rel = f"lib/{rel}"
        facts = read_file(str(src), repo_rel, data)
        shas = code_shas(facts)
        text, removed = remove_docstrings(facts)
        dest = root / repo_rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(text.encode(facts.encoding))
        originals[repo_rel] = data
        for q in removed:
            t = facts.target(q)
            assert t is not None and t.docstring is not None
            proposals.append(
                Proposal(repo_rel, q, t.docstring.text, kind=t.kind, status="accepted",
                         code_sha=shas[q])
            )  # fmt: skip
    return originals, proposals


def _shape(data: bytes) -> tuple[list[str | None], str]:
    tree = ast.parse(data)
    docs = [ast.get_docstring(tree)] + [
        ast.get_docstring(n)
        for n in ast.walk(tree)
        if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    return docs, ast.dump(strip_docstrings(tree))


def _timed(fn):  # noqa: ANN001, ANN202 - tiny helper
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the numbers; exit 1 when a docstring did not come back."""
    import argparse

    from docagent.scan import scan_files

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best time is shown")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="docagent-bench-"))
    try:
        root = tmp / "repo"
        root.mkdir()
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        originals, proposals = prepare(root)
        paths = sorted(originals)
        stripped = {p: (root / p).read_bytes() for p in paths}
        size = sum(len(b) for b in stripped.values())
        times: dict[str, list[float]] = {"scan1": [], "scan": [], "dry": [], "apply": []}
        for _ in range(max(1, args.repeat)):
            for p, data in stripped.items():
                (root / p).write_bytes(data)
            (_, errors), t = _timed(lambda: scan_files(root, paths, use_cache=False, workers=1))
            assert not errors, errors
            times["scan1"].append(t)
            times["scan"].append(_timed(lambda: scan_files(root, paths, use_cache=False))[1])
            dry, t = _timed(lambda: apply_proposals(root, proposals, dry_run=True))
            times["dry"].append(t)
            report, t = _timed(lambda: apply_proposals(root, proposals))
            times["apply"].append(t)

        best = {k: min(v) for k, v in times.items()}
        bad = [p for p in paths if _shape((root / p).read_bytes()) != _shape(originals[p])]
        n = len(proposals)
        per = {k: 1000 * best[k] / n for k in ("dry", "apply")}
        print(f"files: {len(paths)}  ({size / 1e6:.2f} MB after stripping)")
        print(f"docstrings: {n}   (best of {max(1, args.repeat)} runs)")
        print(f"cold scan, 1 process:          {best['scan1']:7.2f} s")
        print(f"cold scan, default workers:    {best['scan']:7.2f} s")
        print(
            f"apply --dry-run (plan+verify): {best['dry']:7.2f} s  ({per['dry']:.2f} ms/docstring)"
        )
        apply_s = best["apply"]
        print(f"apply (plan+verify+write):     {apply_s:7.2f} s  ({per['apply']:.2f} ms/docstring)")
        print("ratios to the cold scan of the same files (goal: both <= 2x):")
        print(f"  apply --dry-run / cold scan (1 process): {best['dry'] / best['scan1']:7.1f}x")
        print(f"  apply / cold scan (1 process):           {best['apply'] / best['scan1']:7.1f}x")
        print(
            f"outcomes: applied {len(report.applied)}, skipped {len(report.skipped)}, "
            f"refused {len(report.refused)}; dry run would apply {len(dry.applied)}"
        )
        print(f"restored exactly: {len(paths) - len(bad)}/{len(paths)} files")
        return 0 if not bad and len(report.applied) == n else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
