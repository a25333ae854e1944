"""Benchmark ``docagent report`` on a large decision log (1,000,000 decisions by default).

Run ``python benchmarks/report.py [--decisions N] [--by DIM ...] [--keep FILE]``. It creates a
log with the current schema, bulk-inserts N decisions on about 0.9 N drafts (one executemany
per table in one transaction: most drafts decided once, some twice with an undo, an edit or a
change of mind; a few undecided; batch-policy and apply decisions; review times; outcomes of
a tenth of the applied drafts), then times, in a fresh process each:

- ``docagent report --format json`` (default slices: model, prompt, kind),
- the same with ``--by repo --by reviewer --by day --by path``,

and prints wall time, CPU time and peak memory (max RSS) of each run. Run it with N of 100,000 and
1,000,000 to see that memory stays flat while time grows linearly.

``--store postgresql://…`` copies the generated log into that shared store (``docagent store
copy``, timed) and times the same reports against it (``DOCAGENT_STORE``); the aggregation then
runs in the server, so the wall time is the measure. ``python tests/pgserver.py start DIR``
starts a local server and prints its URL.

``--baseline-src DIR`` (a checkout of another version, e.g. ``git archive main``) compares
the two side by side: the baseline generates the log, this tree migrates a copy in place,
then ``--rounds`` alternating rounds time both on the same rows and print the ratios
(``--store`` and ``--baseline-store``: one empty PostgreSQL database each).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

MODELS = ["claude-sonnet-4-5", "claude-haiku-4-5", "gpt-4o-mini", "qwen2.5-coder"]
PROMPTS = [f"pv{i}" for i in range(6)]
KINDS = ["function", "method", "class", "module"]
REVIEWERS = [f"dev{i}@example.com" for i in range(8)]
TEXT = "Return the parsed configuration.\n\nArgs:\n    path: The file to read.\n"


def generate(db: Path, decisions: int, seed: int = 1) -> tuple[int, int]:
    """Write a log of about ``decisions`` decisions to ``db``; return (drafts, decisions)."""
    from docagent.store import Store

    Store(db).close()  # the current schema
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    runs = [
        (f"run{i}", "tui" if i % 3 else "batch", MODELS[i % 4], PROMPTS[i % 6]) for i in range(60)
    ]
    conn.executemany(
        "INSERT INTO runs (id, mode, provider, model, prompt_version, started_at)"
        " VALUES (?, ?, 'anthropic', ?, ?, ?)",
        [(r, m, model, pv, base.isoformat()) for r, m, model, pv in runs],
    )

    def drafts_and_decisions():  # noqa: ANN202 - generator of rows for executemany
        made = 0
        i = 0
        while made < decisions:
            run_id, mode, model, pv = runs[i % len(runs)]
            at = base + timedelta(seconds=i * 11)
            stamp = at.isoformat(timespec="milliseconds")
            draft = (
                f"d{i:09d}",
                run_id,
                stamp,
                f"pkg/mod{i % 5000}.py",
                f"func_{i}",
                KINDS[i % 4],
                model,
                pv,
                TEXT,
                '[{"name": "sections", "ok": true}]',
                rng.random() < 0.95,
                0.0021,
                900,
                120,
            )
            history: list[tuple[str, str | None, str, int | None, str]] = []
            roll = rng.random()
            reviewer = REVIEWERS[i % 8]
            if roll < 0.03:
                pass  # undecided
            elif mode == "batch":
                history.append(("accept", TEXT, "batch-policy", None, "batch"))
            elif roll < 0.6:
                history.append(("accept", TEXT, reviewer, rng.randint(2000, 90000), "tui"))
            elif roll < 0.75:
                edited = TEXT.replace("parsed", "loaded")
                history.append(("edit", edited, reviewer, rng.randint(5000, 120000), "tui"))
            elif roll < 0.9:
                history.append(("reject", None, reviewer, rng.randint(2000, 60000), "tui"))
            elif roll < 0.95:
                history += [
                    ("accept", TEXT, reviewer, 3000, "tui"),
                    ("undo", None, reviewer, None, "tui"),
                ]
            else:
                history += [
                    ("reject", None, reviewer, 3000, "tui"),
                    ("accept", TEXT, reviewer, 8000, "tui"),
                ]
            yield (
                draft,
                [
                    (
                        f"d{i:09d}",
                        (at + timedelta(seconds=5 + k)).isoformat(timespec="milliseconds"),
                        d,
                        final,
                        "too vague" if d == "reject" else "",
                        who,
                        ms,
                        m,
                    )
                    for k, (d, final, who, ms, m) in enumerate(history)
                ],
            )
            made += len(history)
            i += 1

    n_drafts = n_decisions = 0
    draft_rows: list[tuple[object, ...]] = []
    decision_rows: list[tuple[object, ...]] = []
    outcome_rows: list[tuple[object, ...]] = []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO drafts (id, run_id, created_at, path, qualname, kind, model,"
            " prompt_version, text, checks_json, checks_ok, cost_usd, tokens_in, tokens_out)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            draft_rows,
        )
        conn.executemany(
            "INSERT INTO decisions (draft_id, created_at, decision, final_text, reason,"
            " reviewer, review_ms, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            decision_rows,
        )
        conn.executemany(
            "INSERT INTO outcomes (draft_id, via, outcome, similarity, applied_at, changed_at,"
            " checked_at) VALUES (?, 'batch', ?, ?, ?, ?, ?)",
            outcome_rows,
        )
        draft_rows.clear()
        decision_rows.clear()
        outcome_rows.clear()

    for draft, history in drafts_and_decisions():
        draft_rows.append(draft)
        decision_rows += history
        n_drafts += 1
        n_decisions += len(history)
        if history and history[0][5] == "batch-policy" and rng.random() < 0.1:
            outcome = rng.choice(["kept", "kept", "kept", "edited", "removed", "gone"])
            sim = 0.8 if outcome == "edited" else None
            outcome_rows.append((draft[0], outcome, sim, draft[2], draft[2], draft[2]))
        if len(draft_rows) >= 50_000:
            flush()
    flush()
    conn.execute("COMMIT")
    conn.close()
    with Store(db) as store, store._op(write=True) as log:
        columns = {r[1] for r in log.execute("PRAGMA table_info(drafts)").fetchall()}
        if "standing_id" in columns:  # bulk-loaded decisions: the log's standing decisions
            from docagent.store import standing

            standing.fill(log)
    return n_drafts, n_decisions


def timed_report(
    repo: Path, extra: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Run ``docagent report --format json`` in a fresh process (imports included).

    Returns wall seconds, CPU seconds and max RSS in MB. On a machine shared with other work
    the CPU time is the better measure of what the report costs.
    """
    code = (
        "import time\n"
        "t, c = time.perf_counter(), time.process_time()\n"
        "import resource, sys\n"
        # the process's own peak (VmHWM): ru_maxrss keeps the parent's at the fork
        "def peak():\n"
        "    try:\n"
        "        with open('/proc/self/status') as fh:\n"
        "            return next(int(l.split()[1]) for l in fh if l.startswith('VmHWM:')) / 1024\n"
        "    except (OSError, StopIteration, ValueError):\n"
        "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "from docagent.cli import main\n"
        "sys.stdout = open('/dev/null', 'w')\n"
        f"rc = main(['report', '--format', 'json', '--repo', {str(repo)!r}, *{extra!r}])\n"
        "sys.stderr.write(f'{time.perf_counter() - t} {time.process_time() - c} "
        "{peak()}\\n')\n"
        "raise SystemExit(rc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True, env=env
    )
    secs, cpu, rss = proc.stderr.strip().splitlines()[-1].split()
    return float(secs), float(cpu), float(rss)


