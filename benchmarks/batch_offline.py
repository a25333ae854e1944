"""Benchmark offline ``docagent batch`` on the standard library: targets/s and where time goes.

Run: ``.venv/bin/python benchmarks/batch_offline.py [--files N] [--baseline-src DIR]``

The running interpreter's standard library (without ``test/`` and ``site-packages``; the first
``--files`` files in path order when given) is copied into a temporary git repository, and
``docagent batch --provider offline --out`` runs on it in a fresh process with a fresh decision
log. Printed per run:

- targets/s of the whole run and a per-phase breakdown (scan: the scan, whose workers read
  the files for drafting too, in versions that scan before prepare, and meanwhile Python's
  parse of the files in versions that parse then; prepare: scan (older versions), reading and
  parsing the files, symbol index; "scan + prepare": both, where a version moved work between
  them;
  order: the reuse lookup and callees-first ordering of what is drafted (in prepare in older
  versions); estimate; drafting; close) — goal: >= 400 targets/s on the whole standard library;
  the CPU time of the run (its scan workers included) and of each phase (the main process
  only: a scan's workers are not in ``prepare``), which a loaded machine changes less than
  wall time;
- the decision log's size per draft — goal: <= 4 KB;
- a second ``batch`` with nothing left to do (every draft reused) against a warm ``scan`` of the
  same tree, time and peak memory (the process's own: ``VmHWM`` where Linux gives it, since
  ``ru_maxrss`` also counts this benchmark's memory at the spawn when it was larger) — goal:
  within 2x of the warm scan, memory flat in history; and a third, which must write the same
  proposals (both re-runs replay the last run's record when it has one:
  ``docagent/batch_rerun.py``);
- with ``--baseline-src``, whether both versions wrote the same proposals (each run's file as a
  set of records and line by line; a run now leaves its records in file order).

``--baseline-src DIR`` (a checkout of another docagent version, for example ``git archive main``
unpacked) runs the same measurements with that version in the same invocation and prints the
two side by side with their ratios: the machine may be loaded, so compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: runs inside the measured process: phases are timed by wrapping the functions batch calls
_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from docagent import batch, session
phases = {}
cpu = {}
def timed(owner, name, label):
    fn = getattr(owner, name)
    if getattr(fn, "__code__", None) is not None and fn.__code__.co_flags & 0x80:
        async def wrapper(*a, **k):
            s, c = time.perf_counter(), time.process_time()
            try:
                return await fn(*a, **k)
            finally:
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - s
                cpu[label] = cpu.get(label, 0.0) + time.process_time() - c
    else:
        def wrapper(*a, **k):
            s, c = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **k)
            finally:
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - s
                cpu[label] = cpu.get(label, 0.0) + time.process_time() - c
    setattr(owner, name, wrapper)
if hasattr(session.Session, "scan_work"):  # batch scans before prepare (prepare: what follows)
    timed(session.Session, "scan_work", "scan")
timed(session.Session, "prepare", "prepare")
timed(batch, "estimate", "estimate")
if hasattr(batch, "_order"):  # batch orders only what it drafts, outside prepare
    timed(batch, "_order", "order")
timed(batch._Runner, "run", "drafting")
timed(session.Session, "close", "close")
mode = sys.argv[1]
if mode == "scan":
    from docagent.scan import scan
    s = time.perf_counter()
    scan(sys.argv[2])
    out = {"seconds": time.perf_counter() - s}
else:
    s = time.perf_counter()
    summary = batch.run_batch(sys.argv[2], provider="offline", out=sys.argv[3],
                              progress=False, quiet=True)
    out = {"seconds": time.perf_counter() - s, "targets": summary["targets"],
           "drafted": summary["drafted"], "reused": summary["reused"],
           "failed": summary["failed"], "phases": phases, "cpu": cpu}
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
out["cpu_s"] = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
# This process's own peak (VmHWM): ru_maxrss also counts the benchmark process's memory when
# it was larger at the spawn (Linux keeps the high-water mark across exec).
try:
    with open("/proc/self/status") as fh:
        hwm = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
    out["maxrss_mib"] = hwm / 1024
except (OSError, StopIteration, ValueError):
    out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def copy_stdlib(dest: Path, limit: int = 0) -> int:
    """Copy the standard library's ``.py`` files (no tests) into a new git repository."""
    src = Path(sysconfig.get_paths()["stdlib"])
    paths = sorted(
        p
        for p in src.rglob("*.py")
        if p.relative_to(src).parts[0] not in ("test", "site-packages")
        and "__pycache__" not in p.parts
    )
    if limit:
        paths = paths[:limit]
    for path in paths:
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    git = ["git", "-c", "user.name=b", "-c", "user.email=b@b"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=dest, check=True)
    subprocess.run([*git, "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-qm", "stdlib"], cwd=dest, check=True)
    return len(paths)


