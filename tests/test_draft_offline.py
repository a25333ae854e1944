"""The offline drafter: deterministic, no network, and passing every check on real code."""

from __future__ import annotations

import time

import pytest
from conftest import STDLIB, STDLIB_SAMPLE

from docagent.code.docstrings import parse_sections
from docagent.code.targets import read_file
from docagent.config import Settings
from docagent.draft import Drafter, SymbolIndex, make_provider
from docagent.draft.draft_checks import run_checks
from docagent.draft.offline.drafter import OfflineDrafter
from docagent.draft.offline.words import split_words
from docagent.draft.providers.offline import OfflineProvider
from docagent.draft.render import render


@pytest.fixture(scope="module")
def stdlib_files():
    """Read the standard-library sample once per module."""
    files = []
    for name in STDLIB_SAMPLE:
        if (STDLIB / name).is_file():
            files.append(read_file(str(STDLIB / name), name))
    assert len(files) >= 45
    return files


def _hard_failures(facts, target, symbols, style, drafter):
    structured = drafter.draft(facts, target, False, style)
    text = render(structured, style, target)
    init = facts.target(target.qualname + ".__init__") if target.kind == "class" else None
    checks = run_checks(target, text, style, symbols, structured, init, facts)
    return structured, text, [c for c in checks if not c.ok]


@pytest.mark.slow
def test_every_stdlib_target_passes_every_check(stdlib_files):
    """100% of the targets of ~50 stdlib modules pass (their docstrings are ignored)."""
    symbols = SymbolIndex.from_files(stdlib_files)
    drafter = OfflineDrafter()
    failures = []
    functions = 0
    started = time.perf_counter()
    for facts in stdlib_files:
        for target in facts.targets:
            # docstrings are never read (see test_docstrings_do_not_influence_the_draft)
            structured, text, failed = _hard_failures(facts, target, symbols, "google", drafter)
            if target.kind in ("function", "method"):
                functions += 1
                documented = set(parse_sections(text).params)
                assert documented == {p.name for p in target.documented_params()}, text
            if failed:
                failures.append((facts.path, target.qualname, [(c.name, c.detail) for c in failed]))
    assert functions > 3000
    assert failures == [], failures[:5]
    assert time.perf_counter() - started < 60


@pytest.mark.parametrize("style", ["numpy", "sphinx", "pep257"])
def test_other_styles_pass_every_check(stdlib_files, style):
    subset = [
        f
        for f in stdlib_files
        if f.path
        in ("argparse.py", "json/decoder.py", "typing.py", "contextlib.py", "zipfile.py", "enum.py")
    ]
    symbols = SymbolIndex.from_files(subset)
    drafter = OfflineDrafter()
    failures = [
        (f.path, t.qualname, [(c.name, c.detail) for c in failed])
        for f in subset
        for t in f.targets
        for _, _, failed in [_hard_failures(f, t, symbols, style, drafter)]
        if failed
    ]
    assert failures == []


def test_docstrings_do_not_influence_the_draft():
    with_doc = 'def f(x):\n    """Old text that says nothing useful."""\n    return x\n'
    without = "def f(x):\n    return x\n"
    a = read_file("", "m.py", data=with_doc.encode())
    b = read_file("", "m.py", data=without.encode())
    d = OfflineDrafter()
    assert d.draft(a, a.target("f")) == d.draft(b, b.target("f"))


SAMPLE = '''"""Sample."""
import contextlib
from typing import Iterator


class Store:
    limit = 10

    def __init__(self, path: str, size: int = 3, *, strict: bool = False):
        self.path = path
        self._items = []

    @property
    def size(self) -> int:
        return len(self._items)

    def get_item(self, key):
        return self._items[key]

    def is_empty(self) -> bool:
        return not self._items

    def to_json(self):
        return {"items": self._items}

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def close(self):
        if self.path is None:
            raise ValueError("no path")

    def iter_keys(self) -> Iterator[str]:
        for k in self._items:
            yield k

    def load(self, *args, **kwargs):
        raise NotImplementedError


class StoreError(KeyError):
    pass


def main(argv=None):
    return 0


def test_store_roundtrip():
    assert True
'''