def _side_by_side(args: argparse.Namespace, repo: Path, wide: list[str]) -> None:
    """Time this tree against ``--baseline-src`` on the same log, alternating, and print ratios.

    The log is generated by the baseline (its schema) and copied; this tree's copy is migrated
    in place (timed). ``--store``/``--baseline-store`` name one empty database each.
    """
    base_env = dict(os.environ, PYTHONPATH=str(Path(args.baseline_src).resolve()))
    base_repo = repo.parent / "baseline"
    base_repo.mkdir(exist_ok=True)
    subprocess.run(["git", "init", "-q", str(base_repo)], check=True)
    db = base_repo / ".docagent" / "docagent.db"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path;"
        " import report; print(*report.generate(Path(sys.argv[2]), int(sys.argv[3])))"
    )
    here = str(Path(__file__).resolve().parent)
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-P", "-c", code, here, str(db), str(args.decisions)],
        env=base_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    print(f"log (baseline schema): {int(out[1]):,} decisions on {int(out[0]):,} drafts", end="")
    print(f" ({time.perf_counter() - t:.0f} s)")
    (repo / ".docagent").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(db, repo / ".docagent" / "docagent.db")
    migrate = "import sys; from pathlib import Path; from docagent.store import Store;"
    migrate += " Store(Path(sys.argv[1])).close()"
    t = time.perf_counter()
    tree_env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    log = str(repo / ".docagent" / "docagent.db")
    subprocess.run([sys.executable, "-P", "-c", migrate, log], check=True, env=tree_env)
    print(f"this tree migrated its copy in place in {time.perf_counter() - t:.1f} s")
    tree_env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    sides = [("baseline", base_repo, base_env, None), ("this tree", repo, tree_env, None)]
    runs = [sides]
    if args.store:
        if not args.baseline_store:
            raise SystemExit("--store with --baseline-src needs --baseline-store")
        pg = []
        for name, where, env, url in [
            ("baseline", base_repo, base_env, args.baseline_store),
            ("this tree", repo, tree_env, args.store),
        ]:
            t = time.perf_counter()
            db_file = where / ".docagent" / "docagent.db"
            copy = ["store", "copy", "--to", url, "--from", str(db_file), "--repo", str(where)]
            subprocess.run([sys.executable, "-P", "-m", "docagent", *copy], check=True, env=env)
            print(f"{name}: copied into its shared store in {time.perf_counter() - t:.0f} s")
            pg.append(
                (f"{name} PostgreSQL", where, dict(env or os.environ, DOCAGENT_STORE=url), url)
            )
        runs.append(pg)
    figures: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for r in range(args.rounds):
        for pair in runs:
            for label, extra in [("default", []), ("wide", wide)]:
                for name, where, env, _ in pair if r % 2 == 0 else pair[::-1]:
                    got = timed_report(where, extra, env)
                    figures.setdefault((name, label), []).append(got)
                    print(f"round {r + 1} {name}: {label}: {got[0]:.2f} s wall,", end="")
                    print(f" {got[1]:.2f} s CPU, max RSS {got[2]:.0f} MB", flush=True)
    for pair in runs:
        for label in ("default", "wide"):
            base, new = figures[(pair[0][0], label)], figures[(pair[1][0], label)]
            ratios = [n[0] / b[0] for b, n in zip(base, new, strict=True)]
            cpu = [n[1] / b[1] for b, n in zip(base, new, strict=True)]
            print(f"{pair[1][0]} / {pair[0][0]}, {label}: wall", end="")
            print(f" {min(ratios):.2f}-{max(ratios):.2f}, CPU {min(cpu):.2f}-{max(cpu):.2f}")


