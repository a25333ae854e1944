"""Benchmark context packs: size against whole-file prompting, and resolution against jedi.

Run: ``.venv/bin/python benchmarks/context.py [--budget N] [--modules M ...]``
and  ``.venv/bin/python benchmarks/context.py --oracle [--projects SPEC ...]``

``--oracle`` downloads real projects from PyPI (``pip download --no-deps --no-binary :all:``,
cached in ``--download-dir``) and compares the callees and callers docagent resolves
(:class:`docagent.draft.resolve.Resolver`) with an outside oracle, ``jedi`` (a dev dependency):
for every call in every function and method of the project, ``Script.goto`` (``infer`` when goto
stops at a parameter or local) names what is called; the callers of a definition are the calls
whose goto lands on it (module-level code included) plus the call sites among its
``Script.get_references`` that goto confirms. Only definitions inside the project count.
It prints precision and recall of the callee and caller edges per project and overall
(goal: at least 0.9 each) and the median tokens of the context pack and of the cached
file-level context. Exits 1 below the goal.

For every function and method of the sampled modules, the context pack (target source, class
header, callee signatures and docstrings, call sites, module imports, style examples) is built
under the token budget and compared with sending the whole file. Prints the median input tokens
of each, the median per-target ratio (target: at most 40%) and how often a target whose calls
resolve to repository functions gets their signatures in its pack. Exits 1 above the target.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
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


PROJECTS = ["cachetools==8.0.2", "bidict==0.23.1", "sortedcontainers==2.4.0"]
GOAL = 0.9


def fetch(spec: str, download_dir: Path) -> Path:
    """Download and unpack the sdist of ``spec`` (once); return the unpacked directory."""
    name, _, version = spec.partition("==")
    download_dir.mkdir(parents=True, exist_ok=True)
    found = [
        p
        for p in download_dir.iterdir()
        if p.is_dir()
        and p.name.lower().startswith(f"{name.lower().replace('-', '_')}-{version}")
        or p.name.lower() == f"{name.lower()}-{version}"
    ]
    if found:
        return found[0]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
         "-d", str(download_dir), spec],
        check=True,
    )  # fmt: skip
    archive = next(
        p
        for p in download_dir.glob(f"*{version}.tar.gz")
        if name.lower().replace("-", "_") in p.name.lower().replace("-", "_")
    )
    with tarfile.open(archive) as tar:
        tar.extractall(download_dir, filter="data")
    return download_dir / archive.name[: -len(".tar.gz")]


def _python_files(root: Path) -> list[str]:
    skip = {"build", "dist", "docs", "doc", ".tox", "benchmarks", "examples"}
    out = []
    for p in sorted(root.rglob("*.py")):
        rel = p.relative_to(root)
        if rel.parts[0] in skip or rel.name in ("setup.py", "conftest.py", "noxfile.py"):
            continue
        if any(part.endswith(".egg-info") for part in rel.parts):
            continue
        out.append(rel.as_posix())
    return out


def _defs(tree: ast.Module) -> dict[int, tuple[str, ast.AST]]:
    """``def``/``class`` line -> (qualname, node) for every function, method and class."""
    out: dict[int, tuple[str, ast.AST]] = {}

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for n in body:
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                out[n.lineno] = (prefix + n.name, n)
                if isinstance(n, ast.ClassDef):
                    walk(n.body, prefix + n.name + ".")

    walk(tree.body, "")
    return out


def _call_position(call: ast.Call) -> tuple[int, int] | None:
    """Where jedi should look for what a call calls: the called name's last character."""
    f = call.func
    if isinstance(f, ast.Subscript):  # ``Cls[int](...)``: what ``Cls`` is
        f = f.value
    if isinstance(f, ast.Name | ast.Attribute) and f.end_lineno is not None:
        return f.end_lineno, max(0, (f.end_col_offset or 1) - 1)
    return None


def _enclosing(defs: dict[int, tuple[str, ast.AST]], line: int) -> str:
    best, best_start = "<module>", -1
    for qual, node in defs.values():
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.lineno <= line <= (node.end_lineno or node.lineno) and node.lineno > best_start:
            best, best_start = qual, node.lineno
    return best


def _score(ours: set, oracle: set) -> tuple[float, float]:
    hit = len(ours & oracle)
    return (hit / len(ours) if ours else 1.0, hit / len(oracle) if oracle else 1.0)


