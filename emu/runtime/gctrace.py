"""`--gctrace` lines in Go's own GODEBUG=gctrace=1 format, so tools that parse Go's traces read them.

Go 1.19 (runtime/mgc.go, gcMarkTermination) prints

    gc N @Ts P%: a+b+c ms clock, d+e/f/g+h ms cpu, H0->H1->H2 MB, G MB goal, S MB stacks, X MB globals, N P

The toy runtime's collection is one stop-the-world mark and sweep, so fields for phases it does
not have are 0, never invented (docs/runtime.md): the whole pause is the mark phase ("b" in
clock time, "f" — dedicated mark workers — in CPU time); sweep termination, mark termination,
assists and idle marking are 0. H0 and H1 are equal (nothing allocates while the world is
stopped); H2 is the live heap after the sweep. Times are on the virtual clock: one instruction
is 1 ns (emu/sched.py), so the pause is the collector's stub instructions. Toy heaps are
kilobytes, so the MB fields are usually 0: a second line, `emu gc N: ...`, gives them in bytes
(Go's trace parsers skip lines that do not start with `gc `).
"""

from __future__ import annotations

from dataclasses import dataclass


def ms(ns: int) -> str:
    """Go's fmtNSAsMS: whole ms from 10 ms up, else two significant digits, at most 3 decimals."""
    if ns >= 10_000_000:
        return str(ns // 1_000_000)
    x = ns // 1000
    if x == 0:
        return "0"
    decimals = 3
    while x >= 100:
        x //= 10
        decimals -= 1
    return _div(x, decimals)


def _div(value: int, decimals: int) -> str:
    """Go's itoaDiv: `value / 10**decimals` with exactly `decimals` decimals."""
    if decimals == 0:
        return str(value)
    digits = str(value).rjust(decimals + 1, "0")
    return f"{digits[:-decimals]}.{digits[-decimals:]}"


@dataclass(frozen=True)
class GcLine:
    """What one toy collection gives the trace."""

    number: int
    since_start_ns: int
    gc_ns_total: int  # every collection's pause so far, this one included
    pause_ns: int
    heap_before: int
    heap_live: int
    goal: int
    stacks: int
    globals: int
    procs: int

    def go_format(self) -> str:
        seconds = _div(self.since_start_ns // 1_000_000, 3)
        util = self.gc_ns_total * 100 // max(self.since_start_ns + self.pause_ns, 1)
        mb = [v >> 20 for v in (self.heap_before, self.heap_before, self.heap_live)]
        return (
            f"gc {self.number} @{seconds}s {util}%: 0+{ms(self.pause_ns)}+0 ms clock, "
            f"0+0/{ms(self.pause_ns)}/0+0 ms cpu, {mb[0]}->{mb[1]}->{mb[2]} MB, {self.goal >> 20} MB goal, "
            f"{self.stacks >> 20} MB stacks, {self.globals >> 20} MB globals, {self.procs} P"
        )