def test_summaries_read_like_sentences():
    facts = read_file("", "pkg/store.py", data=SAMPLE.encode())
    d = OfflineDrafter()

    def summary(q):
        return d.draft(facts, facts.target(q)).summary

    assert summary("Store.__init__") == "Initialize the store from path, size and strict."
    assert summary("Store.size") == "The size of the store."
    assert summary("Store.get_item") == "Return the item."
    assert summary("Store.is_empty") == "Return True if the store is empty."
    assert summary("Store.to_json") == "Convert the store to json."
    assert summary("Store.__enter__") == "Enter the runtime context of the store."
    assert summary("Store.__exit__") == "Exit the runtime context of the store."
    assert summary("Store.iter_keys") == "Iterate over the keys."
    assert summary("StoreError") == "Exception raised for store errors."
    assert summary("main") == "Run the command-line entry point of pkg.store."
    assert summary("test_store_roundtrip") == "Test store roundtrip."
    assert summary("<module>") == "Classes and functions for store."


def test_sections_come_from_code_facts():
    facts = read_file("", "pkg/store.py", data=SAMPLE.encode())
    d = OfflineDrafter()
    init = d.draft(facts, facts.target("Store.__init__"))
    assert init.params == {
        "path": "The path (str). It is stored as self.path.",
        "size": "The size (int). Defaults to 3.",
        "strict": "The strict flag (bool). Defaults to False.",
    }
    close = d.draft(facts, facts.target("Store.close"))
    assert close.raises == {"ValueError": "If self.path is None."}
    assert close.returns == ""
    keys = d.draft(facts, facts.target("Store.iter_keys"))
    assert keys.yields == "Each item of self._items." and keys.returns == ""
    enter = d.draft(facts, facts.target("Store.__enter__"))
    assert enter.returns == "This store itself, which the with statement binds to its as target."
    load = d.draft(facts, facts.target("Store.load"))
    assert set(load.params) == {"args", "kwargs"}
    assert "Subclasses must override" in load.description
    cls = d.draft(facts, facts.target("Store"))
    assert cls.attributes == {
        "limit": "The limit.",
        "path": "The path. Set from the path argument.",
    }
    assert "Store" in d.draft(facts, facts.target("<module>")).description


def test_split_words():
    assert split_words("JSONDecoder") == ["JSON", "decoder"]
    assert split_words("_get_value") == ["get", "value"]


async def test_offline_is_deterministic_free_and_says_so():
    facts = read_file("", "pkg/store.py", data=SAMPLE.encode())
    provider, notice = make_provider(Settings(provider="auto"), environ={})
    assert isinstance(provider, OfflineProvider)
    assert notice.startswith("provider: offline (ANTHROPIC_API_KEY is not set)")
    assert "no model" in notice
    drafter = Drafter(provider, Settings(), SymbolIndex.from_files([facts]), "google")
    a = await drafter.draft(facts, facts.target("Store.close"))
    b = await drafter.draft(facts, facts.target("Store.close"))
    assert a.text == b.text and a.ok
    assert a.provider == "offline" and a.offline and a.model == "offline-2"
    assert "offline" in a.notice and a.cost_usd == 0.0 and a.usage.input_tokens == 0
    assert a.to_proposal()["provider"] == "offline"


# -- truthful drafts: what a new user found misleading on stdlib modules ---------------------


def _stdlib(name: str):
    return read_file(str(STDLIB / name), name)


def test_short_parameter_names_are_never_given_a_guessed_meaning():
    """colorsys ``s`` is saturation, not "The string to process"; ``y``/``i`` are not guessed."""
    facts = _stdlib("colorsys.py")
    d = OfflineDrafter()
    hls = d.draft(facts, facts.target("hls_to_rgb"))
    assert hls.params["s"] == "The `s` argument. It is compared with 0.0."
    assert "string" not in hls.params["s"].lower()
    assert hls.params["l"] == "The `l` argument. It is compared with 0.5."
    yiq = d.draft(facts, facts.target("yiq_to_rgb"))
    assert yiq.params == {
        "y": "The `y` argument.",
        "i": "The `i` argument.",
        "q": "The `q` argument.",
    }
    assert yiq.summary == "Convert yiq to rgb."
    assert yiq.returns == "The tuple `(r, g, b)`."


