"""Every rule: documented with both examples, and its pass/fail/fix cases from YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from afterword.lint import LintSettings, all_rules, lint_text

CASES = Path(__file__).parent / "lint_cases"
RULES = all_rules()


def load_cases():
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for kind in ("pass", "fail", "fix"):
            for index, case in enumerate(data.get(kind, [])):
                yield pytest.param(data["rule"], kind, case, id=f"{data['rule']}-{kind}-{index}")


def document(case) -> str:
    if isinstance(case, str):
        return f"# Incident\n\n{case}\n"
    if "doc" in case:
        return case["doc"]
    return f"# Incident\n\n{case['text']}\n"


def findings(rule, text):
    return [f for f in lint_text(text, "case.md", LintSettings()) if f.rule == rule]


@pytest.mark.parametrize(("rule", "kind", "case"), list(load_cases()))
def test_rule_case(rule, kind, case):
    found = findings(rule, document(case))
    if kind == "pass":
        assert found == [], [f.message for f in found]
        return
    assert found, f"{rule} found nothing in:\n{document(case)}"
    if kind == "fix":
        assert found[0].suggestion == case["suggestion"]
        return
    if "line" in case:
        assert found[0].line == case["line"]
    if "column" in case:
        assert found[0].column == case["column"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_has_cases_both_ways(rule):
    path = CASES / f"{rule.name}.yaml"
    assert path.exists(), f"no cases for {rule.name}"
    data = yaml.safe_load(path.read_text())
    assert data["rule"] == rule.name
    assert data.get("pass") and data.get("fail")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_docstring_has_both_examples(rule):
    doc = rule.doc()
    assert "Anti-pattern:" in doc and "Better:" in doc
    assert len(rule.summary()) > 10


def test_names_and_codes_are_unique_and_well_formed():
    names = [rule.name for rule in RULES]
    codes = [rule.code for rule in RULES]
    assert len(set(names)) == len(names) and len(set(codes)) == len(codes)
    assert all(name == name.lower() and " " not in name for name in names)
    assert all(code.startswith("AW") and len(code) == 5 for code in codes)


def test_contract_rule_names_exist():
    expected = {
        "blame-language",
        "named-individual",
        "shallow-analysis",
        "missing-evidence",
        "no-action-items",
        "orphan-action-item",
        "action-item-no-due-date",
        "untracked-action-item",
        "vague-action-item",
        "too-many-action-items",
        "vague-timestamp",
        "timeline-out-of-order",
        "vague-error",
        "missing-section",
        "placeholder-text",
        "no-visual-evidence",
        "missing-impact",
    }
    assert expected <= {rule.name for rule in RULES}
