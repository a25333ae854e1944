"""The fixed vocabularies of docagent, each defined once, as ``Literal`` types and their values.

Settings, the scanner, the drafting engine, the eval datasets, the proposals contract and the
apply commands all read these; a value added here is known to every one of them. This module
imports nothing from docagent, so any layer may use it.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

#: A docstring style docagent reads and writes.
Style = Literal["google", "numpy", "sphinx", "pep257"]
STYLES: tuple[Style, ...] = get_args(Style)
#: What the ``style`` setting accepts: a style, or ``auto`` (the repository's own).
STYLE_SETTINGS: tuple[str, ...] = ("auto", *STYLES)

#: A kind of Python definition that gets a docstring.
Kind = Literal["module", "class", "method", "function"]
KINDS: tuple[Kind, ...] = get_args(Kind)
#: The kind of a README section's work item, draft and proposals record.
README_KIND: Final = "readme_section"
#: The kinds a proposals record may have: a definition's or a README section's.
RECORD_KINDS: tuple[str, ...] = (*KINDS, README_KIND)

#: A README section docagent drafts, in the order a README has them.
ReadmeSection = Literal[
    "overview", "installation", "usage", "configuration", "development", "license"
]
README_SECTIONS: tuple[ReadmeSection, ...] = get_args(ReadmeSection)

#: A docstring section a draft fills from the code's facts, in the order docstrings have them.
DocSection = Literal["params", "returns", "yields", "raises"]
DOC_SECTIONS: tuple[DocSection, ...] = get_args(DocSection)

#: A dimension ``docagent report --by`` slices by.
ReportDimension = Literal[
    "model", "prompt", "kind", "style", "path", "reviewer", "mode", "day", "effort", "repo"
]
REPORT_DIMENSIONS: tuple[ReportDimension, ...] = get_args(ReportDimension)

#: What became of one proposal or README section when it was applied.
ApplyOutcome = Literal["applied", "skipped", "refused"]
APPLIED: Final = "applied"
SKIPPED: Final = "skipped"
REFUSED: Final = "refused"
