"""The review actions in Textual's command palette."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

#: Command palette entries: (title, action, help).
COMMANDS = [
    ("Accept draft", "accept", "write the draft into the file and log the decision"),
    ("Edit draft", "edit", "edit the draft, then save and accept with ctrl+s"),
    ("Reject draft", "reject", "reject the draft with a reason"),
    ("Skip target", "skip", "skip this target for now"),
    ("Regenerate draft", "regenerate", "draft again, optionally with a hint"),
    ("Undo last accept", "undo", "restore the file of the last accept"),
    ("Next target", "next", "move to the next target"),
    ("Previous target", "previous", "move to the previous target"),
    ("Filter targets", "filter", "filter the target list"),
    ("Show help", "help", "list the keys"),
    ("Quit review", "quit_review", "quit to the session summary"),
]


class ReviewCommands(Provider):
    """The review actions in the command palette."""

    async def discover(self) -> Hits:
        """List every review action."""
        for title, action, help_text in COMMANDS:
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy-match review actions."""
        matcher = self.matcher(query)
        for title, action, help_text in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, action),
                    help=help_text,
                )
