"""One module per subcommand, each with ``run(args) -> int``; imported lazily by the CLI."""

from __future__ import annotations

from pathlib import Path

from docagent.errors import DocagentError


def write_out(out: str, text: str) -> None:
    """Write ``text`` to the ``--out`` file ``out``, creating its folder.

    Raises:
        DocagentError: When the file cannot be written (the message names ``--out``).
    """
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DocagentError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
