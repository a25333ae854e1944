"""The Session library layer (offline provider): work items, drafts, decisions, undo, close."""

from __future__ import annotations

import asyncio

from docagent.session import Session
from docagent.store import Store

SRC = '''"""Module."""


def leaf(x):
    return x + 1


def caller(y):
    return leaf(y) * 2


def _private(z):
    return z
'''


def test_prepare_lists_missing_public_targets_callees_first(repo_factory) -> None:
    """Work items are the missing public targets, each callee before its caller."""
    root = repo_factory({"m.py": SRC})
    session = Session(root, mode="batch")
    items = session.prepare()
    names = [i.qualname for i in items]
    assert names == ["leaf", "caller"]
    assert all(i.status == "missing" for i in items)
    assert "offline" in session.notice
    session.close()


def test_draft_accept_undo_and_the_log(repo_factory) -> None:
    """A draft is logged; accept edits the file and logs; undo restores it and logs."""
    root = repo_factory({"m.py": SRC})
    original = (root / "m.py").read_bytes()
    session = Session(root, mode="tui")
    leaf = session.prepare()[0]
    draft = asyncio.run(session.draft(leaf))
    assert draft.ok and draft.text
    again = asyncio.run(session.draft(leaf))
    assert again.cached and again.draft_id == draft.draft_id  # the log is the cache
    outcome = session.accept(leaf, draft, text="Add one to x.", reviewer="ana")
    assert outcome.ok and outcome.applied and outcome.decision == "edit"
    assert '"""Add one to x."""' in (root / "m.py").read_text()
    assert session.changed_paths() == ["m.py"]
    item, undone = session.undo()
    assert undone.ok and item is leaf and leaf.state == "pending"
    assert (root / "m.py").read_bytes() == original
    run_id = session.run_id
    session.close(note="done")
    assert session.coverage_before is not None and session.coverage_after is not None
    with Store.open(root) as store:
        history = store.history(draft.draft_id)
        assert [d.decision for d in history] == ["edit", "undo"]
        assert history[0].reviewer == "ana" and history[0].final_text == "Add one to x."
        run = store.run(run_id)
        assert run is not None and run.ended_at and run.summary["note"] == "done"


def test_accept_refuses_when_the_code_changed(repo_factory) -> None:
    """A draft for code that changed since is refused and the file is left as it is."""
    root = repo_factory({"m.py": SRC})
    session = Session(root, mode="batch")
    leaf = session.prepare()[0]
    draft = asyncio.run(session.draft(leaf))
    changed = SRC.replace("return x + 1", "return x + 2")
    (root / "m.py").write_text(changed)
    outcome = session.accept(leaf, draft)
    assert not outcome.ok and outcome.message
    assert (root / "m.py").read_text() == changed
    session.close()


def test_reject_is_logged_and_not_reused(repo_factory) -> None:
    """A rejected draft is logged with its reason and not served from the cache again."""
    root = repo_factory({"m.py": SRC})
    session = Session(root, mode="tui")
    leaf = session.prepare()[0]
    draft = asyncio.run(session.draft(leaf))
    session.reject(leaf, draft, "vague")
    redraft = asyncio.run(session.draft(leaf))
    assert redraft.draft_id != draft.draft_id and not redraft.cached
    session.close()
    with Store.open(root) as store:
        assert store.history(draft.draft_id)[0].reason == "vague"


def test_team_examples_come_from_people_not_the_batch_policy(repo_factory) -> None:
    """Accepted docstrings by a person become style examples; batch-policy accepts do not."""
    root = repo_factory({"m.py": SRC})
    first = Session(root, mode="batch")
    leaf, caller = first.prepare()
    first.accept(leaf, asyncio.run(first.draft(leaf)), reviewer="batch-policy")
    first.accept(caller, asyncio.run(first.draft(caller)), text="Double leaf of y.", reviewer="ana")
    first.close()
    second = Session(root, mode="tui")
    second.prepare()
    pool = second.drafter.example_pool
    assert [(e.qualname, e.text, e.edited) for e in pool] == [("caller", "Double leaf of y.", True)]
    second.close()


# ----------------------------------------------------------------------------- README sections

README_PYPROJECT = """\
[project]
name = "tally-tool"
version = "0.3"
description = "Count words in files."
requires-python = ">=3.10"

[project.scripts]
tally = "tally.cli:main"
"""

README_CLI = '''"""Command line of tally."""

import argparse


def main(argv=None):
    """Count the words of each file."""
    parser = argparse.ArgumentParser(prog="tally")
    parser.add_argument("files", nargs="+")
    parser.add_argument("--lines", action="store_true", help="Count lines instead.")
    args = parser.parse_args(argv)
    return args
'''

TITLE_LICENSE = "# tally\n\nCounts words.\n\n## License\n\nMIT.\n"


def readme_repo(repo_factory, readme: str = TITLE_LICENSE):
    """A small package with a console script and a README of a title and a License."""
    return repo_factory(
        {
            "pyproject.toml": README_PYPROJECT,
            "tally/__init__.py": '"""Word counts."""\n',
            "tally/cli.py": README_CLI,
            "README.md": readme,
        }
    )


