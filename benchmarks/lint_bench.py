"""Lint throughput against proselint, in the same process, on the same files.

The corpus in ``../shared/corpus`` is replicated to about ``--docs`` documents in a
temporary folder. Afterword lints them with the full rule set, spread over every core
(as ``afterword lint`` does); proselint, the anchor, lints the same files with its
default checks the way its own CLI does (one process). Each is timed ``--runs`` times
and the best run counts. Prints docs/s for both and the ratio.

    python benchmarks/lint_bench.py [--docs 1000] [--runs 3] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from afterword.lint import LintSettings, collect, lint_files

ROOT = Path(__file__).resolve().parent.parent


def replicate(corpus: Path, folder: Path, docs: int) -> list[str]:
    """Copies of the corpus postmortems under ``folder``, about ``docs`` of them."""
    sources = [p for p in sorted(corpus.rglob("*.md")) if p.name.lower() != "readme.md"]
    files = []
    for index in range(docs):
        source = sources[index % len(sources)]
        target = folder / f"{index:05d}-{source.name}"
        shutil.copyfile(source, target)
        files.append(str(target))
    return files


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def run_afterword(files: list[str]) -> None:
    report = lint_files(collect(files), LintSettings())
    assert not report.errors, report.errors[:3]


def run_proselint(files: list[str]) -> None:
    from proselint.checks import __register__
    from proselint.config import DEFAULT
    from proselint.registry import CheckRegistry
    from proselint.tools import LintFile

    registry = CheckRegistry()
    if not registry.get_all_enabled(DEFAULT["checks"]):
        registry.register_many(__register__)
    for path in files:
        LintFile(Path(path)).lint(DEFAULT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = replicate(args.corpus, Path(folder), args.docs)
        size = sum(Path(f).stat().st_size for f in files)
        print(
            f"corpus: {args.corpus} replicated to {len(files)} documents "
            f"({size / 1e6:.1f} MB); {args.runs} runs each, best run counts; "
            f"{os.cpu_count()} cores"
        )
        ours = best_of(args.runs, lambda: run_afterword(files))
        anchor = best_of(args.runs, lambda: run_proselint(files))
    print(f"afterword lint (all rules, all cores): {len(files) / ours:8.1f} docs/s ({ours:.2f} s)")
    print(
        f"proselint (default checks, anchor):    {len(files) / anchor:8.1f} docs/s ({anchor:.2f} s)"
    )
    print(f"ratio: {anchor / ours:.1f}x proselint's throughput")


if __name__ == "__main__":
    main()
