"""A person's words are never lost one level above the edit engine (session, apply, proposals).

Each test is a situation a reviewer meets: a docstring typed in an editor while its draft is on
screen, a second review session on the same repository, an outside change followed by ``g``,
a proposals file applied after the docstring changed, a draft that cannot repair in place.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from review_helpers import make_session

from docagent.cli import main
from docagent.session import Session, WorkItem
from docagent.store import Store

MOD = '''"""Shapes."""


def area(width: int, height: int) -> int:
    return width * height


def scale(value: float, factor: float) -> float:
    """Scale a value by a factor.

    Negative factors flip the sign, which the mirroring code relies on.

    Args:
        value: The value to scale.
        amount: How much to scale by.
    """
    return value * factor
'''


def _doc(root: Path, name: str) -> str | None:
    tree = ast.parse((root / "m.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_docstring(node)
    return None


def _item(session: Session, qualname: str) -> WorkItem:
    return next(i for i in session.items if i.qualname == qualname)


def _write_docstring(root: Path, old: str, new: str) -> None:
    path = root / "m.py"
    path.write_text(path.read_text().replace(old, new))


def test_accept_refuses_a_docstring_typed_after_the_draft(repo_factory: Any) -> None:
    root = repo_factory({"m.py": MOD})
    session = make_session(root)
    session.prepare()
    item = _item(session, "area")
    draft = session.draft_sync(item)
    # the person types a docstring in their editor while the draft is on screen
    _write_docstring(
        root, "    return width * height", '    """Mine."""\n    return width * height'
    )
    outcome = session.accept(item, draft)
    assert not outcome.ok and "was written since its draft" in outcome.message
    assert _doc(root, "area") == "Mine."
    session.close()
    with Store.open(root) as store:
        assert [r.decision for r in store.decisions()] == []


def test_a_second_session_never_loses_the_first_sessions_words(repo_factory: Any) -> None:
    root = repo_factory({"m.py": MOD})
    first, second = make_session(root), make_session(root)
    first.prepare()
    second.prepare()
    draft_1 = first.draft_sync(_item(first, "area"))
    draft_2 = second.draft_sync(_item(second, "area"))
    assert second.accept(_item(second, "area"), draft_2, text="Area of a rectangle.").ok
    outcome = first.accept(_item(first, "area"), draft_1)
    assert not outcome.ok and "since its draft" in outcome.message
    assert _doc(root, "area") == "Area of a rectangle."
    first.close()
    second.close()
    with Store.open(root) as store:
        standing = {(r.qualname, r.decision) for r in store.decisions()}
    assert standing == {("area", "edit")}


def test_g_after_an_outside_change_drafts_from_the_file_on_disk(repo_factory: Any) -> None:
    root = repo_factory({"m.py": MOD})
    session = make_session(root)
    session.prepare()
    item = _item(session, "area")
    draft = session.draft_sync(item)
    # the code changes outside the session: accept is refused …
    _write_docstring(root, "def area(width: int, height: int)", "def area(width: int, depth: int)")
    _write_docstring(root, "return width * height", "return width * depth")
    refused = session.accept(item, draft)
    assert not refused.ok and "changed since its draft" in refused.message
    # … and g (a fresh draft) is made from the new code, so accept works
    again = session.draft_sync(item, fresh=True)
    assert again.code_sha != draft.code_sha
    assert "depth" in again.text and "height" not in again.text
    assert session.accept(item, again).ok
    assert "depth" in (_doc(root, "area") or "")
    session.close()


def test_a_wholesale_replacement_needs_an_explicit_confirmation(repo_factory: Any) -> None:
    root = repo_factory({"m.py": MOD})
    session = make_session(root)
    session.prepare()
    item = _item(session, "scale")
    draft = session.draft_sync(item)
    assert draft.repairs  # the default draft is the minimal repair …
    wholesale = type(draft)(**{**draft.__dict__, "text": "Scale it.", "checks": []})
    refused = session.accept(item, wholesale)
    assert not refused.ok and refused.needs_confirmation
    assert refused.dropped == 5 and "would remove 5 hand-written lines" in refused.message
    assert "Negative factors" in (_doc(root, "scale") or "")
    confirmed = session.accept(item, wholesale, confirm=True)
    assert confirmed.ok and _doc(root, "scale") == "Scale it."
    session.close()


def _proposal(root: Path, qualname: str, text: str, **extra: Any) -> Path:
    path = root.parent / f"{qualname}.jsonl"
    record = {"path": "m.py", "qualname": qualname, "text": text, "status": "accepted", **extra}
    path.write_text(json.dumps(record) + "\n")
    return path


def test_apply_refuses_a_record_whose_docstring_changed_since(
    repo_factory: Any, capsys: Any
) -> None:
    root = repo_factory({"m.py": MOD})
    out = root.parent / "p.jsonl"
    assert main(["batch", str(root), "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    area = next(r for r in records if r["qualname"] == "area")
    assert area["original_sha"] == "none"  # drafted where there was no docstring
    area["status"] = "accepted"
    out.write_text(json.dumps(area) + "\n")
    _write_docstring(
        root, "    return width * height", '    """Mine."""\n    return width * height'
    )
    capsys.readouterr()
    assert main(["apply", str(out), "--repo", str(root)]) == 1
    assert "area" in capsys.readouterr().err and _doc(root, "area") == "Mine."
    assert main(["apply", str(out), "--repo", str(root), "--force"]) == 0
    assert _doc(root, "area") == area["text"]


def test_apply_never_drops_hand_written_lines_of_a_record_without_checks(
    repo_factory: Any, capsys: Any
) -> None:
    root = repo_factory({"m.py": MOD})
    path = _proposal(root, "scale", "Scale a value.")
    assert main(["apply", str(path), "--repo", str(root)]) == 1
    err = capsys.readouterr().err
    assert "would remove 5 hand-written lines" in err
    assert "Negative factors" in (_doc(root, "scale") or "")
    assert main(["apply", str(path), "--repo", str(root), "--force"]) == 0
    assert "replaced 5 hand-written lines" in capsys.readouterr().err
    assert _doc(root, "scale") == "Scale a value."


def test_crlf_in_a_proposal_is_written_with_the_files_newline(repo_factory: Any) -> None:
    crlf = MOD.replace("\n", "\r\n")
    for name, source, newline in (("lf", MOD, b"\n"), ("crlf", crlf, b"\r\n")):
        root = repo_factory({"m.py": source.encode()}, name=name)
        path = _proposal(root, "area", "Area of a rectangle.\r\n\r\nWidth times height.\r\n")
        assert main(["apply", str(path), "--repo", str(root)]) == 0
        data = (root / "m.py").read_bytes()
        assert b"\\r" not in data
        assert _doc(root, "area") == "Area of a rectangle.\n\nWidth times height."
        if newline == b"\n":
            assert b"\r" not in data
        else:
            assert data.count(b"\n") == data.count(b"\r\n")


GOOGLE = '''"""Sizes."""


def grow(size: int, by: int) -> int:
    """Grow a size.

    Args:
        size: The size.
        by: How much.

    Returns:
        The new size.
    """
    return size + by


def shrink(size: int, by: int) -> int:
    """Shrink a size.

    Args:
        size: The size.
        by: How much.

    Returns:
        The new size.
    """
    return size - by
'''
PLAIN = '''"""Plain helpers."""


def half(value: int) -> int:
    """Half of a value."""
    return value // 2


def twice(value: int, times: int) -> int:
    return value * 2 * times
'''


def test_style_is_the_repositorys_whatever_path_is_given(repo_factory: Any) -> None:
    root = repo_factory({"src/pkg/sizes.py": GOOGLE, "src/pkg/plain.py": PLAIN})
    styles = {}
    for path in (root, root / "src" / "pkg", root / "src" / "pkg" / "plain.py"):
        session = Session(path, mode="batch")
        session.prepare()
        item = next(i for i in session.items if i.qualname == "twice")
        styles[path] = (session.style, "Args:" in session.draft_sync(item).text)
        session.close()
    assert set(styles.values()) == {("google", True)}


MULTI = '''"""Strings."""


class MultiReplace:
    """Do multiple find/replace actions in one pass (boltons' layout).

    Keyword Arguments:

    :type regex: bool
    :param regex: Treat search keys as regular expressions [Default: False]
    :type flags: int
    :param flags: flags to pass to the regex engine during compile

    Dictionary Usage::

        s = MultiReplace({'foo': 'zoo'})
        new = s.sub('The foo bar')

    >>> MultiReplace({'a': 'b'}).sub('a')
    'b'
    """

    def __init__(self, sub_map, **kwargs):
        """Compile any regular expressions that have been passed."""
        self.options = dict(kwargs)
'''


def test_the_default_draft_of_a_stale_docstring_is_the_minimal_repair(
    repo_factory: Any, capsys: Any
) -> None:
    # boltons strutils.MultiReplace: one `a` replaced ~55 lines of prose and doctests
    root = repo_factory({"m.py": MULTI})
    assert main(["batch", str(root), "--apply"]) == 0
    capsys.readouterr()
    before = MULTI.splitlines()
    after = (root / "m.py").read_text().splitlines()
    assert [line for line in before if line not in after] == []
    added = [line for line in after if line not in before]
    assert len(added) == 1 and added[0].strip().startswith(":param sub_map:")
