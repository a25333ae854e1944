"""Metric validity: each case's reference must beat every bad docstring built from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_eval_cli import make_cases, write_jsonl  # noqa: I001  (tests/ is on sys.path)

from docagent.cli import main
from docagent.eval.datasets import parse_case
from docagent.eval.perturb import NAMES
from docagent.eval.validity import below, validate

MODULE = '''"""Read and summarise measurement logs written by the field sensors."""

import json
import os


class LogError(Exception):
    """A log line could not be understood."""


def load(path, strict=True):
    """Read a sensor log and keep the readings of every well-formed line.

    Each line is a JSON object with a ``value`` key; blank lines are skipped.

    Args:
        path: File written by the sensor daemon, one JSON record per line.
        strict: Stop at the first malformed line instead of skipping it.

    Returns:
        The readings in file order.

    Raises:
        LogError: If a line is malformed and strict is true.
    """
    out = []
    with open(path) as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                out.append(json.loads(line)["value"])
            except (ValueError, KeyError):
                if strict:
                    raise LogError(line)
    return out


def spread(readings):
    """Difference between the largest and the smallest reading, zero for an empty log.

    Args:
        readings: Numbers as returned by load.

    Returns:
        How far apart the extreme readings are.
    """
    if not readings:
        return 0
    return max(readings) - min(readings)


def rotate(path, keep=5):
    """Rename old logs aside and delete those beyond the retention count.

    Args:
        path: The current log; older copies carry numeric suffixes.
        keep: How many old copies survive the rotation.
    """
    for n in range(keep, 0, -1):
        older = f"{path}.{n}"
        if os.path.exists(older):
            if n == keep:
                os.remove(older)
            else:
                os.rename(older, f"{path}.{n + 1}")
'''


OTHER = '''"""Convert between metric and imperial units for the dashboard widgets."""


class Converter:
    """Cache conversion factors looked up from the unit table."""


def to_miles(km):
    """Kilometres expressed as statute miles, rounded to two decimals for display.

    Args:
        km: Distance travelled, possibly fractional.

    Returns:
        The rounded mileage.
    """
    return round(km * 0.621371, 2)
'''


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """Two modules' documented targets as eval cases (swaps take another file's docstring)."""
    cases = make_cases(MODULE, "sensors/log.py") + make_cases(OTHER, "sensors/units.py")
    return write_jsonl(tmp_path / "sensors.jsonl", cases)


def test_reference_beats_every_perturbation_in_both_modes(dataset: Path) -> None:
    """On well-written references the combined score ranks the reference first — always,
    another file's docstring included (specificity), except that without a reference a whole
    false docstring about a module that does delete files is undecidable statically."""
    cases = [parse_case(json.loads(line)) for line in dataset.read_text().splitlines()]
    doc = validate(cases)
    assert doc["cases"] == len(cases)
    for mode in ("with_reference", "reference_free"):
        table = doc["modes"][mode]
        assert set(table) == set(NAMES)
        for name, row in table.items():
            if mode == "reference_free" and name == "false_whole":
                # "Delete every file ..." about a module that does delete files (rotate)
                # cannot be judged false statically
                assert row["score"]["rate"] >= 0.5
                continue
            assert row["score"]["rate"] == 1.0, (mode, name, doc["losses"][mode][name])
            lo, hi = row["score"]["ci"]
            assert 0 < lo <= 1.0 == hi
    assert "similarity" not in doc["modes"]["reference_free"]["template"]
    # a deterministic measurement: the same cases give the same table
    assert validate(cases) == doc


def test_below_names_each_drop_under_the_recorded_rate(dataset: Path) -> None:
    """The CI check fails on any combined rate below the recorded figure."""
    cases = [parse_case(json.loads(line)) for line in dataset.read_text().splitlines()]
    doc = validate(cases)
    assert below(doc, doc) == []
    raised = json.loads(json.dumps(doc))
    raised["modes"]["reference_free"]["template"]["score"]["rate"] = 1.01
    assert below(doc, raised) == [
        "reference_free template: the reference beats it on 100.0% of cases, "
        "below the recorded 101.0%"
    ]


def test_validate_command_prints_both_modes(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``docagent eval DATASET --validate`` drafts nothing and prints the table."""
    assert main(["eval", str(dataset), "--validate", "--repo", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "with reference" in out and "reference free" in out
    for name in NAMES:
        assert name in out
    assert (
        main(["eval", str(dataset), "--validate", "--format", "json", "--repo", str(tmp_path)]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["modes"]["with_reference"]["false_effect"]["score"]["n"] > 0


def test_validate_without_references_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing to validate against: a one-line error, exit 2."""
    cases = [{k: v for k, v in c.items() if k != "reference"} for c in make_cases(MODULE)]
    ds = write_jsonl(tmp_path / "noref.jsonl", cases)
    assert main(["eval", str(ds), "--validate", "--repo", str(tmp_path)]) == 2
    assert "--validate needs cases with a reference" in capsys.readouterr().err


@pytest.fixture
def validity_gate(dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """evals/check_validity.py pointed at a temporary dataset and record."""
    import sys

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "evals"))
    try:
        import check_validity
    finally:
        sys.path.pop(0)
    monkeypatch.setattr(check_validity, "DATASETS", dataset.parent)
    monkeypatch.setattr(check_validity, "RECORD", tmp_path / "baselines" / "validity.json")
    return check_validity


def test_validity_gate_fails_below_the_recorded_figure(
    validity_gate, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CI: no record fails; a recorded figure passes; a figure above the measurement fails."""
    assert validity_gate.main(["sensors"]) == 1
    assert "no recorded figures" in capsys.readouterr().out
    assert validity_gate.main(["sensors", "--update"]) == 0
    assert validity_gate.main(["sensors"]) == 0
    assert ": ok" in capsys.readouterr().out
    record = tmp_path / "baselines" / "validity.json"
    doc = json.loads(record.read_text())
    doc["sensors"]["modes"]["reference_free"]["false_whole"]["score"]["rate"] = 1.0
    record.write_text(json.dumps(doc))
    assert validity_gate.main(["sensors"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "reference_free false_whole" in out


def test_committed_validity_figures_match_the_datasets() -> None:
    """The recorded validity figures were measured on the committed datasets."""
    import hashlib

    root = Path(__file__).resolve().parents[1] / "evals"
    record = json.loads((root / "baselines" / "validity.json").read_text())
    for name in ("dev", "heldout"):
        data = (root / "datasets" / f"{name}.jsonl").read_bytes()
        assert record[name]["dataset_sha256"] == hashlib.sha256(data).hexdigest()
        rates = [
            row["score"]["rate"]
            for table in record[name]["modes"].values()
            for row in table.values()
        ]
        assert min(rates) > 0.8


#: Real dev-set cases whose reference lost, reference-free, to another file's docstring
#: (swapped), to its own first half (truncated) or to the complete-but-false sentence before
#: the ending, specificity and file-deletion checks (issue 15).
REAL_CASES = (
    "cpython/imghdr.py::test_jpeg",
    "cpython/symtable.py::<module>",
    "pydantic-handlebars/pydantic_handlebars/_exceptions.py::HandlebarsError",
    "networkx/networkx/algorithms/approximation/matching.py::min_maximal_matching",
    "networkx/networkx/algorithms/components/connected.py::connected_components",
    "networkx/networkx/algorithms/flow/gomory_hu.py::gomory_hu_tree",
)


def test_reference_beats_every_perturbation_on_real_cases_without_a_reference() -> None:
    """Scored without the reference, each of these authors' docstrings beats every bad
    docstring made from it — another file's docstring, its truncated first half and the
    complete-but-false sentence included."""
    from docagent.eval.datasets import load

    root = Path(__file__).resolve().parents[1] / "evals" / "datasets"
    cases = load(root / "dev.jsonl", "evals/datasets/dev.jsonl")
    doc = validate(cases, only=REAL_CASES)
    assert doc["cases"] == len(REAL_CASES)
    table = doc["modes"]["reference_free"]
    for name in ("swapped", "truncated", "false_whole"):
        assert table[name]["score"]["n"] == len(REAL_CASES)
    for name, row in table.items():
        assert row["score"]["rate"] == 1.0, (name, doc["losses"]["reference_free"][name])


def test_a_reference_that_only_restates_the_signature_is_reported_apart(
    dataset: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reference saying nothing beyond the signature ("Set value. Args: key: Key.") is no
    good docstring to validate against: it is listed as uninformative and counted in no rate,
    in both modes, while the other cases are measured as before."""
    cases = [parse_case(json.loads(line)) for line in dataset.read_text().splitlines()]
    record = json.loads(dataset.read_text().splitlines()[0])
    restating = {
        **record,
        "id": "sensors/extra.py::set_value",
        "path": "sensors/extra.py",
        "qualname": "set_value",
        "kind": "function",
        "source": "def set_value(key, value):\n    STORE[key] = value\n",
        "reference": "Set value.\n\nArgs:\n    key: Key.\n    value: Value.\n",
        "style": "google",
    }
    doc = validate([*cases, parse_case(restating)])
    assert doc["uninformative"] == ["sensors/extra.py::set_value"]
    assert doc["cases"] == len(cases)
    for table in doc["modes"].values():
        assert table["empty"]["score"]["n"] == len(cases)
        assert table["empty"]["score"]["rate"] == 1.0
    assert validate(cases)["uninformative"] == []
    write_jsonl(dataset, [*[json.loads(x) for x in dataset.read_text().splitlines()], restating])
    assert main(["eval", str(dataset), "--validate", "--repo", str(dataset.parent)]) == 0
    assert "1 more left out: their reference says nothing beyond the signature" in (
        capsys.readouterr().out
    )
