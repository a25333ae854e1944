"""Ending a review: the session's summary, the ``--commit`` commit and the closed session.

No Textual here: :class:`~docagent.review.app.ReviewApp` calls :func:`close_session` from a
worker thread on ``q``, a signal or a crash.
"""

from __future__ import annotations

from docagent.draft_queue import DraftQueue
from docagent.review.session_counts import SessionSummary, Tally
from docagent.session import Session, WorkItem


def close_session(
    session: Session | None,
    queue: DraftQueue,
    items: list[WorkItem],
    tally: Tally,
    seconds: float,
    *,
    commit: bool = False,
    branch: str | None = None,
) -> SessionSummary:
    """Stop the drafting loop, commit when asked, close the session; return the summary.

    ``seconds`` is how long the review took; ``commit`` commits the changed files (on
    ``branch``, a new branch, when given). A failure to close the log is reported in the
    summary's ``commit_error``, not raised: the decisions are already committed.
    """
    queue.close()
    pending = sum(1 for i in items if i.state == "pending")
    changed = session.changed_paths() if session else []
    documented = [i.key for i in items if i.state == "done" and i.path in set(changed)]
    summary = tally.summary(
        pending=pending,
        total=len(items),
        seconds=seconds,
        cost_usd=float(session.totals["cost_usd"]) if session else 0.0,
        changed_paths=changed,
        documented=documented,
    )
    if session is None:
        return summary
    if commit and changed:
        summary.commit, summary.commit_error = session.commit(summary.documented, branch)
    try:
        session.close(
            accepted=summary.accepted,
            edited=summary.edited,
            rejected=summary.rejected,
            skipped=summary.skipped,
            seconds=round(summary.seconds, 1),
        )
    except Exception as exc:  # the decisions are already committed
        summary.commit_error = summary.commit_error or f"closing the log: {exc}"
    return summary
