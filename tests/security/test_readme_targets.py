"""``readme_section`` proposal records only ever change the repository's README.

A hostile proposals file may name any path with kind ``readme_section``: CHANGELOG.md, a new
``docs/new/EVIL.md`` (and its directories), or a README.md the repository does not have.
"""

from __future__ import annotations

import json
from pathlib import Path

from docagent.apply_proposals import apply_proposals
from docagent.cli import main
from docagent.proposals import Proposal

README = "# proj\n\nA project.\n\n## License\n\nMIT\n"
CHANGELOG = "# Changelog\n\n## [1.0]\n\n- First.\n"
SECTION = "Run `proj --help`."


def record(path: str, heading: str = "Usage", text: str = SECTION) -> dict[str, object]:
    return {
        "path": path,
        "qualname": heading,
        "text": text,
        "kind": "readme_section",
        "status": "accepted",
    }


def write_records(tmp_path: Path, *records: dict[str, object]) -> Path:
    f = tmp_path / "hostile.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return f


def test_other_markdown_files_are_refused_and_untouched(repo_factory, tmp_path, capsys):
    repo = repo_factory({"README.md": README, "CHANGELOG.md": CHANGELOG, "m.py": "x = 1\n"})
    f = write_records(
        tmp_path,
        record("CHANGELOG.md", "Unreleased", "- Deleted everything."),
        record("docs/new/EVIL.md", "Evil", "pwned"),
        record("docs/guide.md", "Usage"),
    )
    code = main(["apply", str(f), "--repo", str(repo)])
    err = capsys.readouterr().err
    assert code == 1
    assert (repo / "CHANGELOG.md").read_text() == CHANGELOG
    assert not (repo / "docs").exists()  # no file, no directory
    assert err.count("not the repository's README (README.md)") == 3, err
    assert "(0 files changed)" in err


def test_readme_records_are_counted_as_changed_files(repo_factory, tmp_path, capsys):
    repo = repo_factory({"README.md": README, "m.py": "x = 1\n"})
    f = write_records(tmp_path, record("README.md"))
    assert main(["apply", str(f), "--repo", str(repo)]) == 0
    err = capsys.readouterr().err
    assert SECTION in (repo / "README.md").read_text()
    assert "applied 1, skipped 0, refused 0 (1 file changed)" in err
    assert "changed  README.md: 1 README section" in err
    report = apply_proposals(repo, [Proposal.from_dict(record("README.md", "Install", "pip"))])
    assert report.changed_files == ["README.md"]


def test_a_missing_readme_is_created_only_when_asked(repo_factory, tmp_path, capsys):
    repo = repo_factory({"m.py": "x = 1\n"})
    f = write_records(tmp_path, record("README.md"))
    assert main(["apply", str(f), "--repo", str(repo)]) == 1
    err = capsys.readouterr().err
    assert not (repo / "README.md").exists()
    assert "README.md does not exist" in err and "--create-readme" in err
    assert main(["apply", str(f), "--repo", str(repo), "--create-readme"]) == 0
    assert SECTION in (repo / "README.md").read_text()
    assert "(1 file changed)" in capsys.readouterr().err


def test_a_readme_in_a_subdirectory_is_not_the_readme(repo_factory, tmp_path):
    repo = repo_factory({"README.md": README, "pkg/README.md": README})
    report = apply_proposals(repo, [Proposal.from_dict(record("pkg/README.md"))])
    assert report.refused and (repo / "pkg" / "README.md").read_text() == README