def test_prepare_readme_lists_missing_sections_as_work_items(repo_factory) -> None:
    """prepare_readme adds Installation and Usage as readme_section items after the code."""
    root = readme_repo(repo_factory)
    session = Session(root, mode="tui")
    code_items = session.prepare()
    items = session.prepare_readme()
    by_name = {i.qualname: i for i in items}
    assert {"Installation", "Usage"} <= set(by_name)
    assert "License" not in by_name
    for item in items:
        assert item.kind == "readme_section" and item.path == "README.md"
        assert item.status == "missing" and item.old_docstring is None
    assert session.items == code_items + items
    session.close()


def test_prepare_readme_stale_section_carries_reasons_and_body(repo_factory) -> None:
    """A section with a wrong install name is stale, with the reason and its current body."""
    readme = TITLE_LICENSE.replace(
        "## License", "## Installation\n\n```bash\npip install tallytool\n```\n\n## License"
    )
    root = readme_repo(repo_factory, readme)
    session = Session(root, mode="tui")
    items = {i.qualname: i for i in session.prepare_readme()}
    stale = items["Installation"]
    assert stale.status == "stale" and stale.line == 5
    assert any("tally-tool" in p for p in stale.problems), stale.problems
    assert "pip install tallytool" in (stale.old_docstring or "")
    session.close()


def test_readme_draft_accept_undo_and_the_log(repo_factory) -> None:
    """A section is drafted and logged (kind readme_section), accepted in place, and undone."""
    root = readme_repo(repo_factory)
    original = (root / "README.md").read_bytes()
    session = Session(root, mode="tui")
    session.prepare()
    usage = next(i for i in session.prepare_readme() if i.qualname == "Usage")
    draft = asyncio.run(session.draft(usage))
    assert draft.ok, draft.failed_checks
    assert draft.kind == "readme_section" and "tally" in draft.text
    again = asyncio.run(session.draft(usage))
    assert again.cached and again.draft_id == draft.draft_id  # the log is the cache
    outcome = session.accept(usage, draft, reviewer="ana")
    assert outcome.ok and outcome.applied and outcome.decision == "accept"
    text = (root / "README.md").read_text()
    assert text.index("## Usage") < text.index("## License")
    lines = text.splitlines()
    assert all(line in lines for line in original.decode().splitlines())
    assert session.changed_paths() == ["README.md"]
    item, undone = session.undo()
    assert undone.ok and item is usage and usage.state == "pending"
    assert (root / "README.md").read_bytes() == original
    session.close()
    with Store.open(root) as store:
        row = store.draft(draft.draft_id)
        assert row is not None and row.kind == "readme_section" and row.style == "markdown"
        assert [d.decision for d in store.history(draft.draft_id)] == ["accept", "undo"]


def test_readme_edit_that_breaks_a_check_is_refused(repo_factory) -> None:
    """An edit with an unclosed fence or an invented option is refused; the file is untouched."""
    root = readme_repo(repo_factory)
    original = (root / "README.md").read_bytes()
    session = Session(root, mode="tui")
    usage = next(i for i in session.prepare_readme() if i.qualname == "Usage")
    draft = asyncio.run(session.draft(usage))
    broken = session.accept(usage, draft, text="Run it:\n\n```bash\ntally notes.txt\n")
    assert not broken.ok and "fences" in broken.message and "never closed" in broken.message
    invented = session.accept(usage, draft, text="```bash\ntally --words notes.txt\n```")
    assert not invented.ok and "--words" in invented.message
    assert (root / "README.md").read_bytes() == original
    assert usage.state == "pending" and not session.can_undo()
    fine = session.accept(usage, draft, text="```bash\ntally --lines notes.txt\n```")
    assert fine.ok and fine.applied and fine.decision == "edit"
    session.close()
    with Store.open(root) as store:
        assert [d.decision for d in store.history(draft.draft_id)] == ["edit"]


def test_readme_undo_removes_a_readme_the_accept_created(repo_factory) -> None:
    """Without a README, accepting a section creates README.md; undo removes it again."""
    root = repo_factory(
        {
            "pyproject.toml": README_PYPROJECT,
            "tally/__init__.py": '"""Word counts."""\n',
            "tally/cli.py": README_CLI,
        }
    )
    session = Session(root, mode="tui")
    install = next(i for i in session.prepare_readme() if i.qualname == "Installation")
    draft = asyncio.run(session.draft(install))
    assert session.accept(install, draft).applied
    assert "pip install tally-tool" in (root / "README.md").read_text()
    _, undone = session.undo()
    assert undone.ok and not (root / "README.md").exists()
    session.close()


def test_coverage_is_recorded_with_its_scope(repo_factory) -> None:
    """A session on a subdirectory records coverage for that scope, not the whole repo."""
    root = repo_factory({"src/m.py": SRC, "other.py": "def g():\n    pass\n"})
    session = Session(root / "src", mode="batch", since="HEAD")
    session.prepare()
    session.close()
    with Store.open(root) as store:
        (snapshot,) = store.coverage()
    assert snapshot.scope == "src since HEAD"


