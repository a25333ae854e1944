"""README sections: detection, project facts, drafting, checks and applying.

The library API batch and the review TUI call (all documented in docs/readme-sections.md)::

    from docagent.readme import scan_readme, draft_section, apply_section

    scan = scan_readme(root, settings)          # README, facts, targets, notices
    for notice in scan.notices:                 # e.g. "README.rst is reStructuredText: ..."
        print(notice, file=sys.stderr)
    for target in scan.targets:                 # ReadmeTarget, kind "readme_section"
        draft = await draft_section(target, scan.facts, provider)   # a docagent.draft Draft
        record = draft.to_proposal()            # proposals JSONL: qualname = heading text
        result = apply_section(root, target.path, target.qualname, draft.text,
                               code_sha=target.code_sha)

``docagent apply`` routes ``readme_section`` records to
:func:`docagent.readme.section_apply.apply_readme_proposals`.
"""

from __future__ import annotations

from docagent.readme.draft import (
    draft_section,
    facts_hash,
    offline_section,
    readme_prompt_version,
)
from docagent.readme.facts import ProjectFacts, gather_facts
from docagent.readme.find import ReadmeFile, find_readme
from docagent.readme.section_apply import (
    ReadmeEditResult,
    SectionEdit,
    apply_readme_proposals,
    apply_section,
    apply_sections,
)
from docagent.readme.section_checks import check_section
from docagent.readme.section_targets import ReadmeScan, ReadmeTarget, readme_targets, scan_readme
from docagent.readme.sections import MarkdownDoc, parse_markdown

__all__ = [
    "MarkdownDoc",
    "ProjectFacts",
    "ReadmeEditResult",
    "ReadmeFile",
    "ReadmeScan",
    "ReadmeTarget",
    "SectionEdit",
    "apply_readme_proposals",
    "apply_section",
    "apply_sections",
    "check_section",
    "draft_section",
    "facts_hash",
    "find_readme",
    "gather_facts",
    "offline_section",
    "parse_markdown",
    "readme_prompt_version",
    "readme_targets",
    "scan_readme",
]
