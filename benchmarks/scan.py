"""Benchmark ``docagent scan`` against interrogate and ruff on the standard library.

Run: ``.venv/bin/python benchmarks/scan.py [--rounds N]``

The running interpreter's standard library is copied into a temporary git repository. The tools
run alternately, each round in the same order, and the medians are compared:

- cold: ``docagent scan --json`` with no cache (``.docagent/`` removed) vs ``interrogate``
  (target: at least 3x faster, while docagent also checks staleness);
- warm: ``docagent scan --json`` on the unchanged repository vs ``ruff check --select D
  --no-cache`` (target: at least 2x faster).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _copy_stdlib(dest: Path) -> int:
    src = Path(sysconfig.get_paths()["stdlib"])
    count = 0
    for path in src.rglob("*.py"):
        rel = path.relative_to(src)
        if rel.parts[0] in ("site-packages", "__pycache__") or "__pycache__" in rel.parts:
            continue
        target = dest / rel
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


def main() -> int:
    """Run the benchmark and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
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
