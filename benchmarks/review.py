"""Benchmark the review TUI: key press to the next draft on screen, p50 and p95.

Pilot-driven: a temporary repository with N functions, a provider that takes ``--delay``
seconds per draft (the offline drafter behind a sleep, like a fast model), and a simulated
reviewer who reads each draft for ``--read`` seconds and then presses a key (accept or skip,
alternating). The time measured is from the key press to the moment the next draft is on
screen (the app's ``on_draft_shown`` hook), so it includes the decision itself (the safe edit
and the log write) and rendering, and any wait for the model that prefetching did not hide.

Usage::

    .venv/bin/python benchmarks/review.py [--decisions 50] [--delay 0.2] [--read 0.25]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from review_helpers import make_app, wait_shown  # noqa: E402


def make_repo(root: Path, n: int) -> None:
    """A git repository with ``n`` undocumented functions spread over a few files."""
    root.mkdir(parents=True)
    per_file = 20
    for f in range((n + per_file - 1) // per_file):
        funcs = [
            f"def f{f}_{i}(a: int, b: int = {i}) -> int:\n"
            f"    if a < 0:\n        raise ValueError('negative')\n    return a * b + {i}\n"
            for i in range(min(per_file, n - f * per_file))
        ]
        (root / f"mod{f}.py").write_text('"""Module."""\n\n\n' + "\n\n".join(funcs))
    env = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com"}
    env |= {"GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run(["git", *cmd], cwd=root, check=True, env={**env, "PATH": "/usr/bin:/bin"})


async def measure(root: Path, decisions: int, delay: float, read: float) -> list[float]:
    """Run the app and return the key-to-next-draft latencies in milliseconds."""
    app = make_app(root, slow=delay, clock=time.monotonic)
    shown_at: dict[tuple[str, str], float] = {}
    app.on_draft_shown = lambda key: shown_at.setdefault(key, time.perf_counter())
    out: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_shown(pilot, app, timeout=60)
        for k in range(decisions):
            await pilot.pause(read)
            before = app._current_item()
            pressed = time.perf_counter()
            await pilot.press("a" if k % 2 == 0 else "s")
            while True:
                item = app._current_item()
                if item is not before and item is not None and item.key in shown_at:
                    break
                await pilot.pause(0.001)
            out.append((shown_at[item.key] - pressed) * 1000)
    return out


def main() -> int:
    """Parse flags, run, print p50/p95."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--decisions", type=int, default=50)
    p.add_argument("--delay", type=float, default=0.2, help="seconds per draft (model latency)")
    p.add_argument("--read", type=float, default=0.25, help="seconds the reviewer reads")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        make_repo(root, args.decisions + 5)
        ms = asyncio.run(measure(root, args.decisions, args.delay, args.read))
    q = statistics.quantiles(ms, n=20)
    print(
        f"review: key press -> next draft on screen over {len(ms)} decisions "
        f"(model {args.delay * 1000:.0f} ms/draft, reading {args.read * 1000:.0f} ms): "
        f"p50 {statistics.median(ms):.1f} ms, p95 {q[18]:.1f} ms, max {max(ms):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
