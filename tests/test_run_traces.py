# ruff: noqa: F811  (pytest fixtures imported from servers.py)
"""Traces of whole runs: one root span per run, drafts beneath it, honest GenAI attributes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from servers import openai_server  # noqa: F401

from docagent import observability as obs
from docagent.batch import run_batch
from docagent.store import Store

CODE = "".join(f"def f{i}(a):\n    return a\n\n\n" for i in range(3))


@pytest.fixture
def exporter(monkeypatch) -> Iterator[InMemorySpanExporter]:
    """Tracing into memory for whole runs (the session's own configure() keeps it)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    assert obs.configure(tracer_provider=provider)
    monkeypatch.setattr(obs, "configure", lambda *a, **k: True)
    yield exporter
    obs.shutdown()


def test_each_run_is_one_trace_with_its_drafts_beneath_the_root(repo_factory, exporter):
    root = repo_factory({"m.py": CODE})
    run_batch(root, progress=False, quiet=True)
    (root / "n.py").write_text("def g(b):\n    return b\n")
    run_batch(root, progress=False, quiet=True)
    spans = exporter.get_finished_spans()
    roots = [s for s in spans if s.parent is None]
    assert [s.name for s in roots] == ["docagent.run batch", "docagent.run batch"]
    assert len({s.context.trace_id for s in spans}) == 2  # was one trace per draft
    for run in roots:
        drafts = [s for s in spans if s.parent and s.parent.span_id == run.context.span_id]
        assert drafts and all(d.context.trace_id == run.context.trace_id for d in drafts)
        assert run.attributes["docagent.mode"] == "batch"
        assert run.attributes["docagent.run_id"]
    first, second = roots
    assert len([s for s in spans if s.context.trace_id == first.context.trace_id]) == 5


def test_offline_drafts_are_not_reported_as_model_calls(repo_factory, exporter):
    root = repo_factory({"m.py": CODE})
    run_batch(root, progress=False, quiet=True)
    drafts = [s for s in exporter.get_finished_spans() if s.parent is not None]
    assert drafts
    for span in drafts:
        assert span.name == "docagent.draft offline" and span.kind == SpanKind.INTERNAL
        assert not [k for k in span.attributes if k.startswith("gen_ai.")]
        assert span.attributes["docagent.provider"] == "offline"


def test_model_drafts_send_the_response_id(repo_factory, exporter, openai_server):
    openai_server.models = ["local-model"]
    root = repo_factory({"m.py": "def add(a, b):\n    return a + b\n"})
    run_batch(
        root,
        provider="openai",
        model="local-model",
        base_url=openai_server.url,
        progress=False,
        quiet=True,
    )
    drafts = [s for s in exporter.get_finished_spans() if s.name.startswith("chat ")]
    assert len(drafts) == 2 and all(s.kind == SpanKind.CLIENT for s in drafts)
    ids = {s.attributes["gen_ai.response.id"] for s in drafts}
    assert all(i.startswith("chatcmpl-") for i in ids) and len(ids) == 2
    with Store.open(root) as store:
        assert {c.request_id for c in store.calls()} == ids  # and the log keeps them
