"""Small JSON files that are read leniently and written atomically (caches and state files)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def read_json_object(path: Path) -> dict[str, Any]:
    """Return the JSON object at ``path``; a missing, unreadable or non-object file gives ``{}``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json_atomic(
    path: Path, data: Any, *, prefix: str, indent: int | None = None, fsync: bool = False
) -> None:
    """Write ``data`` as JSON to ``path`` through a temporary file in the same folder.

    Readers see the old file or the new one, never a partial write. ``fsync`` flushes the data
    to disk before the rename (for state that must survive a crash).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=indent)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
