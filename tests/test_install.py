"""How docagent is installed and hooked in: the slim core, the pre-commit hook, the sdist."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

from docagent.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
EXTRAS_ONLY = ("anthropic", "textual", "httpx2", "shtab", "opentelemetry")

BLOCKED_RUN = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None  # import raises ImportError, as when the extra is not installed
from docagent.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in {blocked!r} if sys.modules.get(m) is not None)
print("LOADED", loaded, file=sys.stderr)
sys.exit(code)
"""


def _without_extras(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    code = BLOCKED_RUN.format(blocked=EXTRAS_ONLY)
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_core_install_leaves_out_the_model_sdk_and_the_tui():
    core = " ".join(_pyproject()["project"]["dependencies"])
    assert "anthropic" not in core and "textual" not in core
    extras = _pyproject()["project"]["optional-dependencies"]
    assert any(d.startswith("anthropic") for d in extras["draft"])
    assert any(d.startswith("textual") for d in extras["tui"])
    assert "docagent[all]" in extras["dev"]


def test_scan_and_offline_batch_run_without_the_extras(repo_factory):
    root = repo_factory({"m.py": '"""M."""\n\n\ndef f(a):\n    return a\n'})
    done = _without_extras("scan", str(root), "--fail-under", "40")
    assert done.returncode == 0, done.stderr
    assert "Coverage 50.0%" in done.stdout and "LOADED []" in done.stderr
    done = _without_extras("batch", str(root), "--out", str(root / "p.jsonl"))
    assert done.returncode == 0, done.stderr
    assert (root / "p.jsonl").read_text().count("\n") == 1


def test_commands_that_need_an_extra_say_which_in_one_line(repo_factory):
    root = repo_factory({"m.py": "def f(a):\n    return a\n"})
    cases = [
        (("review", str(root)), "docagent[tui]", {}),
        (("batch", str(root), "--provider", "anthropic"), "docagent[draft]", {}),
        (("batch", str(root)), "docagent[draft]", {"ANTHROPIC_API_KEY": "sk-ant-x"}),
        (("batch", str(root), "--provider", "openai"), "docagent[draft]", {}),
        (("completion", "bash"), "pip install shtab", {}),
    ]
    for argv, hint, env in cases:
        done = _without_extras(*argv, env=env)
        lines = [ln for ln in done.stderr.splitlines() if not ln.startswith("LOADED")]
        errors = [ln for ln in lines if "error:" in ln]
        assert done.returncode == 2 and len(errors) == 1 and hint in errors[0], (argv, lines)
        assert "Traceback" not in done.stderr


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_the_hook_and_the_readme_snippet_parse_and_their_args_are_accepted():
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    (snippet,) = [b for b in _yaml_blocks((ROOT / "README.md").read_text()) if "repos:" in b]
    config = yaml.safe_load(snippet)
    (repo,) = config["repos"]
    assert repo["repo"].startswith("https://") and repo["rev"]
    for hook in repo["hooks"]:
        defined = by_id[hook["id"]]
        for args in (defined.get("args", []), hook.get("args", []), [*hook["args"], "--all"]):
            argv = defined["entry"].split()[1:] + list(args)
            parsed = build_parser().parse_args(argv)  # SystemExit (exit 2) when rejected
            assert parsed.command == "scan" and parsed.fail_under is not None


def _clone_of_this_tree(dest: Path) -> Path:
    """This work tree (uncommitted changes included) as a fresh one-commit git repository."""
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".docagent", "*.egg-info")
    shutil.copytree(ROOT, dest, ignore=ignore)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "snapshot"]):
        subprocess.run(["git", *args], cwd=dest, check=True, capture_output=True)
    return dest


@pytest.mark.slow
def test_pre_commit_runs_the_readme_snippet(tmp_path, repo_factory):
    """The README's snippet, pointed at a clone, pinned by autoupdate, passes and fails."""
    yaml = pytest.importorskip("yaml")
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed")
    clone = _clone_of_this_tree(tmp_path / "docagent")
    (snippet,) = [b for b in _yaml_blocks((ROOT / "README.md").read_text()) if "repos:" in b]
    config = yaml.safe_load(snippet)
    config["repos"][0]["repo"] = str(clone)
    config["repos"][0]["rev"] = "HEAD"
    target = repo_factory({"m.py": '"""M."""\n\n\ndef f(a):\n    return a\n'}, name="target")
    (target / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def run(*args: str) -> subprocess.CompletedProcess:
        cmd = [pre_commit, *args]
        return subprocess.run(cmd, cwd=target, capture_output=True, text=True, env=env)

    pinned = run("autoupdate", "--freeze")
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    rev = yaml.safe_load((target / ".pre-commit-config.yaml").read_text())["repos"][0]["rev"]
    assert re.fullmatch(r"[0-9a-f]{40}", rev)
    failed = run("run", "--all-files")  # 50% < 90%
    assert failed.returncode == 1 and "below --fail-under 90" in failed.stdout, failed.stdout
    (target / "m.py").write_text('"""M."""\n\n\ndef f(a):\n    """Return a."""\n    return a\n')
    passed = run("run", "--all-files")
    assert passed.returncode == 0, passed.stdout
    envs = list((tmp_path / "cache").glob("repo*/py_env-*/lib/python*/site-packages"))
    assert envs and not list(envs[0].glob("anthropic")) and not list(envs[0].glob("textual"))


@pytest.mark.slow
def test_the_sdist_carries_what_its_tests_need_and_they_run(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "-o", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 and "No module named build" in done.stderr:
        pytest.skip("build is not installed")
    assert done.returncode == 0, done.stderr[-2000:]
    (sdist,) = tmp_path.glob("docagent-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
        tar.extractall(tmp_path / "x", filter="data")
    top = sdist.name.removesuffix(".tar.gz")
    for need in (
        "tests/conftest.py",
        "tests/servers.py",
        "tests/fixtures/edge_cases.py",
        "examples/sample",
        "docs/index.md",
        ".pre-commit-hooks.yaml",
    ):
        assert f"{top}/{need}" in names, need
    unpacked = tmp_path / "x" / top
    tests = [
        "tests/test_config.py",
        "tests/test_scan_cli.py",  # scans docagent itself, which is no git checkout here
        "tests/test_providers_openai.py",  # the loopback servers
        "tests/test_report_html.py",  # fixtures
    ]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=unpacked,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(unpacked)},
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout
