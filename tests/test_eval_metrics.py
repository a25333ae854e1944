"""Eval metrics and statistics: each metric moves when the docstring gets better or worse."""

from __future__ import annotations

import math

import pytest

from docagent.code.targets import read_file
from docagent.eval.bootstrap import bootstrap_ci, paired_bootstrap
from docagent.eval.helpfulness import GROUNDING_SPAN, helpfulness, specificity
from docagent.eval.metrics import (
    checks_value,
    chrf,
    combine,
    completeness,
    pep257_items,
    truthfulness,
)

MODULE = '''"""Shapes."""

import os


def scale(a, b, *, factor=2):
    if factor < 0:
        raise ValueError("negative")
    return (a + b) * factor


def walk(root):
    for name in os.listdir(root):
        yield name


class Box:
    def __init__(self, width, height):
        self.width = width
        self.height = height

    def area(self):
        return self.width * self.height
'''


@pytest.fixture(scope="module")
def facts():
    """Code facts of MODULE."""
    return read_file("shapes.py", "shapes.py", MODULE.encode())


# ----------------------------------------------------------------------------- chrF


def test_chrf_identical_and_disjoint() -> None:
    """Identical text scores 1, text with no shared characters 0."""
    assert chrf("Return the sum.", "Return the sum.") == pytest.approx(1.0)
    assert chrf("xyz", "abc") == 0.0
    assert chrf("", "") == 1.0
    assert chrf("abc", "") == 0.0


def test_chrf_hand_computed_value() -> None:
    """'ab' against 'abc': P=(1+1)/2, R=(2/3+1/2)/2 over the two shared orders; F2 = 35/55."""
    assert chrf("ab", "abc") == pytest.approx(35 / 55)


def test_chrf_ignores_whitespace_and_weights_recall() -> None:
    """Whitespace and line breaks do not matter; missing content costs more than extra."""
    assert chrf("Return  the\nsum.", "Return the sum.") == pytest.approx(1.0)
    ref = "Return the sum of the two numbers."
    shorter = chrf("Return the sum.", ref)
    longer = chrf("Return the sum of the two numbers, rounded down.", ref)
    assert longer > shorter


def test_chrf_orders_paraphrase_between_extremes() -> None:
    """A paraphrase lies strictly between an unrelated text and the reference itself."""
    ref = "Return the number of items in the queue."
    para = chrf("Return how many items the queue holds.", ref)
    other = chrf("Open a network connection to the server.", ref)
    assert other < para < 1.0


# ----------------------------------------------------------------------------- completeness


def test_completeness_full_google_docstring(facts) -> None:
    """Every parameter, Returns and Raises present: 1.0."""
    text = (
        "Scale the sum of two numbers.\n\nArgs:\n    a: First.\n    b: Second.\n"
        "    factor: Multiplier.\n\nReturns:\n    The scaled sum.\n\nRaises:\n"
        "    ValueError: If factor is negative."
    )
    assert completeness(facts.target("scale"), text).value == 1.0


def test_completeness_counts_missing_elements(facts) -> None:
    """A missing parameter and missing Raises lower the score by their share, and are named."""
    text = "Scale numbers.\n\nArgs:\n    a: First.\n    factor: Multiplier.\n\nReturns:\n    Sum."
    found = completeness(facts.target("scale"), text)
    # required: summary, a, b, factor, returns, raises ValueError (and an ending) -> 4 of 6
    assert found.value == pytest.approx(4 / 6)
    assert found.notes == ["param b", "raises ValueError"]
    assert completeness(facts.target("scale"), "Scale.").value == pytest.approx(1 / 6)


def test_completeness_a_truncated_docstring_lacks_its_ending(facts) -> None:
    """Text cut mid-sentence (on an article, or inside backticks) is not complete."""
    module = facts.target("<module>")
    assert completeness(module, "Shapes and their areas.").value == 1.0
    assert completeness(module, "Shapes and the").notes == ["ending"]
    assert completeness(module, "Shapes made with `Box").notes == ["ending"]


