"""Static project facts for README sections, and drafting through a (fake) model provider."""

from __future__ import annotations

import json

from docagent.draft.models import Usage
from docagent.draft.providers.base import DraftRequest, ProviderResult
from docagent.readme import gather_facts, scan_readme
from docagent.readme.draft import SECTION_SCHEMA, draft_section
from docagent.readme.facts import license_kind
from docagent.readme.section_targets import ReadmeTarget

ARGPARSE = """\
import argparse
import os


def build():
    parser = argparse.ArgumentParser(prog="tally", description="Count things.")
    parser.add_argument("--verbose", "-v", action="store_true", help="Talk more.")
    sub = parser.add_subparsers()
    add = sub.add_parser("add", help="Add an item.")
    add.add_argument("item")
    add.add_argument("--times", type=int)
    return parser


def main():
    if os.getenv("TALLY_HOME"):
        pass
    build().parse_args()


if __name__ == "__main__":
    main()
"""

TYPER = '''\
from typing import Annotated

import typer

app = typer.Typer()


@app.command()
def convert(
    path: str, dry_run: bool = False, out: Annotated[str, typer.Option("--output", "-o")] = "x"
):
    """Convert a file."""


@app.command("show-all")
def show(limit: int = typer.Option(10, help="How many.")):
    """Show everything."""
'''


def test_argparse_setup_py_and_license(repo_factory):
    setup = (
        "from setuptools import setup\n"
        "setup(name='tally-cli', description='Count.', python_requires='>=3.9',\n"
        "      install_requires=['rich'], extras_require={'fast': ['orjson']},\n"
        "      entry_points={'console_scripts': ['tally = tally.main:main']})\n"
    )
    root = repo_factory(
        {
            "setup.py": setup,
            "tally/__init__.py": '"""Tally things up.\n\nMore words."""\n',
            "tally/main.py": ARGPARSE,
            "tally/__main__.py": "from tally.main import main\nmain()\n",
            "LICENSE": "Apache License\nVersion 2.0, January 2004\n",
            "tests/test_a.py": (
                "import argparse\nargparse.ArgumentParser().add_argument('--bogus')\n"
            ),
        }
    )
    f = gather_facts(root)
    assert f.metadata_source == "setup.py" and f.name == "tally-cli"
    assert f.requires_python == ">=3.9" and f.extras == {"fast": ["orjson"]}
    assert [(s.name, s.target) for s in f.scripts] == [("tally", "tally.main:main")]
    assert f.known_options("tally") >= {"--verbose", "-v", "--times", "--help"}
    assert "--bogus" not in f.known_options("tally")  # tests are not the CLI
    assert f.subcommands("tally") == {"add"}
    assert f.license == "Apache-2.0" and f.license_file == "LICENSE"
    assert f.env_vars == ["TALLY_HOME"]
    assert "tally" in f.runnable_modules and "tally.main" in f.runnable_modules
    assert f.packages[0].docstring == "Tally things up."
    assert f.tests_dir == "tests"


def test_typer_and_setup_cfg(repo_factory):
    cfg = (
        "[metadata]\nname = conv\ndescription = Convert files.\nlicense = MIT\n"
        "[options]\ninstall_requires =\n    typer\n"
        "[options.entry_points]\nconsole_scripts =\n    conv = conv.app:app\n"
    )
    root = repo_factory({"setup.cfg": cfg, "conv/__init__.py": "", "conv/app.py": TYPER})
    f = gather_facts(root)
    assert f.name == "conv" and f.license == "MIT" and f.dependencies == ["typer"]
    assert f.subcommands("conv") == {"convert", "show-all"}
    opts = f.known_options("conv")
    assert {"--dry-run", "--no-dry-run", "--output", "-o", "--limit"} <= opts
    assert "--path" not in opts  # a parameter without a default is an argument


def test_click_options_and_envvars(repo_factory):
    src = (
        "import click\n\n@click.command()\n@click.option('--shout/--no-shout', default=False)\n"
        "@click.option('--name', envvar='HELLO_NAME')\n@click.password_option()\n"
        "def hello(shout, name, password):\n    pass\n"
    )
    root = repo_factory(
        {
            "pyproject.toml": '[project]\nname = "hi"\n[project.scripts]\nhi = "hi:hello"\n',
            "hi.py": src,
        }
    )
    f = gather_facts(root)
    assert {"--shout", "--no-shout", "--name", "--password"} <= f.known_options("hi")
    assert f.env_vars == ["HELLO_NAME"]
    assert f.subcommands("hi") == set()


def test_user_code_is_never_run(repo_factory, tmp_path):
    marker = tmp_path / "ran"
    src = f"open({str(marker)!r}, 'w').write('x')\nimport argparse\n"
    root = repo_factory(
        {"pyproject.toml": '[project]\nname = "evil"\n', "evil/__init__.py": src, "setup.py": src}
    )
    gather_facts(root)
    assert not marker.exists()


def test_license_kinds():
    assert license_kind("Permission is hereby granted, free of charge, to any") == "MIT"
    assert license_kind("GNU GENERAL PUBLIC LICENSE\n Version 3, 29 June 2007") == "GPL-3.0"
    assert license_kind("Redistribution and use in source ... Neither the name of") == (
        "BSD-3-Clause"
    )
    assert license_kind("all rights reserved") is None


