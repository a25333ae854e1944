"""Benchmark ``docagent scan`` against interrogate and ruff on the standard library.

Run: ``.venv/bin/python benchmarks/scan.py [--rounds N]``

The running interpreter's standard library is copied into a temporary git repository. The tools
run alternately, each round in the same order, and the medians are compared:

- cold: ``docagent scan --json`` with no cache (``.docagent/`` removed) vs ``interrogate``
  (target: at least 3x faster, while docagent also checks staleness);
- warm: ``docagent scan --json`` on the unchanged repository vs ``ruff check --select D
  --no-cache`` (target: at least 2x faster).

``--since`` times a narrowed scan instead: ``docagent scan TREE --since HEAD --json`` run from
outside a tree of ``--copies`` copies of the standard library (without its ``test`` package; 4
copies: 3,880 files) with one file changed after the commit (target: 100 ms). It prints the
medians of wall time and of CPU time (the process and its ``git`` children) over ``--rounds``
alternating runs, the ``git`` processes one run starts, and the floors: ``python -c pass`` and
``python -c "import tree_sitter, tree_sitter_python"``. ``--baseline-src DIR`` (another docagent
source tree, for example ``git archive main`` unpacked) runs that version alternately in the same
invocation and prints it side by side, with the ratios; both must print the same JSON.
``PYTHONDONTWRITEBYTECODE`` is unset for the runs (start-up without ``.pyc`` files is not what
a user sees).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _copy_stdlib(dest: Path, copies: int = 0) -> int:
    """Copy the standard library into a new git repository at ``dest`` and commit it.

    ``copies`` > 0 makes that many copies (``copy0/``, ``copy1/``, ...) without the ``test``
    package; 0 copies it once, whole, at the top.
    """
    src = Path(sysconfig.get_paths()["stdlib"])
    skip = ("site-packages", "__pycache__") + (("test",) if copies else ())
    count = 0
    for path in src.rglob("*.py"):
        rel = path.relative_to(src)
        if rel.parts[0] in skip or "__pycache__" in rel.parts:
            continue
        for i in range(copies) if copies else [None]:
            target = dest / rel if i is None else dest / f"copy{i}" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            count += 1
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "stdlib"],
        cwd=dest,
        check=True,
    )
    return count


def _time(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _env(src: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    else:
        env.pop("PYTHONPATH", None)
    return env


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``cmd``: wall time, CPU time of it and its children (s), and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def _git_processes(cmd: list[str], cwd: Path, env: dict[str, str], tmp: Path) -> int:
    """How many ``git`` processes one run of ``cmd`` starts (a ``git`` first on PATH counts)."""
    shim = tmp / "shim"
    shim.mkdir(exist_ok=True)
    log = tmp / "git-calls"
    log.write_text("")
    real = shutil.which("git")
    script = shim / "git"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    env = {**env, "PATH": f"{shim}{os.pathsep}{env.get('PATH', '')}"}
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True)
    return len(log.read_text().splitlines())


def since_main(args: argparse.Namespace) -> int:
    """``--since``: a narrowed scan of one changed file, this version and ``--baseline-src``."""
    versions: list[tuple[str, Path | None]] = [("this", None)]
    if args.baseline_src is not None:
        versions.insert(0, ("baseline", args.baseline_src.resolve()))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        tree = tmp / "tree"
        tree.mkdir()
        files = _copy_stdlib(tree, args.copies)
        changed = tree / "copy0" / "json" / "decoder.py"
        changed.write_text(changed.read_text() + "\n\ndef added(x):\n    return x\n")
        scan = [str(BIN / "docagent"), "scan", str(tree), "--since", "HEAD", "--json"]
        floors = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import tree_sitter, tree_sitter_python": [
                sys.executable,
                "-c",
                "import tree_sitter, tree_sitter_python",
            ],
        }
        outputs = {name: _timed(scan, tmp, _env(src))[2] for name, src in versions}  # warm-up
        if len(set(outputs.values())) != 1:
            print("the versions print different JSON", file=sys.stderr)
            return 1
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in [*dict(versions), *floors]}
        for _ in range(args.rounds):
            for name, src in versions:
                runs[name].append(_timed(scan, tmp, _env(src))[:2])
            for name, cmd in floors.items():
                runs[name].append(_timed(cmd, tmp, _env(None))[:2])
        gits = {name: _git_processes(scan, tmp, _env(src), tmp) for name, src in versions}
    med = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for k, v in runs.items()
    }
    print(
        f"scan --since HEAD --json, one changed file of {files} ({args.copies} copies of the "
        f"standard library), {args.rounds} alternating rounds, medians; load "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"  {'':40s} {'wall ms':>8s} {'CPU ms':>8s} {'git':>4s}")
    for name, (wall, cpu) in med.items():
        label = f"docagent ({name})" if name in gits else name
        git = f"{gits[name]:4d}" if name in gits else ""
        print(f"  {label:40s} {wall * 1000:8.1f} {cpu * 1000:8.1f} {git}")
    if "baseline" in med:
        (bw, bc), (tw, tc) = med["baseline"], med["this"]
        print(f"this / baseline: wall {tw / bw:.2f}, CPU {tc / bc:.2f}")
    print(f"CPU of this version: {med['this'][1] * 1000:.0f} ms (target <= 100 ms)")
    return 0


def main() -> int:
    """Run the benchmark and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--since", action="store_true", help="time a narrowed scan instead")
    parser.add_argument("--copies", type=int, default=4, help="with --since: stdlib copies")
    parser.add_argument("--baseline-src", type=Path, help="with --since: another source tree")
    args = parser.parse_args()
    if args.since:
        return since_main(args)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "stdlib"
        repo.mkdir()
        files = _copy_stdlib(repo)
        docagent = [str(BIN / "docagent"), "scan", "--json"]
        runs: dict[str, list[float]] = {k: [] for k in ("interrogate", "ruff", "cold", "warm")}
        for _ in range(args.rounds):
            runs["interrogate"].append(_time([str(BIN / "interrogate"), "-q", "."], repo))
            runs["ruff"].append(
                _time(
                    [str(BIN / "ruff"), "check", "--select", "D", "--no-cache", "--exit-zero"],
                    repo,
                )
            )
            shutil.rmtree(repo / ".docagent", ignore_errors=True)
            runs["cold"].append(_time(docagent, repo))
            runs["warm"].append(_time(docagent, repo))
        med = {k: statistics.median(v) for k, v in runs.items()}
        print(f"standard library: {files} files, {args.rounds} rounds (medians)")
        for name, label in (
            ("interrogate", "interrogate"),
            ("ruff", "ruff check --select D --no-cache"),
            ("cold", "docagent scan --json (cold, no cache)"),
            ("warm", "docagent scan --json (warm)"),
        ):
            print(f"  {label:40s} {med[name]:7.3f} s")
        cold_ratio = med["interrogate"] / med["cold"]
        warm_ratio = med["ruff"] / med["warm"]
        print(f"cold: {cold_ratio:.2f}x faster than interrogate (target >= 3x)")
        print(f"warm: {warm_ratio:.2f}x faster than ruff uncached (target >= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
