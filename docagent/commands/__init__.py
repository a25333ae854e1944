"""One module per subcommand, each with ``run(args) -> int``; imported lazily by the CLI."""

from __future__ import annotations

from docagent.errors import DocagentError


def write_out(out: str, text: str, *, parents: bool = True) -> None:
    """Write ``text`` to the ``--out`` destination ``out``: ``-`` is stdout, a device or FIFO is
    written as a stream, a regular file is replaced atomically (its folder created when
    ``parents``).

    Raises:
        DocagentError: When the destination cannot be written (the message names ``--out``).
    """
    from docagent.writes import write_output

    try:
        write_output(out, text, parents=parents)
    except OSError as exc:
        raise DocagentError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
