"""Go's start-up check() (runtime1.go), run through the stubs: `emu check --arch ARCH|all`.

Each item calls the real stubs on the emulated CPU (StubMachine) and compares
with what runtime1.go demands; timediv and the NaN comparisons are Go code, not
stubs, so they run on the host model and say so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from emu.errors import UsageError
from emu.stubs import StubError, StubMachine, UserStubs, int32_pairs


@dataclass
class Item:
    name: str
    ok: bool
    detail: str


def _cas32(sm: StubMachine) -> list[Item]:
    """check()'s three cas calls, with old and new in every form the port's callers pass an int32.

    0xffffffff is the int32 -1: sign-extended in a 64-bit register it catches a
    stub that compares all 64 bits (cmpd) with a zero-extending load.
    """
    items = []
    for start, old, new, want_ok, want_z in (
        (1, 1, 2, 1, 2),
        (4, 5, 6, 0, 4),
        (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE, 1, 0xFFFFFFFE),
    ):
        for form, old_reg, new_reg in int32_pairs(sm.arch, old, new):
            sm.write_int(sm.data, start, 4)
            ok = sm.call("cas", sm.data, old_reg, new_reg)
            z = sm.read_int(sm.data, 4)
            how = f" [{form}: old={old_reg:#x} new={new_reg:#x}]" if form else ""
            items.append(
                Item(
                    f"cas(&z={start:#x}, {old:#x}, {new:#x}){how}",
                    ok == want_ok and z == want_z,
                    f"returned {bool(ok)}, z = {z:#x} (want {bool(want_ok)}, {want_z:#x})",
                )
            )
    return items


def _casp(sm: StubMachine) -> list[Item]:
    k = (0xFEDCB123 << 10) & sm.arch.word_mask if sm.arch.bits == 64 else 0xFEDCB123
    word = sm.arch.word_size
    sm.write_int(sm.data, k, word)
    nil_ok = sm.call("casp", sm.data, 0, 0)
    ok = sm.call("casp", sm.data, k, k + 1)
    value = sm.read_int(sm.data, word)
    return [
        Item("casp(&k, nil, nil)", not nil_ok, f"returned {bool(nil_ok)} (want false)"),
        Item(f"casp(&k={k:#x}, k, k+1)", bool(ok) and value == k + 1, f"returned {bool(ok)}, k = {value:#x}"),
    ]


def _atomicor8(sm: StubMachine) -> list[Item]:
    sm.write(sm.data, bytes([1, 1, 1, 1]))
    sm.call("atomicor8", sm.data + 1, 0xF0)
    m = list(sm.read(sm.data, 4))
    return [
        Item("atomicor8(&m[1], 0xf0) on {1,1,1,1}", m == [1, 0xF1, 1, 1], f"m = {{{', '.join(map(hex, m))}}}")
    ]


def _atomic64(sm: StubMachine) -> list[Item]:
    z = sm.data + 64  # 8-aligned: arm's 64-bit atomics require it
    sm.write_int(z, 42, 8)
    results = [
        ("cas64(&z=42, 0, 1) false", sm.call("cas64", z, 0, 1) == 0),
        ("cas64(&z, 42, 1) true", sm.call("cas64", z, 42, 1) == 1),
        ("atomicload64(&z) == 1", sm.call("atomicload64", z) == 1),
    ]
    sm.call("atomicstore64", z, (1 << 40) + 1)
    results.append(("atomicstore64(&z, 1<<40+1)", sm.read_int(z, 8) == (1 << 40) + 1))
    results.append(("xadd64(&z, 1<<40+1) == 2<<40+2", sm.call("xadd64", z, (1 << 40) + 1) == (2 << 40) + 2))
    results.append(("xchg64(&z, 3<<40+3) == 2<<40+2", sm.call("xchg64", z, (3 << 40) + 3) == (2 << 40) + 2))
    results.append(("z == 3<<40+3 at the end", sm.read_int(z, 8) == (3 << 40) + 3))
    return [Item(f"testAtomic64: {name}", ok, "") for name, ok in results]


def timediv(v: int, div: int) -> tuple[int, int]:
    """runtime1.go's timediv: binary long division in 31 steps (no 64-bit divide on 32-bit)."""
    res = 0
    for bit in range(30, -1, -1):
        if v >= div << bit:
            v -= div << bit
            res |= 1 << bit
    if v >= div:
        return 0x7FFFFFFF, 0
    return res, v


def _go_code(sm: StubMachine) -> list[Item]:
    quotient, rem = timediv(12345 * 10**9 + 54321, 10**9)
    nan = math.nan
    nan_ok = not (nan == nan) and nan != nan and not (nan < nan) and not (nan > nan)  # noqa: PLR0124, SIM201
    return [
        Item(
            "timediv(12345e9+54321, 1e9) == 12345 rem 54321 (Go code, host model)",
            (quotient, rem) == (12345, 54321),
            f"got {quotient} rem {rem}",
        ),
        Item("NaN comparisons (Go code, host model)", nan_ok, ""),
    ]


# Each part of check() and the stubs it calls (to tell whether a user's stub took part).
CHECKS: tuple[tuple[Callable[[StubMachine], list[Item]], tuple[str, ...]], ...] = (
    (_cas32, ("cas",)),
    (_casp, ("casp",)),
    (_atomicor8, ("atomicor8",)),
    (_atomic64, ("cas64", "atomicload64", "atomicstore64", "xadd64", "xchg64")),
    (_go_code, ()),
)


def user_stubs_called(sm: StubMachine) -> list[str]:
    """The user's functions that check() calls; an error if there are none (a verdict about nothing)."""
    if sm.user is None:
        return []
    called = [stub for _, stubs in CHECKS for stub in stubs if stub in sm.source.user_functions]
    if not called:
        every = ", ".join(stub for _, stubs in CHECKS for stub in stubs)
        raise UsageError(
            f"{sm.source.user_file} defines {', '.join(sm.source.user_functions)}, none of which check() "
            f"calls ({every}): nothing of yours to check on {sm.arch.name}"
        )
    return called


@dataclass
class CheckRun:
    """check() on one arch: its items, and which of the stubs it called were the user's."""

    arch: str
    items: list[Item]
    user_file: Path | None = None
    user_called: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(not item.ok for item in self.items)


def run_check(arch_name: str, user: UserStubs | None = None) -> CheckRun:
    sm = StubMachine(arch_name, user)
    run = CheckRun(arch_name, [], sm.source.user_file, user_stubs_called(sm))
    for check, _ in CHECKS:
        try:
            run.items += check(sm)
        except StubError as err:
            run.items.append(Item(check.__name__.strip("_"), False, str(err)))
            sm = StubMachine(arch_name, user)
    return run


def report(run: CheckRun) -> str:
    mine = f" with {', '.join(run.user_called)} from {run.user_file}" if run.user_called else ""
    lines = [f"{run.arch}: check(){mine}"]
    for item in run.items:
        lines.append(
            f"  {'ok  ' if item.ok else 'FAIL'} {item.name}"
            + (f": {item.detail}" if item.detail and not item.ok else "")
        )
    total = len(run.items)
    lines.append(
        f"{run.arch}: {run.failed} of {total} items failed"
        if run.failed
        else f"{run.arch}: all {total} items ok"
    )
    return "\n".join(lines)
