"""Benchmark recording drafts in the decision log: what the process that holds the log pays.

Run: ``.venv/bin/python benchmarks/record.py [--files N] [--rounds R] [--baseline-src DIR]``

The first ``--files`` files of the standard library (default 100) are copied into a temporary
git repository, and an offline ``batch --out`` runs on them in a fresh process, which keeps
every draft it records (the ``Draft`` and its ``DraftRecord``). The same process then records
those drafts again, three times each on a fresh log, and reports the least time per draft (CPU
and wall) of each of the following; ``--rounds`` such processes per version, alternating with
the other version, give the medians printed:

- ``record``: ``Store.record_draft`` of each record, as a run in one process does (the record
  prepared and written);
- ``prepare``: ``prepare_draft`` alone — what can run where the draft is made (another
  process) — and ``write prepared``: ``Store.record_draft`` of each prepared draft, what the
  process that holds the log then pays; ``write grouped``: ``Store.record_drafts`` of 8
  prepared drafts at a time (one transaction), for drafts that arrive together;
- ``out record``: building each draft's ``--out`` record and appending it to a file
  (``batch._proposal`` and ``append_proposal``);

plus the log's size per draft. ``--baseline-src DIR`` runs another version (say ``git archive
main`` unpacked) side by side and prints the ratios; a version without ``prepare_draft`` shows
only ``record`` and ``out record``. Compare ratios, not seconds: the machine may be loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = r"""
import json, os, shutil, sys, tempfile, time
from pathlib import Path
repo, work, rounds = Path(sys.argv[1]), Path(sys.argv[2]), 3
os.environ["DOCAGENT_DB"] = str(work / "first.db")
from docagent import batch
from docagent.session import recording
from docagent.store import Store
from docagent.proposals import append_proposal
got = []
real = recording.Recording.record_paid
def keeping(self, draft, record):
    got.append((draft, record))
    return real(self, draft, record)
recording.Recording.record_paid = keeping
batch.run_batch(str(repo), provider="offline", out=str(work / "first.jsonl"), progress=False,
                quiet=True)
try:
    from docagent.store import prepare_draft
except ImportError:
    prepare_draft = None
n = len(got)
rows = {}
def timed(name, fn):
    cpu, wall = [], []
    for r in range(rounds):
        d = Path(tempfile.mkdtemp(dir=work))
        store = Store(d / "log.db")
        run = store.start_run("batch", "offline", "offline-2", "p1")
        arg = fn("setup", store, run, d)
        c, w = time.process_time(), time.perf_counter()
        fn(arg, store, run, d)
        cpu.append((time.process_time() - c) * 1000 / n)
        wall.append((time.perf_counter() - w) * 1000 / n)
        store.close()
        size = sum(p.stat().st_size for p in d.glob("log.db*"))
        shutil.rmtree(d)
    rows[name + " ms CPU"] = min(cpu)  # the least disturbed of three fresh logs
    rows[name + " ms wall"] = min(wall)
    return size
def record(arg, store, run, d):
    if arg == "setup":
        return None
    for _, rec in got:
        store.record_draft(run, rec)
rows["log KB per draft"] = timed("record", record) / 1024 / n
if prepare_draft is not None:
    def prepare(arg, store, run, d):
        if arg == "setup":
            return None
        for _, rec in got:
            prepare_draft(rec)
    timed("prepare", prepare)
    def write(arg, store, run, d):
        if arg == "setup":
            return [prepare_draft(rec) for _, rec in got]
        for p in arg:
            store.record_draft(run, p)
    timed("write prepared", write)
    def grouped(arg, store, run, d):
        if arg == "setup":
            return [prepare_draft(rec) for _, rec in got]
        for i in range(0, len(arg), 8):
            store.record_drafts(run, arg[i : i + 8])
    timed("write grouped", grouped)
def out(arg, store, run, d):
    if arg == "setup":
        return None
    path = d / "out.jsonl"
    for draft, _ in got:
        append_proposal(path, batch._proposal(draft, "proposed"), sync=False)
timed("out record", out)
rows["drafts"] = n
print(json.dumps(rows))
"""


def _child(src: Path | None, repo: Path, work: Path) -> dict[str, float]:
    env = dict(os.environ)
    env.pop("ANTHROPIC_API_KEY", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    work.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(repo), str(work)],
        cwd=work,  # not this checkout: ``-c`` puts the working directory first on sys.path
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"the run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    """Run the benchmark and print the table (and the ratios against a baseline)."""
    sys.path.insert(0, str(HERE))
    from batch_offline import copy_stdlib

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100, help="the first N stdlib files")
    parser.add_argument("--baseline-src", type=Path, help="another docagent source tree")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per version")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "stdlib"
        repo.mkdir()
        files = copy_stdlib(repo, args.files)
        versions: list[tuple[str, Path | None]] = [("this", None)]
        if args.baseline_src is not None:
            versions.insert(0, ("baseline", args.baseline_src.resolve()))
        runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in versions}
        for i in range(max(1, args.rounds)):
            order = versions if i % 2 == 0 else versions[::-1]  # alternate who goes first
            for name, src in order:
                runs[name].append(_child(src, repo, Path(tmp) / f"{name}{i}"))
        results = {
            name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
            for name, rs in runs.items()
        }
    names = [n for n, _ in versions]
    drafts = int(results["this"]["drafts"])
    print(
        f"standard library: {files} files, {drafts} drafts; medians of {args.rounds} alternating"
        " runs, each the least of three fresh logs"
    )
    header = f"{'per draft':28s}" + "".join(f"{n:>12s}" for n in names)
    if len(names) == 2:
        header += f"{'this/base':>12s}"
    print(header)
    keys = [k for k in dict.fromkeys(k for r in results.values() for k in r) if k != "drafts"]
    for key in keys:
        vals = [results[n].get(key) for n in names]
        line = f"{key:28s}" + "".join(
            f"{v:12.3f}" if v is not None else f"{'-':>12s}" for v in vals
        )
        if len(vals) == 2 and vals[0] and vals[1] is not None:
            line += f"{vals[1] / vals[0]:12.2f}"
        print(line)
    this = results["this"]
    if "write prepared ms CPU" in this:
        base = results.get("baseline", this)["record ms CPU"]
        print(
            f"the process that holds the log, per draft (CPU): {base:.3f} ms recording "
            f"(baseline) -> {this['write prepared ms CPU']:.3f} ms writing a prepared draft, "
            f"{this['write grouped ms CPU']:.3f} ms in groups of 8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
