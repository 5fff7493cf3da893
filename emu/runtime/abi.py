"""The guest-visible runtime ABI: hypercall numbers, the G struct, G states, type descriptors.

Everything here is also written (as `.equ` lines) in runtime_asm/<dir>/rt0.s;
tests/test_runtime.py checks that the two agree. Offsets are in words, so one
table serves 4- and 8-byte arches.
"""

from __future__ import annotations

from dataclasses import dataclass

# Emu-private syscall numbers: above every Linux table, and 0x7e00..0x7eff is a
# 16-bit value `li`/`movw` can load. The handler runs inside the syscall hook, so it
# only records the call; the runtime answers it between slices (hypercalls.py).
HC_BASE = 0x7E00
HYPERCALLS = (
    "rt0",
    "schedule",
    "gosched",
    "goexit",
    "newproc",
    "mallocgc",
    "makechan",
    "chansend",
    "chanrecv",
    "printstr",
    "printline",
    "exit",
    "gc",
)
# G struct: word index of each field (stack bounds, the gobuf, status, ...).
G_FIELDS = {
    "stack_lo": 0,
    "stack_hi": 1,
    "sched": 2,
    "status": 8,
    "goid": 9,
    "param": 10,
    "arg0": 11,
    "arg1": 12,
    "m": 13,
    "note": 14,
}
G_WORDS = 16
GOBUF_FIELDS = ("sp", "pc", "g", "ctxt", "ret", "lr")  # runtime_asm/README.md, one word each

# G states (proc1.go's _G* values); atomicstatus is changed with the cas stub.
G_IDLE, G_RUNNABLE, G_RUNNING, G_WAITING, G_DEAD = 0, 1, 2, 4, 6
STATUS_NAMES = {
    G_IDLE: "idle",
    G_RUNNABLE: "runnable",
    G_RUNNING: "running",
    G_WAITING: "waiting",
    G_DEAD: "dead",
}

# Type descriptor written by the program (see examples/runtime): words
# size, kind, gc0 (ptrmask buffer: unroll flag byte, then the mask), gc1 (GC program).
TYPE_WORDS = 4
KIND_NO_POINTERS, KIND_GC_PROG = 0x80, 0x100

# GC program instructions (mgc.go): insData n bits..., insArray count body insArrayEnd, insEnd.
INS_END, INS_DATA, INS_ARRAY, INS_ARRAY_END = 0, 1, 2, 3
BITS_DEAD, BITS_SCALAR, BITS_POINTER = 0, 1, 2  # 2 bits per word in programs and masks


@dataclass(frozen=True)
class Layout:
    """Byte offsets for one word size."""

    word: int

    def g(self, field: str) -> int:
        return G_FIELDS[field] * self.word

    def gobuf(self, field: str) -> int:
        return GOBUF_FIELDS.index(field) * self.word

    @property
    def g_size(self) -> int:
        return G_WORDS * self.word

    def rt0_equates(self) -> dict[str, int]:
        """What rt0.s must define with `.equ`."""
        values = {f"HC_{name.upper()}": HC_BASE + i for i, name in enumerate(HYPERCALLS)}
        values |= {f"G_{name.upper()}": self.g(name) for name in ("sched", "param", "arg0", "arg1", "note")}
        return values
