"""Benchmark context packs against whole-file prompting on real standard-library code.

Run: ``.venv/bin/python benchmarks/context.py [--budget N] [--modules M ...]``

For every function and method of the sampled modules, the context pack (target source, class
header, callee signatures and docstrings, call sites, module imports, style examples) is built
under the token budget and compared with sending the whole file. Prints the median input tokens
of each, the median per-target ratio (target: at most 40%) and how often a target whose calls
resolve to repository functions gets their signatures in its pack. Exits 1 above the target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import sysconfig
from pathlib import Path

from docagent.code.targets import read_file
from docagent.draft.context import build_context, estimate_tokens
from docagent.draft.symbols import SymbolIndex

MODULES = [
    "argparse.py", "ast.py", "calendar.py", "configparser.py", "contextlib.py", "csv.py",
    "dataclasses.py", "difflib.py", "enum.py", "fractions.py", "functools.py", "gettext.py",
    "inspect.py", "ipaddress.py", "json/decoder.py", "json/encoder.py", "logging/__init__.py",
    "optparse.py", "pathlib.py", "pickle.py", "pprint.py", "shlex.py", "shutil.py",
    "statistics.py", "string.py", "tarfile.py", "textwrap.py", "threading.py", "tokenize.py",
    "typing.py", "unittest/case.py", "zipfile.py",
]  # fmt: skip
TARGET = 0.40


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the results; return 1 when the ratio misses the target."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=1500, help="context token budget")
    ap.add_argument("--modules", nargs="*", default=MODULES, help="stdlib paths to sample")
    args = ap.parse_args(argv)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = [read_file(str(stdlib / m), m) for m in args.modules if (stdlib / m).is_file()]
    index = SymbolIndex.from_files(files)
    packs: list[int] = []
    wholes: list[int] = []
    ratios: list[float] = []
    with_callees = resolvable = 0
    for facts in files:
        whole = estimate_tokens(facts.text)
        for t in facts.targets:
            if t.kind not in ("function", "method"):
                continue
            pack = build_context(facts, t, index, budget=args.budget)
            packs.append(pack.tokens)
            wholes.append(whole)
            ratios.append(pack.tokens / whole)
            if index.callees(facts, t):
                resolvable += 1
                with_callees += pack.section("callees") is not None
    ratio = statistics.median(ratios)
    print(f"modules: {len(files)}  functions and methods: {len(packs)}  budget: {args.budget}")
    print(f"median context pack: {statistics.median(packs):,.0f} tokens")
    print(f"median whole file:   {statistics.median(wholes):,.0f} tokens")
    print(f"median ratio pack/whole file: {ratio:.1%} (target <= {TARGET:.0%})")
    share = with_callees / resolvable if resolvable else 1.0
    print(f"packs with callee signatures, of targets with repository callees: {share:.1%}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
