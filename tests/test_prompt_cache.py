"""Prompt caching that pays: requests of one file share a cache-marked prefix that holds the
file-level context, targets of a file run back to back (the first alone), the loopback server
caches only prefixes of at least the model's minimum length, and cache reads and writes reach the
decision log, the report and ``batch --estimate``."""

from __future__ import annotations

import json

import pytest
from servers import MessagesServer

from docagent.batch import run_batch
from docagent.cli import main
from docagent.code.targets import read_file
from docagent.draft import SymbolIndex, order_callees_first
from docagent.draft.caching import cache_marks, min_cacheable, prefix_usage
from docagent.report.compute import collect, compute
from docagent.report.render_table import render
from docagent.store import Store


def _function(i: int) -> str:
    body = "".join(
        f"    total{j} = value * {j} + offset  # step {j} of the computation\n" for j in range(8)
    )
    return f"\n\ndef step{i}(value, offset=0):\n{body}    return total9 + step_base(value)\n"


BIG = '"""Many steps."""\n\n\ndef step_base(value):\n    return value\n' + "".join(
    _function(i) for i in range(16)
)
SMALL = '"""One helper."""\n\n\ndef tiny(a):\n    return a\n'


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    """A loopback Messages API server that simulates prompt caching."""
    with MessagesServer(from_prompt=True, caching=True) as srv:
        for k, v in srv.env().items():
            monkeypatch.setenv(k, v)
        yield srv


def test_minimum_cacheable_lengths_are_per_model() -> None:
    """Each model has its own minimum; unknown models get the largest published one."""
    assert min_cacheable("claude-sonnet-4-5") == 1024
    assert min_cacheable("claude-haiku-4-5") == 4096
    assert min_cacheable("claude-sonnet-9-9") == 4096
    assert cache_marks("claude-sonnet-4-5", ["x" * 2000, "y" * 2200]) == [False, True]
    assert prefix_usage("claude-sonnet-4-5", 1000, 50, first=True).input_tokens == 1050
    assert prefix_usage("claude-sonnet-4-5", 2000, 50, first=False).cache_read_tokens == 2000


def test_second_target_of_a_file_reads_the_cache(repo_factory, server) -> None:
    """The first request of a file writes the cache, every later one of the file reads it; a
    file whose prefix is under the minimum is not marked and gets no cache hits."""
    root = repo_factory(
        {"pkg/__init__.py": '"""Pkg."""\n', "pkg/big.py": BIG, "pkg/small.py": SMALL}
    )
    order: list[str] = []
    summary = run_batch(
        root,
        provider="anthropic",
        model="claude-sonnet-4-6",
        concurrency=8,
        progress=False,
        quiet=True,
        on_draft=lambda item, draft: order.append(f"{item.path}::{item.qualname}"),
    )
    assert summary["failed"] == 0
    big = [k for k in order if k.startswith("pkg/big.py")]
    assert len(big) == 17
    # the file's first target wrote the prefix alone, all the others read it
    assert server.cache_writes[big[0]] > 0 and server.cache_reads[big[0]] == 0
    for key in big[1:]:
        assert server.cache_reads[key] >= 2048 and server.cache_writes[key] == 0, key
    # the small file: its prefix is under the minimum, so nothing is marked or cached
    assert server.cache_reads["pkg/small.py::tiny"] == 0
    assert server.cache_writes["pkg/small.py::tiny"] == 0
    for rec in server.calls("/v1/messages"):
        body = rec.json
        if "`tiny`" in json.dumps(body["messages"]):
            assert not any("cache_control" in b for b in body["system"])
    # the decision log has the cache tokens of every draft, and the report shows them
    with Store.open(root) as store:
        drafts = {f"{d.path}::{d.qualname}": d for d in store.drafts(run_id=summary["run_id"])}
        assert all(drafts[k].cache_read_tokens > 0 for k in big[1:])
        assert drafts[big[0]].cache_write_tokens > 0
        report = compute(*collect(store))
    pc = report.data["prompt_cache"]
    assert pc["read_tokens"] == sum(server.cache_reads.values())
    assert 0.3 < pc["hit_ratio"] < 1 and pc["saved_usd"] > 0
    assert "Prompt cache:" in render(report)


def test_a_prefix_under_the_models_minimum_is_never_cached(repo_factory, server) -> None:
    """On claude-haiku-4-5 (4096 tokens minimum) the same file gets no cache reads at all."""
    root = repo_factory({"pkg/big.py": BIG})
    server.model = "claude-haiku-4-5"
    summary = run_batch(
        root, provider="anthropic", model="claude-haiku-4-5", progress=False, quiet=True
    )
    assert summary["drafted"] == 17
    assert sum(server.cache_reads.values()) == sum(server.cache_writes.values()) == 0


def test_estimate_accounts_for_caching(repo_factory, server, capsys) -> None:
    """--estimate counts one cache write per file and cache reads for the file's other targets,
    as the run then does."""
    root = repo_factory({"pkg/big.py": BIG, "pkg/small.py": SMALL})
    code = main(
        ["batch", str(root), "--estimate", "--provider", "anthropic", "--model"]
        + ["claude-sonnet-4-6"]
    )
    out = capsys.readouterr()
    assert code == 0
    est = json.loads(out.out)["estimate"]
    assert (
        est["cache_write_tokens"] > 0 and est["cache_read_tokens"] >= 12 * est["cache_write_tokens"]
    )
    assert "read from the prompt cache" in out.err
    summary = run_batch(
        root, provider="anthropic", model="claude-sonnet-4-6", progress=False, quiet=True
    )
    # the estimate and the run agree on how much is cached (server tokens are chars / 4 too)
    assert summary["drafted"] == est["to_draft"]
    assert sum(server.cache_writes.values()) == pytest.approx(est["cache_write_tokens"], rel=0.1)
    assert sum(server.cache_reads.values()) == pytest.approx(est["cache_read_tokens"], rel=0.1)


def test_targets_of_a_file_are_ordered_back_to_back() -> None:
    """Callees first still holds, and otherwise a file's targets are not interleaved."""
    a = read_file(
        "",
        "a.py",
        data=b"from b import b1, b2\n\n\ndef a1():\n    return b1()\n\n\n"
        b"def a2():\n    return b2()\n",
    )
    b = read_file("", "b.py", data=b"def b1():\n    return 1\n\n\ndef b2():\n    return 2\n")
    items = [(f, t) for f in (a, b) for t in f.targets if t.kind == "function"]
    index = SymbolIndex.from_files([a, b])
    ordered = [f"{f.path}:{t.qualname}" for f, t in order_callees_first(items, index)]
    assert ordered == ["b.py:b1", "b.py:b2", "a.py:a1", "a.py:a2"]  # was b1, a1, b2, a2


def test_an_unknown_usage_bound_counts_the_file_context() -> None:
    """A call whose usage is unknown is charged for its whole prompt, file context included."""
    from docagent.draft.attempts import usage_bound
    from docagent.draft.models import Usage
    from docagent.draft.providers.base import DraftRequest

    req = DraftRequest("s" * 100, "", [{"role": "user", "content": "u" * 100}], {}, 50)
    bare = usage_bound(Usage(unknown=True), req)
    req.file_context = "f" * 4000
    assert usage_bound(Usage(unknown=True), req).input_tokens == bare.input_tokens + 2000
