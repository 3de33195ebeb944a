"""`afterword lint`, `rules` and `explain`: formats, exit codes, selection, config, suppression."""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS, EXAMPLES

BLAMING = """---
title: Checkout outage
severity: SEV3
---

# Checkout outage

## Summary

For 20 minutes 30% of checkouts failed. Dana forgot to run the migration.

## Timeline

All times in UTC.

- 2024-01-15 10:02 - Alerts fire
- 2024-01-15 10:30 - Migration run, errors stop

## Root causes

- The deploy does not run migrations

## Action items

- Run migrations in the deploy pipeline (DEP-1, owner: @dana, due: 2024-02-01)
"""


def test_examples_lint_clean_of_errors(cli):
    result = cli("lint", EXAMPLES)
    assert result.code == 0, result.stdout
    assert "error" not in result.stdout.replace("0 error", "")


def test_json_contract_and_exit_1(cli, write):
    path = write("pm.md", BLAMING)
    result = cli("lint", path, "--format", "json")
    assert result.code == 1
    data = json.loads(result.stdout)
    assert data["version"] == 1 and data["files"] == 1
    blame = next(f for f in data["findings"] if f["rule"] == "blame-language")
    assert set(blame) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "rule",
        "code",
        "severity",
        "message",
        "suggestion",
    }
    assert (blame["line"], blame["column"], blame["code"], blame["severity"]) == (
        10,
        41,
        "AW101",
        "error",
    )
    assert (
        blame["end_column"]
        == len("For 20 minutes 30% of checkouts failed. Dana forgot to run the migration") + 1
    )
    assert (
        blame["suggestion"] == "The process did not require or check the step to run the migration."
    )


def test_select_ignore_and_fail_on(cli, write):
    path = write("pm.md", BLAMING)
    only = json.loads(cli("lint", path, "-f", "json", "--select", "AW1").stdout)["findings"]
    assert {f["rule"] for f in only} == {"blame-language", "named-individual"}
    assert cli("lint", path, "--ignore", "blame-language,named-individual").code == 0
    assert cli("lint", path, "--ignore", "AW1", "--fail-on", "warning").code in (0, 1)
    assert cli("lint", path, "--select", "no-such-rule").code == 2


def test_config_severity_and_overrides(cli, write, tmp_path, monkeypatch):
    write("pm.md", BLAMING)
    write("archive/old.md", BLAMING)
    write(
        "afterword.toml",
        """
        [lint]
        fail_on = "error"
        names = ["Dana"]
        [lint.severity]
        named-individual = "info"
        [[lint.overrides]]
        paths = ["archive/**"]
        ignore = ["blame-language"]
    """,
    )
    monkeypatch.chdir(tmp_path)
    data = json.loads(cli("lint", ".", "-f", "json").stdout)
    by_file = {}
    for f in data["findings"]:
        by_file.setdefault(f["path"].split("/")[-2] if "/" in f["path"] else "", set()).add(
            (f["rule"], f["severity"])
        )
    assert ("named-individual", "info") in by_file["archive"]
    assert not any(rule == "blame-language" for rule, _ in by_file["archive"])


def test_bad_lint_config_is_one_line(cli, write, tmp_path, monkeypatch):
    write("afterword.toml", '[lint]\nfail_on = "sometimes"\n')
    write("pm.md", BLAMING)
    monkeypatch.chdir(tmp_path)
    result = cli("lint", "pm.md")
    assert (
        result.code == 2 and "lint.fail_on: expected one of info, warning, error" in result.stderr
    )


def test_inline_suppression_and_stale_suppression(cli, write):
    text = (
        BLAMING.replace(
            "For 20 minutes",
            "<!-- afterword: disable=blame-language,named-individual -->\nFor 20 minutes",
        )
        + "\n<!-- afterword: disable=vague-error -->\nThe pipeline runs migrations now.\n"
    )
    path = write("pm.md", text)
    data = json.loads(cli("lint", path, "-f", "json").stdout)
    rules = [f["rule"] for f in data["findings"]]
    assert "blame-language" not in rules and "named-individual" not in rules
    stale = [f for f in data["findings"] if f["rule"] == "unused-suppression"]
    assert len(stale) == 1 and "vague-error" in stale[0]["message"]


def test_disable_file(cli, write):
    path = write(
        "pm.md", "<!-- afterword: disable-file=blame-language -->\n" + BLAMING.split("---\n", 2)[2]
    )
    rules = {f["rule"] for f in json.loads(cli("lint", path, "-f", "json").stdout)["findings"]}
    assert "blame-language" not in rules


def test_stdin(cli):
    result = cli("lint", "-", "-f", "json", input=BLAMING)
    data = json.loads(result.stdout)
    assert data["findings"][0]["path"] == "<stdin>"


def test_sarif_is_valid_2_1_0(cli, write):
    path = write("pm.md", BLAMING)
    sarif = json.loads(cli("lint", path, "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["endColumn"] >= region["startColumn"]
        assert not result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
            "/"
        )


def test_github_annotations(cli, write):
    path = write("pm.md", BLAMING)
    lines = cli("lint", path, "--format", "github").stdout.splitlines()
    blame = next(line for line in lines if "AW101" in line)
    assert blame.startswith("::error file=")
    assert ",line=10,col=41," in blame and "title=AW101 blame-language::" in blame
    assert "%0A%0ASuggestion%3A" not in blame and "%0A%0ASuggestion: " in blame


def test_input_error_in_one_file_is_exit_2_and_others_still_linted(cli, write, tmp_path):
    write("good.md", BLAMING)
    write("bad.md", "---\ntitle: X\nseverity: SEV9\n---\n")
    result = cli("lint", tmp_path, "-f", "json")
    assert result.code == 2
    assert "bad.md:3: severity: unknown severity 'SEV9'" in result.stderr
    assert json.loads(result.stdout)["files"] == 2


def test_missing_path_is_exit_2(cli, tmp_path):
    result = cli("lint", tmp_path / "nope.md")
    assert result.code == 2 and "no such file or folder" in result.stderr


def test_rules_and_explain(cli):
    listing = cli("rules").stdout
    assert "AW101  blame-language" in listing
    explained = cli("explain", "AW101")
    assert explained.code == 0
    assert "Anti-pattern:" in explained.stdout and "Better:" in explained.stdout
    assert cli("explain", "nope").code == 2
    data = json.loads(cli("rules", "--format", "json").stdout)
    assert {"code", "name", "severity", "group", "summary"} <= set(data[0])


def test_corpus_in_parallel_matches_serial(write):
    from afterword.lint import LintSettings, collect, lint_files

    files = collect([str(CORPUS)])
    serial = lint_files(files, LintSettings(), jobs=1)
    parallel = lint_files(files, LintSettings(), jobs=2)
    assert [f.as_dict() for f in serial.findings] == [f.as_dict() for f in parallel.findings]
    assert serial.files == len(files) >= 45 and not serial.errors


@pytest.mark.parametrize("name", ["PM2022-002 -  Logs not shipped to CloudWatch.md"])
def test_real_blame_in_the_corpus_is_found(cli, name):
    data = json.loads(cli("lint", CORPUS / "dfds" / name, "-f", "json", "--select", "AW101").stdout)
    assert data["findings"][0]["message"].startswith('"Human error" stops the analysis')
