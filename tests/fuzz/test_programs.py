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
from conftest import ARCHES
from hypothesis import given, settings
from hypothesis import strategies as st

from emu import arch as arches
from emu import cpu
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

# Fragments per arch: GNU syntax, assembled once by keystone. r1/r2 name working registers.
FRAGMENTS = {
    "amd64": [
        "mov rax, qword ptr [rbx]",
        "mov qword ptr [rbx], rcx",
        "mov rcx, qword ptr [rsi + 8]",
        "mov byte ptr [rdi + rcx], al",
        "lock xadd qword ptr [rbx], rcx",
        "lock cmpxchg qword ptr [rsi], rdx",
        "xchg qword ptr [rdi], rax",
        "lock inc dword ptr [rbx]",
        "mfence",
        "add rbx, rcx",
        "sub rsi, 8",
        "xor ecx, ecx",
        "div rcx",
        "idiv rbx",
        "push rax",
        "pop rbx",
        "jmp rbx",
        "call rcx",
        "ret",
        "jmp qword ptr [rsi]",
        "mov rsp, rbx",
        "rep movsb",
        "rep stosq",
        "syscall",
        "nop",
        "int3",
        "movaps xmm0, xmmword ptr [rbx]",
        "cmpxchg16b xmmword ptr [rsi]",
        "hlt",
        "shl rax, cl",
    ],
    "arm": [
        "ldr r0, [r1]",
        "str r2, [r1]",
        "ldr r3, [r4, #8]",
        "strb r0, [r5, r2]",
        "ldrex r0, [r1]",
        "strex r3, r2, [r1]",
        "ldrexd r4, r5, [r6]",
        "dmb ish",
        "add r1, r1, r2",
        "sub r4, r4, #8",
        "mov r2, #0",
        "mul r0, r0, r2",
        "push {r0}",
        "pop {r1}",
        "bx r1",
        "blx r2",
        "mov pc, r3",
        "ldr pc, [r4]",
        "mov sp, r5",
        "svc #0",
        "nop",
        "bkpt #0",
        "vldr d0, [r1]",
        "ldm r4, {r0, r2}",
        "stm r1!, {r2, r3}",
        "mrc p15, 0, r0, c13, c0, 3",
        "lsl r0, r0, r2",
    ],
    "ppc64": [
        "ld 3, 0(4)",
        "std 5, 0(4)",
        "ld 6, 8(7)",
        "stbx 3, 8, 5",
        "ldarx 3, 0, 4",
        "stdcx. 5, 0, 4",
        "lwarx 6, 0, 7",
        "stwcx. 6, 0, 7",
        "lwsync",
        "sync",
        "isync",
        "add 4, 4, 5",
        "addi 7, 7, -8",
        "li 5, 0",
        "divd 3, 3, 5",
        "divwu 6, 6, 5",
        "mtctr 4",
        "bctrl",
        "mtlr 5",
        "blr",
        "mr 1, 4",
        "sc",
        "nop",
        "trap",
        "lfd 1, 0(4)",
        "stdu 1, -32(1)",
        "mtmsrd 3",
        "sld 3, 3, 5",
    ],
    "arm64": [
        "ldr x0, [x1]",
        "str x2, [x1]",
        "ldr x3, [x4, #8]",
        "strb w0, [x5, x2]",
        "ldaxr x0, [x1]",
        "stlxr w3, x2, [x1]",
        "ldaxp x4, x5, [x6]",
        "dmb ish",
        "add x1, x1, x2",
        "sub x4, x4, #8",
        "mov x2, #0",
        "sdiv x0, x0, x2",
        "stp x0, x1, [sp, #-16]!",
        "ldp x0, x1, [sp], #16",
        "br x1",
        "blr x2",
        "ret x3",
        "mov sp, x5",
        "svc #0",
        "nop",
        "brk #0",
        "ldr d0, [x1]",
        "mrs x0, tpidr_el0",
        "msr sctlr_el1, x0",
        "lsl x0, x0, x2",
    ],
}
EXIT = {
    "amd64": "mov edi, 0; mov eax, 60; syscall",
    "arm": "mov r0, #0; mov r7, #1; svc #0",
    "ppc64": "li 3, 0; li 0, 1; sc",
    "arm64": "mov x0, #0; mov x8, #93; svc #0",
}


def family(arch: Arch) -> str:
    return "ppc64" if arch.name.startswith("ppc64") else arch.name


@functools.cache
def fragments(arch_name: str) -> tuple[tuple[bytes, ...], bytes]:
    """(each fragment's bytes, the exit sequence) for `arch_name`, assembled once."""
    arch = arches.get(arch_name)
    assembler = cpu.new_assembler(arch)

    def assemble(text: str) -> bytes:
        encoding, _ = assembler.asm(text.replace(";", "\n"), arch.text_base)
        return bytes(encoding)

    return tuple(assemble(text) for text in FRAGMENTS[family(arch)]), assemble(EXIT[family(arch)])


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
    trap = pieces[FRAGMENTS[family(arch)].index(arch.syscall.trap)]
    between = data.draw(st.lists(st.sampled_from(pieces), max_size=6), label="between")
    regs = data.draw(registers(arch, syscall=True), label="registers")
    run_case("syscalls", image(arch, trap + b"".join(between) + trap, bytes(DATA_SIZE), regs), arch)
