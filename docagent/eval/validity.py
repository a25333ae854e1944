"""Metric validity: how often each case's reference docstring beats each bad docstring.

For every case with a reference, the reference and each :mod:`~docagent.eval.perturb`
perturbation are scored by the same code as a draft (:func:`docagent.eval.runner.score_text`)
in two modes — ``with_reference`` (similarity to the reference included) and ``reference_free``
(no similarity: how a suite without references, or a new repository, is scored). The
reference *beats* a perturbation on a metric when its value is strictly higher (a tie is a
loss: the metric could not tell them apart). The rate of wins over the cases, with its 95%
Wilson interval, is reported per metric and for the combined score.

An empty docstring is scored as a failed draft (every metric 0), exactly as a run scores it.

A reference with no content word beyond the signature's words (:func:`reference_uninformative`:
"Set a value. Args: key: Key.") is no good docstring to validate the metrics against: such
cases are reported apart (``uninformative``) and left out of the rates, in every mode and
every dataset alike; they still supply ``swapped`` docstrings.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from docagent.eval import metrics as m
from docagent.eval import perturb
from docagent.eval.bootstrap import wilson
from docagent.eval.datasets import Case

MODES = ("with_reference", "reference_free")
SCORED = (
    "score",
    "completeness",
    "truthfulness",
    "checks",
    "helpfulness",
    "specificity",
    "similarity",
)


@dataclass
class Tally:
    """Wins of the reference over one perturbation on one metric."""

    wins: int = 0
    n: int = 0
    total: float = 0.0
    losses: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """``{"rate", "ci", "wins", "n", "mean"}`` (``mean``: the perturbation's mean value)."""
        lo, hi = wilson(self.wins, self.n)
        return {
            "rate": round(self.wins / self.n, 6) if self.n else None,
            "ci": [round(lo, 6), round(hi, 6)],
            "wins": self.wins,
            "n": self.n,
            "mean": round(self.total / self.n, 6) if self.n else None,
        }


def _values(prep: Any, text: str, with_reference: bool) -> dict[str, float | None]:
    from docagent.eval.runner import score_text

    if not text.strip():
        values: dict[str, float | None] = dict.fromkeys(SCORED[1:], 0.0)
    else:
        values = dict(score_text(prep, text, None)[0])
    if not with_reference:
        values["similarity"] = None
    values["score"] = m.combine(values)
    return values


def reference_uninformative(prep: Any, reference: str) -> bool:
    """True when ``reference`` says nothing beyond the target's signature: none of its content
    words (:func:`docagent.eval.helpfulness.helpfulness`) is new to the signature's names."""
    from docagent.eval.helpfulness import helpfulness

    return helpfulness(prep.target, reference, prep.facts, prep.init).new == 0


def validate(cases: Sequence[Case], only: Collection[str] | None = None) -> dict[str, Any]:
    """Score every case's reference against its perturbations; return the validity table.

    ``only`` limits the measurement to the cases with these ids; the other cases still supply
    the ``swapped`` docstrings, so each case gets the same perturbations as in a full run. The
    result is ``{"cases": N, "modes": {mode: {perturbation: {metric: tally}}},
    "losses": {mode: {perturbation: [case ids where the combined score lost]}},
    "uninformative": [case ids left out: :func:`reference_uninformative`]}``. A case
    whose source does not parse or lacks its target stops the measurement with the
    :class:`~docagent.errors.DocagentError` of :func:`docagent.eval.runner.prepare`.
    """
    from docagent.eval.runner import prepare, repository_key, repository_names

    with_ref = [c for c in cases if c.reference and c.reference.strip()]
    repo_names = repository_names(cases)
    ordered = sorted(with_ref, key=lambda c: c.id)
    keys = [(c.path, c.kind, c.reference) for c in ordered]
    names = ("reference", *perturb.NAMES)
    tallies = {mode: {p: {k: Tally() for k in SCORED} for p in names} for mode in MODES}
    uninformative: list[str] = []
    for i, case in enumerate(ordered):
        if only is not None and case.id not in only:
            continue
        prep = prepare(case, repo_names.get(repository_key(case)))
        reference = case.reference or ""
        if reference_uninformative(prep, reference):
            uninformative.append(case.id)
            continue
        view = prep.view
        texts = perturb.perturbations(
            i,
            keys,
            target=prep.target,
            init=prep.init,
            style=prep.style,
            reference=reference,
            known=prep.known,
            module_words=view.module_words,
            stub=view.stub,
            effects=(view.module.deletes, view.module.network, view.module.writes),
        )
        for mode in MODES:
            with_reference = mode == "with_reference"
            ref = _values(prep, reference, with_reference)
            for key in SCORED:
                if ref.get(key) is not None:
                    tallies[mode]["reference"][key].n += 1
                    tallies[mode]["reference"][key].total += float(ref[key] or 0.0)
            for name, text in texts.items():
                if text is None:
                    continue
                bad = _values(prep, text, with_reference)
                for key in SCORED:
                    a, b = ref.get(key), bad.get(key)
                    if a is None or b is None:
                        continue
                    t = tallies[mode][name][key]
                    t.n += 1
                    t.total += b
                    if a > b + 1e-12:
                        t.wins += 1
                    elif key == "score":
                        t.losses.append(case.id)
    return {
        "cases": (len(ordered) if only is None else sum(1 for c in ordered if c.id in only))
        - len(uninformative),
        "uninformative": uninformative,
        "reference": {
            mode: {k: t.to_dict()["mean"] for k, t in table["reference"].items() if t.n}
            for mode, table in tallies.items()
        },
        "modes": {
            mode: {
                name: {k: t.to_dict() for k, t in row.items() if t.n}
                for name, row in table.items()
                if name != "reference"
            }
            for mode, table in tallies.items()
        },
        "losses": {
            mode: {name: row["score"].losses for name, row in table.items() if name != "reference"}
            for mode, table in tallies.items()
        },
    }


def render(doc: dict[str, Any]) -> str:
    """The validity table as text: one block per mode, a row per perturbation."""
    lines = [f"metric validity on {doc['cases']} cases with a reference"]
    left = doc.get("uninformative") or []
    if left:
        lines.append(
            f"{len(left)} more left out: their reference says nothing beyond the signature "
            f"({', '.join(left[:3])}{', ...' if len(left) > 3 else ''})"
        )
    lines.append("")
    lines.append(
        "mean: the perturbation's mean combined score; then how often the reference scores "
        "above it, per metric (95% Wilson interval)"
    )
    for mode, table in doc["modes"].items():
        cols = [k for k in SCORED if any(k in row for row in table.values())]
        ref_score = doc.get("reference", {}).get(mode, {}).get("score")
        head = f"{'perturbation':<16}{'mean':>7}" + "".join(f"{c:>20}" for c in cols)
        lines += ["", mode.replace("_", " "), head]
        if ref_score is not None:
            lines.append(f"{'(reference)':<16}{ref_score:>7.3f}")
        for name, row in table.items():
            cells = []
            for c in cols:
                cell = row.get(c)
                if cell is None or cell["rate"] is None:
                    cells.append(f"{'-':>20}")
                    continue
                text = f"{cell['rate']:.0%} [{cell['ci'][0]:.0%}-{cell['ci'][1]:.0%}]"
                cells.append(f"{text:>20}")
            n = next(iter(row.values()))["n"] if row else 0
            avg = (row.get("score") or {}).get("mean")
            avg_text = f"{avg:>7.3f}" if avg is not None else f"{'-':>7}"
            lines.append(f"{name:<16}{avg_text}" + "".join(cells) + f"  n={n}")
    return "\n".join(lines) + "\n"


def below(doc: dict[str, Any], recorded: dict[str, Any], tolerance: float = 0.0) -> list[str]:
    """Combined-score rates of ``doc`` below the ``recorded`` ones, as messages."""
    out = []
    for mode, table in recorded.get("modes", {}).items():
        for name, row in table.items():
            want = (row.get("score") or {}).get("rate")
            got = ((doc["modes"].get(mode) or {}).get(name) or {}).get("score", {}).get("rate")
            if want is None:
                continue
            if got is None or got < want - tolerance:
                out.append(
                    f"{mode} {name}: the reference beats it on {got if got is not None else 0:.1%}"
                    f" of cases, below the recorded {want:.1%}"
                )
    return out
