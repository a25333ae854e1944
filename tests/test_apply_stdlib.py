"""Proof on real code: strip the docstrings of 30+ standard-library modules, apply them back.

Every docstring must come back exactly (``ast.get_docstring``) and nothing else may change
(the ASTs with docstrings removed are equal): 100%, through ``docagent apply`` in-process and
in a subprocess.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from docagent.cli import main
from docagent.code.edit import remove_docstrings
from docagent.code.targets import code_shas, read_file, strip_docstrings
from docagent.proposals import Proposal, write_proposals

pytestmark = pytest.mark.slow  # the whole-stdlib round trip runs in .ci/run's slow step

STDLIB = Path(sysconfig.get_paths()["stdlib"])
MODULES = [
    "argparse.py",
    "ast.py",
    "_pydecimal.py",
    "inspect.py",
    "typing.py",
    "turtle.py",
    "calendar.py",
    "collections/__init__.py",
    "configparser.py",
    "contextlib.py",
    "datetime.py",
    "difflib.py",
    "email/message.py",
    "enum.py",
    "fractions.py",
    "ftplib.py",
    "functools.py",
    "http/cookiejar.py",
    "imaplib.py",
    "ipaddress.py",
    "logging/__init__.py",
    "logging/handlers.py",
    "mailbox.py",
    "pathlib.py",
    "statistics.py",
    "tarfile.py",
    "threading.py",
    "unittest/case.py",
    "zipfile.py",
    "asyncio/events.py",
    "random.py",
    "smtplib.py",
    "textwrap.py",
]


@dataclass
class Case:
    """Stripped copies of the modules and the proposals that restore them."""

    originals: dict[str, bytes]
    stripped: dict[str, bytes]
    proposals: list[Proposal]


@pytest.fixture(scope="module")
def case() -> Case:
    """Strip every module's docstrings with the engine; proposals carry the original texts."""
    originals: dict[str, bytes] = {}
    stripped: dict[str, bytes] = {}
    proposals: list[Proposal] = []
    for rel in MODULES:
        path = STDLIB / rel
        if not path.is_file():  # pragma: no cover - trimmed Python installs
            continue
        data = path.read_bytes()
        repo_rel = f"lib/{rel}"
        facts = read_file(str(path), repo_rel, data)
        shas = code_shas(facts)
        text, removed = remove_docstrings(facts)
        originals[repo_rel] = data
        stripped[repo_rel] = text.encode(facts.encoding)
        for q in removed:
            t = facts.target(q)
            assert t is not None and t.docstring is not None
            proposals.append(
                Proposal(
                    path=repo_rel,
                    qualname=q,
                    kind=t.kind,
                    text=t.docstring.text,
                    status="accepted",
                    code_sha=shas.get(q),
                )
            )
    assert len(originals) >= 30
    assert len(proposals) >= 1500
    return Case(originals, stripped, proposals)


def _repo(tmp_path: Path, case: Case) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for rel, data in case.stripped.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(data)
    jsonl = tmp_path / "proposals.jsonl"
    write_proposals(jsonl, case.proposals)
    return repo, jsonl


def _shape(data: bytes) -> tuple[list[tuple[str, str, str | None]], str]:
    tree = ast.parse(data)
    docs = [("Module", "", ast.get_docstring(tree))]
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docs.append((type(node).__name__, node.name, ast.get_docstring(node)))
    return docs, ast.dump(strip_docstrings(tree))


def _assert_restored(repo: Path, case: Case) -> None:
    restored = 0
    for rel, original in case.originals.items():
        new = (repo / rel).read_bytes()
        want_docs, want_code = _shape(original)
        got_docs, got_code = _shape(new)
        assert got_code == want_code, f"{rel}: code changed"
        assert got_docs == want_docs, f"{rel}: docstrings differ"
        restored += sum(1 for *_, d in got_docs if d is not None)
    assert restored >= 1500


def test_stdlib_round_trip_in_process(tmp_path: Path, case: Case, capsys) -> None:
    """Every stripped stdlib docstring comes back exactly via ``main()``, then is idempotent."""
    repo, jsonl = _repo(tmp_path, case)
    assert main(["apply", str(jsonl), "--repo", str(repo)]) == 0
    err = capsys.readouterr().err
    assert f"applied {len(case.proposals)}, skipped 0, refused 0" in err
    _assert_restored(repo, case)

    # idempotent: a second run skips everything as already applied and writes nothing
    before = {rel: (repo / rel).read_bytes() for rel in case.originals}
    assert main(["apply", str(jsonl), "--repo", str(repo)]) == 0
    assert f"applied 0, skipped {len(case.proposals)}, refused 0" in capsys.readouterr().err
    assert {rel: (repo / rel).read_bytes() for rel in case.originals} == before


def test_stdlib_round_trip_subprocess(tmp_path: Path, case: Case) -> None:
    """The same round trip through the installed ``docagent`` command in a subprocess."""
    repo, jsonl = _repo(tmp_path, case)
    exe = shutil.which("docagent", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "docagent"]
    proc = subprocess.run(
        [*cmd, "apply", str(jsonl)], cwd=repo, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert f"applied {len(case.proposals)}, skipped 0, refused 0" in proc.stderr
    _assert_restored(repo, case)
