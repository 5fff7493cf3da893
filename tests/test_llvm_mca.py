"""emu's steady-state cycles per iteration versus llvm-mca on the corpus (each arch's timing/mca/).

Needs llvm-mca (Debian `llvm`; `make tools` installs it). Skipped when missing, except in CI
(CI=true), where a missing llvm-mca is a failure. The rule (docs/timing.md): every entry is
within ±25% of llvm-mca, or covered by an exception in timing/mca/exceptions.toml whose reason
docs/timing.md gives. An undocumented regression, a stale exception or a missing reason fails.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_tool

from emu import arch as arches
from emu.timing import llvm_mca
from emu.timing.llvm_mca import (
    Comparison,
    case_files,
    coverage_problems,
    exceptions,
    mca_models,
    mca_tools,
    problems,
)
from emu.timing.model import load_model

ROOT = Path(__file__).resolve().parent.parent


def families() -> dict[str, list[str]]:
    """What the arch folders ask to be compared: per arch, its models that name an llvm-mca CPU."""
    return {name: mca_models(name) for name in arches.names() if mca_models(name)}


@pytest.fixture(scope="module")
def rows() -> list[Comparison]:
    require_tool(*mca_tools())
    from emu.timing.llvm_mca import compare

    return compare()


def test_every_entry_is_within_25_percent_or_a_documented_difference(rows: list[Comparison]) -> None:
    for r in rows:
        print(f"{r.arch} {r.kernel} {r.cpu}: emu {r.emu:.2f} llvm-mca {r.mca} {r.no_mca}")
    assert problems(rows, exceptions()) == []


def test_every_arch_with_an_llvm_mca_model_has_a_corpus_and_every_model_is_accounted_for() -> None:
    """Found from the arch folders, not listed here: an arch whose models name an llvm-mca CPU
    and that has no timing/mca/ bodies fails (by name), as does a model naming neither an
    llvm-mca CPU nor why llvm-mca cannot check it."""
    assert families(), "no arch names an llvm-mca CPU"
    assert coverage_problems() == []


def test_coverage_problems_names_an_arch_without_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself: with one arch's corpus folder gone, that arch is named."""
    name = next(iter(families()))
    found = llvm_mca.corpus_dirs()
    monkeypatch.setattr(llvm_mca, "corpus_dirs", lambda: {k: v for k, v in found.items() if k != name})
    assert any(p.startswith(f"{name}: ") and "no timing/mca" in p for p in coverage_problems())


def test_coverage_problems_names_a_model_with_neither_an_llvm_mca_cpu_nor_a_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A model that names no llvm-mca CPU must say why (llvm_mca_skip); one that does is compared."""
    name, models = next(iter(families().items()))
    silent = dataclasses.replace(llvm_mca.load_model(models[0]), llvm_mca_cpu=None)
    monkeypatch.setattr(llvm_mca, "load_model", lambda m: silent if m == models[0] else load_model(m))
    assert any(models[0] in p and "llvm_mca_skip" in p for p in coverage_problems())
    excused = dataclasses.replace(silent, llvm_mca_skip="llvm-mca has no model of this CPU")
    monkeypatch.setattr(llvm_mca, "load_model", lambda m: excused if m == models[0] else load_model(m))
    assert coverage_problems() == [] and models[0] not in mca_models(name)


def test_the_corpus_covers_every_model_with_at_least_20_kernels(rows: list[Comparison]) -> None:
    assert {name for name, _ in case_files()} == set(families())
    for arch, models in families().items():
        kernels = [p for name, p in case_files() if name == arch]
        assert len(kernels) >= 24, arch  # the stubs' loops plus at least 20 kernels
        for model in models:
            assert sum(r.arch == arch and r.cpu == model for r in rows) == len(kernels)


def test_most_entries_are_compared_not_excused(rows: list[Comparison]) -> None:
    """The exceptions are the few documented differences, not the rule: llvm-mca schedules every
    model, and at least 85% of the entries it schedules are within ±25%."""
    scheduled = [r for r in rows if r.mca is not None]
    assert {r.cpu for r in scheduled} == {cpu for models in families().values() for cpu in models}
    assert sum(r.close for r in scheduled) >= 0.85 * len(scheduled)


def test_every_exception_has_its_reason_in_the_docs() -> None:
    docs = (ROOT / "docs" / "timing.md").read_text()
    for e in exceptions():
        assert f"**{e.doc}**" in docs, e


def test_problems_reports_an_undocumented_entry_and_a_stale_exception() -> None:
    """The checker itself: a far-off entry without an exception, and an exception whose entry is
    now close, are both reported (so the rule cannot pass vacuously)."""
    far = Comparison("amd64", "k", "skylake", 3.0, 1.0)
    close = Comparison("amd64", "k", "zen2", 1.1, 1.0)
    refused = Comparison("arm", "k", "cortex-a9", 1.0, None, "llvm-mca: unsupported")
    stale = [e for e in exceptions() if e.arch == "amd64" and "memclr" in e.kernels]
    found = problems([far, close, refused], stale)
    assert any("amd64 k skylake" in f for f in found)
    assert any("arm k cortex-a9" in f for f in found)
    assert any("stale" in f for f in found)
    assert not any("amd64 k zen2" in f for f in found)


@pytest.mark.slow  # runs the whole comparison again in a subprocess (~10-20 s)
def test_the_tool_prints_the_table_and_exits_zero_only_when_the_rule_holds() -> None:
    require_tool(*mca_tools())
    done = subprocess.run(
        [sys.executable, "-m", "emu.timing.llvm_mca"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("| arch | kernel | cpu |")
    assert "UNEXPLAINED" not in done.stdout and "documented differences" in done.stdout
