"""Small JSON files that are read leniently and written atomically (caches and state files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docagent.writes import write_atomic


def read_json_object(path: Path) -> dict[str, Any]:
    """Return the JSON object at ``path``; a missing, unreadable or non-object file gives ``{}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json_atomic(
    path: Path, data: Any, *, indent: int | None = None, sync: bool = False
) -> None:
    """Write ``data`` as JSON to ``path`` atomically (:func:`docagent.writes.write_atomic`).

    Readers see the old file or the new one, never a partial write. ``sync`` flushes the data
    to disk before the rename (for state that must survive a crash).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data_bytes = json.dumps(data, ensure_ascii=False, indent=indent).encode("utf-8")
    write_atomic(path, data_bytes, sync=sync)
