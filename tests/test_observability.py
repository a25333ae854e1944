"""OpenTelemetry tracing: GenAI attributes on draft spans, decision events, off costs nothing."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from docagent import observability as obs


@dataclass
class FakeTarget:
    """A stand-in with the path, qualname and kind of a docagent Target."""

    path: str = "pkg/mod.py"
    qualname: str = "Client.get"
    kind: str = "method"


@pytest.fixture
def spans() -> Iterator[tuple[InMemorySpanExporter, TracerProvider]]:
    """Tracing on, into an in-memory exporter; off again afterwards."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    assert obs.configure(tracer_provider=provider)
    yield exporter, provider
    obs.shutdown()


def test_draft_span_has_genai_attributes_and_nests_sdk_spans(spans) -> None:
    exporter, provider = spans
    with obs.draft_span(FakeTarget(), "anthropic", "claude-x", "pv1") as span:
        assert span.recording
        with provider.get_tracer("anthropic-sdk").start_as_current_span("POST /v1/messages"):
            pass
        span.set_usage(input_tokens=1200, output_tokens=80, cache_read_tokens=1000, cost_usd=0.01)
        span.set_response(model="claude-x-2025", response_id="msg_1", finish="end_turn")
        span.set_checks(False, ["params"])
        span.set_draft_id("d123")
    child, draft = exporter.get_finished_spans()
    assert draft.name == "chat claude-x" and draft.kind == SpanKind.CLIENT
    attrs = dict(draft.attributes or {})
    assert attrs == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-x",
        "docagent.prompt_version": "pv1",
        "docagent.target": "pkg/mod.py::Client.get",
        "docagent.kind": "method",
        "gen_ai.usage.input_tokens": 1200,
        "gen_ai.usage.output_tokens": 80,
        "gen_ai.usage.cache_read.input_tokens": 1000,
        "docagent.cost_usd": 0.01,
        "gen_ai.response.model": "claude-x-2025",
        "gen_ai.response.id": "msg_1",
        "gen_ai.response.finish_reasons": ("end_turn",),
        "docagent.checks_ok": False,
        "docagent.checks_failed": ("params",),
        "docagent.draft_id": "d123",
    }
    assert child.parent is not None and child.parent.span_id == draft.context.span_id


def test_failed_draft_marks_span_and_scrubs_message(spans) -> None:
    exporter, _ = spans
    with (
        pytest.raises(RuntimeError),
        obs.draft_span("pkg/a.py::f", "openai", "llama3", "pv1", kind="function"),
    ):
        raise RuntimeError("401 for key sk-proj-FAKEFAKE0123456789abc")
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "RuntimeError"
    assert span.attributes["docagent.kind"] == "function"
    (event,) = span.events
    assert "FAKEFAKE" not in event.attributes["exception.message"]


def test_decision_event_links_to_draft_span(spans) -> None:
    exporter, _ = spans
    with obs.draft_span(FakeTarget(), "offline", "offline", "pv1") as span:
        span.set_draft_id("d1")
    obs.decision_event(
        "reject", draft_id="d1", target=FakeTarget(), reason="vague", review_ms=4200, mode="tui"
    )
    obs.decision_event("edit", draft_id="d1", score=0.82)
    draft, review, edit = exporter.get_finished_spans()
    assert review.name == "docagent.review"
    assert review.links[0].context.span_id == draft.context.span_id
    (event,) = review.events
    assert event.name == "gen_ai.evaluation.result"
    assert dict(event.attributes) == {
        "gen_ai.evaluation.name": "docagent.review",
        "gen_ai.evaluation.score.label": "reject",
        "gen_ai.evaluation.score.value": 0.0,
        "gen_ai.evaluation.explanation": "vague",
        "docagent.draft_id": "d1",
        "docagent.target": "pkg/mod.py::Client.get",
        "docagent.kind": "method",
        "docagent.review_ms": 4200,
        "docagent.mode": "tui",
    }
    assert edit.events[0].attributes["gen_ai.evaluation.score.value"] == 0.82


def test_decision_event_inside_a_span_goes_on_it(spans) -> None:
    exporter, _ = spans
    with obs.draft_span(FakeTarget(), "offline", "offline", "pv1"):
        obs.decision_event("accept")
    (span,) = exporter.get_finished_spans()
    assert span.events[0].attributes["gen_ai.evaluation.score.value"] == 1.0


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "DOCAGENT_"))}


def test_off_by_default_imports_nothing() -> None:
    code = textwrap.dedent(
        """
        import sys
        from docagent import observability as obs
        with obs.draft_span("a.py::f", "offline", "m", "p") as span:
            span.set_usage(input_tokens=3, output_tokens=4)
            span.set_draft_id("x")
            span.set_error("boom")
        obs.decision_event("accept", draft_id="x")
        assert not obs.enabled() and not span.recording
        loaded = [m for m in sys.modules if m.startswith("opentelemetry")]
        assert not loaded, loaded
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_clean_env()
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok" and out.stderr == ""


def test_missing_exporter_warns_and_stays_off(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.exporter.otlp.proto.http.trace_exporter", None)
    try:
        assert not obs.configure(environ={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"})
        assert "pip install 'docagent[otel]'" in capsys.readouterr().err
        with obs.draft_span("a", "offline", "m", "p") as span:
            assert not span.recording
    finally:
        obs.shutdown()


def test_sdk_disabled_env_wins() -> None:
    try:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_SDK_DISABLED": "true"}
        assert not obs.configure(environ=env)
    finally:
        obs.shutdown()


def test_otlp_export_to_a_loopback_collector(tmp_path: Path) -> None:
    pytest.importorskip("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    received: list[tuple[str, bytes]] = []

    class Collector(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, body))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    code = textwrap.dedent(
        """
        from docagent import observability as obs
        from docagent.config import Settings
        assert obs.configure(Settings(otel_endpoint=__import__("sys").argv[1]))
        with obs.draft_span("pkg/a.py::f", "openai", "qwen-local", "pv9", kind="function") as s:
            s.set_usage(input_tokens=7, output_tokens=2)
        obs.shutdown()
        """
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, f"http://127.0.0.1:{server.server_port}"],
            capture_output=True,
            text=True,
            env=_clean_env(),
            timeout=60,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert out.returncode == 0, out.stderr
    assert [path for path, _ in received] == ["/v1/traces"]
    body = received[0][1]
    for text in (b"gen_ai.request.model", b"qwen-local", b"pv9", b"pkg/a.py::f", b"docagent"):
        assert text in body
