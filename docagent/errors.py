"""Exception types that the command line turns into one-line errors and exit codes."""


class DocagentError(Exception):
    """Bad usage or bad input: the CLI prints the message on one line and exits 2."""

    exit_code = 2


class WorkFailed(DocagentError):
    """The work ran but something failed or a threshold was not met: exit 1."""

    exit_code = 1
