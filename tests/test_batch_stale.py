"""batch --apply on stale docstrings: repairs are applied, wholesale replacements are not."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from docagent.cli import main
from docagent.code.targets import read_file

STALE = '''"""Lookups."""


def lookup(d, k):
    """Look up a key, or fail loudly.

    The mapping is never changed.

    Examples:
        >>> lookup({"a": 1}, "a")
        1

    Args:
        d (dict): The mapping to search,
            left untouched.
        k (str): The key.

    Returns:
        object: The value stored under ``k``.

    """
    if k not in d:
        raise KeyError(k)
    return d[k]


def listed(a, c):
    """Return a, as the bullet list below says.

    Args:
        - a: The a.
    """
    return a
'''


def docstring(root: Path, qualname: str) -> str:
    """The current docstring text of ``qualname`` in ``m.py``."""
    t = read_file(str(root / "m.py"), "m.py").target(qualname)
    assert t is not None and t.docstring is not None
    return t.docstring.text


def test_batch_apply_repairs_stale_docstrings_and_never_replaces_them(
    repo_factory, tmp_path: Path, capsys
) -> None:
    """The repairable docstring gains only its Raises entry; the other is proposed, untouched."""
    root = repo_factory({"m.py": STALE})
    before = {q: docstring(root, q) for q in ("lookup", "listed")}
    out = tmp_path / "p.jsonl"
    code = main(["batch", str(root), "--apply", "--out", str(out)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert summary["applied"] == 1 and summary["proposed"] == 1

    after = docstring(root, "lookup")
    assert after.startswith(before["lookup"] + "\n\nRaises:\n    KeyError: ")
    assert after.count("\n") == before["lookup"].count("\n") + 3
    assert docstring(root, "listed") == before["listed"]

    # every other byte of the file is as it was: the old trailing blank line now separates
    raises = textwrap.indent("Raises:\n    KeyError: " + after.split("KeyError: ", 1)[1], "    ")
    assert (root / "m.py").read_text() == STALE.replace(
        '``k``.\n\n    """', "``k``.\n\n" + raises + '\n    """'
    )

    records = {r["qualname"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["lookup"]["status"] == "accepted"
    assert records["listed"]["status"] == "proposed"
    kept = {c["name"]: c for c in records["listed"]["checks"]}["preserves_existing"]
    assert kept["ok"] is False and kept["hard"] is True
    assert kept["detail"].startswith("cannot be repaired in place: replaces the hand-written")

    # apply --all of the same proposals never replaces the hand-written docstring either
    code = main(["apply", str(out), "--all", "--repo", str(root)])
    err = capsys.readouterr().err
    assert code == 1 and "would remove" in err and "hand-written line" in err
    assert docstring(root, "listed") == before["listed"]
    # --force replaces it and says how many hand-written lines went
    code = main(["apply", str(out), "--all", "--force", "--repo", str(root)])
    err = capsys.readouterr().err
    assert code == 0 and "replaced" in err and "hand-written line" in err
    assert docstring(root, "listed") == records["listed"]["text"]
