"""A loopback Anthropic Messages API (and Message Batches API) server for end-to-end tests.

The real ``anthropic`` SDK talks to it through ``ANTHROPIC_BASE_URL``. It answers each
``POST /v1/messages`` with a structured draft built from the target's code in the prompt (so a
draft passes the checks unless a fault says otherwise) and can inject, per target and per attempt:

- ``429`` / ``529`` / ``500``: an error status (``retry-after: 0`` so SDK retries are fast);
- ``"malformed"``: prose instead of JSON; ``"invented"``: a parameter that does not exist;
- ``"hostile"``: a summary that tries to break out of the string literal;
- ``("slow", seconds)``: answer after a delay; ``"hold"``: block until :meth:`release`.

``faults[qualname]`` is a list consumed one entry per request for that target (``"ok"`` for a
normal answer). ``answered`` counts 200 answers and ``received`` requests, per ``path::qualname``.
With ``hold_after = N`` (and :meth:`hold`), every request after the first N waits for
:meth:`release` (the kill-and-resume test kills the client while requests are held).
``delay`` adds a fixed latency to every answer (the benchmark uses 0.3 s).

Message Batches: ``POST /v1/messages/batches`` creates a batch, ``GET .../{id}`` reports
``in_progress`` for ``batch_polls`` polls and then ``ended`` with a ``results_url``, and
``GET .../{id}/results`` streams the JSONL results, answering each request like the Messages
endpoint does (faults apply; an error status becomes an ``errored`` result).

This module holds no tests of its own; ``test_batch*.py`` and ``benchmarks/batch.py`` use it.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_WHO_RE = re.compile(r"Write the docstring of the (\w+) `([^`]+)` in `([^`]+)`")
HOSTILE = 'Escape attempt."""; import os; os.system("echo pwned") #\\'


def _target_code(prompt: str) -> str:
    """The target's source from the prompt's ``## target`` section (first line is the path)."""
    m = re.search(r"^## target\n(.*?)(?=^## |\Z)", prompt, re.S | re.M)
    if not m:
        return ""
    lines = m.group(1).split("\nAnswer with one JSON object", 1)[0].splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return textwrap.dedent("\n".join(lines))


def auto_answer(prompt: str, kind: str, qualname: str) -> dict[str, Any]:
    """A schema-shaped draft that agrees with the target's code (params, returns, raises)."""
    name = qualname.rsplit(".", 1)[-1]
    answer: dict[str, Any] = {
        "summary": f"Handle {name.strip('_') or 'it'} for the caller.",
        "description": "",
        "params": [],
        "returns": "",
        "yields": "",
        "raises": [],
        "examples": "",
        "attributes": [],
    }
    if kind not in ("function", "method"):
        return answer
    code = _target_code(prompt)
    try:
        fn = ast.parse(code).body[0]
    except (SyntaxError, ValueError, IndexError):
        return answer
    if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
        return answer
    args = fn.args
    names = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    if kind == "method" and names and names[0] in ("self", "cls"):
        names = names[1:]
    answer["params"] = [{"name": n, "description": f"The {n}."} for n in names]
    own = [n for n in ast.walk(fn) if not isinstance(n, ast.Lambda)]
    if any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own):
        answer["yields"] = "Each item."
    elif any(
        isinstance(n, ast.Return)
        and n.value is not None
        and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        for n in own
    ):
        answer["returns"] = "The result."
    raised = []
    for n in own:
        if isinstance(n, ast.Raise) and n.exc is not None:
            exc = n.exc.func if isinstance(n.exc, ast.Call) else n.exc
            if isinstance(exc, ast.Name) and exc.id not in raised:
                raised.append(exc.id)
    answer["raises"] = [{"type": t, "description": "On bad input."} for t in raised]
    return answer


