"""Eval datasets: validation with file:line errors, and the committed suites under evals/."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import sys
from collections import Counter
from pathlib import Path

import pytest

from docagent.errors import DocagentError
from docagent.eval.datasets import find_datasets, load, load_all
from docagent.eval.runner import prepare

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "evals" / "datasets"
GOOD = {
    "id": "c1",
    "path": "m.py",
    "qualname": "f",
    "kind": "function",
    "source": "def f(x):\n    return x\n",
    "reference": "Return x.",
    "style": "google",
    "tags": ["function"],
}


def _write(tmp_path: Path, *records: object, name: str = "cases.jsonl") -> Path:
    p = tmp_path / name
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_load_valid_cases_keeps_extra_fields(tmp_path: Path) -> None:
    """Known fields are typed; extra keys (from export) are kept."""
    p = _write(tmp_path, GOOD, "", {**GOOD, "id": "c2", "decision": "edit", "draft": "X."})
    cases = load(p)
    assert [c.id for c in cases] == ["c1", "c2"]
    assert cases[0].reference == "Return x." and cases[0].tags == ["function"]
    assert cases[1].decision == "edit" and cases[1].draft == "X."
    assert cases[1].line == 3


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("{not json", "cases.jsonl:2: not valid JSON"),
        ([1, 2], "cases.jsonl:2: expected a JSON object"),
        ({k: v for k, v in GOOD.items() if k != "source"}, "missing required field 'source'"),
        ({**GOOD, "kind": "lambda"}, "field 'kind' must be one of"),
        ({**GOOD, "qualname": ""}, "field 'qualname' must be a non-empty string"),
        ({**GOOD, "tags": "x"}, "field 'tags' must be a list of strings"),
        ({**GOOD, "style": "markdown"}, "field 'style' must be one of"),
        ({**GOOD, "reference": 3}, "field 'reference' must be a string"),
        (GOOD, "duplicate case id 'c1' (first on line 1)"),
    ],
)
def test_malformed_lines_name_file_and_line(tmp_path: Path, record: object, message: str) -> None:
    """Every malformed case is a one-line error naming the file and line."""
    p = _write(tmp_path, GOOD, record)
    with pytest.raises(DocagentError) as exc:
        load(p, "cases.jsonl")
    assert message in str(exc.value)
    assert str(exc.value).startswith("cases.jsonl")


def test_missing_empty_and_cross_file_duplicates(tmp_path: Path) -> None:
    """A missing or empty file, or an id used in two files, is an error."""
    with pytest.raises(DocagentError, match="no such dataset file"):
        load(tmp_path / "nope.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(DocagentError, match="no eval cases"):
        load(empty)
    a = _write(tmp_path, GOOD, name="a.jsonl")
    b = _write(tmp_path, GOOD, name="b.jsonl")
    with pytest.raises(
        DocagentError, match=r"b\.jsonl:1: case id 'c1' already used at .*a\.jsonl:1"
    ):
        load_all([a, b])


def test_find_datasets_setting_then_evals_glob(tmp_path: Path) -> None:
    """The datasets setting wins; else every evals/**/*.jsonl; a bad setting is an error."""
    (tmp_path / "evals" / "x").mkdir(parents=True)
    (tmp_path / "evals" / "x" / "b.jsonl").write_text("{}")
    (tmp_path / "evals" / "a.jsonl").write_text("{}")
    (tmp_path / "mine.jsonl").write_text("{}")
    found = find_datasets(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "evals/a.jsonl",
        "evals/x/b.jsonl",
    ]
    assert find_datasets(tmp_path, ["mine.jsonl"]) == [tmp_path / "mine.jsonl"]
    with pytest.raises(DocagentError, match="setting 'datasets'"):
        find_datasets(tmp_path, ["missing/*.jsonl"])


# ----------------------------------------------------------------------------- committed suites


@pytest.fixture(scope="module")
def suites() -> dict[str, list]:
    """The committed dev and heldout datasets."""
    return {s: load(DATASETS / f"{s}.jsonl") for s in ("dev", "heldout")}


def test_suites_are_large_varied_and_disjoint(suites) -> None:
    """At least 500 real cases from at least 10 projects across every kind and style; dev and
    heldout do not overlap."""
    every = suites["dev"] + suites["heldout"]
    assert len(every) >= 500
    assert len({c.extra["origin"].rsplit(" ", 1)[0] for c in every}) >= 10
    assert not {c.id for c in suites["dev"]} & {c.id for c in suites["heldout"]}
    kinds = Counter(c.kind for c in every)
    styles = Counter(c.style for c in every)
    assert set(kinds) == {"function", "method", "class", "module"}
    assert min(kinds.values()) >= 30
    assert set(styles) == {"pep257", "google", "sphinx", "numpy"}
    assert min(styles.values()) >= 25
    assert all(c.reference and len(c.reference) >= 30 for c in every)
    assert all(c.extra.get("origin") for c in every)


def test_split_is_a_stable_hash_of_the_source_file(suites) -> None:
    """A case's split follows from its package and file alone, so it never reshuffles and a
    file's cases stay together."""
    for split, cases in suites.items():
        for c in cases:
            package = c.extra["origin"].rsplit(" ", 1)[0]
            key = f"split:{package}/{c.path}"
            h = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 100
            assert ("heldout" if h < 50 else "dev") == split