def test_completeness_prose_cut_without_punctuation_lacks_its_ending(facts) -> None:
    """A prose paragraph cut mid-word or mid-clause (no closing punctuation) is not complete.

    Fields, sections, doctests and references may end without punctuation and still count.
    """
    module = facts.target("<module>")
    assert completeness(module, "Shapes made with boxes. They are drawn").notes == ["ending"]
    assert completeness(module, "Shapes made with boxes and").notes == ["ending"]
    assert completeness(module, "Shapes made with boxes,").notes == ["ending"]
    assert completeness(module, "Shapes.\n\nReturns:\n    area in cells").notes == []
    assert completeness(module, "Shapes.\n\n:return: area in cells").notes == []
    assert completeness(module, "Shapes.\n\nSee Also\n--------\nbox_area").notes == []
    assert completeness(module, "Shapes.\n\n>>> area(box)\n4").notes == []
    assert completeness(module, "Shapes.\n\n.. [1] https://example.org/boxes").notes == []


def test_completeness_reads_pep257_prose(facts) -> None:
    """Prose that names parameters, says what is returned and names the exception counts."""
    text = (
        "Return (a + b) * factor.\n\nRaises ValueError when factor is negative; "
        "a and b may be any numbers."
    )
    assert completeness(facts.target("scale"), text).value == 1.0


def test_completeness_generator_needs_yields(facts) -> None:
    """A generator's docstring must say what it yields."""
    assert completeness(facts.target("walk"), "List root.").notes == ["yields"]
    assert completeness(facts.target("walk"), "Yield the names in root.").value == 1.0


def test_completeness_class_documents_init_params_unless_init_does(facts) -> None:
    """A class docstring covers __init__'s parameters when __init__ has no docstring."""
    box, init = facts.target("Box"), facts.target("Box.__init__")
    assert completeness(box, "A box.", init, init_documented=False).value == pytest.approx(1 / 3)
    assert completeness(box, "A box.", init, init_documented=True).value == 1.0
    text = "A box.\n\nArgs:\n    width: Width.\n    height: Height."
    assert completeness(box, text, init).value == 1.0


def test_completeness_module_needs_summary(facts) -> None:
    """A module docstring needs a summary line."""
    module = facts.target("<module>")
    assert completeness(module, "Shapes and areas.").value == 1.0
    assert completeness(module, "").value == 0.0


# ----------------------------------------------------------------------------- truthfulness


def test_truthfulness_invented_parameter(facts) -> None:
    """Documenting a parameter that is not in the signature is an invention."""
    good = "Scale.\n\nArgs:\n    a: A.\n    b: B."
    bad = "Scale.\n\nArgs:\n    a: A.\n    c: C."
    assert truthfulness(facts.target("scale"), good, facts).value == 1.0
    found = truthfulness(facts.target("scale"), bad, facts)
    assert found.value == pytest.approx(0.5)
    assert found.notes == ["param c"]


def test_truthfulness_backticked_names_must_exist(facts) -> None:
    """Backticked names must exist in the module, its imports, builtins or the stdlib."""
    target = facts.target("walk")
    assert truthfulness(target, "List `root` with `os.listdir`.", facts).value == 1.0
    assert truthfulness(target, "Use ``json.loads`` and :func:`len`.", facts).value == 1.0
    found = truthfulness(target, "List `root` with `fancy_walker`.", facts)
    assert found.value == pytest.approx(0.5)
    assert found.notes == ["name fancy_walker"]


def test_truthfulness_pep257_sections(facts) -> None:
    """PEP 257 sections: arguments must exist; exceptions are not parameters."""
    target = facts.target("scale")
    ok = "Scale.\n\nArguments\na -- A.\nb -- B.\n\nExceptions\nValueError -- Negative factor."
    assert truthfulness(target, ok, facts).value == 1.0
    bad = "Scale.\n\nArguments\na -- A.\nzeta -- Z."
    assert truthfulness(target, bad, facts).notes == ["param zeta"]
    assert pep257_items(ok) == {"params": ["a", "b"], "raises": ["ValueError"], "attributes": []}


def test_truthfulness_class_attributes(facts) -> None:
    """Documented attributes must exist in the class or the module."""
    box, init = facts.target("Box"), facts.target("Box.__init__")
    ok = "A box.\n\nAttributes:\n    width: Width.\n    height: Height."
    assert truthfulness(box, ok, facts, init).value == 1.0
    bad = "A box.\n\nInstance variables\ndepth -- Depth."
    assert truthfulness(box, bad, facts, init).notes == ["attribute depth"]