def main(argv: list[str] | None = None) -> int:
    """Generate the log, time the reports, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="DIR", help="build the repository in DIR and keep it")
    parser.add_argument("--store", metavar="URL", help="also time the reports on this store")
    parser.add_argument("--baseline-src", metavar="DIR", help="compare with this source tree")
    parser.add_argument("--baseline-store", metavar="URL", help="the baseline's shared store")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (baseline)")
    args = parser.parse_args(argv)
    wide = ["--by", "repo", "--by", "reviewer", "--by", "day", "--by", "path"]
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(args.keep or tmp) / "repo"
        repo.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        if args.baseline_src:
            _side_by_side(args, repo, wide)
            return 0
        db = repo / ".docagent" / "docagent.db"
        t = time.perf_counter()
        drafts, decisions = generate(db, args.decisions)
        gen = time.perf_counter() - t
        size = db.stat().st_size / 1e6
        print(f"log: {decisions:,} decisions on {drafts:,} drafts, {size:.0f} MB ({gen:.0f} s)")
        stores: list[tuple[str, dict[str, str] | None]] = [("SQLite", None)]
        if args.store:
            t = time.perf_counter()
            copy = ["store", "copy", "--to", args.store, "--from", str(db), "--repo", str(repo)]
            subprocess.run([sys.executable, "-P", "-m", "docagent", *copy], check=True)
            print(f"copied into the shared store in {time.perf_counter() - t:.0f} s")
            stores.append(("PostgreSQL", dict(os.environ, DOCAGENT_STORE=args.store)))
        for store, env in stores:
            for label, extra in [
                ("report --format json (model, prompt, kind)", []),
                ("report --format json --by repo --by reviewer --by day --by path", wide),
            ]:
                secs, cpu, rss = timed_report(repo, extra, env)
                print(f"{store}: {label}: {secs:.2f} s wall, {cpu:.2f} s CPU, max RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
