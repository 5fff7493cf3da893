"""`emu run --memory-model`: a whole program under a weak memory model (emu/memmodel/attach.py).

The model must show what the architecture allows (a message passed without barriers arrives
before its data) and never what it forbids (the same with lwsync on both sides), and a correct
program must print and exit exactly as under `sc`: the kernel reads coherent memory.
"""

from __future__ import annotations

import pytest
from archdata import example
from conftest import ARCHES, run_emu

from emu import arch as arches
from emu.conformance import mutants
from emu.conformance.runner import SuiteOptions, run_suite

MESSAGE_PASSING = "tests/fixtures/memmodel/message_passing_ppc64x.S"
QUICK_SLICES = ("--quantum", "40")  # slices short enough for the threads to overlap


def _run(*args: str) -> int:
    done = run_emu("run", MESSAGE_PASSING, *QUICK_SLICES, *args)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode


@pytest.mark.parametrize("arch", ["ppc64", "ppc64le"])
def test_message_passing_without_barriers_fails_under_power_only(arch: str) -> None:
    assert _run("--arch", arch, "--memory-model", "power", "--seed", "1") == 1
    assert _run("--arch", arch, "--seed", "1") == 0  # the default model: sc


def test_message_passing_with_lwsync_never_fails_under_power() -> None:
    for seed in range(2):
        assert _run("--arch", "ppc64", "-D", "FENCED", "--memory-model", "power", "--seed", str(seed)) == 0


@pytest.mark.parametrize(
    "arch", [arch if arch == "ppc64le" else pytest.param(arch, marks=pytest.mark.slow) for arch in ARCHES]
)
def test_a_threaded_program_prints_the_same_under_its_arch_model(arch: str) -> None:
    """The arch's own model (its [memory_model] default), fenced as its stubs are, changes nothing."""
    program = example(arch, "runtime/workers")
    plain = run_emu("run", program, "--arch", arch)
    model = arches.get(arch).memory_model.default
    weak = run_emu("run", program, "--arch", arch, "--memory-model", model, "--quantum", "500")
    assert (weak.returncode, weak.stdout) == (plain.returncode, plain.stdout), weak.stderr
    assert plain.returncode == 0 and plain.stdout


def test_an_unknown_memory_model_is_a_one_line_error() -> None:
    done = run_emu("run", MESSAGE_PASSING, "--arch", "ppc64", "--memory-model", "alpha")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "memory-model" in done.stderr


@pytest.mark.parametrize("name", ["atomicstore_no_barrier", "cas_no_release_barrier"])
def test_barrier_mutants_are_right_under_sc(name: str) -> None:
    """The message-passing case catches them through the memory model: under sc they pass."""
    mutant = mutants.get(name)
    report = run_suite(SuiteOptions(["ppc64", "arm"], stub=mutant.stub, user=mutant.stubs, memory_model="sc"))
    assert report.ok, [f"{r.arch} {r.case}" for r in report.failures()]
    assert {r.case for r in report.results if r.checks} >= set(mutant.caught_by)


def test_emu_test_memory_model_option_decides_the_verdict() -> None:
    common = ("test", "--arch", "ppc64", "--mutant", "atomicstore_no_barrier", "--stub", "atomicstore")
    caught = run_emu(*common)
    assert caught.returncode == 1, caught.stdout
    assert "contended: message passing, data then atomicstore(flag)" in caught.stdout
    assert "model power" in caught.stdout
    assert run_emu(*common, "--memory-model", "sc").returncode == 0


@pytest.mark.parametrize(
    ("arch", "shipped"),
    [
        ("ppc64", ["sync: full"]),
        ("arm", ["dmb ish: full"] * 2),
        ("amd64", ["xchg dword ptr [rdi], esi: locked: full"]),
    ],
)
def test_explain_lists_the_barriers_a_call_ran(arch: str, shipped: list[str]) -> None:
    from emu import arch as arches
    from emu.debug.explain import run_one

    target = arches.get(arch)
    model = target.memory_model.default
    column = run_one(target, "atomicstore", "u32:0", ["m", "0x01020304"], None, model)
    assert (column.orderings, column.error) == (shipped, "")
    mutant = mutants.get("atomicstore_no_barrier").stubs
    assert run_one(target, "atomicstore", "u32:0", ["m", "0x01020304"], mutant, model).orderings == []
