"""Truthfulness against the code: each kind of false claim is caught, true ones are not."""

from __future__ import annotations

import pytest

from docagent.code.targets import read_file
from docagent.draft.draft_checks import run_checks, unresolved_names
from docagent.draft.offline.drafter import OfflineDrafter
from docagent.draft.render import render
from docagent.draft.symbols import SymbolIndex
from docagent.eval.claims import CodeView, verify
from docagent.eval.helpfulness import helpfulness
from docagent.eval.metrics import truthfulness

MODULE = '''"""Storage helpers."""

import os
import shutil


class StoreError(Exception):
    pass


def purge(root, keep=3, *, dry_run: bool = False) -> int:
    if keep < 0:
        raise ValueError("keep must be >= 0")
    removed = 0
    for name in sorted(os.listdir(root))[keep:]:
        if not dry_run:
            shutil.rmtree(os.path.join(root, name))
        removed += 1
    return removed


def total(values: list, start: int = 0) -> int:
    return sum(values, start)


def log(message) -> None:
    print(message)


def encode(text, *args, **kwargs):
    if isinstance(text, bytes):
        data = text
    else:
        raise StoreError("need bytes")
    if kwargs:
        raise TypeError("no options")
    size = len(data)
    if size > 10:
        raise OverflowError("too long")
    return data


def pairs(items):
    for i in items:
        yield i, i
'''


@pytest.fixture(scope="module")
def facts():
    """Code facts of MODULE."""
    return read_file("store.py", "store.py", MODULE.encode())


def false_notes(facts, qualname: str, text: str) -> list[str]:
    """The notes of the false claims of ``text`` about ``qualname``."""
    return truthfulness(facts.target(qualname), text, facts).notes


def test_true_docstring_has_no_false_claim(facts) -> None:
    """A docstring that says what the code does is fully truthful."""
    text = (
        "Delete all but the first `keep` entries of a directory.\n\n"
        "Args:\n    root: The directory.\n    keep: How many entries survive. Defaults to 3.\n"
        "    dry_run (bool): Count without deleting.\n\n"
        "Returns:\n    int: How many entries were (or would be) removed.\n\n"
        "Raises:\n    ValueError: If keep < 0."
    )
    assert truthfulness(facts.target("purge"), text, facts).value == 1.0


@pytest.mark.parametrize(
    ("qualname", "text", "note"),
    [
        ("purge", "Purge.\n\nArgs:\n    verbose: Talk.", "param verbose"),
        ("purge", "Purge.\n\nArgs:\n    keep: Kept. Defaults to 5.", "default keep"),
        ("purge", "Purge.\n\nArgs:\n    dry_run (int): Flag.", "type dry_run"),
        ("total", "Sum.\n\nReturns:\n    str: The sum.", "return type"),
        ("log", "Print a message.\n\nReturns:\n    The message.", "returns"),
        ("log", "Return the formatted message.", "returns"),
        ("total", "Add the values up. Always returns None.", "returns nothing"),
        ("total", "Sum.\n\nYields:\n    Partial sums.", "yields"),
        ("total", "Sum. Raises `QuotaExceededError` when full.", "raises QuotaExceededError"),
        ("total", "Sum the values with `fancy_adder`.", "name fancy_adder"),
        ("total", "Sum the values and send them to a remote server.", "network"),
        ("total", "Sum the values and write them to a file on disk.", "writes"),
    ],
)
def test_each_kind_of_false_claim_is_caught(facts, qualname: str, text: str, note: str) -> None:
    """Invented params, wrong defaults/types, false returns/yields/raises/names/effects."""
    notes = false_notes(facts, qualname, text)
    assert any(n.startswith(note) for n in notes), notes


def test_one_false_claim_halves_truthfulness_however_many_true(facts) -> None:
    """True statements do not dilute a lie."""
    text = "Sum `values` from `start` with `sum`. Raises `QuotaExceededError` when full."
    assert truthfulness(facts.target("total"), text, facts).value == 0.5


def test_side_effects_backed_by_the_code_are_true(facts) -> None:
    """purge calls shutil.rmtree: saying it deletes files is true; negations are not claims;
    a function whose module deletes files elsewhere may delete through a callee (unknown)."""
    target = facts.target("purge")
    assert truthfulness(target, "Deletes old files from the directory.", facts).value == 1.0
    assert truthfulness(facts.target("total"), "Never deletes files.", facts).value == 1.0
    view = CodeView.of(facts, facts.target("total"))
    claims = verify(view, "Sum, then delete every file in the home directory.")
    assert [c.verdict for c in claims if c.kind == "deletes"] == ["unknown"]
    clean = read_file("m.py", "m.py", b"def f(x):\n    return x\n")
    notes = truthfulness(clean.target("f"), "Delete every file in the home directory.", clean)
    assert notes.notes == ["deletes: no such call in the code"]