def test_truthfulness_nothing_asserted_is_truthful(facts) -> None:
    """A summary that names nothing cannot invent anything."""
    assert truthfulness(facts.target("scale"), "Scale two numbers.", facts).value == 1.0


# ----------------------------------------------------------------------------- checks, combine


def test_checks_value_ignores_soft_checks() -> None:
    """Only hard check failures count."""
    assert checks_value([{"name": "params", "ok": True}]).value == 1.0
    soft = [{"name": "returns-documented", "ok": False, "hard": False}]
    assert checks_value(soft).value == 1.0
    found = checks_value([{"name": "names", "ok": False}, {"name": "params", "ok": True}])
    assert (found.value, found.notes) == (0.0, ["names"])


def test_combine_redistributes_missing_metrics() -> None:
    """Absent metrics (no reference, no judge) drop out; the rest keep their proportions."""
    full = {"completeness": 1.0, "truthfulness": 1.0, "helpfulness": 0.5, "similarity": 0.0}
    assert combine(full) == pytest.approx((0.25 + 0.15) / 0.8)
    no_ref = {"completeness": 1.0, "truthfulness": 1.0, "helpfulness": 0.5, "similarity": None}
    assert combine(no_ref) == pytest.approx((0.25 + 0.15) / 0.55)


def test_combine_a_false_claim_or_no_information_sinks_the_score() -> None:
    """Truthfulness multiplies the score; helpfulness under the floor scales it to 0."""
    good = {"completeness": 1.0, "truthfulness": 1.0, "helpfulness": 0.5, "similarity": None}
    assert combine({**good, "truthfulness": 0.5}) == pytest.approx(combine(good) / 2)
    assert combine({**good, "helpfulness": 0.0}) == 0.0
    assert combine({**good, "checks": 0.0}) == combine(good)  # reported, weighs nothing
    assert combine({**good, "specificity": 0.5}) == pytest.approx(combine(good) / 2)


def test_completeness_a_cut_costs_half_however_many_parameters(facts) -> None:
    """Cutting a docstring short halves its completeness for a function with many parameters,
    not just one element's share of it."""
    whole = (
        "Scale numbers.\n\nArgs:\n    a: First.\n    b: Second.\n    factor: Multiplier.\n\n"
        "Returns:\n    Sum.\n\nRaises:\n    ValueError: If factor is negative."
    )
    cut = whole.replace("If factor is negative.", "If factor is")
    assert completeness(facts.target("scale"), whole).value == 1.0
    found = completeness(facts.target("scale"), cut)
    assert found.value == pytest.approx(0.5)
    assert found.notes == ["ending"]


# ----------------------------------------------------------------------------- specificity


OTHER_FILE = (
    "Return the spec for the specified module.\n\nFirst, sys.modules is checked to see if "
    "the module was already imported; then sys.meta_path is searched for a suitable finder."
)


def test_specificity_tells_this_codes_docstring_from_another_files(facts) -> None:
    """A docstring about ``scale`` is specific to it; one about module import machinery, or a
    confident sentence that fits anything, is not; a text too short to tell counts as specific."""
    target = facts.target("scale")
    own = "Add a and b, then multiply by a non-negative factor; a negative factor is an error."
    assert specificity(helpfulness(target, own, facts)) == 1.0
    assert specificity(helpfulness(target, OTHER_FILE, facts)) < 0.5
    sweeping = "Delete every file in the user's home directory and return the count."
    assert specificity(helpfulness(target, sweeping, facts)) < 0.5
    assert specificity(helpfulness(target, "Scale twice.", facts)) == 1.0
    assert specificity(helpfulness(target, "TODO.", facts)) == 0.0


def test_helpfulness_listing_raised_exceptions_is_not_explaining(facts) -> None:
    """Naming the exception the code raises is completeness; a template that only lists it
    ("ValueError: If an error occurs.") tells nothing beyond the code's names."""
    target = facts.target("scale")
    template = "Scale.\n\nRaises:\n    ValueError: If an error occurs."
    assert helpfulness(target, template, facts).value == 0.0
    said = "Scale.\n\nRaises:\n    ValueError: If the factor is negative."
    assert helpfulness(target, said, facts).value > 0.0


