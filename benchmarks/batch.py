"""Benchmark ``docagent batch`` throughput against a loopback Messages API with fixed latency.

Run: ``.venv/bin/python benchmarks/batch.py [--targets N] [--concurrency C] [--latency S]``

A temporary git repository holds N independent functions without docstrings (no call edges, so
nothing waits for a callee). The loopback server (``tests/servers.py``, run in its own
process like a remote API) answers every request after exactly ``--latency`` seconds (default
0.3). ``run_batch`` drafts them through the real anthropic SDK with ``--concurrency`` requests in
flight (default 8); the ideal throughput is ``concurrency / latency`` drafts per second.
Target: measured / ideal >= 0.85. The measured rate is the steady state: drafts completed per
second from the first completed draft to the last one (the run's fixed start-up, scan, symbol
index and log, is excluded); the end-to-end rate is printed too.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from servers import MessagesServer  # noqa: E402

from docagent.batch import run_batch  # noqa: E402


def _repo(root: Path, n: int) -> None:
    root.mkdir(parents=True)
    per_file = 50
    for f in range(0, n, per_file):
        body = ['"""Generated module."""\n']
        for i in range(f, min(n, f + per_file)):
            body.append(f"\n\ndef func_{i}(a, b=1):\n    return a * {i} + b\n")
        (root / f"mod_{f // per_file}.py").write_text("".join(body), encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "init"],
        cwd=root,
        check=True,
    )


def serve(latency: float) -> None:
    """Serve the loopback API (in its own process, like a remote API) until stdin closes."""
    with MessagesServer(from_prompt=True, delay=latency) as server:
        print(server.url, flush=True)
        sys.stdin.read()


async def _raw_sdk(url: str, n: int, concurrency: int) -> float:
    """Steady-state requests/s of the bare SDK at ``concurrency`` (the ceiling on this machine)."""
    import asyncio

    import anthropic

    client = anthropic.AsyncAnthropic(base_url=url, api_key="sk-ant-benchmark-loopback")
    sem = asyncio.Semaphore(concurrency)
    done: list[float] = []
    prompt = "Write the docstring of the function `f` in `m.py`.\n\n## target\ndef f(a):\n"

    async def one() -> None:
        async with sem:
            await client.messages.create(
                model="claude-sonnet-4-5",
                max_tokens=100,
                messages=[{"role": "user", "content": prompt}],
            )
            done.append(time.perf_counter())

    await asyncio.gather(*(one() for _ in range(n)))
    await client.close()
    return (len(done) - 1) / (done[-1] - done[0])


def main() -> int:
    """Run the benchmark; exit 1 when the ratio is below the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=240)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--target-ratio", type=float, default=0.85)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.latency)
        return 0

    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--latency", str(args.latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    url = child.stdout.readline().strip()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "repo"
            _repo(root, args.targets)
            os.environ["ANTHROPIC_BASE_URL"] = url
            os.environ["ANTHROPIC_API_KEY"] = "sk-ant-benchmark-loopback"
            os.environ["DOCAGENT_DB"] = str(Path(tmp) / "docagent.db")
            times: list[float] = []
            started = time.perf_counter()
            summary = run_batch(
                root,
                provider="anthropic",
                model="claude-sonnet-4-5",
                concurrency=args.concurrency,
                progress=False,
                quiet=True,
                on_draft=lambda item, draft: times.append(time.perf_counter()),
            )
            total = time.perf_counter() - started
        import asyncio

        raw = asyncio.run(_raw_sdk(url, args.targets, args.concurrency))
    finally:
        child.stdin.close()
        child.wait(timeout=10)
    drafted = summary["drafted"]
    assert drafted == args.targets and summary["failed"] == 0, summary
    ideal = args.concurrency / args.latency
    # steady state: drafts completed between the first completion and the last one
    window = times[-1] - times[0]
    measured = (drafted - 1) / window
    ratio = measured / ideal
    print(f"targets {drafted}, concurrency {args.concurrency}, latency {args.latency:.3f}s")
    print(f"ideal      {ideal:.2f} drafts/s")
    print(f"measured   {measured:.2f} drafts/s (first to last completed draft, {window:.2f}s)")
    print(f"ratio      {ratio:.3f} (target >= {args.target_ratio})")
    print(f"end to end {drafted / total:.2f} drafts/s in {total:.2f}s incl. start-up")
    print(
        f"bare SDK   {raw:.2f} requests/s (ratio {raw / ideal:.3f}); docagent reaches "
        f"{measured / raw:.1%} of it (the rest is SDK/HTTP overhead and CPU load on this machine)"
    )
    return 0 if ratio >= args.target_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