def test_implicit_builtin_exceptions_are_not_judged_false(facts) -> None:
    """Statics cannot tell whether a callee raises KeyError: unknown, not false."""
    view = CodeView.of(facts, facts.target("total"))
    claims = verify(view, "Sum.\n\nRaises:\n    KeyError: If a key is missing.")
    assert [c.verdict for c in claims if c.kind == "raises"] == ["unknown"]


def test_raise_conditions_must_be_the_raising_branch(facts) -> None:
    """An else-branch test, a local variable or a bare **kwargs is a false condition."""
    notes = false_notes(
        facts,
        "encode",
        "Encode.\n\nRaises:\n    StoreError: If isinstance(text, bytes).\n"
        "    TypeError: If kwargs.\n    OverflowError: If size > 10.",
    )
    assert any("is false, not true" in n for n in notes)
    assert any("kwargs" in n for n in notes)
    assert any("local variable size" in n for n in notes)
    ok = "Encode.\n\nRaises:\n    StoreError: If not isinstance(text, bytes)."
    assert false_notes(facts, "encode", ok) == []


def test_offline_drafter_passes_truthfulness(facts) -> None:
    """The offline drafter's raise conditions are true and readable (it used to write
    'If isinstance(text, bytes)' for an else branch, 'If kwargs.' and local names)."""
    target = facts.target("encode")
    text = render(OfflineDrafter().draft(facts, target), "google", target)
    assert truthfulness(target, text, facts).value == 1.0, text
    assert "If not isinstance(text, bytes)." in text
    assert "If kwargs." not in text and "size" not in text
    assert "keyword arguments are given" in text


def test_backticked_names_have_one_owner(facts) -> None:
    """The drafting check and the metric use the same resolution rule."""
    target = facts.target("total")
    symbols = SymbolIndex.from_files([facts])
    text = "Sum with `fancy_adder` and `os.listdir`."
    assert unresolved_names(text, target, symbols, None, facts) == ["fancy_adder"]
    checks = run_checks(target, text, "google", symbols, None, None, facts)
    assert any(c.name == "names" and not c.ok and "fancy_adder" in c.detail for c in checks)
    assert false_notes(facts, "total", text) == ["name fancy_adder"]


