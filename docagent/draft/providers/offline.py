"""The offline provider: deterministic drafts built from code facts, with no model and no network.

It is the embedded default when no API key is set. The drafts come from
:class:`~docagent.draft.offline.drafter.OfflineDrafter` (see :mod:`docagent.draft.offline`);
every one passes the hard checks of :mod:`docagent.draft.draft_checks` by construction.
"""

from __future__ import annotations

from docagent.draft.models import Usage
from docagent.draft.offline.drafter import OfflineDrafter
from docagent.draft.providers.base import DraftRequest, ProviderError, ProviderResult

OFFLINE_MODEL = "offline-2"
NOTICE = "offline drafter: no model was used; drafts are built from code facts only"


class OfflineProvider:
    """The deterministic provider: drafts from code facts, offline, free."""

    name = "offline"

    def __init__(self) -> None:
        """Create the provider (it has no options)."""
        self.model = OFFLINE_MODEL
        self.drafter = OfflineDrafter()

    async def complete(self, request: DraftRequest) -> ProviderResult:
        """Draft from ``request.facts`` and ``request.target``; never touches the network."""
        if request.facts is None or request.target is None:
            raise ProviderError("bad_request", "the offline drafter needs the file's code facts")
        draft = self.drafter.draft(
            request.facts, request.target, request.init_in_class, request.style, request.types
        )
        data = draft.to_json()
        return ProviderResult(data=data, raw="", usage=Usage(), model=self.model)

    async def aclose(self) -> None:
        """Nothing to release."""
