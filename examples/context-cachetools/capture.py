"""Capture the Messages API requests docagent sends for three cachetools targets.

Run (the loopback server of tests/servers.py stands in for the API; nothing leaves the machine)::

    pip download --no-deps --no-binary :all: cachetools==8.0.2 && tar xzf cachetools-8.0.2.tar.gz
    .venv/bin/python examples/context-cachetools/capture.py cachetools-8.0.2 after.json

Run it with ``PYTHONPATH`` pointing at an older docagent to capture the "before" requests. It
drafts ``Cache.get``, ``TTLCache.expire`` and ``LRUCache.popitem`` of ``src/cachetools/__init__.py``
in that order with the anthropic provider (``claude-sonnet-4-5``) and writes every request body
with the usage the server answered (the server simulates prompt caching, minimum included).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from servers import MessagesServer  # noqa: E402

from docagent.code.targets import read_file  # noqa: E402
from docagent.config import Settings  # noqa: E402
from docagent.draft import Drafter, SymbolIndex  # noqa: E402
from docagent.draft.providers.anthropic import AnthropicProvider  # noqa: E402
from docagent.scan import scan  # noqa: E402

TARGETS = ["Cache.get", "TTLCache.expire", "LRUCache.popitem"]
FILE = "src/cachetools/__init__.py"
MODEL = "claude-sonnet-4-5"


async def capture(root: Path) -> list[dict]:
    """Draft the targets against a loopback server; return the requests and their usage."""
    rels = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if p.relative_to(root).parts[0] in ("src", "tests")
    )
    files = [read_file(str(root / r), r) for r in rels]
    index = SymbolIndex.from_files(files)
    style = scan(root, use_cache=False).style
    facts = next(f for f in files if f.path == FILE)
    out = []
    with MessagesServer(from_prompt=True, caching=True, model=MODEL) as server:
        os.environ.update(server.env())
        provider = AnthropicProvider(MODEL, base_url=server.url)
        drafter = Drafter(provider, Settings(), index, style=style)
        for qualname in TARGETS:
            draft = await drafter.draft(facts, facts.target(qualname))
            body = server.calls("/v1/messages")[-1].json
            out.append(
                {
                    "target": qualname,
                    "style": style,
                    "usage": {
                        "input": draft.usage.input_tokens,
                        "cache_write": draft.usage.cache_write_tokens,
                        "cache_read": draft.usage.cache_read_tokens,
                    },
                    "request": body,
                }
            )
        await provider.aclose()
    return out


def main() -> None:
    """Capture and write the JSON file named on the command line."""
    root, dest = Path(sys.argv[1]), Path(sys.argv[2])
    dest.write_text(json.dumps(asyncio.run(capture(root)), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
