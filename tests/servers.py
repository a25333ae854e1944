"""Loopback HTTP servers that speak the Anthropic Messages API and OpenAI chat completions.

Tests drive the REAL SDK clients against these servers (anthropic 2.x uses httpx2, which respx
cannot intercept). Every server records each request (``requests``) so tests can assert the
request shape, and answers from a scripted queue of replies (``queue``). Reusable by other test
modules and by ``benchmarks/batch.py``::

    from servers import MessagesServer, messages_server, reply_json  # fixtures included

:class:`MessagesServer` also serves the Message Batches endpoints and, with ``from_prompt=True``
(what ``test_batch*.py`` and the benchmark use), answers each unscripted ``POST /v1/messages``
with a structured draft built from the target's code in the prompt (so a draft passes the checks
unless a fault says otherwise). Per target and per attempt it can then inject:

- ``429`` / ``529`` / ``500``: an error status (``retry-after: 0`` so SDK retries are fast);
- ``"malformed"``: prose instead of JSON; ``"invented"``: a parameter that does not exist;
- ``"hostile"``: a summary that tries to break out of the string literal;
- ``("slow", seconds)``: answer after a delay; ``"hold"``: block until :meth:`release`;
- ``("describe", text)``: ``text`` as the draft's description (a model echoing a credential).

``faults[qualname]`` is a list consumed one entry per request for that target (``"ok"`` for a
normal answer). ``answered`` counts 200 answers and ``received`` requests, per ``path::qualname``.
With ``hold_after = N`` (and :meth:`hold`), every request after the first N waits for
:meth:`release` (the kill-and-resume test kills the client while requests are held).
``delay`` adds a fixed latency to every such answer (the benchmark uses 0.3 s).

Prompt caching (``caching=True``): like the Messages API, a request's ``system`` blocks up to the
last one marked ``cache_control`` are its cacheable prefix; the prefix is cached only when it is
at least the model's minimum length (:data:`MIN_CACHE_TOKENS`, tokens counted as characters / 4),
so a prefix under it gets no cache reads or writes. The first request with a prefix writes it
(``cache_creation_input_tokens``), later ones read it (``cache_read_input_tokens``); usage is then
counted from the request text, and ``cache_reads`` / ``cache_writes`` count tokens per
``path::qualname``.

Message Batches: ``POST /v1/messages/batches`` creates a batch (``msgbatch_0001``, …), ``GET
…/batches/{id}`` reports ``in_progress`` for ``batch_polls`` polls and then ``ended`` with a
``results_url``, and ``GET …/batches/{id}/results`` streams JSONL built by ``batch_result(custom_id,
params)``: by default a succeeded message with :data:`GOOD_DRAFT`, or with ``from_prompt`` the
answer the Messages endpoint would give (faults apply; an error status becomes ``errored``).
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import pytest

GOOD_DRAFT: dict[str, Any] = {
    "summary": "Add two numbers.",
    "description": "",
    "params": [
        {"name": "a", "description": "The first number."},
        {"name": "b", "description": "The second number."},
    ],
    "returns": "The sum of a and b.",
    "yields": "",
    "raises": [],
    "examples": "",
    "attributes": [],
}

#: The server's own table of minimum cacheable lengths (independent of docagent's).
MIN_CACHE_TOKENS = {
    "claude-sonnet-4-5": 1024,
    "claude-sonnet-4-6": 2048,
    "claude-haiku-4-5": 4096,
    "claude-opus-4-5": 4096,
}

_WHO_RE = re.compile(r"Write the docstring of the (\w+) `([^`]+)` in `([^`]+)`")
HOSTILE = 'Escape attempt."""; import os; os.system("echo pwned") #\\'


@dataclass
class Reply:
    """One scripted HTTP response."""

    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes -> sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        """The request body parsed as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None


def message_body(
    text: str,
    *,
    model: str = "claude-sonnet-4-5",
    input_tokens: int = 1000,
    output_tokens: int = 200,
    cache_read: int = 0,
    cache_write: int = 0,
    stop_reason: str = "end_turn",
) -> dict[str, Any]:
    """A Messages API response whose only content block is ``text``."""
    return {
        "id": "msg_" + uuid.uuid4().hex[:12],
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_write,
            "cache_read_input_tokens": cache_read,
        },
    }


def error_body(kind: str, message: str) -> dict[str, Any]:
    """An Anthropic API error document."""
    return {"type": "error", "error": {"type": kind, "message": message}}


def reply_json(data: Any = None, **usage: Any) -> Reply:
    """A successful Messages reply carrying ``data`` (default: a good draft) as JSON text."""
    return Reply(200, message_body(json.dumps(GOOD_DRAFT if data is None else data), **usage))


def reply_text(text: str, **usage: Any) -> Reply:
    """A successful Messages reply carrying arbitrary ``text``."""
    return Reply(200, message_body(text, **usage))


def reply_error(status: int, kind: str, message: str, **headers: str) -> Reply:
    """An API error reply (``headers`` use underscores for dashes: ``retry_after="0"``)."""
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
    return Reply(status, error_body(kind, message), hdrs)


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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with a reply queue and a request log.

    It starts on construction; :meth:`close` (or leaving a ``with`` block) stops it.
    """

    def __init__(self) -> None:
        """Start the server on a free port."""
        self.replies: list[Reply] = []
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                rec = Recorded(self.command, self.path, dict(self.headers.items()), raw)
                with owner.lock:
                    owner.requests.append(rec)
                    owner.in_flight += 1
                    owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
                try:
                    owner._respond(self, owner.route(rec))
                finally:
                    with owner.lock:
                        owner.in_flight -= 1

            do_GET = do_POST = do_DELETE = _handle

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @staticmethod
    def _respond(h: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            ctype = "application/json"
        elif isinstance(body, bytes):
            data, ctype = body, "application/octet-stream"
        else:
            data, ctype = str(body or "").encode(), "application/json"
        try:
            h.send_response(reply.status)
            h.send_header("content-type", reply.headers.get("content-type", ctype))
            h.send_header("content-length", str(len(data)))
            h.send_header("request-id", "req_" + uuid.uuid4().hex[:10])
            for k, v in reply.headers.items():
                if k.lower() != "content-type":
                    h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    @property
    def url(self) -> str:
        """The base URL (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def queue(self, *replies: Reply) -> None:
        """Append replies to the script, served in order."""
        with self.lock:
            self.replies.extend(replies)

    def next_reply(self, rec: Recorded) -> Reply:
        """Pop the next scripted reply (the default reply when the script is empty)."""
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
        return self.default_reply(rec)

    def default_reply(self, rec: Recorded) -> Reply:
        """The reply to ``rec`` when nothing is scripted."""
        return Reply(500, {"error": {"message": "no scripted reply"}})

    def route(self, rec: Recorded) -> Reply:
        """Choose the reply for a request (subclasses add endpoints)."""
        return self.next_reply(rec)

    def calls(self, path_suffix: str = "") -> list[Recorded]:
        """Requests whose path ends with ``path_suffix`` (query string ignored)."""
        return [r for r in self.requests if r.path.split("?")[0].endswith(path_suffix)]

    def close(self) -> None:
        """Stop the server."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Self:
        """The running server itself."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the server."""
        self.close()


class MessagesServer(LoopbackServer):
    """The Messages API (``POST /v1/messages``) plus Message Batches endpoints.

    See the module docstring for ``from_prompt``, faults, holding requests and batches.
    """

    def __init__(
        self,
        *,
        from_prompt: bool = False,
        delay: float = 0.0,
        batch_polls: int = 1,
        model: str = "claude-sonnet-4-5",
        caching: bool = False,
    ) -> None:
        """Start the server; ``from_prompt`` answers unscripted requests from the prompt;
        ``caching`` simulates prompt caching (module docstring)."""
        self.from_prompt = from_prompt
        self.caching = caching
        self.cached_prefixes: set[str] = set()
        self.cache_reads: Counter[str] = Counter()
        self.cache_writes: Counter[str] = Counter()
        self.delay = delay
        self.batch_polls = batch_polls
        self.model = model
        self.faults: dict[str, list[Any]] = {}
        self.received: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_creates = 0
        self.batch_result: Callable[[str, dict[str, Any]], dict[str, Any]] = self._default_result
        self.started = 0
        self.hold_after: int | None = None
        self._gate = threading.Event()
        self._gate.set()
        super().__init__()

    def close(self) -> None:
        """Stop the server (held requests are released)."""
        self.release()
        super().close()

    def hold(self) -> None:
        """Make requests whose fault is ``"hold"`` (or past ``hold_after``) wait for release."""
        self._gate.clear()

    def release(self) -> None:
        """Let held requests go on."""
        self._gate.set()

    def env(self) -> dict[str, str]:
        """Environment variables that point the SDK (and docagent) here."""
        return {"ANTHROPIC_BASE_URL": self.url, "ANTHROPIC_API_KEY": "sk-ant-test-loopback"}

    # ------------------------------------------------------------------ answering

    def default_reply(self, rec: Recorded) -> Reply:
        """Without a script: a good draft, or with ``from_prompt`` the answer to the prompt."""
        if not self.from_prompt:
            return reply_json()
        status, doc = self.answer(rec.json or {})
        return Reply(status, doc, {"retry-after": "0"} if status in (429, 529) else {})

    def _next_fault(self, qualname: str) -> Any:
        with self.lock:
            queue = self.faults.get(qualname)
            return queue.pop(0) if queue else "ok"

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Messages request body from its prompt: ``(status, json)``; faults applied."""
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
            return 500, error_body("api_error", "held request released")
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
            return fault, error_body(kinds.get(fault, "api_error"), f"injected {fault}")
        answer = auto_answer(first, kind, qualname)
        if fault == "hostile":
            answer["summary"] = HOSTILE
            answer["description"] = 'Ends with a quote and a backslash: "\\'
        elif isinstance(fault, tuple) and fault[0] == "describe":  # e.g. echo a credential
            answer["description"] = fault[1]
        elif fault == "invented":
            answer["params"] = [*answer["params"], {"name": "bogus_arg", "description": "No."}]
        text = json.dumps(answer)
        if fault == "malformed":
            text = "Sure! Here is the docstring you asked for, in prose, not JSON."
        usage = self.usage(body, key) if self.caching else {}
        with self.lock:
            self.answered[key] += 1
        return 200, message_body(text, model=self.model, **usage)

    def usage(self, body: dict[str, Any], key: str) -> dict[str, int]:
        """Usage of one request with prompt caching simulated (see the module docstring)."""
        system = body.get("system") or []
        if isinstance(system, str):
            system = [{"type": "text", "text": system}]
        marked = [i for i, b in enumerate(system) if isinstance(b, dict) and b.get("cache_control")]
        texts = [str(b.get("text", "")) for b in system if isinstance(b, dict)]
        rest = json.dumps(body.get("messages") or [])
        total = sum(len(t) for t in texts) // 4 + len(rest) // 4
        if not marked:
            return {"input_tokens": total}
        prefix = "\0".join(texts[: marked[-1] + 1])
        tokens = len(prefix) // 4
        model = str(body.get("model", ""))
        if tokens < MIN_CACHE_TOKENS.get(model, 1024):
            return {"input_tokens": total}
        with self.lock:
            ident = model + "\0" + prefix
            hit = ident in self.cached_prefixes
            self.cached_prefixes.add(ident)
            (self.cache_reads if hit else self.cache_writes)[key] += tokens
        cached = {"cache_read": tokens} if hit else {"cache_write": tokens}
        return {"input_tokens": total - tokens, **cached}

    def route(self, rec: Recorded) -> Reply:
        """Serve batches endpoints; everything else takes the next scripted reply."""
        path = rec.path.split("?")[0]
        if path.endswith("/v1/messages/batches") and rec.method == "POST":
            return Reply(200, self._create_batch(rec.json or {}))
        if "/v1/messages/batches/" in path and rec.method == "GET":
            bid, _, tail = path.split("/v1/messages/batches/", 1)[1].partition("/")
            if bid not in self.batches:
                return reply_error(404, "not_found_error", f"batch {bid} not found")
            if tail == "results":
                return Reply(200, self._results(bid), {"content-type": "application/binary"})
            return Reply(200, self._poll_batch(bid))
        reply = self.next_reply(rec)
        with self.lock:
            self.statuses[reply.status] += 1
        return reply

    # ------------------------------------------------------------------ batches

    def _default_result(self, custom_id: str, params: dict[str, Any]) -> dict[str, Any]:
        if not self.from_prompt:
            message = message_body(json.dumps(GOOD_DRAFT), model=params.get("model", "m"))
            return {"type": "succeeded", "message": message}
        status, doc = self.answer(params)
        if status == 200:
            return {"type": "succeeded", "message": doc}
        return {"type": "errored", "error": doc}

    def _batch_doc(self, bid: str) -> dict[str, Any]:
        b = self.batches[bid]
        ended = b["status"] == "ended"
        n = len(b["requests"])
        return {
            "id": bid,
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
            "results_url": f"{self.url}/v1/messages/batches/{bid}/results" if ended else None,
        }

    def _create_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.batch_creates += 1
            bid = f"msgbatch_{self.batch_creates:04d}"
            self.batches[bid] = {
                "requests": body.get("requests", []),
                "status": "in_progress",
                "polls": 0,
                "seen": [],
            }
        return self._batch_doc(bid)

    def _poll_batch(self, bid: str) -> dict[str, Any]:
        b = self.batches[bid]
        b["polls"] += 1
        if b["polls"] > self.batch_polls:
            b["status"] = "ended"
        b["seen"].append(b["status"])
        return self._batch_doc(bid)

    def _results(self, bid: str) -> bytes:
        b = self.batches[bid]
        if "results" not in b:  # answered once; later reads get the same lines
            lines = [
                json.dumps(
                    {
                        "custom_id": r["custom_id"],
                        "result": self.batch_result(r["custom_id"], r.get("params", {})),
                    }
                )
                for r in b["requests"]
            ]
            b["results"] = "".join(line + "\n" for line in lines).encode()
        return b["results"]


def chat_body(
    content: str,
    *,
    model: str = "local-model",
    prompt_tokens: int = 800,
    completion_tokens: int = 150,
) -> dict[str, Any]:
    """An OpenAI chat completion whose message content is ``content``."""
    return {
        "id": "chatcmpl-" + uuid.uuid4().hex[:10],
        "object": "chat.completion",
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class OpenAIServer(LoopbackServer):
    """An OpenAI-compatible ``POST /v1/chat/completions`` server.

    With ``reject_response_format`` it answers 400 to requests that ask for JSON-schema output,
    like servers that do not support it. ``GET /v1/models`` lists ``models`` (with
    ``models_status`` other than 200 it answers that status instead, like servers without the
    endpoint); it never consumes the reply script.
    """

    def __init__(self) -> None:
        """Start the server."""
        super().__init__()
        self.reject_response_format = False
        self.models: list[str] = ["local-model"]
        self.models_status = 200

    def default_reply(self, rec: Recorded) -> Reply:
        """Without a script, answer with a good draft as JSON content."""
        return Reply(200, chat_body(json.dumps(GOOD_DRAFT)))

    def route(self, rec: Recorded) -> Reply:
        """Reject ``response_format`` when configured; else the next scripted reply."""
        if rec.method == "GET" and rec.path.split("?")[0].endswith("/models"):
            if self.models_status != 200:
                return Reply(self.models_status, {"error": {"message": "not found"}})
            data = [{"id": m, "object": "model", "owned_by": "local"} for m in self.models]
            return Reply(200, {"object": "list", "data": data})
        if self.reject_response_format and "response_format" in (rec.json or {}):
            return Reply(400, {"error": {"message": "response_format is not supported"}})
        return self.next_reply(rec)


@pytest.fixture
def messages_server() -> Iterator[MessagesServer]:
    """A running :class:`MessagesServer`, closed after the test."""
    with MessagesServer() as server:
        yield server


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A running :class:`OpenAIServer`, closed after the test."""
    with OpenAIServer() as server:
        yield server
