"""Exported eval cases in other tools' formats: promptfoo templates and inspect_ai negatives."""

from __future__ import annotations

import json

import pytest

from docagent.store.export import NEGATIVE_TARGET, template_literal, to_inspect, to_promptfoo

TRICKY = 'Render ``{{ user.name }}`` with {% raw %}x{% endraw %} and {# note #}; sets {"a": {1}}.'


def _case(decision: str, draft: str = TRICKY, reference: str = TRICKY) -> dict:
    return {
        "id": f"c-{decision}",
        "path": "tpl.py",
        "qualname": "render",
        "kind": "function",
        "style": "google",
        "source": "def render(user):\n    return f'{{{user}}}'\n",
        "draft": draft,
        "reference": reference,
        "decision": decision,
        "tags": [decision],
    }


@pytest.mark.parametrize(
    "text", [TRICKY, "{{", "{%", "{#", "{{{", "}}", "{ {", "", "plain", "{{ '{' }}", "{%- x -%}"]
)
def test_template_literals_render_back_to_the_text(text):
    jinja2 = pytest.importorskip("jinja2")  # the same tag syntax as promptfoo's Nunjucks
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True)
    assert env.from_string(template_literal(text)).render(user={"name": "X"}) == text


def test_promptfoo_vars_and_assertions_hold_the_text_as_data():
    jinja2 = pytest.importorskip("jinja2")
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True)
    config = json.loads(to_promptfoo([_case("accept"), _case("reject")]))
    for test in config["tests"]:
        vars_ = {k: env.from_string(v).render() for k, v in test["vars"].items()}
        assert vars_["draft"] == TRICKY and vars_["source"].endswith("f'{{{user}}}'\n")
        for a in test["assert"]:
            assert env.from_string(a["value"]).render(**vars_) == TRICKY
    # the echo provider's output (the prompt ``{{draft}}`` rendered) is the recorded draft
    (prompt,) = config["prompts"]
    rendered = {k: env.from_string(v).render() for k, v in config["tests"][0]["vars"].items()}
    assert env.from_string(prompt).render(**rendered) == TRICKY


def test_inspect_negatives_cannot_pass_a_stock_scorer():
    samples = [json.loads(x) for x in to_inspect([_case("accept"), _case("reject")]).splitlines()]
    pos, neg = samples
    assert pos["target"] == TRICKY and not pos["metadata"]["negative"]
    assert neg["metadata"]["negative"] and neg["metadata"]["draft"] == TRICKY
    assert neg["target"] == NEGATIVE_TARGET
    # inspect_ai's includes()/match() pass when the output contains/ends with the target: an
    # empty target passed every output; this one no plausible output contains
    for output in ("", TRICKY, "Render the user's name."):
        assert neg["target"] not in output and not output.endswith(neg["target"])