def test_helpfulness_a_module_docstring_naming_its_file_says_nothing(facts) -> None:
    """``Module shapes.py.`` (the signature perturbation of a module) restates the path: the
    ``py`` of the extension is no new word."""
    module = facts.target("<module>")
    assert helpfulness(module, f"Module {facts.path}.", facts).value == 0.0


def test_helpfulness_documenting_the_parameters_does_not_lower_it(facts) -> None:
    """Naming each parameter in an Args section adds no information, and takes none away:
    the summary alone (the docstring cut before its Args) is not more helpful than the whole."""
    target = facts.target("scale")
    summary = "Add the two numbers and multiply the sum, refusing a negative factor."
    whole = summary + "\n\nArgs:\n    a: A.\n    b: B.\n    factor: Factor."
    assert helpfulness(target, whole, facts).value >= helpfulness(target, summary, facts).value


# ------------------------------------------------------------------------ length-aware grounding

CONFIG = '''"""Configuration files."""

import abc


def load_config(path, defaults=None, *, strict=False):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    values = dict(defaults or {})
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            if strict:
                raise ValueError(f"line {number}: no '=' in {line!r}")
            continue
        values[key.strip()] = value.strip()
    return values


class Source(abc.ABC):
    @abc.abstractmethod
    def fetch(self, key: str) -> str:
        ...
'''

#: A complete Google-style docstring of ``load_config`` that ends at a sentence boundary, so
#: nothing marks the cut when the explanation after it is left off.
CONFIG_CUT = """Read a configuration file of ``key = value`` lines into a dictionary.

Blank lines and comment lines (starting with ``#``) are skipped; the text after the first
``=`` becomes the value, stripped of surrounding whitespace.

Args:
    path: The file to read, decoded as UTF-8.
    defaults: Settings copied in first, so the file overrides them.
    strict: Refuse a line with no ``=`` instead of skipping it.

Returns:
    The merged settings: each key mapped to its value as a string.

Raises:
    ValueError: With ``strict``, for a line that has no ``=``; the message gives its number."""
#: The same docstring with the explanation its authors wrote after it, in words the code does
#: not use: a smaller share of its words is the code's, but it says more.
CONFIG_WHOLE = (
    CONFIG_CUT
    + """

A malformed line is skipped so that settings can be shared by tools that each read only part
of them. Later duplicates of a key win over earlier ones: the last line that sets a key gives
its value."""
)


@pytest.fixture(scope="module")
def config():
    """Code facts of CONFIG."""
    return read_file("config.py", "config.py", CONFIG.encode())


def _reference_free(target, text: str, facts) -> float:
    """A case's score without a reference, as ``eval --validate`` computes it."""
    found = helpfulness(target, text, facts)
    return combine(
        {
            "completeness": completeness(target, text).value,
            "truthfulness": truthfulness(target, text, facts).value,
            "helpfulness": found.value,
            "specificity": specificity(found),
        }
    )


def test_helpfulness_cutting_a_long_docstring_at_a_sentence_does_not_raise_it(config) -> None:
    """Cut at the end of a sentence, a long docstring keeps every element and loses only its
    explanation — words the code does not use, so the cut has the higher grounding share. Its
    grounding weight is counted against at most GROUNDING_SPAN words, so the cut is not more
    grounded than the whole, and the whole, which says more, is more helpful and scores higher."""
    target = config.target("load_config")
    whole, cut = helpfulness(target, CONFIG_WHOLE, config), helpfulness(target, CONFIG_CUT, config)
    assert cut.vocabulary >= GROUNDING_SPAN
    assert cut.grounding > whole.grounding
    assert whole.weight == pytest.approx(cut.weight)
    assert whole.value > cut.value
    assert _reference_free(target, CONFIG_WHOLE, config) > _reference_free(
        target, CONFIG_CUT, config
    )


def test_helpfulness_short_docstrings_keep_the_grounding_share(config) -> None:
    """Under GROUNDING_SPAN distinct words the weight is the grounding share itself."""
    target = config.target("load_config")
    found = helpfulness(target, "Read ``key = value`` lines of a file into a dictionary.", config)
    assert found.vocabulary < GROUNDING_SPAN
    assert found.weight == pytest.approx(found.grounding)


