"""Resolved references: callees and callers through imports, base classes, attribute and local
types — never by bare name — and the context pack sections built on them."""

from __future__ import annotations

from docagent.code.targets import read_file
from docagent.draft import SymbolIndex
from docagent.draft.context import build_context

BASE = '''"""Base caches."""


class Cache:
    """A plain cache."""

    def __init__(self, maxsize):
        self.data = {}

    def get(self, key, default=None):
        """Return the value for key if key is in the cache, else default."""
        return self.data.get(key, default)

    def evict(self):
        """Remove one item."""
        self.data.popitem()
'''

TIMED = '''"""Timed caches."""

from pkg.base import Cache
from . import clock as clock_mod


class Timer:
    def now(self):
        return 0


class TTLCache(Cache):
    def __init__(self, maxsize, timer: Timer | None = None):
        super().__init__(maxsize)
        self.timer = Timer()
        self.links = {}

    def expire(self):
        time = self.timer.now()
        links = self.links
        links.get(time)
        self.evict()
        return clock_mod.tick(time)

    def evict(self):
        """Evict expired items first."""
        super().evict()


def use(c: Cache, key):
    local = TTLCache(3)
    local.expire()
    return c.get(key)
'''

CLOCK = """def tick(t):
    return t + 1
"""

TEST = """from pkg.timed import TTLCache


def test_expire():
    cache = TTLCache(2)
    cache.expire()
    assert not cache.links
"""


def index():
    files = {
        "pkg/__init__.py": "",
        "pkg/base.py": BASE,
        "pkg/timed.py": TIMED,
        "pkg/clock.py": CLOCK,
        "tests/test_timed.py": TEST,
    }
    facts = {p: read_file("", p, data=t.encode()) for p, t in files.items()}
    return facts, SymbolIndex.from_files(facts.values())


def names(symbols) -> list[str]:
    return [f"{s.path}:{s.qualname}" for s in symbols]


def test_callees_follow_attributes_bases_imports_and_locals() -> None:
    """self.timer.now() via the __init__ assignment, self.evict() via the MRO, a module alias."""
    facts, idx = index()
    timed = facts["pkg/timed.py"]
    got = names(idx.callees(timed, timed.target("TTLCache.expire")))
    assert got == ["pkg/timed.py:Timer.now", "pkg/timed.py:TTLCache.evict", "pkg/clock.py:tick"]
    got = names(idx.callees(timed, timed.target("use")))
    assert got == ["pkg/timed.py:TTLCache", "pkg/timed.py:TTLCache.expire", "pkg/base.py:Cache.get"]
    # super() resolves to the base class's method
    assert names(idx.callees(timed, timed.target("TTLCache.evict"))) == ["pkg/base.py:Cache.evict"]
    assert names(idx.callees(timed, timed.target("TTLCache.__init__"))) == [
        "pkg/base.py:Cache.__init__",
        "pkg/timed.py:Timer",
    ]


def test_a_dict_get_is_not_a_caller_of_cache_get() -> None:
    """`links.get(time)` on a dict and `self.data.get` are not calls of Cache.get."""
    _, idx = index()
    callers = [(s.path, s.caller) for s in idx.callers("pkg/base.py", "Cache.get")]
    assert callers == [("pkg/timed.py", "use")]


def test_pack_has_resolved_sites_tests_and_the_overridden_method() -> None:
    """Call sites are resolved ones with a few lines; tests show usage; overrides show the base."""
    facts, idx = index()
    timed = facts["pkg/timed.py"]
    pack = build_context(timed, timed.target("TTLCache.expire"), idx, budget=3000)
    sites = pack.section("call sites").text
    assert "pkg/timed.py:32 (in use):" in sites and "local.expire()" in sites
    assert "local = TTLCache(3)" in sites  # the line before the call
    tests = pack.section("usage in tests").text
    assert "tests/test_timed.py:6 (in test_expire):" in tests and "cache = TTLCache(2)" in tests
    evict = build_context(timed, timed.target("TTLCache.evict"), idx, budget=3000)
    inherited = evict.section("inherited").text
    assert "overrides pkg/base.py: Cache.evict" in inherited and "Remove one item." in inherited
    cls = build_context(timed, timed.target("TTLCache"), idx, budget=3000)
    assert "base pkg/base.py: Cache" in cls.section("inherited").text
    assert "A plain cache." in cls.section("inherited").text


def test_src_layout_imports_resolve() -> None:
    """`from lib import f` finds src/lib/__init__.py."""
    files = {
        "src/lib/__init__.py": "from .core import f\n",
        "src/lib/core.py": "def f():\n    return 1\n",
        "tests/test_core.py": "from lib import f\n\n\ndef test_f():\n    assert f() == 1\n",
    }
    facts = {p: read_file("", p, data=t.encode()) for p, t in files.items()}
    idx = SymbolIndex.from_files(facts.values())
    sites = idx.callers("src/lib/core.py", "f")
    assert [(s.path, s.caller) for s in sites] == [("tests/test_core.py", "test_f")]


def test_the_resolvers_walk_visits_what_ast_walk_visits_in_the_same_order() -> None:
    """Callees are found in the order of ``ast.walk`` (the faster walk must not change it)."""
    import ast
    import sysconfig
    from pathlib import Path

    from docagent.draft.resolve import walk

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for name in ("argparse.py", "dataclasses.py", "asyncio/tasks.py"):
        tree = ast.parse((stdlib / name).read_text(encoding="utf-8"))
        assert [id(n) for n in walk(tree)] == [id(n) for n in ast.walk(tree)]