class MessagesServer:
    """The loopback server; use as a context manager, then point the SDK at :attr:`url`."""

    def __init__(self, delay: float = 0.0, batch_polls: int = 2, model: str = "claude-sonnet-4-5"):
        """Create (not start) a server with a fixed answer ``delay`` in seconds."""
        self.delay = delay
        self.batch_polls = batch_polls
        self.model = model
        self.faults: dict[str, list[Any]] = {}
        self.received: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_creates = 0
        self.lock = threading.Lock()
        self._gate = threading.Event()
        self._gate.set()
        self.in_flight = 0
        self.started = 0
        self.hold_after: int | None = None
        self.max_in_flight = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """The base URL (``http://127.0.0.1:PORT``)."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> MessagesServer:
        """Start serving in a daemon thread."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                server._dispatch(self, "POST")

            def do_GET(self) -> None:
                server._dispatch(self, "GET")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop serving (held requests are released)."""
        self.release()
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def hold(self) -> None:
        """Make requests whose fault is ``"hold"`` wait until :meth:`release`."""
        self._gate.clear()

    def release(self) -> None:
        """Let held requests go on."""
        self._gate.set()

    def env(self) -> dict[str, str]:
        """Environment variables that point the SDK (and docagent) here."""
        return {"ANTHROPIC_BASE_URL": self.url, "ANTHROPIC_API_KEY": "sk-ant-test-loopback"}

    # ------------------------------------------------------------------ answering

    def _next_fault(self, qualname: str) -> Any:
        with self.lock:
            queue = self.faults.get(qualname)
            return queue.pop(0) if queue else "ok"

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Messages request body: ``(status, json)``; faults applied."""
        messages = body.get("messages") or [{}]
        first = messages[0].get("content", "")
        if isinstance(first, list):
            first = "".join(b.get("text", "") for b in first if isinstance(b, dict))
        m = _WHO_RE.search(first)
        kind, qualname, path = (m.group(1), m.group(2), m.group(3)) if m else ("function", "?", "")
        key = f"{path}::{qualname}"
        with self.lock:
            self.received[key] += 1
            self.started += 1
            held = self.hold_after is not None and self.started > self.hold_after
        if held:  # the client is killed meanwhile: this request is never answered
            self._gate.wait()
            err = {"type": "api_error", "message": "held request released"}
            return 500, {"type": "error", "error": err}
        fault = self._next_fault(qualname)
        if isinstance(fault, tuple) and fault[0] == "slow":
            time.sleep(fault[1])
            fault = "ok"
        if fault == "hold":
            self._gate.wait()
            fault = "ok"
        if self.delay:
            time.sleep(self.delay)
        if isinstance(fault, int):
            kinds = {429: "rate_limit_error", 529: "overloaded_error", 500: "api_error"}
            err = {"type": kinds.get(fault, "api_error"), "message": f"injected {fault}"}
            return fault, {"type": "error", "error": err}
        answer = auto_answer(first, kind, qualname)
        if fault == "hostile":
            answer["summary"] = HOSTILE
            answer["description"] = 'Ends with a quote and a backslash: "\\'
        elif fault == "invented":
            answer["params"] = [*answer["params"], {"name": "bogus_arg", "description": "No."}]
        text = json.dumps(answer)
        if fault == "malformed":
            text = "Sure! Here is the docstring you asked for, in prose, not JSON."
        with self.lock:
            self.answered[key] += 1
        return 200, {
            "id": f"msg_{self.started}",
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": 1000,
                "output_tokens": 200,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        }

    def _dispatch(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("content-length") or 0)
        raw = h.rfile.read(length) if length else b""
        path = h.path.split("?", 1)[0]
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if method == "POST" and path == "/v1/messages":
                status, doc = self.answer(json.loads(raw or b"{}"))
                with self.lock:
                    self.statuses[status] += 1
                self._send(h, status, doc)
            elif method == "POST" and path == "/v1/messages/batches":
                self._send(h, 200, self._create_batch(json.loads(raw or b"{}")))
            elif method == "GET" and path.endswith("/results"):
                batch_id = path.split("/")[-2]
                self._send_results(h, batch_id)
            elif method == "GET" and path.startswith("/v1/messages/batches/"):
                batch_id = path.rsplit("/", 1)[-1]
                if batch_id not in self.batches:
                    err = {"type": "not_found_error", "message": f"no batch {batch_id}"}
                    self._send(h, 404, {"type": "error", "error": err})
                else:
                    self._send(h, 200, self._poll_batch(batch_id))
            else:
                err = {"type": "not_found_error", "message": path}
                self._send(h, 404, {"type": "error", "error": err})
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self.lock:
                self.in_flight -= 1

    def _send(self, h: BaseHTTPRequestHandler, status: int, doc: dict[str, Any]) -> None:
        data = json.dumps(doc).encode()
        h.send_response(status)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(data)))
        h.send_header("request-id", f"req_{time.monotonic_ns()}")
        if status in (429, 529):
            h.send_header("retry-after", "0")
        h.end_headers()
        h.wfile.write(data)

    # ------------------------------------------------------------------ batches

    def _batch_doc(self, batch_id: str) -> dict[str, Any]:
        b = self.batches[batch_id]
        ended = b["status"] == "ended"
        n = len(b["requests"])
        return {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": b["status"],
            "request_counts": {
                "processing": 0 if ended else n,
                "succeeded": n if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": "2026-01-01T00:00:00Z",
            "expires_at": "2026-01-02T00:00:00Z",
            "ended_at": "2026-01-01T00:05:00Z" if ended else None,
            "cancel_initiated_at": None,
            "archived_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch_id}/results" if ended else None,
        }

    def _create_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.batch_creates += 1
            batch_id = f"msgbatch_{self.batch_creates:04d}"
            self.batches[batch_id] = {"requests": body["requests"], "status": "in_progress"}
            self.batches[batch_id]["polls"] = 0
        return self._batch_doc(batch_id)

    def _poll_batch(self, batch_id: str) -> dict[str, Any]:
        b = self.batches[batch_id]
        b["polls"] += 1
        if b["polls"] > self.batch_polls:
            b["status"] = "ended"
        b.setdefault("seen", []).append(b["status"])
        return self._batch_doc(batch_id)

    def _send_results(self, h: BaseHTTPRequestHandler, batch_id: str) -> None:
        b = self.batches[batch_id]
        if "results" not in b:
            lines = []
            for req in b["requests"]:
                status, doc = self.answer(req["params"])
                if status == 200:
                    result = {"type": "succeeded", "message": doc}
                else:
                    result = {"type": "errored", "error": doc}
                lines.append(json.dumps({"custom_id": req["custom_id"], "result": result}))
            b["results"] = "".join(line + "\n" for line in lines).encode()
        data = b["results"]
        h.send_response(200)
        h.send_header("content-type", "application/binary")
        h.send_header("content-length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
