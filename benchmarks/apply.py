"""Benchmark ``docagent apply``: ~1,600 docstrings across 40 standard-library files.

Run ``python benchmarks/apply.py`` (from the repository, with docagent installed). It copies 40
modules of the running interpreter's standard library into a temporary git repository, strips
their docstrings with the edit engine, writes proposals with the original texts (with
``code_sha``), and times:

- a cold scan of the same files (``docagent.scan.scan_files`` without the cache, one process),
- ``apply_proposals`` with ``--dry-run`` semantics (plan, verify, diff; nothing written),
- ``apply_proposals`` writing the files (plan, verify, atomic write per file),

then checks that every docstring came back exactly and prints the numbers and their ratios to
the cold scan (goal: both within 2x).

Proposals come from ``batch --out``, which also writes the facts cache
(``.docagent/facts-cache.json``: each file version's fingerprints, and where each docstring is
or goes) that ``apply`` reads for its ``code_sha`` guard and to place docstrings without a
tree-sitter read. So the scenario timed first is the real one, ``batch --out`` then
``apply``: the cache ``batch`` would leave for these files is written before the timings, by
the same library calls ``batch`` makes (``ast_facts`` of each file, ``FactsCache.add`` and
``save``; its cost is shown as "facts cache written by batch"). ``apply`` is then timed again
without that cache ("no facts cache": proposals from elsewhere, or a cache from another user).
A version that does not read the cache times the same either way.

``--batch`` also times, on the same stripped files, offline ``docagent batch --apply`` against
``docagent batch --out`` followed by ``docagent apply --all`` (fresh processes, fresh decision
logs), with each process's peak memory and CPU time (goal: within 1.5x, memory flat), and
that ``apply --all`` again on a copy without the facts cache ``batch --out`` wrote.

``--baseline-src DIR`` (another docagent source tree, for example ``git archive main``
unpacked) runs everything with that version too, alternately in the same invocation, and prints
both side by side: the machine may be loaded, so compare the ratios.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from docagent.apply_proposals import apply_proposals
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
    """``fn()``, its wall time and its CPU time (this process's: the work of one core, which a
    loaded machine slows less than the wall clock; the waits of synced writes are not in it)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, (time.perf_counter() - start, time.process_time() - cpu)


def write_facts_cache(root: Path, paths: list[str]) -> None:
    """Write the facts cache ``batch --out`` leaves for ``paths`` (the same calls: each file's
    ``ast_facts``, then ``FactsCache.add`` and ``save``)."""
    from docagent.code.astfacts import ast_facts
    from docagent.code.factscache import FactsCache

    cache = FactsCache.load(root)
    files = [read_file(str(root / p), p) for p in paths]
    for facts in files:
        ast_facts(facts)
    cache.add(files)
    cache.save()


def measure(repeat: int) -> dict[str, float]:
    """Time the cold scan, ``apply --dry-run`` and ``apply`` in this process (best of runs),
    after ``batch --out`` (its facts cache present) and without the facts cache."""
    from docagent.code.factscache import CACHE_NAME
    from docagent.scan import scan_files

    tmp = Path(tempfile.mkdtemp(prefix="docagent-bench-"))
    try:
        root = tmp / "repo"
        root.mkdir()
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        originals, proposals = prepare(root)
        paths = sorted(originals)
        stripped = {p: (root / p).read_bytes() for p in paths}
        cache = root / ".docagent" / CACHE_NAME
        aside = tmp / CACHE_NAME
        _, (cache_time, _) = _timed(lambda: write_facts_cache(root, paths))
        assert cache.is_file()
        keys = ("scan1", "dry", "apply", "dry nocache", "apply nocache")
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in keys}
        report = dry = None
        for _ in range(max(1, repeat)):
            for suffix in ("", " nocache"):
                for p, data in stripped.items():
                    (root / p).write_bytes(data)
                if suffix:
                    cache.replace(aside)
                else:
                    (_, errors), t = _timed(
                        lambda: scan_files(root, paths, use_cache=False, workers=1)
                    )
                    assert not errors, errors
                    times["scan1"].append(t)
                _forget_fingerprints()
                dry, t = _timed(lambda: apply_proposals(root, proposals, dry_run=True))
                times["dry" + suffix].append(t)
                _forget_fingerprints()  # cold: nothing kept from the dry run
                report, t = _timed(lambda: apply_proposals(root, proposals))
                times["apply" + suffix].append(t)
                if suffix:
                    aside.replace(cache)
        assert report is not None and dry is not None
        bad = [p for p in paths if _shape((root / p).read_bytes()) != _shape(originals[p])]
        best = {k: min(w for w, _ in v) for k, v in times.items()}
        best.update({k + " cpu": min(c for _, c in v) for k, v in times.items()})
        best.update(
            cache=cache_time,
            files=len(paths),
            docstrings=len(proposals),
            mb=sum(len(b) for b in stripped.values()) / 1e6,
            applied=len(report.applied),
            dry_applied=len(dry.applied),
            restored=len(paths) - len(bad),
        )
        return best
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _forget_fingerprints() -> None:
    """Drop fingerprints the edit engine keeps in memory, if this version keeps any."""
    import importlib

    for name in ("docagent.code.fingerprints", "docagent.code.edit"):  # newer, older versions
        try:
            cache = getattr(importlib.import_module(name), "_BEFORE", None)
        except ImportError:
            continue
        if cache is not None:
            cache.clear()


