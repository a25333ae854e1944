"""OpenTelemetry tracing of drafts and review decisions; off (and free) unless configured.

Tracing turns on when an OTLP endpoint is configured — the standard
``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` environment variables or
the ``otel_endpoint`` setting — or when a tracer provider is injected (tests). Otherwise every
function here is a cheap no-op and ``opentelemetry`` is never imported. Exporting needs the
optional extra ``pip install 'docagent[otel]'``.

Each run is one trace: a root ``docagent.run <mode>`` span (:func:`start_run`,
:func:`end_run`) with the drafts and decisions beneath it. Each model draft is one span that
follows the OpenTelemetry GenAI semantic conventions (``gen_ai.operation.name``,
``gen_ai.provider.name``, ``gen_ai.request.model``, ``gen_ai.usage.*``, ``gen_ai.response.id``)
plus ``docagent.prompt_version``, ``docagent.target`` and ``docagent.kind``; an offline draft is
an internal ``docagent.draft offline`` span without ``gen_ai.*`` attributes (no model is
called). A draft span is current while the provider runs, so the SDK's own spans nest inside
it. Each decision is a ``gen_ai.evaluation.result`` event. Reviewer identities are not
exported.

Usage::

    with observability.draft_span(target, "anthropic", model, prompt_version) as span:
        result = await provider.draft(...)
        span.set_usage(input_tokens=..., output_tokens=...)
        span.set_draft_id(draft_id)
    observability.decision_event("accept", draft_id=draft_id, target=target)
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from docagent.draft.providers.registry import makes_model_calls

if TYPE_CHECKING:
    from docagent.config import Settings

_ENV_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_SCORES = {"accept": 1.0, "reject": 0.0}
_MAX_LINKS = 10_000


class _Tracing:
    """Live tracing state: the tracer and recent draft span contexts (for decision links)."""

    def __init__(self, tracer: Any, provider: Any = None, owned: bool = False) -> None:
        self.tracer = tracer
        self.provider = provider
        self.owned = owned
        self.spans: OrderedDict[str, Any] = OrderedDict()
        #: the open run spans by run id, and the context their drafts start in
        self.runs: dict[str, Any] = {}
        self.run_context: Any = None

    def remember(self, draft_id: str, context: Any) -> None:
        self.spans[draft_id] = context
        while len(self.spans) > _MAX_LINKS:
            self.spans.popitem(last=False)


_lock = threading.Lock()
_state: _Tracing | None = None
_decided = False


def _target_facts(target: Any, kind: str | None) -> tuple[str, str]:
    """``(docagent.target, docagent.kind)`` from a Target-like object or a string."""
    if isinstance(target, str):
        return target, kind or ""
    path = getattr(target, "path", "")
    qualname = getattr(target, "qualname", "")
    label = f"{path}::{qualname}" if path else str(qualname)
    return label, kind or getattr(target, "kind", "") or ""


def _warn(message: str) -> None:
    print(f"docagent: {message}", file=sys.stderr)


def configure(
    settings: Settings | None = None,
    *,
    endpoint: str | None = None,
    tracer_provider: Any = None,
    environ: Mapping[str, str] | None = None,
) -> bool:
    """Decide whether tracing is on and set it up; return True when spans will be recorded.

    Precedence: an injected ``tracer_provider`` (used as is, never made global), ``endpoint``,
    ``settings.otel_endpoint``, then the standard OTLP environment variables. Without any of
    them tracing stays off and nothing is imported. ``OTEL_SDK_DISABLED=true`` turns it off.
    """
    global _state, _decided
    env = os.environ if environ is None else environ
    with _lock:
        _shutdown_locked()
        _decided = True
        if tracer_provider is not None:
            from docagent import __version__

            _state = _Tracing(tracer_provider.get_tracer("docagent", __version__))
            return True
        if str(env.get("OTEL_SDK_DISABLED", "")).strip().lower() == "true":
            return False
        chosen = endpoint or (getattr(settings, "otel_endpoint", "") if settings else "") or ""
        from_env = not chosen and any(env.get(name) for name in _ENV_ENDPOINTS)
        if not chosen and not from_env:
            return False
        try:
            from opentelemetry import trace
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor
        except ImportError:
            _warn(
                "an OTLP endpoint is configured but the exporter is not installed; "
                "run: pip install 'docagent[otel]' (tracing is off)"
            )
            return False
        from docagent import __version__

        attrs = {"service.version": __version__}
        if not env.get("OTEL_SERVICE_NAME"):
            attrs["service.name"] = "docagent"
        provider = TracerProvider(resource=Resource.create(attrs))
        if chosen:
            url = chosen.rstrip("/")
            if not url.endswith("/v1/traces"):
                url += "/v1/traces"
            exporter = OTLPSpanExporter(endpoint=url)
        else:
            exporter = OTLPSpanExporter()  # reads the OTEL_EXPORTER_OTLP_* variables itself
        provider.add_span_processor(BatchSpanProcessor(exporter))
        if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            # make it global so the model SDKs' own spans are exported and nest in ours
            trace.set_tracer_provider(provider)
        atexit.register(shutdown)
        _state = _Tracing(provider.get_tracer("docagent", __version__), provider, owned=True)
        return True


def _shutdown_locked() -> None:
    global _state
    if _state is not None and _state.owned and _state.provider is not None:
        with contextlib.suppress(Exception):
            _state.provider.shutdown()
    _state = None


def shutdown() -> None:
    """Flush and stop tracing that docagent set up; later calls re-read the configuration."""
    global _decided
    with _lock:
        _shutdown_locked()
        _decided = False


def enabled() -> bool:
    """True when spans are recorded (decides from the environment on first use)."""
    return _tracing() is not None


def _tracing() -> _Tracing | None:
    if not _decided:
        configure()
    return _state


class DraftSpan:
    """What :func:`draft_span` yields: record usage and outcome on the draft's span.

    When tracing is off this object does nothing (every method returns at once).
    """

    def __init__(
        self, span: Any = None, state: _Tracing | None = None, model_call: bool = True
    ) -> None:
        """Wrap ``span`` (None for the no-op object).

        Without ``model_call`` (the offline drafter) no ``gen_ai.*`` attribute is recorded.
        """
        self._span = span
        self._state = state
        self._model_call = model_call

    @property
    def recording(self) -> bool:
        """True when attributes set here are exported."""
        return self._span is not None

    def set_attribute(self, key: str, value: Any) -> None:
        """Set one span attribute (None values are skipped)."""
        if self._span is not None and value is not None:
            self._span.set_attribute(key, value)

    def set_usage(
        self,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
        cost_usd: float | None = None,
    ) -> None:
        """Record token usage (``gen_ai.usage.*``) and optionally the cost in USD."""
        if self._span is None or not self._model_call:
            return
        self._span.set_attribute("gen_ai.usage.input_tokens", int(input_tokens))
        self._span.set_attribute("gen_ai.usage.output_tokens", int(output_tokens))
        if cache_read_tokens:
            self._span.set_attribute("gen_ai.usage.cache_read.input_tokens", int(cache_read_tokens))
        if cache_write_tokens:
            self._span.set_attribute(
                "gen_ai.usage.cache_creation.input_tokens", int(cache_write_tokens)
            )
        if cost_usd is not None:
            self._span.set_attribute("docagent.cost_usd", float(cost_usd))

    def set_response(
        self, model: str | None = None, response_id: str | None = None, finish: str | None = None
    ) -> None:
        """Record the response model, id and finish reason (model calls only)."""
        if not self._model_call:
            return
        self.set_attribute("gen_ai.response.model", model)
        self.set_attribute("gen_ai.response.id", response_id)
        if finish:
            self.set_attribute("gen_ai.response.finish_reasons", [finish])

    def set_draft_id(self, draft_id: str) -> None:
        """Tie the span to the stored draft (later decision events link back to it)."""
        if self._span is None:
            return
        self._span.set_attribute("docagent.draft_id", draft_id)
        if self._state is not None:
            self._state.remember(draft_id, self._span.get_span_context())

    def set_checks(self, ok: bool, failed: list[str] | tuple[str, ...] = ()) -> None:
        """Record whether the draft passed its checks, and which failed."""
        self.set_attribute("docagent.checks_ok", bool(ok))
        if failed:
            self.set_attribute("docagent.checks_failed", list(failed))

    def set_error(self, error: BaseException | str) -> None:
        """Mark the span as failed (``error.type``) without raising."""
        if self._span is None:
            return
        from opentelemetry.trace import Status, StatusCode

        kind = type(error).__name__ if isinstance(error, BaseException) else str(error)
        self._span.set_attribute("error.type", kind)
        self._span.set_status(Status(StatusCode.ERROR, kind))


_NOOP = DraftSpan()


@contextlib.contextmanager
def draft_span(
    target: Any,
    provider: str,
    model: str,
    prompt_version: str,
    *,
    kind: str | None = None,
    operation: str = "chat",
) -> Iterator[DraftSpan]:
    """A span around drafting one target; yields a :class:`DraftSpan` (no-op when off).

    ``target`` is a ``Target`` (its ``path``, ``qualname`` and ``kind`` are used) or a label
    string. The span is current inside the block, so provider SDK spans nest in it; an
    exception marks it failed and propagates.
    """
    state = _tracing()
    if state is None:
        yield _NOOP
        return
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind, Status, StatusCode

    label, kind_ = _target_facts(target, kind)
    model_call = makes_model_calls(provider)
    attributes: dict[str, Any] = {
        "docagent.prompt_version": prompt_version,
        "docagent.target": label,
        "docagent.kind": kind_,
    }
    if model_call:
        attributes = {
            "gen_ai.operation.name": operation,
            "gen_ai.provider.name": provider,
            "gen_ai.request.model": model,
            **attributes,
        }
        name = f"{operation} {model}" if model else operation
    else:  # no model is called: an internal step, not a GenAI client span
        attributes["docagent.provider"] = provider
        name = f"docagent.draft {provider}"
    parent = None
    if not trace.get_current_span().is_recording():
        parent = state.run_context  # worker threads and tasks start outside the run's context
    with state.tracer.start_as_current_span(
        name,
        context=parent,
        kind=SpanKind.CLIENT if model_call else SpanKind.INTERNAL,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        wrapper = DraftSpan(span, state, model_call=model_call)
        try:
            yield wrapper
        except BaseException as exc:
            from docagent.store.redact import scrub_text

            # recorded by hand so that a message quoting a key is scrubbed first
            span.add_event(
                "exception",
                {"exception.type": type(exc).__name__, "exception.message": scrub_text(str(exc))},
            )
            span.set_attribute("error.type", type(exc).__name__)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


def decision_event(
    decision: str,
    *,
    draft_id: str | None = None,
    target: Any = None,
    kind: str | None = None,
    reason: str = "",
    score: float | None = None,
    review_ms: int | None = None,
    mode: str | None = None,
) -> None:
    """Emit a ``gen_ai.evaluation.result`` event for one decision (no-op when off).

    ``gen_ai.evaluation.score.label`` is the decision; ``score.value`` is ``score`` when given,
    else 1.0 for accept and 0.0 for reject (an edit's value is left to the caller, e.g. its
    edit similarity); the reason is the explanation. The event goes on the current span when
    one is recording, else on a short ``docagent.review`` span linked to the draft's span.
    """
    state = _tracing()
    if state is None:
        return
    from opentelemetry import trace

    label, kind_ = _target_facts(target, kind) if target is not None else ("", kind or "")
    value = score if score is not None else _SCORES.get(decision)
    attributes: dict[str, Any] = {
        "gen_ai.evaluation.name": "docagent.review",
        "gen_ai.evaluation.score.label": decision,
    }
    if value is not None:
        attributes["gen_ai.evaluation.score.value"] = float(value)
    if reason:
        from docagent.store.redact import scrub_text

        attributes["gen_ai.evaluation.explanation"] = scrub_text(reason)
    for key, val in (
        ("docagent.draft_id", draft_id),
        ("docagent.target", label or None),
        ("docagent.kind", kind_ or None),
        ("docagent.review_ms", review_ms),
        ("docagent.mode", mode),
    ):
        if val is not None:
            attributes[key] = val
    current = trace.get_current_span()
    if current.is_recording():
        current.add_event("gen_ai.evaluation.result", attributes)
        return
    links = []
    if draft_id and draft_id in state.spans:
        links.append(trace.Link(state.spans[draft_id]))
    span_attrs = {k: v for k, v in attributes.items() if k.startswith("docagent.")}
    with state.tracer.start_as_current_span(
        "docagent.review", context=state.run_context, links=links, attributes=span_attrs
    ) as span:
        span.add_event("gen_ai.evaluation.result", attributes)


def start_run(run_id: str, mode: str, provider: str = "", model: str = "") -> None:
    """Open the root span of a run (``docagent.run <mode>``); drafts and decisions nest in it.

    One trace per run: the draft spans of every worker thread and task start in this span's
    context. No-op when tracing is off or ``run_id`` is empty.
    """
    state = _tracing()
    if state is None or not run_id:
        return
    from opentelemetry import trace

    attributes = {"docagent.run_id": run_id, "docagent.mode": mode}
    if provider:
        attributes["docagent.provider"] = provider
    if model and makes_model_calls(provider):
        attributes["gen_ai.request.model"] = model
    span = state.tracer.start_span(f"docagent.run {mode}", context=None, attributes=attributes)
    state.runs[run_id] = span
    state.run_context = trace.set_span_in_context(span)


def end_run(run_id: str, **attributes: Any) -> None:
    """Close the root span opened by :func:`start_run` (numbers and strings are recorded)."""
    state = _tracing()
    if state is None:
        return
    span = state.runs.pop(run_id, None)
    if span is None:
        return
    for key, value in attributes.items():
        if isinstance(value, bool | int | float | str) and not isinstance(value, type(None)):
            span.set_attribute(f"docagent.{key}", value)
    span.end()
    if not state.runs:
        state.run_context = None