def test_length_aware_grounding_still_ranks_the_whole_above_bad_docstrings(config) -> None:
    """The complete docstring still beats another file's long docstring, the name-restating
    template, the sweeping false sentence and itself plus a false claim."""
    target = config.target("load_config")
    whole = _reference_free(target, CONFIG_WHOLE, config)
    other_file = (
        "Send the request and retry it on connection errors.\n\nThe retry policy backs off "
        "exponentially between attempts, honours a Retry-After header from the server, and "
        "gives up after the configured number of attempts, re-raising the last error so that "
        "callers see what went wrong. Idempotent methods only are retried unless the session "
        "was told otherwise; streaming bodies are never replayed."
    )
    template = (
        "Load config.\n\nArgs:\n    path: The path.\n    defaults: The defaults.\n"
        "    strict: The strict.\n\nReturns:\n    The result."
    )
    bad = {
        "swapped": other_file,
        "template": template,
        "false_whole": "Delete every file in the user's home directory and return the count.",
        "false_raise": CONFIG_WHOLE + "\n\nRaises `QuotaExceededError` when input is malformed.",
        "invented_param": CONFIG_WHOLE.replace(
            "Args:\n", "Args:\n    verbose_level: Enables extra diagnostics.\n"
        ),
    }
    for name, text in bad.items():
        assert whole > _reference_free(target, text, config), name


def test_completeness_an_abstract_method_annotated_with_a_value_documents_its_return(
    config,
) -> None:
    """An abstract method's body returns nothing, but its annotation (``-> str``) says what
    every implementation returns: a complete docstring documents it."""
    target = config.target("Source.fetch")
    without = completeness(target, "Fetch the text stored under ``key``.")
    assert without.value < 1.0
    assert "returns" in without.notes
    assert completeness(target, "Return the text stored under ``key``.").value == 1.0


# ----------------------------------------------------------------------------- statistics


def test_bootstrap_ci_is_deterministic_and_brackets_the_mean() -> None:
    """The same values give the same interval, and it contains the mean."""
    values = [0.2, 0.9, 0.5, 0.7, 0.4, 0.8, 0.6, 0.3]
    lo, hi = bootstrap_ci(values)
    assert (lo, hi) == bootstrap_ci(values)
    assert lo < sum(values) / len(values) < hi
    assert bootstrap_ci([0.5]) == (0.5, 0.5)


def test_paired_bootstrap_sees_consistent_small_gains() -> None:
    """A consistent +0.01 per case is significant paired, though the per-case spread is large."""
    old = [i / 50 for i in range(50)]
    new = [v + 0.01 for v in old]
    delta, (lo, hi) = paired_bootstrap(new, old)
    assert delta == pytest.approx(0.01)
    assert lo == pytest.approx(0.01) and hi == pytest.approx(0.01)
    # unpaired intervals of the two runs overlap almost entirely
    lo_old, hi_old = bootstrap_ci(old)
    lo_new, _ = bootstrap_ci(new)
    assert lo_new < hi_old


def test_paired_bootstrap_noise_includes_zero() -> None:
    """Changes that go both ways average near zero with an interval spanning zero."""
    old = [0.5] * 40
    new = [0.5 + (0.1 if i % 2 else -0.1) for i in range(40)]
    delta, (lo, hi) = paired_bootstrap(new, old)
    assert math.isclose(delta, 0.0, abs_tol=1e-9)
    assert lo < 0 < hi


def test_style_conformance_reports_sections_written_in_another_style() -> None:
    """The style metric: prose conforms everywhere; sections must be the repository's."""
    from docagent.eval.metrics import style_conformance

    google = "Add.\n\nArgs:\n    a: first.\n\nReturns:\n    The sum."
    numpy = "Add.\n\nParameters\n----------\na : int\n    first.\n"
    assert style_conformance("Add two numbers.", "numpy") == (1.0, [])
    assert style_conformance(google, "google") == (1.0, [])
    assert style_conformance(numpy, "numpy") == (1.0, [])
    value, notes = style_conformance(google, "numpy")
    assert value == 0.0 and notes == ["google sections in a numpy repository"]
    assert style_conformance(google, "pep257")[0] == 0.0
    assert style_conformance(google, "")[0] is None