class FakeModel:
    """A provider that answers from a script of canned bodies and records requests."""

    name = "openai"
    model = "fake-1"

    def __init__(self, answers: list[str]):
        self.answers = list(answers)
        self.requests: list[DraftRequest] = []

    async def complete(self, request: DraftRequest) -> ProviderResult:
        self.requests.append(request)
        raw = json.dumps({"body": self.answers.pop(0)})
        return ProviderResult(json.loads(raw), raw, Usage(100, 50), self.model)

    async def aclose(self) -> None:
        pass


async def test_model_draft_is_checked_and_redrafted_once(repo_factory):
    root = repo_factory(
        {
            "pyproject.toml": '[project]\nname = "hi-there"\n[project.scripts]\nhi = "hi:main"\n',
            "hi.py": "import argparse\np = argparse.ArgumentParser()\np.add_argument('--name')\n",
            "README.md": "# hi\n\nSays hi to people.\n",
        }
    )
    scan = scan_readme(root)
    target = ReadmeTarget("README.md", "Usage", "usage", "missing", 2)
    model = FakeModel(
        [
            "## Usage\n\n```bash\nhi --nam Bob\n```",  # repeats the heading, invents an option
            "```bash\nhi --name Bob\n```",
        ]
    )
    d = await draft_section(target, scan.facts, model)
    assert d.ok and d.attempts == 2 and d.text == "```bash\nhi --name Bob\n```"
    first, second = model.requests
    assert first.schema == SECTION_SCHEMA
    assert '"hi-there"' in first.messages[0]["content"] and "--name" in first.messages[0]["content"]
    assert "--nam" in second.messages[-1]["content"]  # the problem was quoted back
    assert d.usage.input_tokens == 200 and d.kind == "readme_section"


async def test_model_draft_that_still_fails_is_marked(repo_factory):
    root = repo_factory(
        {"pyproject.toml": '[project]\nname = "x-y"\n', "x.py": "", "README.md": "# x\n"}
    )
    scan = scan_readme(root)
    target = ReadmeTarget("README.md", "Installation", "installation", "missing", 2)
    model = FakeModel(["```bash\npip install xy\n```"] * 2)
    d = await draft_section(target, scan.facts, model)
    assert not d.ok and d.attempts == 2
    assert any(c.name == "install" and not c.ok for c in d.checks)


def test_lone_typer_command_is_the_app(repo_factory):
    src = (
        "import typer\napp = typer.Typer()\n\n@app.command()\n"
        "def main(path: str, fast: bool = False):\n    pass\n"
    )
    root = repo_factory(
        {
            "pyproject.toml": '[project]\nname = "one"\n[project.scripts]\none = "one:app"\n',
            "one.py": src,
        }
    )
    f = gather_facts(root)
    assert f.subcommands("one") == set() and f.takes_arguments("one")
    assert {"--fast", "--no-fast"} <= f.known_options("one")


def test_click_default_group_accepts_non_command_words(repo_factory):
    src = (
        "import click\nfrom click_default_group import DefaultGroup\n\n"
        "@click.group(cls=DefaultGroup, default='shot', default_if_no_args=True)\n"
        "def cli():\n    pass\n\n@cli.command()\n@click.argument('url')\n"
        "@click.option('-o', '--output')\ndef shot(url, output):\n    pass\n"
    )
    root = repo_factory(
        {
            "pyproject.toml": '[project]\nname = "snap"\n[project.scripts]\nsnap = "snap:cli"\n',
            "snap.py": src,
            "README.md": "# snap\n\n## Usage\n\n```bash\nsnap https://example.com -o x.png\n```\n",
        }
    )
    assert [t for t in scan_readme(root).targets if t.status == "stale"] == []


def test_setup_py_with_computed_name_and_variables(repo_factory):
    """An sdist's setup.py computing its name (python-slugify's shape): PKG-INFO names it,
    and keywords bound to module-level literals are read, so its console script is known."""
    setup = (
        "import os\nfrom setuptools import setup\n"
        "package = 'slugify'\n"
        "install_requires = ['text-unidecode>=1.3']\n"
        "extras_requires = {'unidecode': ['Unidecode>=1.1.1']}\n"
        "about = {}\nexec(open(os.path.join(package, '__version__.py')).read(), about)\n"
        "setup(name=about['__title__'], packages=[package], python_requires='>=3.7',\n"
        "      install_requires=install_requires, extras_require=extras_requires,\n"
        "      entry_points={'console_scripts': ['slugify=slugify.__main__:main']})\n"
    )
    files = {
        "setup.py": setup,
        "PKG-INFO": "Metadata-Version: 2.1\nName: python-slugify\nVersion: 8.0.4\n",
        "slugify/__init__.py": '"""Slugs."""\n',
        "slugify/__version__.py": "__title__ = 'python-slugify'\n",
        "slugify/__main__.py": "def main():\n    pass\n",
    }
    f = gather_facts(repo_factory(files))
    assert f.name == "python-slugify" and f.metadata_source == "setup.py"
    assert [(s.name, s.target) for s in f.scripts] == [("slugify", "slugify.__main__:main")]
    assert f.dependencies == ["text-unidecode>=1.3"]
    assert f.extras == {"unidecode": ["Unidecode>=1.1.1"]}
    readme = "# slugify\n\nMake slugs.\n\n## Usage\n\n```bash\nslugify 'Hello World'\n```\n"
    files["README.md"] = readme
    scan = scan_readme(repo_factory(files, name="again"))
    assert not [t for t in scan.targets if t.status == "stale"]  # `slugify` is its script
