"""Anthropic Message Batches for ``docagent batch --batch-api``: half price, resumable.

:class:`MessageBatchProvider` wraps the anthropic provider and stands in for it in the drafter.
Each ``complete`` call is queued instead of sent; once every target still being drafted is
waiting on a queued request, the queue is submitted as one Message Batch (create), polled with
backoff until it has ended, and its results are joined to the waiting drafts on ``custom_id``.
Redrafts (a draft that failed its checks is redrafted once) go out as a second batch the same way.

The ``custom_id`` is a hash of the request parameters, and every batch id is written to
``.docagent/batch-api.json`` right after it is created. Re-running after a crash or ``kill -9``
finds the same requests in the stored batches and waits for those batches' results instead of
creating (and paying for) new ones. Callers and callees are drafted in the same batch: a caller's
context holds its callees' existing docs, not the ones being drafted with it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docagent.draft.models import Usage
from docagent.draft.providers.anthropic import message_result
from docagent.draft.providers.base import DraftRequest, ProviderError, ProviderResult
from docagent.jsonfile import read_json_object, write_json_atomic

STATE_FILE = "batch-api.json"
#: Requests per Message Batch (the API allows up to 100,000 and 256 MB per batch).
MAX_BATCH_REQUESTS = 10_000
#: Results stay retrievable for 29 days; older stored batches are forgotten.
RETENTION_S = 29 * 24 * 3600
DEFAULT_POLL_S = 10.0
MAX_POLL_S = 120.0


def custom_id(params: dict[str, Any]) -> str:
    """Return the batch ``custom_id`` of a request: a hash of its parameters (≤ 64 chars)."""
    raw = json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "d" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


class BatchState:
    """The stored batch ids and the ``custom_id`` values each one holds (a small JSON file)."""

    def __init__(self, path: Path):
        """Load ``path`` (missing or unreadable: empty)."""
        self.path = path
        stored = read_json_object(path).get("batches")
        self.batches: dict[str, dict[str, Any]] = stored if isinstance(stored, dict) else {}
        cutoff = time.time() - RETENTION_S
        self.batches = {
            k: v
            for k, v in self.batches.items()
            if isinstance(v, dict) and float(v.get("created", 0)) >= cutoff
        }

    def find(self, cid: str) -> str | None:
        """Return the id of a stored batch that holds request ``cid``, or None."""
        for batch_id, info in self.batches.items():
            if info.get("status") not in ("failed",) and cid in info.get("custom_ids", ()):
                return batch_id
        return None

    def add(self, batch_id: str, custom_ids: list[str], model: str) -> None:
        """Record a newly created batch and save at once."""
        self.batches[batch_id] = {
            "custom_ids": custom_ids,
            "model": model,
            "created": time.time(),
            "status": "in_progress",
        }
        self.save()

    def mark(self, batch_id: str, status: str) -> None:
        """Record a batch's last known status and save."""
        if batch_id in self.batches:
            self.batches[batch_id]["status"] = status
            self.save()

    def save(self) -> None:
        """Write the file atomically (synced to disk: a lost batch id costs a paid batch)."""
        data = {"batches": self.batches}
        write_json_atomic(self.path, data, indent=1, sync=True)


