"""README sections end to end on fixture projects: targets, offline drafts, apply, idempotence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docagent.apply_proposals import apply_proposals
from docagent.draft.providers import OfflineProvider
from docagent.proposals import Proposal, read_proposals, write_proposals
from docagent.readme import (
    apply_section,
    check_section,
    draft_section,
    readme_targets,
    scan_readme,
)

PYPROJECT = """\
[project]
name = "greet-tool"
version = "1.0"
description = "Greet people from the command line."
requires-python = ">=3.10"
dependencies = ["click>=8"]

[project.optional-dependencies]
color = ["rich"]

[project.scripts]
greet = "greet.cli:main"
"""

CLI = '''\
"""Command line of greet."""
import click


@click.group()
@click.version_option()
def main():
    """Greet people."""


@main.command()
@click.argument("name")
@click.option("--loud", "-l", is_flag=True, help="Shout the greeting.")
def hello(name, loud):
    """Say hello to NAME."""
    click.echo(f"Hello {name}")


@main.command()
@click.option("--count", type=int, help="How many waves.")
def wave(count):
    """Wave at everybody."""
'''

MIT = "MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining\n"

TITLE_AND_LICENSE = "# greet\n\nSome words.\n\n## License\n\nMIT, see LICENSE.\n"


def project(repo_factory, readme: str | None = TITLE_AND_LICENSE, **extra: str) -> Path:
    files = {
        "pyproject.toml": PYPROJECT,
        "greet/__init__.py": '"""Friendly greetings."""\n',
        "greet/cli.py": CLI,
        "LICENSE": MIT,
    }
    if readme is not None:
        files["README.md"] = readme
    files.update(extra)
    return repo_factory(files)


async def draft_all(root: Path) -> list[Proposal]:
    scan = scan_readme(root)
    out = []
    for t in scan.targets:
        d = await draft_section(t, scan.facts, OfflineProvider())
        assert d.ok, (t.describe(), d.error, d.failed_checks)
        out.append(Proposal.from_dict({**d.to_proposal(), "status": "accepted"}))
    return out


def is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(line in it for line in small)


def test_title_and_license_get_installation_and_usage_naming_real_facts(repo_factory):
    root = project(repo_factory)
    targets = {t.qualname: t for t in readme_targets(root)}
    assert {"Installation", "Usage"} <= set(targets)
    assert "License" not in targets  # present already
    assert all(t.status == "missing" and t.kind == "readme_section" for t in targets.values())
    assert targets["Installation"].level == 2


async def test_offline_drafts_name_the_distribution_and_real_commands(repo_factory):
    root = project(repo_factory)
    scan = scan_readme(root)
    by_name = {t.qualname: t for t in scan.targets}
    install = await draft_section(by_name["Installation"], scan.facts, OfflineProvider())
    usage = await draft_section(by_name["Usage"], scan.facts, OfflineProvider())
    assert "pip install greet-tool" in install.text
    assert "greet hello" in usage.text and "--loud" in usage.text
    assert "greet wave" in usage.text and "--count" in usage.text
    for d in (install, usage):
        assert d.kind == "readme_section" and d.provider == "offline" and d.ok
        record = d.to_proposal()
        assert record["path"] == "README.md" and record["kind"] == "readme_section"
        assert record["qualname"] in ("Installation", "Usage")


async def test_apply_keeps_every_original_line_in_order_and_is_idempotent(repo_factory, tmp_path):
    root = project(repo_factory)
    before = (root / "README.md").read_text()
    proposals = await draft_all(root)
    out = tmp_path / "proposals.jsonl"
    write_proposals(out, proposals)
    report = apply_proposals(root, read_proposals(out))
    assert [o.outcome for o in report.outcomes] == ["applied"] * len(proposals)
    after = (root / "README.md").read_text()
    assert is_subsequence(before.splitlines(), after.splitlines())
    # conventional order: Installation and Usage after the intro, before License
    order = [line for line in after.splitlines() if line.startswith("## ")]
    assert order.index("## Installation") < order.index("## Usage") < order.index("## License")
    assert after.index("Some words.") < after.index("## Installation")
    # idempotence: nothing new is proposed, applying again changes nothing
    assert readme_targets(root) == []
    again = apply_proposals(root, read_proposals(out))
    assert {o.outcome for o in again.outcomes} == {"skipped"}
    assert all("already applied" in o.reason for o in again.outcomes)
    assert (root / "README.md").read_text() == after


def test_inserted_section_is_a_pure_insertion(repo_factory):
    readme = "Title\n=====\n\nIntro text here.\n\nLicense\n-------\n\nMIT\n"
    root = project(repo_factory, readme)
    res = apply_section(root, "README.md", "Installation", "```bash\npip install greet-tool\n```")
    assert res.outcomes == [("applied", "")]
    new = (root / "README.md").read_text()
    start = new.index("Installation\n")
    inserted = new[start : new.index("License\n")]
    assert new.replace(inserted, "") == readme
    assert inserted.startswith("Installation\n------------\n")  # setext like its siblings


def test_crlf_and_missing_final_newline_are_kept(repo_factory):
    readme = "# greet\r\n\r\nIntro words for the tool.\r\n\r\n## License\r\n\r\nMIT"
    root = project(repo_factory, readme)
    apply_section(root, "README.md", "Usage", "Run `greet --help`.")
    data = (root / "README.md").read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.endswith(b"MIT")
    assert data.replace(b"## Usage\r\n\r\nRun `greet --help`.\r\n\r\n", b"") == readme.encode()


def test_stale_wrong_install_name(repo_factory):
    readme = TITLE_AND_LICENSE.replace(
        "## License",
        "## Installation\n\n```bash\npip install greeter\n```\n\n## Usage\n\nx\n\n## License",
    )
    root = project(repo_factory, readme)
    stale = [t for t in readme_targets(root) if t.status == "stale"]
    assert [t.qualname for t in stale] == ["Installation"]
    assert "installs `greeter`" in stale[0].reasons[0] and "greet-tool" in stale[0].reasons[0]
    assert stale[0].line == 5


async def test_stale_removed_command_and_option_then_fixed(repo_factory):
    usage = (
        "Greet someone:\n\n```bash\ngreet hello Ann --whisper\ngreet hello Ann --loud\n"
        "greet dance\n```\n\nHave fun.\n"
    )
    readme = TITLE_AND_LICENSE.replace("## License", f"## Usage\n\n{usage}\n## License")
    root = project(repo_factory, readme)
    (target,) = [t for t in readme_targets(root) if t.status == "stale"]
    assert target.qualname == "Usage" and target.section == "usage"
    text = " ".join(target.reasons)
    assert "`--whisper` is not an option of `greet`" in text
    assert "has no command `dance`" in text
    scan = scan_readme(root)
    d = await draft_section(target, scan.facts, OfflineProvider())
    assert d.ok, d.failed_checks
    # the offline drafter patches: the person's prose and the working command stay
    assert d.text == "Greet someone:\n\n```bash\ngreet hello Ann --loud\n```\n\nHave fun."
    res = apply_section(root, "README.md", target.qualname, d.text, code_sha=target.code_sha)
    assert res.outcomes == [("applied", "")]
    after = (root / "README.md").read_text()
    assert "--whisper" not in after and "dance" not in after
    assert is_subsequence(after.splitlines(), readme.splitlines())  # only lines removed
    assert [t for t in readme_targets(root) if t.status == "stale"] == []


async def test_stale_install_name_is_patched_in_place(repo_factory):
    install = "From PyPI:\n\n```bash\npip install 'greeter[color,nope]'>=1\n```\n"
    readme = TITLE_AND_LICENSE.replace("## License", f"## Install\n\n{install}\n## License")
    root = project(repo_factory, readme)
    (target,) = [t for t in readme_targets(root) if t.status == "stale"]
    assert target.status == "stale" and target.qualname == "Install"
    d = await draft_section(target, scan_readme(root).facts, OfflineProvider())
    assert d.text == "From PyPI:\n\n```bash\npip install 'greet-tool[color]'>=1\n```"
    apply_section(root, "README.md", target.qualname, d.text, code_sha=target.code_sha)
    assert [t for t in readme_targets(root) if t.status == "stale"] == []


async def test_stale_section_offline_cannot_fix_is_an_error_not_an_empty_edit(repo_factory):
    readme = TITLE_AND_LICENSE.replace("## License", "## Usage\n\nRun `greet dance`.\n\n## License")
    root = project(repo_factory, readme)
    (target,) = [t for t in readme_targets(root) if t.status == "stale"]
    d = await draft_section(target, scan_readme(root).facts, OfflineProvider())
    assert not d.ok and "cannot fix" in d.error and "dance" in d.error


def test_apply_refuses_a_section_changed_since_the_draft(repo_factory):
    readme = TITLE_AND_LICENSE.replace("## License", "## Usage\n\ngreet dance\n\n## License")
    root = project(repo_factory, readme)
    sha = "0" * 16
    res = apply_section(root, "README.md", "Usage", "new body", code_sha=sha)
    assert res.outcomes[0][0] == "refused" and "changed since" in res.outcomes[0][1]
    assert (root / "README.md").read_text() == readme


def test_missing_section_added_meanwhile_is_skipped(repo_factory):
    root = project(repo_factory)
    (t,) = [t for t in readme_targets(root) if t.qualname == "Installation"]
    text = (
        (root / "README.md")
        .read_text()
        .replace("## License", "## Install\n\nby hand\n\n## License")
    )
    (root / "README.md").write_text(text)
    res = apply_section(
        root, "README.md", t.qualname, "pip install greet-tool", code_sha=t.code_sha
    )
    assert res.outcomes[0][0] == "skipped" and "Install" in res.outcomes[0][1]


def test_unclosed_fence_is_refused_and_caught_by_checks(repo_factory):
    root = project(repo_factory)
    scan = scan_readme(root)
    body = "```bash\npip install greet-tool\n"
    failed = {c.name for c in check_section(body, scan.facts) if not c.ok}
    assert failed == {"fences"}
    before = (root / "README.md").read_text()
    res = apply_section(root, "README.md", "Installation", body)
    assert res.outcomes[0][0] == "refused"
    assert (root / "README.md").read_text() == before


def test_checks_catch_invented_options_commands_and_names(repo_factory):
    root = project(repo_factory)
    facts = scan_readme(root).facts
    body = (
        "```bash\npip install greeter\ngreet hello Bob --shout\nhello-cli run\n"
        "python -m greet\n```\n\nAlso `greet wave --speed 3`.\n"
    )
    checks = {c.name: c for c in check_section(body, facts, level=2)}
    assert not checks["install"].ok and "greeter" in checks["install"].detail
    assert not checks["options"].ok
    assert "--shout" in checks["options"].detail and "--speed" in checks["options"].detail
    assert not checks["commands"].ok
    assert "hello-cli" in checks["commands"].detail
    assert "python -m greet" in checks["commands"].detail  # no __main__.py
    good = "```bash\npip install 'greet-tool[color]'\ngreet hello Bob -l\ngreet --version\n```"
    assert all(c.ok for c in check_section(good, facts)), check_section(good, facts)


def test_checks_heading_levels(repo_factory):
    facts = scan_readme(project(repo_factory)).facts
    checks = {c.name: c for c in check_section("## Sub\n\ntext\n", facts, level=2)}
    assert not checks["headings"].ok
    checks = {c.name: c for c in check_section("#### Deep\n\ntext\n", facts, level=2)}
    assert not checks["headings"].ok and "jumps" in checks["headings"].detail
    checks = {c.name: c for c in check_section("### Sub\n\ntext\n", facts, level=2)}
    assert checks["headings"].ok


def test_rst_readme_is_detected_and_reported(repo_factory):
    root = project(repo_factory, None, **{"README.rst": "greet\n=====\n\nHello.\n"})
    scan = scan_readme(root)
    assert scan.readme.path == "README.rst" and scan.readme.format == "rst"
    assert not scan.readme.supported and scan.targets == []
    assert "reStructuredText" in scan.notices[0] and "README.rst" in scan.notices[0]
    rec = Proposal("README.rst", "Usage", "text", kind="readme_section", status="accepted")
    report = apply_proposals(root, [rec])
    assert report.outcomes[0].outcome == "refused" and "Markdown" in report.outcomes[0].reason


async def test_no_readme_creates_one(repo_factory):
    root = project(repo_factory, None)
    proposals = await draft_all(root)
    assert {p.path for p in proposals} == {"README.md"}
    refused = apply_proposals(root, proposals)  # creating a file needs to be asked for
    assert refused.refused and not (root / "README.md").exists()
    apply_proposals(root, proposals, create_readme=True)
    text = (root / "README.md").read_text()
    assert text.startswith("# greet-tool\n")
    assert "## Installation" in text and "## License" in text
    assert readme_targets(root) == []


def test_fenced_hash_lines_and_setext_are_not_confused(repo_factory):
    readme = (
        "greet\n=====\n\nA tool that greets.\n\n"
        "```bash\n# Installation\npip install greet-tool\n```\n\n"
        "License\n-------\n\nMIT\n"
    )
    root = project(repo_factory, readme)
    names = [t.qualname for t in readme_targets(root)]
    assert "Installation" in names  # the '# Installation' inside the fence is not a heading
    assert "License" not in names


def test_configured_sections(repo_factory):
    from docagent.config import Settings

    root = project(repo_factory)
    settings = Settings(readme_sections=["quick start", "license"])
    assert [t.section for t in readme_targets(root, settings)] == ["usage"]


def test_targets_serialize(repo_factory):
    root = project(repo_factory)
    data = [t.to_dict() for t in readme_targets(root)]
    assert json.loads(json.dumps(data))[0]["kind"] == "readme_section"


@pytest.mark.parametrize(
    ("heading", "kinds"),
    [
        ("Quick start 🚀", {"usage"}),
        ("Getting Started", {"installation", "usage"}),
        ("2. Install", {"installation"}),
        ("Running the tests", {"development"}),
        ("Licence", {"license"}),
        ("Features", set()),
    ],
)
def test_heading_synonyms(heading, kinds):
    from docagent.readme.sections import heading_kinds

    assert set(heading_kinds(heading)) == kinds
