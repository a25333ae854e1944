"""``docagent review``: open the review TUI on the repository's missing and stale docstrings.

Textual is imported only here, lazily, when the command runs: the library never imports it.
"""

from __future__ import annotations

import argparse
import sys

from docagent.errors import DocagentError

TUI_MISSING = (
    "review needs Textual, which is not installed: pip install 'docagent[tui]' "
    "(or draft headless with `docagent batch`)"
)


def run(args: argparse.Namespace) -> int:
    """Run the review session; print a one-line summary to stderr when it ends."""
    try:
        import textual  # noqa: F401  (the TUI's toolkit, an extra)
    except ImportError:
        raise DocagentError(TUI_MISSING) from None
    from docagent.session import Session

    branch = getattr(args, "branch", None)
    if branch and not args.commit:
        raise DocagentError("--branch needs --commit")
    proposals = None
    if getattr(args, "proposals", None):
        from docagent.proposals import read_proposals

        proposals = read_proposals(args.proposals)
    if branch:
        from docagent import repo

        problem = repo.branch_problem(repo.find_root(args.path), branch)
        if problem:
            raise DocagentError(problem)
    if not (sys.stdin.isatty() and sys.stderr.isatty()):  # Textual reads stdin, draws on stderr
        raise DocagentError(
            "review needs a terminal (standard input or error is not one); "
            "for headless runs use `docagent batch`"
        )
    flags = {
        "provider": args.provider,
        "model": args.model,
        "openai_base_url": getattr(args, "base_url", None),
    }
    session = Session(
        args.path,
        mode="tui",
        flags=flags,
        since=args.since,
        changed_lines=bool(getattr(args, "changed_lines", False)),
        interactive=True,
    )
    prepare = None
    if proposals is not None:
        source = args.proposals
        prepare = lambda s: s.prepare_proposals(proposals, source)  # noqa: E731
    elif getattr(args, "readme", False):
        prepare = lambda s: s.prepare() + s.prepare_readme()  # noqa: E731

    from docagent.review import ReviewApp

    app = ReviewApp(
        session, prepare=prepare, commit=bool(args.commit), commit_branch=branch, signals=True
    )
    summary = app.run() or app.summary
    if app.error:
        raise DocagentError(app.error)
    if summary is None:
        if app.session is not None and app.session.run_id:
            app.session.close()
        return app.exit_code()
    err = sys.stderr
    rate = "-" if summary.accept_rate is None else f"{summary.accept_rate:.0%}"
    print(
        f"docagent review: {summary.accepted} accepted, {summary.edited} edited, "
        f"{summary.rejected} rejected, {summary.skipped} skipped; accept rate {rate}; "
        f"cost ${summary.cost_usd:.4f}",
        file=err,
    )
    if summary.commit:
        print(summary.commit, file=err)
    elif args.commit and summary.changed_paths:
        reason = summary.commit_error or "the session ended before committing"
        print(f"docagent review: nothing was committed: {reason}", file=err)
    elif summary.commit_error:
        print(f"docagent review: {summary.commit_error}", file=err)
    if app.crash:
        print(f"docagent review: error: {app.crash}", file=err)
    elif app.interrupted:
        print("docagent review: interrupted", file=err)
    code = app.exit_code()
    return code if code else (1 if args.commit and summary.commit_error else 0)
