"""The fuzz campaign's ledger: every harness records each case's outcome per input path and arch.

At the end of a session that ran fuzz tests, a summary table (runs and outcomes per path and arch,
peak host memory) is printed and written to build/fuzz-summary.md; docs/fuzzing.md holds the one
from the last long campaign. An outcome is a short word: "ok" (ran to its exit), "error" (one-line
error, exit 2), "signal" (guest killed by a signal), "limit" (--max-insns/--timeout/--mem-limit).
Anything else (an internal error, a hang) fails the harness itself, so it never reaches the ledger.
"""

from __future__ import annotations

import resource
from collections import Counter
from pathlib import Path

import pytest

OUTCOMES = ("ok", "error", "signal", "limit")
LEDGER: Counter[tuple[str, str, str]] = Counter()
SUMMARY = Path(__file__).resolve().parents[2] / "build" / "fuzz-summary.md"


def record(path: str, arch: str, outcome: str) -> None:
    """Count one fuzz case: input path (e.g. "programs"), arch ("-" if none), outcome."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown fuzz outcome {outcome!r} (known: {', '.join(OUTCOMES)})")
    LEDGER[(path, arch, outcome)] += 1


@pytest.fixture
def fuzz_ledger():
    """The `record` function, as a fixture for harnesses that prefer one."""
    return record


def peak_rss_mib() -> float:
    """Peak resident memory of this process (every in-process case so far), in MiB. Children
    are not summed here: their wait4 peaks include this process's (tests/conftest.run_limited)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summary_table() -> str:
    rows = sorted({(path, arch) for path, arch, _ in LEDGER})
    lines = [
        "| input path | arch | runs | " + " | ".join(OUTCOMES) + " |",
        "|---|---|---:|" + "---:|" * len(OUTCOMES),
    ]
    for path, arch in rows:
        counts = [LEDGER[(path, arch, outcome)] for outcome in OUTCOMES]
        lines.append(f"| {path} | {arch} | {sum(counts)} | " + " | ".join(map(str, counts)) + " |")
    lines.append("")
    lines.append(
        f"peak RSS of the test process (every in-process case, cumulative): {peak_rss_mib():.0f} MiB"
    )
    return "\n".join(lines) + "\n"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not LEDGER:
        return
    table = summary_table()
    terminalreporter.write_sep("=", "fuzz campaign")
    terminalreporter.write(table)
    SUMMARY.parent.mkdir(exist_ok=True)
    SUMMARY.write_text(table)
