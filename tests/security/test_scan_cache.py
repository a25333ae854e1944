"""A repository cannot run code or forge results through a committed scan cache."""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
from pathlib import Path

import pytest
from conftest import git, make_repo

from docagent.cli import main

SOURCE = "def undocumented(a):\n    return a\n"


class _Planted:
    """Unpickling this creates the sentinel file: proof that code ran."""

    def __init__(self, sentinel: Path) -> None:
        self.sentinel = str(sentinel)

    def __reduce__(self):  # noqa: ANN204
        return (open, (self.sentinel, "w"))


def _clone_with(tmp_path: Path, planted: dict[str, bytes]) -> Path:
    """A clone of a repository that committed ``planted`` files under ``.docagent/``."""
    origin = make_repo(tmp_path / "origin", {"mod.py": SOURCE, **planted})
    git(tmp_path, "clone", "-q", str(origin), "clone")
    return tmp_path / "clone"


def _scan(capsys: pytest.CaptureFixture[str], root: Path, monkeypatch) -> dict:
    monkeypatch.chdir(root)
    assert main(["scan", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_committed_pickle_runs_no_code(tmp_path, capsys, monkeypatch) -> None:
    sentinel = tmp_path / "pwned"
    payload = pickle.dumps(_Planted(sentinel))
    root = _clone_with(
        tmp_path,
        {".docagent/scan-cache.pickle": payload, ".docagent/scan-cache.json": payload},
    )
    doc = _scan(capsys, root, monkeypatch)
    assert not sentinel.exists()
    assert doc["summary"]["missing"] == 2  # the module and the function
    # a second (warm) scan neither runs the planted file nor changes the answer
    assert _scan(capsys, root, monkeypatch)["summary"] == doc["summary"]
    assert not sentinel.exists()


def test_forged_cache_in_the_new_format_is_ignored(tmp_path, capsys, monkeypatch) -> None:
    """A well-formed cache signed with someone else's key claims the function is documented."""
    from docagent import scan

    data = SOURCE.encode()
    sha = hashlib.blake2b(data, digest_size=16).hexdigest()
    forged_target = json.dumps({"path": "mod.py", "qualname": "evil\x1b[31m", "public": True})
    row = scan._ROW_CODE[("function", True, True, "ok")]
    index = {"mod.py": [sha, [row], {}, None, 0, len(forged_target)]}
    body = json.dumps(index).encode() + b"\n" + forged_target.encode()
    mac = hmac.new(b"attacker" * 4, body, "sha256").hexdigest().encode()
    cache = b"docagent-scan-cache %d %s\n" % (scan.CACHE_VERSION, mac) + body
    root = _clone_with(tmp_path, {".docagent/scan-cache.json": cache})
    doc = _scan(capsys, root, monkeypatch)
    assert doc["summary"]["missing"] == 2 and doc["summary"]["documented"] == 0
    assert all("evil" not in t["qualname"] for t in doc["targets"])


def test_own_cache_is_used_and_an_edited_one_is_rebuilt(repo_factory, capsys, monkeypatch):
    root = repo_factory({"mod.py": SOURCE})
    first = _scan(capsys, root, monkeypatch)
    cache = root / ".docagent" / "scan-cache.json"
    raw = cache.read_bytes()
    assert b"pickle" not in raw and raw.startswith(b"docagent-scan-cache ")
    # flip "missing" into a documented row without re-signing: the cache is not trusted
    head, _, body = raw.partition(b"\n")
    index_line, _, blob = body.partition(b"\n")
    index = json.loads(index_line)
    from docagent import scan

    index["mod.py"][1] = [scan._ROW_CODE[("function", True, True, "ok")]] * 2
    cache.write_bytes(head + b"\n" + json.dumps(index).encode() + b"\n" + blob)
    assert _scan(capsys, root, monkeypatch)["summary"] == first["summary"]
