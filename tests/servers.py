"""Loopback HTTP servers that speak the Anthropic Messages API and OpenAI chat completions.

Tests drive the REAL SDK clients against these servers (anthropic 2.x uses httpx2, which respx
cannot intercept). Each server has a scripted queue of responses and records every request so
tests can assert the request shape. Reusable by other test modules::

    from servers import MessagesServer, messages_server, reply_json  # fixtures included
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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
    model: str = "claude-sonnet-test",
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


def reply_json(data: Any = None, **usage: Any) -> Reply:
    """A successful Messages reply carrying ``data`` (default: a good draft) as JSON text."""
    return Reply(200, message_body(json.dumps(GOOD_DRAFT if data is None else data), **usage))


def reply_text(text: str, **usage: Any) -> Reply:
    """A successful Messages reply carrying arbitrary ``text``."""
    return Reply(200, message_body(text, **usage))


def reply_error(status: int, kind: str, message: str, **headers: str) -> Reply:
    """An API error reply (``headers`` use underscores for dashes: ``retry_after="0"``)."""
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
    return Reply(status, {"type": "error", "error": {"type": kind, "message": message}}, hdrs)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with a reply queue and a request log."""

    def __init__(self) -> None:
        """Start the server on a free port."""
        self.replies: list[Reply] = []
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
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
                reply = owner.route(rec)
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
                    self.send_response(reply.status)
                    self.send_header("content-type", reply.headers.get("content-type", ctype))
                    self.send_header("content-length", str(len(data)))
                    self.send_header("request-id", "req_" + uuid.uuid4().hex[:10])
                    for k, v in reply.headers.items():
                        if k.lower() != "content-type":
                            self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_DELETE = _handle

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        """The base URL (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def queue(self, *replies: Reply) -> None:
        """Append replies to the script, served in order."""
        with self.lock:
            self.replies.extend(replies)

    def next_reply(self) -> Reply:
        """Pop the next scripted reply (the default reply when the script is empty)."""
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
        return self.default_reply()

    def default_reply(self) -> Reply:
        """The reply used when nothing is scripted."""
        return Reply(500, {"error": {"message": "no scripted reply"}})

    def route(self, rec: Recorded) -> Reply:
        """Choose the reply for a request (subclasses add endpoints)."""
        return self.next_reply()

    def calls(self, path_suffix: str = "") -> list[Recorded]:
        """Requests whose path ends with ``path_suffix`` (query string ignored)."""
        return [r for r in self.requests if r.path.split("?")[0].endswith(path_suffix)]

    def close(self) -> None:
        """Stop the server."""
        self.httpd.shutdown()
        self.httpd.server_close()


class MessagesServer(LoopbackServer):
    """The Messages API (``POST /v1/messages``) plus Message Batches endpoints.

    Batches: ``POST /v1/messages/batches`` creates a batch; ``GET …/batches/{id}`` answers
    ``in_progress`` for the first ``batch_polls`` retrievals, then ``ended``; ``GET
    …/batches/{id}/results`` streams JSONL built by ``batch_result(custom_id, params)``
    (default: a succeeded message with :data:`GOOD_DRAFT`).
    """

    def __init__(self) -> None:
        """Start the server with no batches."""
        super().__init__()
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_polls = 1
        self.batch_result: Callable[[str, dict[str, Any]], dict[str, Any]] = self._default_result

    def default_reply(self) -> Reply:
        """Without a script, answer every message request with a good draft."""
        return reply_json()

    @staticmethod
    def _default_result(custom_id: str, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "succeeded",
            "message": message_body(json.dumps(GOOD_DRAFT), model=params.get("model", "m")),
        }

    def _batch_obj(self, bid: str, ended: bool) -> dict[str, Any]:
        n = len(self.batches[bid]["requests"])
        return {
            "id": bid,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else n,
                "succeeded": n if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": "2026-01-01T00:00:00Z",
            "expires_at": "2026-01-02T00:00:00Z",
            "ended_at": "2026-01-01T00:10:00Z" if ended else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{bid}/results" if ended else None,
        }

    def route(self, rec: Recorded) -> Reply:
        """Serve batches endpoints; everything else takes the next scripted reply."""
        path = rec.path.split("?")[0]
        if path.endswith("/v1/messages/batches") and rec.method == "POST":
            bid = "msgbatch_" + uuid.uuid4().hex[:12]
            self.batches[bid] = {"requests": (rec.json or {}).get("requests", []), "polls": 0}
            return Reply(200, self._batch_obj(bid, False))
        if "/v1/messages/batches/" in path and rec.method == "GET":
            rest = path.split("/v1/messages/batches/", 1)[1]
            bid, _, tail = rest.partition("/")
            if bid not in self.batches:
                return reply_error(404, "not_found_error", f"batch {bid} not found")
            batch = self.batches[bid]
            if tail == "results":
                lines = [
                    json.dumps(
                        {
                            "custom_id": r["custom_id"],
                            "result": self.batch_result(r["custom_id"], r.get("params", {})),
                        }
                    )
                    for r in batch["requests"]
                ]
                return Reply(
                    200,
                    ("\n".join(lines) + "\n").encode(),
                    {"content-type": "application/binary"},
                )
            batch["polls"] += 1
            return Reply(200, self._batch_obj(bid, batch["polls"] > self.batch_polls))
        return self.next_reply()


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
    like servers that do not support it.
    """

    def __init__(self) -> None:
        """Start the server."""
        super().__init__()
        self.reject_response_format = False

    def default_reply(self) -> Reply:
        """Without a script, answer with a good draft as JSON content."""
        return Reply(200, chat_body(json.dumps(GOOD_DRAFT)))

    def route(self, rec: Recorded) -> Reply:
        """Reject ``response_format`` when configured; else the next scripted reply."""
        if self.reject_response_format and "response_format" in (rec.json or {}):
            return Reply(400, {"error": {"message": "response_format is not supported"}})
        return self.next_reply()


@pytest.fixture
def messages_server() -> Iterator[MessagesServer]:
    """A running :class:`MessagesServer`, closed after the test."""
    server = MessagesServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A running :class:`OpenAIServer`, closed after the test."""
    server = OpenAIServer()
    try:
        yield server
    finally:
        server.close()