def test_no_stdlib_one_or_two_letter_parameter_is_guessed():
    """Across the stdlib sample, a 1-2 letter name is only ever described by what is known."""
    d = OfflineDrafter()
    guesses = []
    for name in STDLIB_SAMPLE[:25]:
        if not (STDLIB / name).is_file():
            continue
        facts = _stdlib(name)
        for t in facts.targets:
            if t.kind not in ("function", "method") or t.name.startswith("__"):
                continue
            draft = d.draft(facts, t)
            for p in t.documented_params():
                if p.name == "fp":  # a reliable convention: every stdlib ``fp`` is a file object
                    assert draft.params[p.name].startswith("The file object.")
                elif len(p.name) <= 2 and p.kind not in ("var_positional", "var_keyword"):
                    text = draft.params[p.name]
                    if not text.startswith(f"The `{p.name}` argument"):
                        guesses.append((name, t.qualname, p.name, text))
    assert guesses == []


def test_bisect_returns_and_summary_do_not_read_like_fragments():
    """No "Return the bisect right." / "The lo.": the loop's final ``lo`` is what is returned."""
    facts = _stdlib("bisect.py")
    d = OfflineDrafter()
    right = d.draft(facts, facts.target("bisect_right"))
    assert right.summary == "Return the bisect right result."
    assert right.returns == "The final value of `lo`."
    assert right.params["lo"].startswith("The `lo` argument.")
    assert right.params["key"] == (
        "The `key` argument. It is called and checked for None. Defaults to None."
    )
    assert right.params["a"] == "The `a` argument. It is indexed and passed to len()."
    insort = d.draft(facts, facts.target("insort_right"))
    assert "Its insert() method is called." in insort.params["a"]
    assert insort.summary == "Perform the insort right operation."


SMALL = """
def helper(x):
    return x + 1


def add(a: int, b: int = 2) -> int:
    return a + b


def identity(value):
    return value


class Buffer:
    def __init__(self, size: int, callback=None):
        self.size = size
        self.callback = callback

    def grow(self, n):
        self.size += n
        return self.size

    def send(self, s):
        self.callback(s)

    def wrap(self, text, width=70):
        return [text[i : i + width] for i in range(0, len(text), width)]

    def __exit__(self, typ, val, tb):
        return False

    @property
    def is_full(self) -> bool:
        return self.size > 10
"""


def test_single_return_bodies_say_what_they_return():
    """``return x + 1`` is "Return `x + 1`.", not "Return the helper."; ``add`` is not
    "Add the given a."."""
    facts = read_file("", "small.py", data=SMALL.encode())
    d = OfflineDrafter()
    helper = d.draft(facts, facts.target("helper"))
    assert helper.summary == "Return `x + 1`."
    assert helper.params == {"x": "The `x` argument."}
    add = d.draft(facts, facts.target("add"))
    assert add.summary == "Return `a + b`."
    assert add.params == {
        "a": "The `a` argument (int).",
        "b": "The `b` argument (int). Defaults to 2.",
    }
    assert add.returns == "The value of `a + b` (int)."
    ident = d.draft(facts, facts.target("identity"))
    assert ident.summary == "Return `value` unchanged."
    assert ident.returns == "The `value` argument."


def test_methods_use_verbs_and_protocols_not_fragments():
    """A verb method is not "Return the grow."; protocol parameters are named by position."""
    facts = read_file("", "small.py", data=SMALL.encode())
    d = OfflineDrafter()

    def draft(q):
        return d.draft(facts, facts.target(q))

    assert draft("Buffer.grow").summary == "Grow using `n`."
    assert draft("Buffer.grow").returns == "The value of self.size."
    assert draft("Buffer.send").summary == "Send using `s`."
    assert draft("Buffer.wrap").summary == "Wrap the text."
    assert draft("Buffer.wrap").params["text"] == "The text. It is indexed and passed to len()."
    assert draft("Buffer.wrap").returns == "A list."
    ex = draft("Buffer.__exit__")
    assert ex.params["typ"].startswith("The type of the exception")
    assert ex.params["val"].startswith("The exception being handled")
    assert ex.params["tb"].startswith("The traceback")
    assert ex.returns == "Always False: an exception raised in the with block propagates."
    full = draft("Buffer.is_full")
    assert full.summary == "Whether the buffer is full."
    init = draft("Buffer.__init__")
    assert init.params["size"] == "The size (int). It is stored as self.size."
    assert init.params["callback"] == (
        "The callable to invoke. It is stored as self.callback. Defaults to None."
    )
    attrs = draft("Buffer").attributes
    assert attrs["callback"] == "The callback. Set from the callback argument."


