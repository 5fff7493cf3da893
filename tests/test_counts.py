"""Instruction counts are exact, whatever the quantum, the thread count or the block shape.

Each guest is generated with a loop shape (nesting, block lengths, a branch taken on odd
iterations) so its instruction count is known by construction; every thread runs the same
loop and ends with a plain thread `exit`. The count emu reports — the run loop's total, the
block counter's, and the `--cycles` profile's — must equal it, and `--max-insns N` must stop
after exactly N.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from archdata import expect
from conftest import ARCHES, run_emu
from hypothesis import given, settings
from hypothesis import strategies as st

from emu.errors import GuestError
from emu.machine import Machine
from emu.options import RunOptions
from emu.program import load_program
from emu.timing.model import model_for
from emu.timing.profile import Profiler

STACK = 4096
CLONE_FLAGS = 0x50F00  # VM|FS|FILES|SIGHAND|THREAD: a thread, no tid bookkeeping


@dataclass(frozen=True)
class Dialect:
    """How one arch spells the pieces of the generated guest."""

    header: str
    clone: str  # one child: {n} is the child's index; the child continues at `body`
    clone_parent: int  # instructions the parent runs per clone
    clone_child: int  # instructions a child runs from clone's return to `body`
    fillers: tuple[str, ...]
    outer: str  # set the outer counter to {o}
    inner: str  # set the inner counter to {i}
    odd_test: str  # two instructions: branch to `2f` when the inner counter is even
    inner_end: str  # two instructions: decrement the inner counter, loop to `1b` while non-zero
    outer_end: str  # two instructions: the same for the outer counter, to `0b`
    exit: str  # three instructions: exit(0) of this thread only
    footer: str = ""


def dialect(arch: str) -> Dialect:
    """The arch's spelling of the guest: [counts.dialect] in its tests/expect.toml."""
    fields = dict(expect(arch, "counts.dialect"))
    return Dialect(**{**fields, "fillers": tuple(fields["fillers"])})


@dataclass(frozen=True)
class Shape:
    """A doubly nested loop: `outer` x `inner` iterations, `body` filler instructions per inner
    iteration, `extra` more on odd inner counters (a branch around them), `threads` threads."""

    outer: int
    inner: int
    body: tuple[int, ...]  # filler indices
    extra: tuple[int, ...]
    threads: int


def source(arch: str, shape: Shape) -> str:
    d = dialect(arch)
    fill = d.fillers
    lines = [d.header, ".text", ".globl _start", "_start:"]
    for n in range(1, shape.threads):
        lines.append(d.clone.format(n=n, flags=CLONE_FLAGS))
    lines += ["body:", d.outer.format(o=shape.outer), "0:", d.inner.format(i=shape.inner), "1:"]
    lines += [fill[k] for k in shape.body]
    lines.append(d.odd_test)
    lines += [fill[k] for k in shape.extra]
    lines += ["2:", d.inner_end, d.outer_end, d.exit, d.footer, ".bss", ".balign 16"]
    for n in range(1, shape.threads):
        lines += [f".zero {STACK}", f"stack{n}:"]
    return "\n".join(lines) + "\n"


def expected_count(arch: str, shape: Shape) -> int:
    """What the guest executes, by construction."""
    d = dialect(arch)
    odd = (shape.inner + 1) // 2  # inner counters inner..1 that are odd
    per_outer = 1 + shape.inner * (len(shape.body) + 4) + odd * len(shape.extra) + 2
    loop = 1 + shape.outer * per_outer + 3
    children = shape.threads - 1
    return children * (d.clone_parent + d.clone_child) + shape.threads * loop


def machine_for(tmp_path: Path, arch: str, shape: Shape, **options: Any) -> Machine:
    path = tmp_path / f"loop_{arch}.s"
    path.write_text(source(arch, shape))
    image, arch_data = load_program(str(path), arch)
    return Machine(arch_data, image, RunOptions(**options))


shapes = st.builds(
    Shape,
    outer=st.integers(1, 4),
    inner=st.integers(1, 9),
    body=st.lists(st.integers(0, 3), max_size=12).map(tuple),
    extra=st.lists(st.integers(0, 3), max_size=5).map(tuple),
    threads=st.integers(1, 3),
)
quanta = st.one_of(st.integers(1, 5), st.integers(6, 400), st.just(100_000))


@pytest.mark.parametrize("arch", ARCHES)
@settings(max_examples=20, deadline=None)
@given(shape=shapes, quantum=quanta, seed=st.integers(0, 3))
def test_counts_are_exact_for_any_shape_quantum_and_threads(
    tmp_path_factory: pytest.TempPathFactory, arch: str, shape: Shape, quantum: int, seed: int
) -> None:
    machine = machine_for(tmp_path_factory.mktemp("counts"), arch, shape, quantum=quantum, seed=seed)
    profiler = Profiler(machine.counter, machine.arch, model_for(arch, None))
    assert machine.run() == 0
    expected = expected_count(arch, shape)
    assert machine.total_instructions == expected
    assert machine.counter.executed == expected
    assert profiler.report(machine.image).totals.instructions == expected
    retired = machine.scheduler.retired_instructions  # exited threads' records are freed
    assert sum(t.instructions for t in machine.threads) + retired == expected


@pytest.mark.parametrize("arch", ARCHES)
@settings(max_examples=15, deadline=None)
@given(shape=shapes, quantum=quanta, data=st.data())
def test_max_insns_stops_after_exactly_n(
    tmp_path_factory: pytest.TempPathFactory, arch: str, shape: Shape, quantum: int, data: st.DataObject
) -> None:
    limit = data.draw(st.integers(1, expected_count(arch, shape) - 1), label="max_insns")
    machine = machine_for(tmp_path_factory.mktemp("limit"), arch, shape, quantum=quantum, max_insns=limit)
    with pytest.raises(GuestError) as stopped:
        machine.run()
    assert stopped.value.exit_status == 124
    assert f"after {limit} instructions" in str(stopped.value)
    assert machine.total_instructions == machine.counter.executed == limit


@pytest.mark.parametrize("quantum", ["1000000000", "100000", "1000", "7"])
def test_cycles_report_counts_the_heads_of_cut_blocks(tmp_path: Path, quantum: str) -> None:
    """The issue-11 case: a slice ending inside a block ran its head in count mode; the
    `--cycles-json` total used to drop those instructions (fewer the smaller the quantum)."""
    shape = Shape(outer=3, inner=2000, body=(0, 1, 2), extra=(3,), threads=1)
    path = tmp_path / "loop.s"
    path.write_text(source("amd64", shape))
    report = tmp_path / "cycles.json"
    done = run_emu("run", path, "--arch", "amd64", "--quantum", quantum, "--cycles-json", report)
    assert done.returncode == 0, done.stderr
    assert json.loads(report.read_text())["total_instructions"] == expected_count("amd64", shape)
