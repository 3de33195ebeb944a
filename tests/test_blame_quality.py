"""Blame detection measured on labelled sentences, both ways, with hard negatives.

``blame_sentences.yaml`` was written while building the rules; ``blame_holdout.yaml`` was
written afterwards and not used to tune them. Both are general English, not corpus text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from afterword.lint import LintDocument, LintSettings
from afterword.lint.rules.blame import find_blame

DATA = Path(__file__).parent / "data"


def scores(name: str) -> tuple[float, float]:
    labelled = yaml.safe_load((DATA / name).read_text())
    hits = {
        label: [
            bool(find_blame(LintDocument.from_text(f"# T\n\n{s}\n", "s.md", LintSettings())))
            for s in sentences
        ]
        for label, sentences in labelled.items()
    }
    true_positive = sum(hits["blame"])
    false_positive = sum(hits["blameless"])
    precision = true_positive / max(1, true_positive + false_positive)
    recall = true_positive / len(hits["blame"])
    return precision, recall


@pytest.mark.parametrize(
    ("name", "floor"), [("blame_sentences.yaml", 0.95), ("blame_holdout.yaml", 0.85)]
)
def test_precision_and_recall(name, floor):
    precision, recall = scores(name)
    assert precision >= floor and recall >= floor, (precision, recall)