def test_anthropic_without_a_key_fails_before_any_target(repo_factory, capsys) -> None:
    """No key: one line and exit 2 before drafting, instead of one failure per target."""
    from docagent.cli import main

    root = repo_factory({"m.py": SRC})
    assert main(["batch", str(root), "--provider", "anthropic"]) == 2
    err = capsys.readouterr().err
    assert "needs ANTHROPIC_API_KEY" in err and err.count("\n") == 1


def test_accept_says_accept_for_the_draft_as_is_and_commit_commits_it(repo_factory) -> None:
    """Accepting the draft unchanged reports ``accept``; ``commit`` commits the changed file
    with a message listing the target, on a new branch when asked."""
    from conftest import git

    root = repo_factory({"m.py": SRC})
    session = Session(root, mode="tui")
    leaf = session.prepare()[0]
    assert session.commit([leaf.key]) == ("", "")  # nothing changed: nothing committed
    draft = asyncio.run(session.draft(leaf))
    outcome = session.accept(leaf, draft)
    assert outcome.ok and outcome.decision == "accept"
    line, error = session.commit([leaf.key], branch="docs/leaf")
    assert error == "" and line.startswith("committed ") and "on new branch docs/leaf" in line
    assert git(root, "log", "-1", "--format=%B").startswith("docs: add docstrings to 1 target")
    assert "- m.py: leaf" in git(root, "log", "-1", "--format=%B")
    assert git(root, "status", "--porcelain") == ""
    session.close()


def _many_files(n: int = 10, funcs: int = 300) -> dict[str, str]:
    """Enough code for the scan to parse in worker processes (more than 200 KB, 8 files)."""
    body = "".join(
        f"def f{j}(x):\n    return g{j}(x) + {j}\n\n\ndef g{j}(y):\n    return y\n\n\n"
        for j in range(funcs)
    )
    return {f"pkg/m{i}.py": f"# file {i}\n{body}" for i in range(n)}


def test_prepare_reads_no_file_again_that_the_scan_workers_parsed(
    repo_factory, monkeypatch
) -> None:
    """The scan's worker processes read each file for drafting too: prepare reads none again,
    and what it works from (targets, fingerprints, calls, the syntax tree) is what a read here
    gives."""
    import os

    from docagent.code.astfacts import ast_facts
    from docagent.code.docstrings import apply_status
    from docagent.session import files

    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # the scan's process pool
    root = repo_factory(_many_files())
    real = files.read_file
    read: list[str] = []
    monkeypatch.setattr(files, "read_file", lambda *a, **k: read.append(a[1]) or real(*a, **k))
    session = Session(root, mode="batch")
    items = session.prepare(order=False)
    assert read == []
    assert len(items) == 10 * 601  # each module and its 600 functions
    for rel in sorted({i.path for i in items}):
        theirs = session.facts(rel)
        mine = real(str(root / rel), rel)
        apply_status(mine.targets)
        assert theirs is not None
        assert [t.to_dict() for t in theirs.targets] == [t.to_dict() for t in mine.targets]
        a, b = ast_facts(theirs), ast_facts(mine)
        assert (a.shas, a.calls, a.imports) == (b.shas, b.calls, b.imports)
        assert a.tree is not None  # Python parsed it here, once: resolving calls needs it
    assert session.symbols is not None
    assert [s.qualname for s in session.symbols.callees(*session.target(items[1]))] == ["g0"]
    session.close()


def test_a_file_changed_after_the_scan_is_read_again(repo_factory, monkeypatch) -> None:
    """A file edited between the scan and drafting is read from disk, not taken from the
    scan's workers."""
    import os

    import docagent.scan

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    root = repo_factory(_many_files())
    real_scan = docagent.scan.scan

    def scan_then_edit(*args, **kwargs):
        result = real_scan(*args, **kwargs)
        (root / "pkg/m0.py").write_text("def only(z):\n    return z\n")
        return result

    monkeypatch.setattr(docagent.scan, "scan", scan_then_edit)
    session = Session(root, mode="batch")
    items = session.prepare(order=False)
    assert [i.qualname for i in items if i.path == "pkg/m0.py"] == ["<module>", "only"]
    assert len([i for i in items if i.path == "pkg/m1.py"]) == 601
    session.close()


def test_review_offers_nothing_of_a_python2_file(repo_factory) -> None:
    """A review's work items leave out the definitions of a file Python 3 cannot parse; the
    session reports the file with the scan's one-line reason."""
    py2 = 'def greet(name):\n    print "hello", name\n'
    root = repo_factory({"m.py": SRC, "old.py": py2})
    session = Session(root, mode="tui")
    items = session.prepare()
    assert [(i.path, i.qualname) for i in items] == [("m.py", "leaf"), ("m.py", "caller")]
    assert [(p, m.split(" syntax error: ")[0]) for p, m in session.errors] == [
        ("old.py", "old.py:2:")
    ]
    session.close()