class MessageBatchProvider:
    """A provider that queues requests and sends them as Anthropic Message Batches."""

    name = "anthropic"

    def __init__(
        self,
        inner: Any,
        *,
        state_dir: Path,
        poll_interval: float | None = None,
        on_status: Callable[[str], None] | None = None,
    ):
        """Wrap ``inner`` (an ``AnthropicProvider``: its client and ``build_params`` are used)."""
        self.inner = inner
        self.model = inner.model
        self.client = inner.client
        self.state = BatchState(Path(state_dir) / STATE_FILE)
        self.poll_interval = poll_interval or DEFAULT_POLL_S
        self.on_status = on_status
        self.batch_ids: list[str] = []
        self.active = 0
        self.waiting = 0
        self.queue: dict[str, tuple[dict[str, Any], list[asyncio.Future[ProviderResult]]]] = {}
        self._flushing: asyncio.Task[None] | None = None

    # ------------------------------------------------------------ runner hooks

    def expect(self, n: int) -> None:
        """Tell the provider how many drafts are running (each ends with :meth:`item_done`)."""
        self.active = n

    def item_done(self) -> None:
        """One draft finished (with or without a request)."""
        self.active -= 1
        self._maybe_flush()

    async def aclose(self) -> None:
        """Close the wrapped provider."""
        await self.inner.aclose()

    # ------------------------------------------------------------ provider API

    async def complete(self, request: DraftRequest) -> ProviderResult:
        """Queue ``request`` for the next Message Batch and wait for its result."""
        params = self.inner.build_params(request)
        cid = custom_id(params)
        fut: asyncio.Future[ProviderResult] = asyncio.get_running_loop().create_future()
        if cid in self.queue:
            self.queue[cid][1].append(fut)
        else:
            self.queue[cid] = (params, [fut])
        self.waiting += 1
        self._maybe_flush()
        try:
            return await fut
        finally:
            self.waiting -= 1

    # ------------------------------------------------------------ batching

    def _status(self, message: str) -> None:
        if self.on_status is not None:
            self.on_status(message)

    def _maybe_flush(self) -> None:
        if self._flushing is None and self.queue and self.waiting >= self.active:
            self._flushing = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        queue, self.queue = self.queue, {}
        try:
            groups: dict[str, list[str]] = {}
            new: list[str] = []
            for cid in queue:
                stored = self.state.find(cid)
                if stored is not None:
                    groups.setdefault(stored, []).append(cid)
                else:
                    new.append(cid)
            for start in range(0, len(new), MAX_BATCH_REQUESTS):
                chunk = new[start : start + MAX_BATCH_REQUESTS]
                try:
                    batch_id = await self._create([(cid, queue[cid][0]) for cid in chunk])
                except ProviderError as exc:
                    self._fail(queue, chunk, exc)
                    continue
                groups[batch_id] = chunk
            await asyncio.gather(*(self._collect(b, cids, queue) for b, cids in groups.items()))
        except Exception as exc:  # every waiting draft gets an answer
            self._fail(queue, list(queue), ProviderError("server_error", f"batch failed: {exc}"))
        finally:
            self._flushing = None
            self._maybe_flush()

    def _fail(self, queue: dict[str, Any], cids: list[str], exc: ProviderError) -> None:
        for cid in cids:
            for fut in queue[cid][1]:
                if not fut.done():
                    fut.set_exception(ProviderError(exc.kind, exc.message, exc.status))

    async def _create(self, requests: list[tuple[str, dict[str, Any]]]) -> str:
        import anthropic

        try:
            batch = await self.client.messages.batches.create(
                requests=[{"custom_id": cid, "params": params} for cid, params in requests]
            )
        except anthropic.APIStatusError as exc:
            raise self.inner.error_for_status(exc) from None
        except anthropic.APIConnectionError as exc:
            raise ProviderError(
                "unreachable", f"cannot create a Message Batch at {self.inner.base_url}: {exc}"
            ) from None
        self.state.add(batch.id, [cid for cid, _ in requests], self.model)
        if batch.id not in self.batch_ids:
            self.batch_ids.append(batch.id)
        self._status(f"created Message Batch {batch.id} ({len(requests)} requests)")
        return batch.id

    async def _collect(self, batch_id: str, cids: list[str], queue: dict[str, Any]) -> None:
        """Poll ``batch_id`` until it ends, then hand each waiting request its result."""
        import anthropic

        if batch_id not in self.batch_ids:
            self.batch_ids.append(batch_id)
        wanted = set(cids)
        interval = self.poll_interval
        cap = max(MAX_POLL_S, self.poll_interval)
        try:
            while True:
                batch = await self.client.messages.batches.retrieve(batch_id)
                status = str(batch.processing_status)
                if status == "ended":
                    break
                counts = batch.request_counts
                self._status(
                    f"waiting for Message Batch {batch_id}: {status}, "
                    f"{getattr(counts, 'processing', '?')} processing"
                )
                await asyncio.sleep(interval)
                interval = min(cap, interval * 1.5)
            self.state.mark(batch_id, "ended")
            self._status(f"reading results of Message Batch {batch_id}")
            results = await self.client.messages.batches.results(batch_id)
            async for line in results:
                cid = line.custom_id
                if cid not in wanted:
                    continue
                wanted.discard(cid)
                outcome = self._result(line.result)
                for fut in queue[cid][1]:
                    if fut.done():
                        continue
                    if isinstance(outcome, ProviderError):
                        fut.set_exception(outcome)
                    else:
                        fut.set_result(outcome)
        except anthropic.NotFoundError:
            self.state.mark(batch_id, "failed")
            self._fail(
                queue,
                list(wanted),
                ProviderError("server_error", f"Message Batch {batch_id} no longer exists"),
            )
            return
        except anthropic.APIStatusError as exc:
            self._fail(queue, list(wanted), self.inner.error_for_status(exc))
            return
        except anthropic.APIConnectionError as exc:
            err = ProviderError("unreachable", f"lost the Message Batch {batch_id}: {exc}")
            self._fail(queue, list(wanted), err)
            return
        if wanted:
            self._fail(
                queue,
                list(wanted),
                ProviderError("server_error", f"no result in Message Batch {batch_id}"),
            )

    def _result(self, result: Any) -> ProviderResult | ProviderError:
        kind = str(getattr(result, "type", ""))
        if kind == "succeeded":
            try:
                return message_result(result.message, self.model)
            except ProviderError as exc:
                return exc
            except (TypeError, ValueError, AttributeError, KeyError) as exc:
                return ProviderError(
                    "malformed_output",
                    f"the batch result is not a message ({type(exc).__name__})",
                    usage=Usage(unknown=True),
                )
        if kind == "errored":
            error = getattr(result, "error", None)
            inner = getattr(error, "error", None)
            detail = str(getattr(inner, "message", "") or getattr(error, "type", "") or "error")
            return ProviderError("server_error", f"the batch request failed: {detail}")
        return ProviderError("server_error", f"the batch request was {kind or 'lost'}")