def _child(src: Path | None, mode: str, repo: Path, db: Path, out: Path) -> dict:
    env = dict(os.environ, DOCAGENT_DB=str(db))
    env.pop("ANTHROPIC_API_KEY", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(repo), str(out)],
        cwd=db.parent,  # not this checkout: ``-c`` puts the working directory first on sys.path
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(src: Path | None, repo: Path, work: Path) -> dict:
    """One version's figures: first batch, its log size, a no-op re-run and a warm scan."""
    work.mkdir(parents=True, exist_ok=True)
    db, out = work / "docagent.db", work / "proposals.jsonl"
    shutil.rmtree(repo / ".docagent", ignore_errors=True)
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
    first = _child(src, "batch", repo, db, out)
    drafted = _proposals(out)
    log_bytes = sum(p.stat().st_size for p in work.glob("docagent.db*"))
    again = _child(src, "batch", repo, db, out)
    reused = _proposals(out)
    third = _child(src, "batch", repo, db, out)
    if _proposals(out) != reused:
        raise SystemExit("the second re-run wrote other proposals than the first")
    warm = _child(src, "scan", repo, db, out)
    return {
        "first": first,
        "log_bytes": log_bytes,
        "again": again,
        "third": third,
        "warm": warm,
        "proposals": (drafted, reused),
    }


def _proposals(out: Path) -> list[str]:
    """The ``--out`` records in file order, without their draft ids (new for every log)."""
    rows = []
    for line in out.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            record.pop("draft_id", None)
            rows.append(json.dumps(record, sort_keys=True))
    return rows


def _rows(m: dict) -> dict[str, float]:
    first, again, warm = m["first"], m["again"], m["warm"]
    rows = {
        "targets": first["targets"],
        "batch seconds": first["seconds"],
        "targets/s": first["targets"] / first["seconds"],
    }
    for name, seconds in sorted(first["phases"].items()):
        rows[f"  phase {name} s"] = seconds
    if "scan" in first["phases"]:
        rows["  scan + prepare s"] = first["phases"]["scan"] + first["phases"]["prepare"]
    if "cpu_s" in first:  # CPU time: what a loaded machine changes least
        rows["batch CPU s (with workers)"] = first["cpu_s"]
        for name, seconds in sorted(first.get("cpu", {}).items()):
            rows[f"  phase {name} CPU s"] = seconds
        if "scan" in first.get("cpu", {}):
            rows["  scan + prepare CPU s"] = first["cpu"]["scan"] + first["cpu"]["prepare"]
    rows.update(
        {
            "batch peak MiB": first["maxrss_mib"],
            "log KB per draft": m["log_bytes"] / 1024 / max(1, first["drafted"]),
            "no-op re-run s": again["seconds"],
            "no-op re-run MiB": again["maxrss_mib"],
            "warm scan s": warm["seconds"],
            "re-run / warm scan": again["seconds"] / warm["seconds"],
            "2nd no-op re-run s": m["third"]["seconds"],
            "2nd no-op re-run MiB": m["third"]["maxrss_mib"],
            "2nd re-run / warm scan": m["third"]["seconds"] / warm["seconds"],
        }
    )
    return rows