def _env(src: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


_PEAK_MARK = "docagent-bench-peak-mib"

# Runs the CLI and, at exit, writes the process's own peak memory (VmHWM) to stderr: ru_maxrss
# from wait4 also counts this benchmark's memory at the fork when it was larger (Linux keeps
# the high-water mark across exec), so the version measured second looked heavier.
_OWN_PEAK = f"""
import atexit, sys
def _peak():
    try:
        with open("/proc/self/status") as fh:
            kib = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return
    sys.stderr.write("\\n{_PEAK_MARK} " + str(kib / 1024) + "\\n")
    sys.stderr.flush()
atexit.register(_peak)
sys.argv[0] = "docagent"
from docagent.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Run a command; return its wall time (s), peak memory (MiB) and CPU time (s)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err[-2000:]}")
    peaks = [line for line in err.splitlines() if line.startswith(_PEAK_MARK)]
    peak = float(peaks[-1].split()[-1]) if peaks else usage.ru_maxrss / 1024
    return elapsed, peak, usage.ru_utime + usage.ru_stime


def measure_batch(src: Path | None) -> dict[str, float]:
    """``batch --apply`` against ``batch --out`` + ``apply --all`` on the stripped files."""
    tmp = Path(tempfile.mkdtemp(prefix="docagent-bench-batch-"))
    try:
        seed = tmp / "seed"
        seed.mkdir()
        prepare(seed)
        out: dict[str, float] = {}
        docagent = [sys.executable, "-c", _OWN_PEAK]
        for mode in ("apply", "out"):
            root = tmp / mode
            shutil.copytree(seed, root)
            git = ["git", "-c", "user.name=b", "-c", "user.email=b@b"]
            subprocess.run(["git", "init", "-q"], cwd=root, check=True)
            subprocess.run(["git", "add", "-A"], cwd=root, check=True)
            subprocess.run([*git, "commit", "-qm", "stripped"], cwd=root, check=True)
            env = _env(src)
            if mode == "apply":
                t, mem, cpu = _run(
                    [*docagent, "batch", ".", "--apply", "--provider", "offline"], root, env
                )
                out["batch --apply"], out["batch --apply MiB"] = t, mem
                out["batch --apply cpu"] = cpu
            else:
                props = tmp / "p.jsonl"
                t1, m1, c1 = _run(
                    [*docagent, "batch", ".", "--out", str(props), "--provider", "offline"],
                    root,
                    env,
                )
                bare = tmp / "no-facts-cache"  # the same, without the cache batch wrote
                shutil.copytree(root, bare)
                (bare / ".docagent" / "facts-cache.json").unlink(missing_ok=True)
                t2, m2, c2 = _run([*docagent, "apply", str(props), "--all"], root, env)
                t3, _, _ = _run([*docagent, "apply", str(props), "--all"], bare, env)
                out["batch --out cpu"], out["apply --all cpu"] = c1, c2
                out["batch --out"], out["apply --all"] = t1, t2
                out["apply --all, no facts cache"] = t3
                out["batch --out MiB"], out["apply --all MiB"] = m1, m2
        out["batch --apply / (out + apply)"] = out["batch --apply"] / (
            out["batch --out"] + out["apply --all"]
        )
        out["batch --apply / (out + apply), CPU"] = out["batch --apply cpu"] / (
            out["batch --out cpu"] + out["apply --all cpu"]
        )
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _child(src: Path | None, repeat: int) -> dict[str, float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--json", "--repeat", str(repeat)]
    proc = subprocess.run(cmd, env=_env(src), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the numbers; exit 1 when a docstring did not come back."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best time is shown")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds (medians)")
    parser.add_argument("--batch", action="store_true", help="also time batch --apply")
    parser.add_argument("--baseline-src", type=Path, help="another docagent source tree")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.json:
        print(json.dumps(measure(args.repeat)))
        return 0
    versions: list[tuple[str, Path | None]] = [("this", None)]
    if args.baseline_src is not None:
        versions.insert(0, ("baseline", args.baseline_src.resolve()))
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in versions}
    for _ in range(max(1, args.rounds)):
        for name, src in versions:
            row = _child(src, args.repeat)
            if args.batch:
                row.update(measure_batch(src))
            runs[name].append(row)
    med = {
        name: {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        for name, rows in runs.items()
    }
    for row in med.values():
        row["apply --dry-run / cold scan"] = row["dry"] / row["scan1"]
        row["apply / cold scan"] = row["apply"] / row["scan1"]
        row["apply --dry-run / cold scan, no cache"] = row["dry nocache"] / row["scan1"]
        row["apply / cold scan, no cache"] = row["apply nocache"] / row["scan1"]
        for key, name in (("dry", "apply --dry-run"), ("apply", "apply")):
            for suffix, label in (("", ""), (" nocache", ", no cache")):
                row[f"{name} / cold scan, CPU{label}"] = (
                    row[key + suffix + " cpu"] / row["scan1 cpu"]
                )
    first = med["this"]
    print(
        f"files: {first['files']:.0f} ({first['mb']:.2f} MB after stripping), "
        f"docstrings: {first['docstrings']:.0f}; best of {args.repeat} runs, "
        f"medians of {args.rounds} round(s)"
    )
    labels = {
        "scan1": "cold scan, 1 process (s)",
        "cache": "facts cache written by batch (s)",
        "dry": "apply --dry-run after batch (s)",
        "apply": "apply after batch (s)",
        "apply --dry-run / cold scan": "apply --dry-run / cold scan (goal <= 2)",
        "apply / cold scan": "apply / cold scan (goal <= 2)",
        "dry nocache": "apply --dry-run, no facts cache (s)",
        "apply nocache": "apply, no facts cache (s)",
        "apply --dry-run / cold scan, no cache": "apply --dry-run / cold scan, no cache",
        "apply / cold scan, no cache": "apply / cold scan, no cache",
        "apply --dry-run / cold scan, CPU": "apply --dry-run / cold scan, CPU time",
        "apply / cold scan, CPU": "apply / cold scan, CPU time",
        "apply --dry-run / cold scan, CPU, no cache": "apply --dry-run / cold scan, CPU, no cache",
        "apply / cold scan, CPU, no cache": "apply / cold scan, CPU, no cache",
        "batch --apply": "batch --apply (s)",
        "batch --out": "batch --out (s)",
        "apply --all": "apply --all after it (s)",
        "apply --all, no facts cache": "apply --all, no facts cache (s)",
        "batch --apply / (out + apply)": "batch --apply / (out + apply) (goal <= 1.5)",
        "batch --apply / (out + apply), CPU": "batch --apply / (out + apply), CPU time",
        "batch --apply cpu": "batch --apply, CPU time (s)",
        "batch --out cpu": "batch --out, CPU time (s)",
        "apply --all cpu": "apply --all, CPU time (s)",
        "batch --apply MiB": "batch --apply peak MiB",
        "batch --out MiB": "batch --out peak MiB",
        "apply --all MiB": "apply --all peak MiB",
    }
    names = list(med)
    print(
        f"{'':46s}"
        + "".join(f"{n:>12s}" for n in names)
        + ("  this/base" if len(names) > 1 else "")
    )
    for key, label in labels.items():
        if key not in first:
            continue
        cells = "".join(f"{med[n][key]:12.2f}" for n in names)
        ratio = f"  {med['this'][key] / med['baseline'][key]:9.2f}" if len(names) > 1 else ""
        print(f"{label:46s}{cells}{ratio}")
    ok = first["restored"] == first["files"] and first["applied"] == first["docstrings"]
    print(f"restored exactly: {first['restored']:.0f}/{first['files']:.0f} files")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