def test_forwarded_arguments_and_usage_come_from_the_body():
    """textwrap/shlex/fnmatch: forwarded ``**kwargs`` name their callee; no generic guesses."""
    d = OfflineDrafter()
    tw = _stdlib("textwrap.py")
    wrap = d.draft(tw, tw.target("wrap"))
    assert wrap.params["kwargs"] == "Keyword arguments passed on to TextWrapper()."
    assert wrap.params["text"] == "The text. It is passed to w.wrap()."
    init = d.draft(tw, tw.target("TextWrapper.__init__"))
    assert init.params["fix_sentence_endings"].startswith("Whether to fix sentence endings.")
    sh = _stdlib("shlex.py")
    join = d.draft(sh, sh.target("join"))
    assert join.returns == "The joined string."
    assert join.params["split_command"] == "The split command. It is iterated over."
    fn = _stdlib("fnmatch.py")
    case = d.draft(fn, fn.target("fnmatchcase"))
    assert case.summary == "Return True if `match(name) is not None`."
    assert d.draft(fn, fn.target("fnmatch")).summary == "Return the fnmatch result."
    assert case.params["pat"].startswith("The `pat` argument.")
    assert case.returns == "True if `match(name) is not None`, otherwise False."


def test_magic_methods_say_what_python_does_with_their_results(tmp_path):
    """Comparisons mention NotImplemented, context managers what ``with`` does; numpy Returns
    name the protocol's type when the code has no annotation."""
    path = tmp_path / "bag.py"
    path.write_text(
        "class Bag:\n"
        "    def __eq__(self, other):\n"
        "        if not isinstance(other, Bag):\n"
        "            return NotImplemented\n"
        "        return self.items == other.items\n\n"
        "    def __enter__(self):\n        return self\n\n"
        "    def __exit__(self, exc_type, exc, tb):\n        return False\n\n"
        "    def __len__(self):\n        return len(self.items)\n"
    )
    facts = read_file(str(path), "bag.py")
    drafter = OfflineDrafter()
    eq = drafter.draft(facts, facts.target("Bag.__eq__"))
    assert eq.returns == (
        "True if `self.items == other.items`, otherwise False; "
        "NotImplemented when it does not support the other operand."
    )
    enter = drafter.draft(facts, facts.target("Bag.__enter__")).returns
    assert enter == "This bag itself, which the with statement binds to its as target."
    exit_ = drafter.draft(facts, facts.target("Bag.__exit__"))
    assert exit_.returns == "Always False: an exception raised in the with block propagates."
    assert list(exit_.params) == ["exc_type", "exc", "tb"]
    length = facts.target("Bag.__len__")
    numpy = render(drafter.draft(facts, length), "numpy", length)
    assert "Returns\n-------\nint\n" in numpy
    assert "Returns\n-------\nbool\n" in render(eq, "numpy", facts.target("Bag.__eq__"))


def test_a_path_is_a_file_system_path_only_when_the_code_says_so():
    """``path`` means a file on disk only by annotation or a file-system call, not by name."""
    code = (
        "import os\nfrom pathlib import Path\n\n"
        "def visit(path, key, value):\n    return key, value\n\n"
        "def load(path):\n    with open(path) as f:\n        return f.read()\n\n"
        "def size(path: Path) -> int:\n    return 0\n\n"
        "def exists(path):\n    return os.path.exists(path)\n"
    )
    facts = read_file("", "pkg/paths.py", data=code.encode())
    d = OfflineDrafter()
    meaning = {
        q: d.draft(facts, facts.target(q)).params["path"]
        for q in ("visit", "load", "size", "exists")
    }
    assert meaning["visit"].startswith("The path.")
    assert "file system" not in meaning["visit"]
    for q in ("load", "size", "exists"):
        assert meaning[q].startswith("The file system path"), (q, meaning[q])


def test_a_yielded_value_from_no_loop_is_not_described_as_an_empty_iterable():
    """A generator yielding a plain local gets no ``Each item of ``.`` (an empty code span)."""
    code = (
        "def backoff(start, stop):\n"
        "    cur = start\n"
        "    while cur < stop:\n"
        "        cur_ret = cur\n"
        "        yield cur_ret\n"
        "        cur *= 2\n"
    )
    facts = read_file("", "pkg/gen.py", data=code.encode())
    text = OfflineDrafter().draft(facts, facts.target("backoff")).yields
    assert "``" not in text and "of ." not in text, text


