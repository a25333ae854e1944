"""Context packs, callee-first order, the drafter's cache and redraft, and the price table."""

from __future__ import annotations

import pytest
from conftest import STDLIB

from docagent.code.targets import read_file
from docagent.config import Settings
from docagent.draft import (
    Drafter,
    JsonFileCache,
    MemoryCache,
    SymbolIndex,
    build_context,
    order_callees_first,
)
from docagent.draft.context import estimate_tokens
from docagent.draft.models import Usage
from docagent.draft.pricing import cost, price_for
from docagent.draft.providers.base import ProviderResult
from docagent.draft.symbols import signature

UTIL = '''"""Utilities."""


def parse_size(text: str, *, base: int = 10) -> int:
    """Parse a size like ``10k`` into bytes."""
    return int(text, base)
'''

APP = '''"""The application."""
import os

from pkg.util import parse_size


class Loader:
    """Load things."""

    limit = 3

    def __init__(self, root):
        self.root = root

    def load(self, name):
        size = parse_size(name)
        return self.read(size)

    def read(self, size):
        return os.urandom(size)


def even(n):
    return n == 0 or odd(n - 1)


def odd(n):
    return n != 0 and even(n - 1)


def run():
    return Loader(".").load("10")
'''


def files():
    """Return the util and app sample files and their symbol index."""
    util = read_file("", "pkg/util.py", data=UTIL.encode())
    app = read_file("", "pkg/app.py", data=APP.encode())
    return util, app, SymbolIndex.from_files([util, app])


def test_pack_has_target_class_callees_module_and_call_sites():
    util, app, index = files()
    pack = build_context(app, app.target("Loader.load"), index, budget=1500)
    titles = [s.title for s in pack.sections]
    assert titles[0] == "target" and "def load(self, name):" in pack.section("target").text
    assert "class Loader:" in pack.section("class").text
    assert "limit, root" in pack.section("class").text
    callees = pack.section("callees").text
    assert "def parse_size(text: str, *, base: int = 10) -> int" in callees
    assert "Parse a size like ``10k`` into bytes." in callees
    assert "def read(self, size)" in callees
    assert "from pkg.util import parse_size" in pack.section("module").text
    assert "pkg/app.py:" in pack.section("call sites").text
    assert pack.text.rstrip().endswith("return self.read(size)")  # the target comes last
    assert pack.tokens <= 1500 and pack.tokens == estimate_tokens(pack.text)


def test_pack_is_deterministic_and_respects_the_budget():
    util, app, index = files()
    big = APP + "\n\ndef huge():\n" + "".join(f"    x{i} = {i}\n" for i in range(400))
    app = read_file("", "pkg/app.py", data=big.encode())
    index = SymbolIndex.from_files([util, app])
    a = build_context(app, app.target("huge"), index, budget=300)
    b = build_context(app, app.target("huge"), index, budget=300)
    assert a.text == b.text and a.hash == b.hash
    assert a.tokens <= 300
    assert a.section("target").truncated and "more lines)" in a.section("target").text


def test_team_examples_replace_nearby_ones():
    util, app, index = files()
    near = build_context(app, app.target("run"), index)
    assert near.examples_source == "nearby" and near.section("style examples") is not None
    team = build_context(app, app.target("run"), index, examples=["Team example."])
    assert team.examples_source == "team" and team.team_examples == ["Team example."]
    assert team.section("style examples") is None and team.hash != near.hash


def test_signature_rendering():
    util, app, _ = files()
    assert (
        signature(util.target("parse_size"))
        == "def parse_size(text: str, *, base: int = 10) -> int"
    )
    src = "def f(a, /, b, *args, c=1, **kw): pass\n"
    f = read_file("", "f.py", data=src.encode())
    assert signature(f.target("f")) == "def f(a, /, b, *args, c=1, **kw)"


def test_callees_first_order_with_cycles():
    util, app, index = files()
    items = [(f, t) for f in (app, util) for t in f.targets if t.kind != "module"]
    order = [t.qualname for _, t in order_callees_first(items, index)]
    assert order.index("parse_size") < order.index("Loader.load")
    assert order.index("Loader.read") < order.index("Loader.load")
    assert order.index("Loader.load") < order.index("run")
    assert order.index("Loader") < order.index("run")
    assert {"even", "odd"} <= set(order) and len(order) == len(items)


