"""Fuzz the syscall layer: random syscalls with random arguments, per arch, through the real
run loop (threads, blocking, signals), bounded by --max-insns, --timeout and --mem-limit.

The guest is a loop of the arch's trap instruction; before each trap is answered, the harness
puts the next (number, arguments) of the case into the syscall registers, and exit_group(0)
once the case is used up. Numbers come from the arch's syscall table (or are any number);
arguments from values that break handlers: 0, -1, huge, page-sized, and pointers to writable,
PROT_NONE, unmapped and code memory. Every case must end in a documented outcome (an exit
status, death by a signal, the budget, a deadlock report) — never an internal error or a hang —
and emu's accounted memory stays within --mem-limit. `python tests/fuzz/test_syscalls.py
SEED CASES` runs cases outside pytest: test_peak_rss_stays_within_the_mem_limit measures it.
"""

from __future__ import annotations

import gc
import io
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

try:
    from fuzz.conftest import record
except ImportError:  # run as a script (the peak-RSS child): nothing to record into

    def record(path: str, arch: str, outcome: str) -> None:
        pass


from emu import arch as arches
from emu.asm import assemble_text
from emu.errors import EmuError, EngineError
from emu.kernel import Kernel
from emu.kernel.files import OpenFile
from emu.kernel.vfs import VirtualFile
from emu.machine import Machine
from emu.memory import PROT_NONE
from emu.options import RunOptions

MEM_LIMIT = 32 << 20
MAX_INSNS = 20_000
TIMEOUT = 10.0
RESERVATION = 0x7E0000000  # a PROT_NONE range the arguments may point into
ARCHES = tuple(arches.names())  # every arch folder found
EMU_OVERHEAD = 256 << 20  # emu's own resident memory besides the guest's (interpreter, unicorn)
OUTCOMES = {2: "error", 124: "limit"}  # an EmuError's exit status -> the ledger's word (>128: signal)


class Sink(OpenFile):
    """The guest's stdout/stderr in the harness: random pointers would print megabytes."""

    def write(self, kernel: Kernel, data: bytes) -> int:
        return len(data)


def machine_for(arch_name: str) -> Machine:
    arch = arches.get(arch_name)
    from archdata import expect  # tests/archdata.py (this file also runs as a script: see main)

    prelude, loop = expect(arch_name, "snippets.prelude"), expect(arch_name, "snippets.syscall_loop")
    image = assemble_text(f"{prelude}\n    .globl _start\n    .text\n_start:\n{loop}\n", arch)
    options = RunOptions(
        max_insns=MAX_INSNS, timeout=TIMEOUT, mem_limit=MEM_LIMIT, quantum=1000, strace_stream=io.StringIO()
    )  # --strace on: its printers read random pointers too
    machine = Machine(arch, image, options)
    machine.load()
    machine.memory.map(RESERVATION, 1 << 20, PROT_NONE, "[fuzz-reserve]")
    files = machine.kernel.files.entries
    files[0], files[1], files[2] = (VirtualFile(b""), False), (Sink(), False), (Sink(), False)
    return machine


def interesting(machine: Machine) -> list[int]:
    """Argument values that break handlers, for this machine's arch and layout."""
    arch, mask = machine.arch, machine.arch.word_mask
    writable = arch.stack_top - arch.stack_size + 0x1000
    return [
        0, 1, 2, 3, 8, 16, 64, 0x22, 0x32, 4096, arch.page_size, 1 << 20, 1 << 31, 0x7FFFFFFF,
        1 << 40, mask, mask >> 1, mask - 4095, writable, writable + 3, RESERVATION, RESERVATION + 8,
        0xDEAD0000, 0x10, machine.image.entry,
    ]  # fmt: skip


def feed(machine: Machine, calls: list[tuple[int, list[int]]]) -> None:
    """Answer each trap with the next call of the case (then exit_group(0))."""
    kernel, abi = machine.kernel, machine.arch.syscall
    queue: Iterator[tuple[int, list[int]]] = iter(calls)
    exit_group = machine.arch.syscalls["exit_group"]
    answer = Kernel.dispatch

    def dispatch(thread) -> None:
        number, args = next(queue, (exit_group, [0]))
        machine.regs[abi.number] = number
        for register, value in zip(abi.args, args, strict=False):
            machine.regs[register] = value
        answer(kernel, thread)

    kernel.dispatch = dispatch  # type: ignore[method-assign]  # the harness's seam: each trap runs the next call


def run_case(arch_name: str, choose: random.Random | st.DataObject) -> str:
    """One case; returns its outcome. An internal error or any other exception fails it."""
    machine = machine_for(arch_name)
    values, numbers = interesting(machine), sorted(machine.arch.syscall_names)
    drawn: list[tuple[int, list[int]]] = []
    if isinstance(choose, st.DataObject):
        for _ in range(choose.draw(st.integers(1, 12))):
            number = choose.draw(st.one_of(st.sampled_from(numbers), st.integers(0, 1 << 16)))
            args = choose.draw(
                st.lists(st.one_of(st.sampled_from(values), st.integers(0, 1 << 64)), min_size=6, max_size=6)
            )
            drawn.append((number, args))
    else:
        for _ in range(choose.randint(1, 12)):
            number = choose.choice(numbers) if choose.random() < 0.9 else choose.randrange(1 << 16)
            drawn.append((number, [choose.choice(values) for _ in range(6)]))
    calls = [(number, [value & machine.arch.word_mask for value in args]) for number, args in drawn]
    feed(machine, calls)
    try:
        machine.run()
        outcome = "ok"
    except EngineError:
        raise  # "internal error in the syscall layer": the bug this harness looks for
    except EmuError as err:
        outcome = OUTCOMES.get(err.exit_status) or ("signal" if err.exit_status > 128 else "")
        assert outcome, f"undocumented status {err.exit_status}: {err}"
    assert machine.memory.mapped_bytes + machine.memory.record_bytes <= MEM_LIMIT
    stream = machine.options.strace_stream
    assert isinstance(stream, io.StringIO)
    trace = stream.getvalue()
    assert trace.isascii() and all(line.isprintable() for line in trace.splitlines()), (
        "--strace wrote a control character: a guest could forge lines or send terminal escapes"
    )
    record("syscalls", arch_name, outcome)
    return outcome


@pytest.mark.fuzz
@pytest.mark.parametrize("arch_name", ARCHES)
@given(data=st.data())
def test_random_syscalls_end_in_a_documented_outcome(arch_name: str, data: st.DataObject) -> None:
    run_case(arch_name, data)


@pytest.mark.fuzz
def test_peak_rss_stays_within_the_mem_limit() -> None:
    """50 seeded cases per arch in a child under RLIMIT_AS: its peak RSS, from wait4,
    stays under MEM_LIMIT + EMU_OVERHEAD."""

    from conftest import run_limited  # tests/conftest.py (this file also runs as a script)

    status, peak = run_limited([sys.executable, __file__, "12", "50"], 6 << 30, stdout=subprocess.DEVNULL)
    assert status == 0
    assert peak < MEM_LIMIT + EMU_OVERHEAD


def main(seed: int, cases: int) -> None:
    """Run `cases` seeded cases per arch; print the outcome counts (the campaign summary)."""
    choose = random.Random(seed)
    for arch_name in ARCHES:
        outcomes: dict[str, int] = {}
        for _ in range(cases):
            outcome = run_case(arch_name, choose)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            gc.collect()  # engines sit in reference cycles: free each one's translation buffer now
        print(arch_name, dict(sorted(outcomes.items())))


if __name__ == "__main__":
    sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]
    main(int(sys.argv[1]), int(sys.argv[2]))
