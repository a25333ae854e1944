"""JSON files under ``.docagent/`` signed with the scan cache's key (see docs/architecture.md).

The facts cache and the record of the last batch run are data, never code: a JSON body after one
header line ``<tag> <HMAC-SHA256 of the body>``, where the tag names the file's kind and format
(and whatever else must match, such as the Python version). A file that is missing, unreadable,
unsigned, signed with another key or tag, or not JSON reads as None: only the next run is slower.
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import Any

#: the header line is read up to this many bytes (a tag and a 64-digit MAC fit well within)
_HEADER_LIMIT = 300


def header(tag: bytes, key: bytes, body: bytes) -> bytes:
    """The header line that signs ``body`` as a file of kind ``tag`` under ``key``."""
    return b"%s %s\n" % (tag, hmac.new(key, body, "sha256").hexdigest().encode())


def read_signed(path: Path, tag: bytes) -> Any:
    """The JSON value of the signed file at ``path`` with header tag ``tag``, or None."""
    from docagent.scan import cache_key

    key = cache_key()
    if key is None:
        return None
    try:
        with path.open("rb") as fh:
            head = fh.readline(_HEADER_LIMIT)
            body = fh.read()
    except OSError:
        return None
    if not hmac.compare_digest(head, header(tag, key, body)):
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def write_signed(path: Path, tag: bytes, value: Any, *, compact: bool = False) -> bool:
    """Write ``value`` signed at ``path`` (atomically, owner-only); False when it could not be
    (no key, read-only repository, full disk), which callers may ignore."""
    from docagent.scan import cache_key
    from docagent.writes import write_atomic

    key = cache_key(create=True)
    if key is None:
        return False
    separators = (",", ":") if compact else None
    body = json.dumps(value, separators=separators).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, header(tag, key, body) + body, mode=0o600, sync=False)
    except OSError:
        return False
    return True


__all__ = ["header", "read_signed", "write_signed"]