def oracle(project: Path, budget: int, verbose: bool = False) -> dict:
    """Compare docagent's callee and caller edges with jedi's on one unpacked project."""
    import jedi

    from docagent.draft import Drafter
    from docagent.draft.providers.offline import OfflineProvider

    rels = _python_files(project)
    texts = {r: (project / r).read_text(encoding="utf-8") for r in rels}
    trees = {r: ast.parse(t) for r, t in texts.items()}
    defs = {r: _defs(t) for r, t in trees.items()}
    by_line = {(r, line): qual for r in rels for line, (qual, _) in defs[r].items()}
    facts = {r: read_file(str(project / r), r) for r in rels}
    index = SymbolIndex.from_files(facts.values())
    src = [project / "src"] if (project / "src").is_dir() else []
    jproject = jedi.Project(project, added_sys_path=src, smart_sys_path=True)
    scripts = {r: jedi.Script(texts[r], path=project / r, project=jproject) for r in rels}

    def repo_ref(names: list) -> tuple[str, str] | None:
        for n in names:
            if n.module_path is None or n.line is None:
                continue
            try:
                rel = Path(n.module_path).resolve().relative_to(project.resolve()).as_posix()
            except ValueError:
                continue
            qual = by_line.get((rel, n.line))
            if qual is not None:
                return rel, qual
        return None

    ours_callees: set = set()
    jedi_callees: set = set()
    call_positions: dict[str, set[tuple[int, int]]] = {}
    for r in rels:
        positions = call_positions.setdefault(r, set())
        for call in (n for n in ast.walk(trees[r]) if isinstance(n, ast.Call)):
            pos = _call_position(call)
            if pos is not None:
                positions.add(pos)
        for _line, (qual, node) in defs[r].items():
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            target = facts[r].target(qual)
            if target is None:
                continue
            for s in index.callees(facts[r], target):
                ours_callees.add(((r, qual), (s.path, s.qualname)))
            for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
                pos = _call_position(call)
                if pos is None:
                    continue
                try:
                    ref = repo_ref(scripts[r].goto(*pos, follow_imports=True))
                    if ref is None:  # a parameter or local bound to a function: infer it
                        ref = repo_ref(scripts[r].infer(*pos))
                except Exception:  # an oracle failure is not an edge
                    continue
                if ref is not None and ref != (r, qual):
                    jedi_callees.add(((r, qual), ref))

    # jedi's callers: every call whose goto lands on the definition (the callee edges inverted,
    # plus calls at module level), and the call sites among get_references that goto confirms
    # (references are name-based: they miss calls through an alias such as ``add = lst.add``)
    ours_callers: set = set()
    func_refs = {
        (r, qual)
        for r in rels
        for qual, node in defs[r].values()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    jedi_callers: set = {(e, c) for c, e in jedi_callees if e in func_refs}
    for r in rels:
        funcs = [
            n for _, n in defs[r].values() if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        inside = {id(c) for f in funcs for c in ast.walk(f) if isinstance(c, ast.Call)}
        for call in (n for n in ast.walk(trees[r]) if isinstance(n, ast.Call)):
            pos = _call_position(call)
            if id(call) in inside or pos is None:
                continue
            try:
                ref = repo_ref(scripts[r].goto(*pos, follow_imports=True)) or repo_ref(
                    scripts[r].infer(*pos)
                )
            except Exception:  # jedi failed on this name: no edge
                continue
            if ref in func_refs:
                jedi_callers.add((ref, (r, "<module>")))
    for r in rels:
        for line, (qual, node) in defs[r].items():
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for site in index.callers(r, qual):
                ours_callers.add(((r, qual), (site.path, site.caller)))
            col = (
                len(texts[r].splitlines()[line - 1])
                - len(texts[r].splitlines()[line - 1].lstrip())
                + (6 if isinstance(node, ast.AsyncFunctionDef) else 0)
                + 4
            )
            try:
                refs = scripts[r].get_references(line, col, scope="project")
            except Exception:  # jedi failed on this name: no edge
                continue
            for ref in refs:
                if ref.module_path is None or ref.line is None:
                    continue
                try:
                    rel = Path(ref.module_path).resolve().relative_to(project.resolve()).as_posix()
                except ValueError:
                    continue
                if rel not in call_positions:
                    continue
                end = (ref.line, ref.column + len(ref.name) - 1)
                if end in call_positions[rel]:
                    # get_references is name-based (an override's call counts too): keep the
                    # references that goto (or infer) confirms lead to this definition
                    try:
                        confirmed = repo_ref(scripts[rel].goto(*end, follow_imports=True))
                        if confirmed is None:
                            confirmed = repo_ref(scripts[rel].infer(*end))
                    except Exception:  # jedi failed on this name: no edge
                        continue
                    if confirmed != (r, qual):
                        continue
                    caller = _enclosing(defs[rel], ref.line)
                    if (rel, caller) != (r, qual):
                        jedi_callers.add(((r, qual), (rel, caller)))

    drafter = Drafter(OfflineProvider(), None, index, "google")
    drafter.budget = budget
    packs, files = [], []
    for r in rels:
        files.append(estimate_tokens(drafter.file_context(facts[r])))
        for t in facts[r].targets:
            if t.kind in ("function", "method", "class"):
                packs.append(drafter.context(facts[r], t).tokens)
    if verbose:
        for label, a, b in (
            ("callee", ours_callees, jedi_callees),
            ("caller", ours_callers, jedi_callers),
        ):
            for e in sorted(a - b):
                print(f"  extra {label}: {e}")
            for e in sorted(b - a):
                print(f"  missed {label}: {e}")
    return {
        "ours_callees": ours_callees, "jedi_callees": jedi_callees,
        "ours_callers": ours_callers, "jedi_callers": jedi_callers,
        "packs": packs, "files": files,
    }  # fmt: skip


def main_oracle(args: argparse.Namespace) -> int:
    """Run the jedi comparison on ``args.projects`` and print the figures."""
    totals: dict[str, set] = {k: set() for k in ("oc", "jc", "or", "jr")}
    packs: list[int] = []
    files: list[int] = []
    ok = True
    print(f"{'project':28} {'callee P':>9} {'callee R':>9} {'caller P':>9} {'caller R':>9}"
          f" {'edges':>6} {'pack tok':>9} {'file tok':>9}")  # fmt: skip
    for spec in args.projects:
        root = fetch(spec, Path(args.download_dir))
        res = oracle(root, args.budget, args.verbose)
        cp, cr = _score(res["ours_callees"], res["jedi_callees"])
        rp, rr = _score(res["ours_callers"], res["jedi_callers"])
        tag = spec.split("==")[0]
        for k, v in (("oc", "ours_callees"), ("jc", "jedi_callees"), ("or", "ours_callers"),
                     ("jr", "jedi_callers")):  # fmt: skip
            totals[k] |= {(tag, *e) for e in res[v]}
        packs += res["packs"]
        files += res["files"]
        pack, file = statistics.median(res["packs"]), statistics.median(res["files"])
        print(f"{spec:28} {cp:9.3f} {cr:9.3f} {rp:9.3f} {rr:9.3f} {len(res['jedi_callees']):6d}"
              f" {pack:9.0f} {file:9.0f}")  # fmt: skip
    cp, cr = _score(totals["oc"], totals["jc"])
    rp, rr = _score(totals["or"], totals["jr"])
    print(f"{'overall':28} {cp:9.3f} {cr:9.3f} {rp:9.3f} {rr:9.3f} {len(totals['jc']):6d}"
          f" {statistics.median(packs):9.0f} {statistics.median(files):9.0f}")  # fmt: skip
    ok = min(cp, cr, rp, rr) >= GOAL
    print(
        f"goal: precision and recall >= {GOAL} for callees and callers: {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the results; return 1 when a figure misses its target."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=1500, help="context token budget")
    ap.add_argument("--modules", nargs="*", default=MODULES, help="stdlib paths to sample")
    ap.add_argument("--oracle", action="store_true", help="compare with jedi on PyPI projects")
    ap.add_argument("--projects", nargs="*", default=PROJECTS, help="name==version specs")
    ap.add_argument(
        "--download-dir",
        default=str(Path(tempfile.gettempdir()) / "docagent-bench-projects"),
        help="where sdists are downloaded and unpacked",
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="list differing edges")
    args = ap.parse_args(argv)
    if args.oracle:
        return main_oracle(args)
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