# -- types in the entry head are not repeated in the description ------------------------------

TYPED_SAMPLE = '''"""Shapes."""
from typing import Any


class Box:
    def __eq__(self, other: Any) -> bool:
        return self.width == other.width


def scale(values: list[float], factor: float = 2.0) -> list[float]:
    return [v * factor for v in values]
'''


async def _offline_text(style: str, types: bool, qualname: str) -> str:
    facts = read_file("", "pkg/shapes.py", data=TYPED_SAMPLE.encode())
    drafter = Drafter(
        OfflineProvider(), Settings(), SymbolIndex.from_files([facts]), style, types=types
    )
    draft = await drafter.draft(facts, facts.target(qualname))
    assert draft.ok, draft.checks
    return draft.text


async def test_types_in_the_entry_head_are_not_repeated_in_its_description():
    """With types in docstrings (Google ``x (T):``, Sphinx ``:type x:``) the offline draft
    does not say ``other (typing.Any): The object ... (Any).``; without them the description
    still gives the annotation, the only place the docstring has it."""
    typed = await _offline_text("google", True, "Box.__eq__")
    assert "other (Any): The object to compare with." in typed
    assert "(Any)." not in typed
    sphinx = await _offline_text("sphinx", True, "scale")
    assert ":type values: list[float]" in sphinx
    assert ":param values: The values." in sphinx
    assert ":param factor: The factor. Defaults to 2.0." in sphinx
    untyped = await _offline_text("google", False, "Box.__eq__")
    assert "other: The object to compare with (Any)." in untyped


async def test_numpy_heads_carry_the_types_so_the_descriptions_do_not():
    """NumPy entries always carry the type (``values : list[float]``, the Returns type line):
    neither a parameter's description nor the Returns text repeats it."""
    text = await _offline_text("numpy", False, "scale")
    assert "values : list[float]\n    The values." in text
    assert "factor : float\n    The factor. Defaults to 2.0." in text
    assert "Returns\n-------\nlist[float]\n    A list.\n" in text + "\n"
    assert "(list[float])" not in text and "(float)" not in text


def test_links_give_every_node_its_children_and_parent_in_ast_order() -> None:
    """The one traversal the offline drafter's body analysis reads (``nodes.links``) gives the
    children ``ast.iter_child_nodes`` gives, in its order, and the own nodes ``walk_own``
    gives, in its order, minus nodes without fields."""
    import ast
    import inspect as inspect_module

    from docagent.draft.offline.nodes import links, walk_own

    tree = ast.parse(inspect_module.getsource(inspect_module))
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    assert len(functions) > 100
    for fn in functions:
        kids, parents, own = links(fn)
        for node, found in kids.items():
            assert found == [c for c in ast.iter_child_nodes(node) if c._fields]
            assert all(parents[c] is node for c in found)
        assert own == [n for n in walk_own(fn) if n._fields]
        assert [n for n in walk_own(fn, kids)] == own


SHADOWING = """
def outer(a, b, c=1, *args, **kw):
    def inner(a, d=b):  # a body statement: its parameters hide nothing below it
        return a + b + d
    if a:
        def deeper(b, e=c):  # nested below a statement: hides b, its default too
            return b + c + (lambda c: c + a)(b)
        f = lambda a=a: a + b
        return [a for a in args] + [b for _ in kw]
    return outer(a, *args, **kw) + (c if c is not None else b)
"""


def _mentions_recursively(fn, uses, kids):
    """What ``param_uses._mentions`` gave as a recursive visit (the reference)."""
    import ast

    from docagent.draft.offline.param_uses import _bound_names

    mentions = []

    def visit(node, hidden):
        for child in kids.get(node, ()):
            inner = hidden
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                inner = hidden | set(_bound_names(child.args))
            if isinstance(child, ast.Name) and child.id in uses and child.id not in hidden:
                mentions.append(child)
            visit(child, inner)

    for stmt in fn.body:
        visit(stmt, frozenset())
    return mentions