def test_context_pack_is_much_smaller_than_the_file_on_real_code():
    facts = read_file(str(STDLIB / "argparse.py"), "argparse.py")
    index = SymbolIndex.from_files([facts])
    ratios = sorted(
        build_context(facts, t, index).tokens / estimate_tokens(facts.text)
        for t in facts.targets
        if t.kind in ("function", "method")
    )
    assert ratios[len(ratios) // 2] <= 0.4


class Scripted:
    """A provider that returns scripted JSON and records requests."""

    name = "scripted"
    model = "claude-sonnet-4-6"

    def __init__(self, *answers):
        """Queue the JSON answers the provider will return, in order."""
        self.answers = list(answers)
        self.requests = []

    async def complete(self, request):
        """Record the request and return the next scripted answer."""
        self.requests.append(request)
        return ProviderResult(
            data=self.answers.pop(0), raw="{}", usage=Usage(100, 10, 0, 0), model=self.model
        )

    async def aclose(self):
        """Nothing to close."""
        pass


GOOD = {
    "summary": "Read size bytes.",
    "params": [{"name": "size", "description": "Bytes."}],
    "returns": "Random bytes.",
}


async def test_cache_reuses_drafts_until_code_changes(tmp_path):
    util, app, index = files()
    provider = Scripted(GOOD, GOOD)
    cache = JsonFileCache(tmp_path / ".docagent" / "drafts.json")
    drafter = Drafter(provider, Settings(), index, "google", cache=cache)
    first = await drafter.draft(app, app.target("Loader.read"))
    again = await Drafter(
        provider,
        Settings(),
        index,
        "google",
        cache=JsonFileCache(tmp_path / ".docagent" / "drafts.json"),
    ).draft(app, app.target("Loader.read"))
    assert first.ok and again.cached and again.text == first.text
    assert len(provider.requests) == 1
    changed = read_file(
        "", "pkg/app.py", data=APP.replace("os.urandom(size)", "b'0' * size").encode()
    )
    await drafter.draft(changed, changed.target("Loader.read"))
    assert len(provider.requests) == 2


async def test_hint_bypasses_the_cache_and_reaches_the_prompt():
    util, app, index = files()
    provider = Scripted(GOOD, GOOD)
    drafter = Drafter(provider, Settings(), index, "google", cache=MemoryCache())
    await drafter.draft(app, app.target("Loader.read"))
    await drafter.draft(app, app.target("Loader.read"), hint="mention os.urandom")
    assert len(provider.requests) == 2
    assert "mention os.urandom" in provider.requests[1].messages[0]["content"]


async def test_one_redraft_quotes_the_problems():
    util, app, index = files()
    bad = dict(GOOD, params=[{"name": "nbytes", "description": "Bytes."}])
    provider = Scripted(bad, GOOD)
    d = await Drafter(provider, Settings(), index, "numpy").draft(app, app.target("Loader.read"))
    assert d.ok and d.attempts == 2 and d.style == "numpy"
    follow = provider.requests[1].messages[-1]["content"]
    assert "documents parameter 'nbytes' not in the signature" in follow
    assert "Parameters\n----------\nsize" in d.text
    assert d.usage.input_tokens == 200
    assert d.cost_usd == cost("claude-sonnet-4-6", Usage(200, 20))


def test_price_table():
    assert price_for("claude-sonnet-4-6").input == 3.0
    assert price_for("claude-haiku-4-5").output == 5.0
    assert price_for("claude-opus-4-1").input == 15.0
    assert price_for("claude-opus-4-6").input == 5.0
    assert price_for("llama3") is None and cost("llama3", Usage(10**6, 10**6)) == 0.0
    u = Usage(50_000, 50_000, 50_000, 50_000)  # within the 200k-token base tier
    assert cost("claude-sonnet-4-6", u) == pytest.approx((3 + 15 + 0.3 + 3.75) / 20)
    assert cost("claude-sonnet-4-6", u, batch=True) == pytest.approx((3 + 15 + 0.3 + 3.75) / 40)


def _nearby_by_sorting(facts, target, limit=2, exclude=()):
    """The style examples as sorting every candidate of the file chose them (the reference)."""
    import heapq

    from docagent.draft.context import _example_candidates

    chosen = heapq.nsmallest(
        limit,
        (
            c
            for c in _example_candidates(facts)
            if c[1].qualname != target.qualname and c[1].qualname not in exclude
        ),
        key=lambda c: (c[0], c[1].kind != target.kind, abs(c[1].line - target.line), c[1].line),
    )
    return [t.docstring.text for _, t in chosen]


NEIGHBOURS = '''
class A:
    """A class."""

    def f(self):
        """Plain."""

    def g(self, x):
        """Sections.

        Args:
            x: The x.
        """

    def h(self):
        pass

    class B: """Nested on one line."""


def k(x):
    """Sections.

    Returns:
        x: The x.
    """


def m():
    """Plain too."""
'''


@pytest.mark.parametrize("name", ["inspect.py", "argparse.py", "_pydecimal.py"])
def test_nearby_style_examples_are_those_sorting_every_candidate_gives(name):
    """The style examples read nearest first are those of sorting all the file's documented
    targets (sections first, same kind first, nearest, earlier line), whatever is excluded and
    however many are asked for."""
    import random

    from docagent.draft.context import nearby_docstrings

    sources = {"neighbours.py": NEIGHBOURS, name: (STDLIB / name).read_text()}
    for path, text in sources.items():
        facts = read_file("", path, data=text.encode())
        documented = [t.qualname for t in facts.targets if t.docstring is not None]
        pick = random.Random(path)
        for target in facts.targets:
            for limit in (0, 1, 2, 5):
                exclude = set(pick.sample(documented, min(len(documented), pick.randint(0, 4))))
                assert nearby_docstrings(facts, target, limit, exclude) == _nearby_by_sorting(
                    facts, target, limit, exclude
                ), (path, target.qualname)


def test_style_examples_starting_on_one_line_come_in_source_order():
    """Candidates at the same distance on the same line (not in a file that parses, but the
    order must not depend on it) come in the file's order, as a stable sort gives them."""
    import dataclasses

    from docagent.code.targets import FileFacts
    from docagent.draft.context import nearby_docstrings

    read = read_file("", "neighbours.py", data=NEIGHBOURS.encode())
    # the classes on line 2, before the functions and methods, which are all on line 3
    lines = {"class": 2, "module": 0}
    moved = [dataclasses.replace(t, line=lines.get(t.kind, 3)) for t in read.targets]
    facts = FileFacts(read.path, read.encoding, read.newline, read.text, read.source, moved)
    for target in facts.targets:
        for limit in (1, 2, 3):
            assert nearby_docstrings(facts, target, limit) == _nearby_by_sorting(
                facts, target, limit
            )