def test_manifest_matches_files(suites) -> None:
    """The manifest records the source versions and each file's hash and counts."""
    manifest = json.loads((DATASETS / "manifest.json").read_text())
    assert manifest["sources"]["cpython"] == manifest["python"]
    for split, cases in suites.items():
        entry = manifest["splits"][split]
        data = (DATASETS / f"{split}.jsonl").read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["cases"] == len(cases)


def test_every_case_source_has_its_target_without_docstring(suites) -> None:
    """Each source parses, holds the target, and no longer contains the reference docstring.

    (dev is checked by evals/check_baseline.py in CI, which prepares every case.)
    """
    for c in suites["heldout"]:
        prep = prepare(c)
        assert prep.target.docstring is None, c.id
        assert prep.target.kind == c.kind


def _versions_match() -> bool:
    manifest = json.loads((DATASETS / "manifest.json").read_text())
    if manifest["python"] != platform.python_version():
        return False
    fetched = set(manifest.get("sdists", {}))  # pinned sdists are fetched by the builder
    names = {k: v for k, v in manifest["sources"].items() if k != "cpython" and k not in fetched}
    try:
        return all(importlib.metadata.version(k) == v for k, v in names.items())
    except importlib.metadata.PackageNotFoundError:
        return False


@pytest.mark.skipif(
    not os.environ.get("EVALS_REBUILD"), reason="slow (~10 s): set EVALS_REBUILD=1 to run"
)
@pytest.mark.skipif(not _versions_match(), reason="interpreter or package versions differ")
def test_builder_reproduces_the_committed_files() -> None:
    """With the recorded versions, a fresh build is byte-identical to the committed files."""
    sys.path.insert(0, str(ROOT / "evals"))
    try:
        import build_dataset
    finally:
        sys.path.pop(0)
    assert build_dataset.main(["--check"]) == 0


def test_splits_share_no_source_file_and_leak_no_reference() -> None:
    """Split by file: no file in both splits, and no held-out reference appears verbatim in a
    dev case's source (a split by case leaked 88 of 175)."""
    dev = [json.loads(x) for x in (DATASETS / "dev.jsonl").read_text().splitlines()]
    held = [json.loads(x) for x in (DATASETS / "heldout.jsonl").read_text().splitlines()]

    def files(cases: list[dict]) -> set[tuple[str, str]]:
        return {(c["origin"].rsplit(" ", 1)[0], c["path"]) for c in cases}

    assert not files(dev) & files(held)
    dev_sources = "\n".join(c["source"] for c in dev)
    assert [c["id"] for c in held if c["reference"] in dev_sources] == []


def test_manifest_records_origin_and_licence_per_case() -> None:
    """Every case has its package, version, file, licence and split in the manifest."""
    manifest = json.loads((DATASETS / "manifest.json").read_text())
    for split in ("dev", "heldout"):
        for line in (DATASETS / f"{split}.jsonl").read_text().splitlines():
            case = json.loads(line)
            entry = manifest["cases"][case["id"]]
            assert entry["split"] == split and entry["file"] == case["path"]
            assert f"{entry['package']} {entry['version']}" == case["origin"]
            assert entry["licence"] in ("PSF-2.0", "MIT", "BSD-3-Clause", "Apache-2.0")


def test_builder_refuses_a_file_in_two_splits() -> None:
    """The build asserts the split: a file whose cases land in two splits stops it."""
    sys.path.insert(0, str(ROOT / "evals"))
    try:
        import build_dataset
    finally:
        sys.path.pop(0)
    case = {"origin": "rich 15.0.0", "path": "rich/x.py"}
    with pytest.raises(SystemExit, match="rich/rich/x.py is in dev and heldout"):
        build_dataset.assert_disjoint({"dev": [case], "heldout": [dict(case)]})
    build_dataset.assert_disjoint({"dev": [case], "heldout": [{**case, "path": "rich/y.py"}]})


def test_both_splits_hold_code_first_published_in_2026(suites) -> None:
    """Code newer than the models' training data is measured: both splits hold cases from
    packages whose first PyPI release is in 2026, tagged and dated in the manifest."""
    manifest = json.loads((DATASETS / "manifest.json").read_text())
    new = {d for d, e in manifest["sdists"].items() if e.get("first_published", "") >= "2026"}
    assert len(new) >= 2
    for split, cases in suites.items():
        fresh = [c for c in cases if c.extra["origin"].rsplit(" ", 1)[0] in new]
        assert len(fresh) >= 10, split
        assert all("published:2026" in c.tags for c in fresh)
        assert all(manifest["cases"][c.id]["first_published"] >= "2026" for c in fresh)


def test_builder_lists_the_exceptions_a_whole_package_defines(tmp_path: Path) -> None:
    """Exception classes anywhere in a package are listed (through subclasses of subclasses);
    other classes are not; every committed case carries its repository's list."""
    sys.path.insert(0, str(ROOT / "evals"))
    try:
        import build_dataset
    finally:
        sys.path.pop(0)
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "errors.py").write_text("class BaseErr(Exception): ...\nclass Plain: ...\n")
    (pkg / "sub" / "deep.py").write_text(
        "from pkg.errors import BaseErr\nclass Unfeasible(BaseErr): ...\n"
        "class Parse(Unfeasible): ...\nclass Mixin(Plain): ...\n"
    )
    assert build_dataset.repository_exceptions("pkg", tmp_path) == [
        "BaseErr",
        "Parse",
        "Unfeasible",
    ]
    for split in ("dev", "heldout"):
        first = json.loads((DATASETS / f"{split}.jsonl").read_text().splitlines()[0])
        assert isinstance(first["repository_exceptions"], list)
