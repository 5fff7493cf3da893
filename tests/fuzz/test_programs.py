"""Fuzz: random guest programs, run in-process on every arch (issue 12).

Three kinds of program, each bounded by --max-insns and --timeout:
- raw instruction bytes;
- templated sequences (loads, stores, atomics, barriers, branches and calls through
  registers) whose registers start as small numbers, pointers into the data page,
  pointers just outside it, or wild 64-bit values;
- syscalls with random numbers and random arguments, between template instructions.

Whatever the program does, emu must end it with one of its documented outcomes: an
exit status, death by a signal (128+N), 2 for a deadlock, or 124 at the budget —
never an internal error (EngineError, exit 3/70), any other exception, or a hang.
Programs are built straight from bytes (fragments assembled once per arch), so a
case costs one Machine, not an assembler run.
"""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from archdata import expect
from conftest import ARCHES, machine_code
from hypothesis import given, settings
from hypothesis import strategies as st

from emu import arch as arches
from emu.arch import Arch
from emu.errors import GuestError
from emu.image import Image, Segment
from emu.machine import Machine
from emu.options import RunOptions
from fuzz.conftest import record

MAX_INSNS = 5_000
WALL_LIMIT = 10  # seconds per program before the harness calls it a hang
DATA_SIZE = 0x1000
DEADLOCK, BUDGET = 2, 124
# Machine state no Linux process can set by itself (x86 flags' system bits, ARM mode, PowerPC MSR)
STATE_REGISTERS = ("rflags", "cpsr", "msr")
LONG = os.environ.get("EMU_FUZZ_PROFILE") == "long"
# `make fuzz`: at least 10,000 programs per arch over the three kinds
EXAMPLES = max(settings().max_examples, 3_400) if LONG else settings().max_examples

# Fragments per arch ([fuzz] fragments in its tests/expect.toml): GNU syntax, assembled once by
# keystone; r1/r2 name working registers. Each program ends with [snippets] exit_zero.


@functools.cache
def fragments(arch_name: str) -> tuple[tuple[bytes, ...], bytes]:
    """(each fragment's bytes, the exit sequence) for `arch_name`, assembled once."""
    arch = arches.get(arch_name)

    def assemble(text: str) -> bytes:
        return machine_code(arch, text.replace(";", "\n"), arch.text_base)

    texts = expect(arch_name, "fuzz.fragments")
    return tuple(assemble(text) for text in texts), assemble(expect(arch_name, "snippets.exit_zero"))


def data_base(arch: Arch) -> int:
    return arch.text_base + 0x100000


def word_values(arch: Arch) -> st.SearchStrategy[int]:
    """Register contents: small numbers, pointers into or just past the data page, wild words."""
    base, mask = data_base(arch), arch.word_mask
    return st.one_of(
        st.integers(0, 64),
        st.integers(base, base + DATA_SIZE - 8).map(lambda a: a & ~7),
        st.sampled_from(
            [base - 8, base + DATA_SIZE, 0, mask, mask >> 1, 1 << (arch.bits - 1), arch.text_base]
        ),
        st.integers(0, mask),
    )


@st.composite
def registers(draw: st.DrawFn, arch: Arch, syscall: bool = False) -> dict[str, int]:
    names = [n for n in arch.registers.general if n not in (arch.pc, arch.sp, *STATE_REGISTERS)]
    values = {name: draw(word_values(arch)) for name in names}
    if draw(st.integers(0, 9)) == 0:
        values[arch.sp] = draw(word_values(arch))  # a wild stack pointer, now and then
    if syscall:
        numbers = sorted(arch.syscalls.values())
        values[arch.syscall.number] = draw(st.one_of(st.sampled_from(numbers), st.integers(0, 0x7FFF)))
    return values


def image(arch: Arch, code: bytes, data: bytes, regs: dict[str, int]) -> Image:
    """A program straight from bytes: code at the text base (then exit), a writable data page."""
    _, exit_code = fragments(arch.name)
    text = code + exit_code
    segments = [
        Segment(".text", arch.text_base, text, len(text), executable=True),
        Segment(".data", data_base(arch), data, DATA_SIZE, writable=True),
    ]
    return Image(arch.name, segments, {"_start": arch.text_base}, arch.text_base, initial_registers=regs)


class Hang(Exception):
    """A program ran past WALL_LIMIT: --max-insns and --timeout did not end it."""


@contextmanager
def hang_guard() -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise Hang(f"still running after {WALL_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(WALL_LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_case(kind: str, program: Image, arch: Arch) -> None:
    """Run one program; fail on anything but a documented outcome, else count it in the ledger."""
    options = RunOptions(max_insns=MAX_INSNS, timeout=WALL_LIMIT / 2, mem_limit=64 << 20)
    with hang_guard():
        try:
            Machine(arch, program, options).run()
            outcome = "ok"
        except GuestError as err:
            status = err.exit_status
            assert status in (DEADLOCK, BUDGET) or 129 <= status <= 128 + 64, str(err)
            outcome = {DEADLOCK: "error", BUDGET: "limit"}.get(status, "signal")
    record(f"programs ({kind})", arch.name, outcome)


@pytest.fixture(autouse=True)
def empty_stdin() -> Iterator[None]:
    """The guest's stdin is /dev/null: a random read(0) must not wait on the terminal."""
    saved = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    try:
        yield
    finally:
        os.dup2(saved, 0)
        os.close(saved)


@pytest.mark.fuzz
@pytest.mark.parametrize("arch_name", ARCHES)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_raw_instruction_bytes(arch_name: str, data: st.DataObject) -> None:
    arch = arches.get(arch_name)
    code = data.draw(st.binary(min_size=1, max_size=64), label="code")
    memory = data.draw(st.binary(max_size=DATA_SIZE), label="data")
    run_case("raw bytes", image(arch, code, memory, data.draw(registers(arch), label="registers")), arch)


@pytest.mark.fuzz
@pytest.mark.parametrize("arch_name", ARCHES)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_templated_sequences(arch_name: str, data: st.DataObject) -> None:
    arch = arches.get(arch_name)
    pieces = data.draw(
        st.lists(st.sampled_from(fragments(arch_name)[0]), min_size=1, max_size=24), label="code"
    )
    regs = data.draw(registers(arch), label="registers")
    run_case("templates", image(arch, b"".join(pieces), bytes(DATA_SIZE), regs), arch)


@pytest.mark.fuzz
@pytest.mark.parametrize("arch_name", ARCHES)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_random_syscalls(arch_name: str, data: st.DataObject) -> None:
    """A syscall with random number and arguments, then template code, then another."""
    arch = arches.get(arch_name)
    pieces, _ = fragments(arch_name)
    trap = pieces[expect(arch.name, "fuzz.fragments").index(arch.syscall.trap)]
    between = data.draw(st.lists(st.sampled_from(pieces), max_size=6), label="between")
    regs = data.draw(registers(arch, syscall=True), label="registers")
    run_case("syscalls", image(arch, trap + b"".join(between) + trap, bytes(DATA_SIZE), regs), arch)