def _compare_outputs(
    base: list[tuple[list[str], list[str]]], this: list[tuple[list[str], list[str]]]
) -> None:
    """Print whether both versions wrote the same proposals (draft ids aside), every round.

    Each run's file is compared as a set of records and line by line: a version may order the
    records differently (since the re-run work of issue 17, a run leaves its records in file
    order, as a re-run writes them; before, the drafting run left them in the order drafted).
    The first run's file of each version is also compared with the baseline's re-run (file
    order) line by line.
    """
    pairs = list(zip(base, this, strict=True))
    for n, name in ((0, "first run"), (1, "re-run")):
        same = all(sorted(b[n]) == sorted(t[n]) for b, t in pairs)
        order = all(b[n] == t[n] for b, t in pairs)
        verdict = "identical" if order else "the same records, in another order"
        print(f"proposals of the {name}, baseline vs this: {verdict if same else 'DIFFERENT'}"
              f" ({len(this[0][n])} records, {len(pairs)} round(s))")  # fmt: skip
    as_rerun = all(t[0] == b[1] for b, t in pairs)
    print(f"this version's first run = the baseline's re-run, line by line: "
          f"{'yes' if as_rerun else 'no'}")  # fmt: skip


def main() -> int:
    """Run the benchmark and print the table (and the ratios against a baseline)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=0, help="only the first N files (0: all)")
    parser.add_argument("--baseline-src", type=Path, help="another docagent source tree")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds (medians)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "stdlib"
        repo.mkdir()
        files = copy_stdlib(repo, args.files)
        versions: list[tuple[str, Path | None]] = [("this", None)]
        if args.baseline_src is not None:
            versions.insert(0, ("baseline", args.baseline_src.resolve()))
        rounds: dict[str, list[dict[str, float]]] = {name: [] for name, _ in versions}
        outputs: dict[str, list[tuple[list[str], list[str]]]] = {n: [] for n, _ in versions}
        for i in range(max(1, args.rounds)):
            order = versions if i % 2 == 0 else versions[::-1]  # alternate who goes first
            for name, src in order:
                m = measure(src, repo, Path(tmp) / f"{name}{i}")
                rounds[name].append(_rows(m))
                outputs[name].append(m["proposals"])
        results = {
            name: {k: statistics.median(r[k] for r in runs if k in r) for k in runs[0]}
            for name, runs in rounds.items()
        }
    print(f"standard library: {files} files; offline batch --out, fresh log; medians of "
          f"{max(1, args.rounds)} alternating round(s)")  # fmt: skip
    names = [n for n, _ in versions]
    header = f"{'':28s}" + "".join(f"{n:>12s}" for n in names)
    if len(names) == 2:
        header += f"{'this/base':>12s}"
    print(header)
    keys = list(dict.fromkeys(k for r in results.values() for k in r))
    for key in keys:
        vals = [results[n].get(key) for n in names]
        cells = (f"{v:12.2f}" if v is not None else f"{'-':>12s}" for v in vals)
        line = f"{key:28s}" + "".join(cells)
        if len(vals) == 2 and vals[0] and vals[1] is not None:
            line += f"{vals[1] / vals[0]:12.2f}"
        print(line)
    if len(names) == 2:
        _compare_outputs(outputs["baseline"], outputs["this"])
    this = results["this"]
    print(f"goal: >= 400 targets/s (now {this['targets/s']:.0f}); log <= 4 KB per draft "
          f"(now {this['log KB per draft']:.1f}); no-op re-run <= 2x a warm scan "
          f"(now {this['re-run / warm scan']:.1f}x; "
          f"{this['2nd re-run / warm scan']:.1f}x for the second)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