def test_helpfulness_rewards_what_the_signature_does_not_say(facts) -> None:
    """Restating names or the signature scores 0; explaining behaviour scores above it."""
    target = facts.target("purge")
    template = (
        "Purge.\n\nArgs:\n    root: The root.\n    keep: The keep.\n\nReturns:\n    The result."
    )
    signature = "purge(root, keep=3, *, dry_run: bool = False) -> int."
    real = (
        "Delete all but the first entries of a directory, sorted by name.\n\n"
        "Args:\n    root: Directory whose entries are listed and removed.\n"
    )
    assert helpfulness(target, template, facts).value == 0.0
    assert helpfulness(target, signature, facts).value == 0.0
    assert helpfulness(target, "TODO.", facts).value == 0.0
    assert helpfulness(target, real, facts).value > 0.2
    half = real[: len(real) // 2]
    assert helpfulness(target, half, facts).value < helpfulness(target, real, facts).value


def test_what_statics_cannot_refute_is_not_false() -> None:
    """Documented **kwargs keys, math notation, and names in a module of a package (which may
    live in a sibling module) are unknown; a prose "`x` argument" must be a parameter."""
    src = (
        b"from .core import helper\n\n\ndef get(url, **kwargs):\n    return helper(url, **kwargs)\n"
    )
    facts = read_file("pkg/api.py", "pkg/api.py", src)
    target = facts.target("get")
    text = ":param url: Where.\n:param timeout: Seconds to wait (a key of kwargs)."
    assert truthfulness(target, text, facts).value == 1.0
    assert truthfulness(target, "Compute `G1` from `uA`; see `sibling_helper`.", facts).value == 1.0
    lone = read_file("api.py", "api.py", b"def get(url):\n    return url\n")
    assert truthfulness(lone.target("get"), "Fetch; see `sibling_helper`.", lone).notes == [
        "name sibling_helper"
    ]
    notes = truthfulness(lone.target("get"), "The `retry_count` argument is ignored.", lone).notes
    assert "param retry_count" in notes


def test_repository_names_resolve_across_cases() -> None:
    """A name defined in another case's module of the same repository resolves."""
    from docagent.eval.datasets import parse_case
    from docagent.eval.runner import prepare, repository_key, repository_names

    a = {
        "id": "a",
        "path": "m1.py",
        "qualname": "f",
        "kind": "function",
        "origin": "proj 1.0",
        "source": "def f(x):\n    return x\n",
    }
    b = {
        **a,
        "id": "b",
        "path": "m2.py",
        "qualname": "far_away_helper",
        "source": "def far_away_helper():\n    pass\n",
    }
    cases = [parse_case(a), parse_case(b)]
    names = repository_names(cases)
    assert "far_away_helper" in names["proj"] and repository_key(cases[0]) == "proj"
    prep = prepare(cases[0], names["proj"])
    text = "Return x; see `far_away_helper`."
    assert truthfulness(prep.target, text, prep.facts, view=prep.view).value == 1.0
    alone = prepare(cases[0])
    assert truthfulness(alone.target, text, alone.facts, view=alone.view).value == 0.5


def test_only_a_file_deleting_call_backs_a_claim_to_delete_files() -> None:
    """``del x``, ``items.remove(x)`` and ``d.clear()`` touch no file: "deletes every file" about
    such a module is false; ``os.remove`` makes it true."""
    source = (
        b"import os\n\n"
        b"def tidy(items, cache):\n"
        b"    del items[0]\n"
        b"    items.remove(None)\n"
        b"    cache.clear()\n"
        b"    return items\n\n"
        b"def drop(path):\n"
        b"    os.remove(path)\n"
    )
    facts = read_file("m.py", "m.py", source)
    claim = "Delete every file in the user's home directory."
    found = truthfulness(facts.target("tidy"), claim, facts)
    assert found.notes == []  # the module deletes files in drop(): a callee might (unknown)
    assert truthfulness(facts.target("drop"), claim, facts).value == 1.0
    alone = read_file("n.py", "n.py", source.split(b"\ndef drop")[0])
    assert truthfulness(alone.target("tidy"), claim, alone).notes == [
        "deletes: no such call in the code"
    ]


def test_only_a_file_moving_call_backs_a_claim_to_write_files() -> None:
    """``text.replace(a, b)`` and ``d.copy()`` touch no file: "writes to a file" about such a
    module is false; ``os.replace``, ``shutil.move`` and ``path.replace(target)`` make it true."""
    claim = "Save the result to a file on disk."
    plain = read_file(
        "m.py",
        "m.py",
        b"def tidy(text, d):\n    d = d.copy()\n    return text.replace('a', 'b'), d\n",
    )
    assert truthfulness(plain.target("tidy"), claim, plain).notes == [
        "writes: no such call in the code"
    ]
    for call in (b"os.replace(a, b)", b"shutil.move(a, b)", b"a.replace(b)"):
        source = b"import os\nimport shutil\n\ndef swap(a, b):\n    " + call + b"\n"
        facts = read_file("n.py", "n.py", source)
        assert truthfulness(facts.target("swap"), claim, facts).value == 1.0, call


def test_recorded_repository_exceptions_make_a_raise_claim_undecided_not_false() -> None:
    """A case may record the exceptions its whole repository defines: a raise claim of one of
    them (raised by a decorator or callee in a file no case carries) is not judged false, while
    an exception neither the module nor the repository defines still is."""
    from docagent.eval.datasets import parse_case
    from docagent.eval.runner import prepare, repository_key, repository_names

    record = {
        "id": "a",
        "path": "pkg/m1.py",
        "qualname": "f",
        "kind": "function",
        "origin": "proj 1.0",
        "source": "from pkg.utils import not_implemented_for\n\n"
        "@not_implemented_for('directed')\ndef f(x):\n    return x\n",
    }
    bare = parse_case(record)
    recorded = parse_case({**record, "repository_exceptions": ["ProjNotImplemented"]})
    text = "Return x.\n\nRaises:\n    ProjNotImplemented: If the graph is directed.\n"
    for case, value in ((bare, 0.5), (recorded, 1.0)):
        names = repository_names([case])
        prep = prepare(case, names.get(repository_key(case)))
        assert truthfulness(prep.target, text, prep.facts, view=prep.view).value == value
    prep = prepare(recorded, repository_names([recorded])["proj"])
    invented = "Return x.\n\nRaises:\n    QuotaExceededError: If over quota.\n"
    assert truthfulness(prep.target, invented, prep.facts, view=prep.view).value == 0.5


def test_a_module_that_restates_its_name_is_not_said_to_restate_a_signature() -> None:
    """A module has no signature: eval's reason for "The conf module." (click's docs/conf.py)
    says it restates the module's name; a function's still names its signature."""
    facts = read_file(
        "docs/conf.py", "docs/conf.py", b'project = "Click"\n\n\ndef setup(app):\n    pass\n'
    )
    module = helpfulness(facts.target("<module>"), "The conf module.", facts)
    assert (module.value, module.notes) == (0.0, ["restates the module's name only"])
    function = helpfulness(facts.target("setup"), "Setup.\n\nArgs:\n    app: The app.", facts)
    assert function.notes == ["restates the signature only"]
