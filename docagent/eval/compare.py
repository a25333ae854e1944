"""Compare an eval run with an earlier one: per-metric deltas over the cases both ran.

The deltas are paired (case by case) with a bootstrap 95% interval, a sign-flip permutation
p-value and the effect size (Cohen's d_z), so a one-point wiggle from
a few cases is not mistaken for progress: a change is ``better`` or ``worse`` only when its
interval excludes zero. The earlier run is a stored run id (or unique prefix, or ``latest``) from
the decision log, or a JSON file written by ``docagent eval --format json --out FILE`` (such as
the recorded baselines under ``evals/baselines/``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docagent.errors import DocagentError
from docagent.eval import metrics as m
from docagent.eval.bootstrap import effect_size, mean, paired_bootstrap, sign_flip_p


@dataclass
class Baseline:
    """An earlier run's per-case scores, by case id."""

    label: str
    score: float
    cases: dict[str, dict[str, Any]]
    prompt_version: str = ""
    model: str = ""


@dataclass
class Comparison:
    """Paired deltas of a run against a baseline."""

    base: str
    shared: int
    only_new: int
    only_base: int
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the ``compare`` key of ``eval --format json``)."""
        return {
            "base": self.base,
            "shared": self.shared,
            "only_new": self.only_new,
            "only_base": self.only_base,
            "deltas": self.rows,
        }


def _cases(items: Any, label: str) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        raise DocagentError(f"--compare {label}: no per-case results to compare with")
    out = {}
    for c in items:
        if isinstance(c, dict) and isinstance(c.get("id"), str) and "score" in c:
            out[c["id"]] = c
    return out


def load_baseline(ref: str, store: Any = None) -> Baseline:
    """Find the run ``ref`` names: a JSON file path, else a stored eval run id.

    Raises:
        DocagentError: When neither a readable file nor a stored run matches ``ref``.
    """
    path = Path(ref)
    if path.suffix == ".json" or path.is_file():
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DocagentError(f"--compare {ref}: no such file") from None
        except (OSError, ValueError) as exc:
            raise DocagentError(f"--compare {ref}: not an eval JSON document: {exc}") from None
        if not isinstance(doc, dict) or "score" not in doc:
            raise DocagentError(f"--compare {ref}: not an eval JSON document (no 'score')")
        return Baseline(
            label=str(doc.get("run") or ref),
            score=float(doc["score"]),
            cases=_cases(doc.get("results"), ref),
            prompt_version=str(doc.get("prompt_version", "")),
            model=str(doc.get("model", "")),
        )
    run = store.eval_run(ref) if store is not None else None
    if run is None:
        raise DocagentError(
            f"--compare {ref}: no stored eval run with that id (or a unique prefix of one), "
            "and no such JSON file"
        )
    return Baseline(
        label=run.id,
        score=float(run.score),
        cases=_cases(run.cases, ref),
        prompt_version=run.prompt_version,
        model=run.model,
    )


def compare(new_cases: list[dict[str, Any]], base: Baseline) -> Comparison:
    """Per-metric (and overall score) deltas of ``new_cases`` against ``base``.

    Raises:
        DocagentError: When the two runs share no case id.
    """
    new = {c["id"]: c for c in new_cases}
    shared = sorted(set(new) & set(base.cases))
    if not shared:
        raise DocagentError(
            f"--compare {base.label}: the runs share no case id (different datasets?)"
        )
    out = Comparison(
        base=base.label,
        shared=len(shared),
        only_new=len(set(new) - set(base.cases)),
        only_base=len(set(base.cases) - set(new)),
    )
    for name in ("score", *m.METRICS):
        a: list[float] = []
        b: list[float] = []
        for cid in shared:
            x = _value(new[cid], name)
            y = _value(base.cases[cid], name)
            if x is not None and y is not None:
                a.append(x)
                b.append(y)
        if not a:
            continue
        delta, (lo, hi) = paired_bootstrap(a, b)
        diffs = [x - y for x, y in zip(a, b, strict=True)]
        p = sign_flip_p(diffs)
        out.rows[name] = {
            "base": round(mean(b), 6),
            "new": round(mean(a), 6),
            "delta": round(delta, 6),
            "ci": [round(lo, 6), round(hi, 6)],
            "p": round(p, 6),
            "effect": round(effect_size(diffs), 6),
            "n": len(a),
            "change": "better" if lo > 0 else "worse" if hi < 0 else "no clear change",
        }
    return out


def _value(case: dict[str, Any], name: str) -> float | None:
    v = case.get("score") if name == "score" else (case.get("metrics") or {}).get(name)
    return float(v) if isinstance(v, int | float) else None