def test_parameter_mentions_are_the_recursive_visits_in_its_order() -> None:
    """The mentions of parameters the offline drafter reads (from a stack) are those a
    recursive visit finds, in its order: nested functions and lambdas hide their parameters
    below them (their own defaults too), a body statement's definition hides nothing."""
    import ast
    import inspect as inspect_module

    from docagent.draft.offline.nodes import links
    from docagent.draft.offline.param_uses import _bound_names, _mentions

    trees = [ast.parse(SHADOWING), ast.parse(inspect_module.getsource(inspect_module))]
    functions = [n for t in trees for n in ast.walk(t) if isinstance(n, ast.FunctionDef)]
    for fn in functions:
        uses = dict.fromkeys(_bound_names(fn.args))
        kids = links(fn).kids
        assert _mentions(fn, uses, kids) == _mentions_recursively(fn, uses, kids)
    outer = trees[0].body[0]
    found = _mentions(outer, dict.fromkeys(_bound_names(outer.args)), links(outer).kids)
    assert [(n.id, n.lineno) for n in found][:4] == [("b", 3), ("a", 4), ("b", 4), ("a", 5)]
    assert ("b", 7) not in [(n.id, n.lineno) for n in found]  # deeper's own b


# -- what an outside trial on click 8.5.1 found misleading ------------------------------------

CONTEXT_AND_DEFAULTS = '''"""Helpers."""
from contextlib import contextmanager


@contextmanager
def indented(writer):
    writer.indent()
    try:
        yield
    finally:
        writer.dedent()


@contextmanager
def opened(path):
    fh = open(path)
    try:
        yield fh
    finally:
        fh.close()


class EchoingStdin:
    def read1(self, n: int = -1) -> bytes:
        return self._input.read1(n)


def pad(text, fill="  ", sep=" ", joiner=(
    ", "
)):
    return fill + text + sep
'''


def test_a_context_manager_that_yields_nothing_gets_no_yields_section():
    """A bare ``yield`` gives the ``with`` block nothing: no "Yields: The generated values."
    and no "Yield the indented values."; a context manager that yields a value says it is what
    ``with ... as`` binds. Every draft passes every check."""
    facts = read_file("", "pkg/cm.py", data=CONTEXT_AND_DEFAULTS.encode())
    drafter = OfflineDrafter()
    bare = drafter.draft(facts, facts.target("indented"))
    assert bare.yields == "" and not bare.summary.startswith("Yield"), bare
    assert bare.summary == "Context manager for the indented."
    valued = drafter.draft(facts, facts.target("opened"))
    assert "with" in valued.yields and "generated values" not in valued.yields, valued
    symbols = SymbolIndex.from_files([facts])
    for q in ("indented", "opened"):
        assert _hard_failures(facts, facts.target(q), symbols, "google", drafter)[2] == []


def test_a_number_at_the_end_of_a_verb_name_is_not_its_object():
    """``read1`` is not "Read the 1."."""
    facts = read_file("", "pkg/cm.py", data=CONTEXT_AND_DEFAULTS.encode())
    summary = OfflineDrafter().draft(facts, facts.target("EchoingStdin.read1")).summary
    assert summary == "Read the echoing stdin."


def test_a_default_string_keeps_its_spaces():
    """``fill="  "`` was documented as ``Defaults to " ".`` (whitespace collapsed): a default
    is shown as written, or not at all."""
    facts = read_file("", "pkg/cm.py", data=CONTEXT_AND_DEFAULTS.encode())
    params = OfflineDrafter().draft(facts, facts.target("pad")).params
    assert params["fill"].endswith('Defaults to "  ".'), params["fill"]
    assert params["sep"].endswith('Defaults to " ".'), params["sep"]
    assert params["joiner"].endswith("Optional."), params["joiner"]  # on several lines


RERAISE = """def main(args, standalone=True):
    try:
        return run(args)
    except (EOFError, KeyboardInterrupt):
        if not standalone:
            raise
        return 1
    except OSError:
        raise
"""


def test_a_re_raised_exception_says_when_it_is_re_raised():
    """A bare ``raise`` in ``except (EOFError, KeyboardInterrupt): if not standalone: raise``
    (click's ``Command.main``) is re-raised "If not standalone", not "When the operation
    fails"; one re-raised unconditionally says that the operation raised it."""
    facts = read_file("", "pkg/cli.py", data=RERAISE.encode())
    raises = OfflineDrafter().draft(facts, facts.target("main")).raises
    assert raises["EOFError"] == raises["KeyboardInterrupt"] == "If not standalone (re-raised)."
    assert raises["OSError"] == "When the operation raises it (re-raised)."
