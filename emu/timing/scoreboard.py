"""Per-block cost: a scoreboard over register dependencies, run once per block.

A block's cost is its steady-state cycles per execution: the block is issued
repeatedly (ITERATIONS times) through a small pipeline model and the cost is the
growth of the latest issue time over the second half. Two pipelines share the code:

- in-order (`in_order = true`): instructions issue in program order, at most
  `issue_width` per cycle, each when its source registers are ready (producer
  start + latency) and its port is free;
- out-of-order: dispatch in order at `issue_width` per cycle, but each
  instruction starts when its sources and port allow (unbounded window).

Register values carry from one repetition to the next only when the block loops
to itself (its executions mostly follow itself); otherwise every repetition
starts with ready registers, so only the block's own throughput counts. Branches
are predicted: they do not wait for their flags/counter. A `serialize` class
(barriers, locked RMW, syscalls) waits for everything before it to complete and
holds back everything after it until it is done.
"""

from __future__ import annotations

import bisect
import ctypes
import math
from dataclasses import dataclass

from emu.native import build
from emu.timing.classify import UNCLASSIFIED, Decoded
from emu.timing.model import CpuModel

ITERATIONS = 48  # enough for slow resource bounds to overtake early latency chains
PREDICTED = frozenset({"branch", "branch_indirect", "call", "ret"})
SERIALIZE, PREDICTED_FLAG, UPDATE = 1, 2, 4  # instruction flags of emu/native/scoreboard.c


@dataclass(frozen=True)
class BlockCost:
    """What one execution of a block costs, and what it is made of."""

    cycles: float
    ninsns: int
    unclassified: int
    classes: tuple[str, ...]


@dataclass(frozen=True)
class Issued:
    """When one instruction was dispatched, started and had its result ready (cycles)."""

    dispatch: float
    start: float
    done: float


class _Reservations:
    """When one port is busy, as disjoint sorted intervals (adjacent ones merged).

    An out-of-order core may start a younger instruction in a gap an older one left (a store
    waiting for its data must not hold the port against the next iteration's independent
    load), so a single "free from" time that only moves forward is not enough. Merging keeps
    a saturated port one interval long, so finding a gap stays short however many
    instructions were issued (unmerged, pricing was quadratic in the block's issues)."""

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []

    def gap(self, earliest: float, length: float) -> float:
        """The first time >= earliest at which the port is free for `length` cycles."""
        start = earliest
        first = max(0, bisect.bisect_right(self.starts, earliest) - 1)  # earlier ones end before it
        for index in range(first, len(self.starts)):
            if self.ends[index] <= start + 1e-9:
                continue
            if self.starts[index] >= start + length - 1e-9:
                break
            start = self.ends[index]
        return start

    def reserve(self, start: float, end: float) -> None:
        """Mark [start, end) busy, merging with the intervals it touches or overlaps."""
        first = bisect.bisect_left(self.ends, start - 1e-9)  # the first interval ending at or after start
        last = bisect.bisect_right(self.starts, end + 1e-9)  # past the last one starting at or before end
        if first < last:
            start = min(start, self.starts[first])
            end = max(end, self.ends[last - 1])
        self.starts[first:last] = [start]
        self.ends[first:last] = [end]


class _Pipe:
    """Pipeline state while a block is issued repeatedly."""

    def __init__(self, model: CpuModel) -> None:
        self.model = model
        self.ready: dict[str, float] = {}
        self.port_busy: dict[str, _Reservations] = {}
        self.slot = 0  # dispatch slots used
        self.last_start = 0.0
        self.fence = 0.0  # nothing starts before this (a serializing instruction's end)
        self.drained = 0.0  # when everything issued so far completes
        self.cycle_used: dict[int, int] = {}

    def issue(self, insn: Decoded) -> Issued:
        """When `insn` dispatches, starts and completes; updates the scoreboard."""
        cost = self.model.cost(insn.cls)
        dispatch = self.slot / self.model.issue_width
        start = max(dispatch, self.fence)
        self.slot += 1
        if insn.cls not in PREDICTED:
            start = max([start, *(self.ready.get(r, 0.0) for r in insn.reads)])
        if cost.serialize:
            start = max(start, self.drained)
        if cost.port != "none":
            start = self._port(cost.port).gap(start, cost.rthroughput)
        if self.model.in_order:
            start = self._in_order_slot(max(start, self.last_start))
        if cost.port != "none":
            self._port(cost.port).reserve(start, start + cost.rthroughput)
        done = start + cost.latency
        for reg in insn.writes:
            self.ready[reg] = done
        # An update form's base register comes from its own ALU uop, not from the memory access.
        for reg in insn.address_writes:
            self.ready[reg] = start + (
                cost.update_latency if cost.update_latency is not None else cost.latency
            )
        self.drained = max(self.drained, done)
        if cost.serialize:
            self.fence = done
        self.last_start = start
        return Issued(dispatch, start, done)

    def _port(self, name: str) -> _Reservations:
        port = self.port_busy.get(name)
        if port is None:
            port = self.port_busy[name] = _Reservations()
        return port

    def _in_order_slot(self, start: float) -> float:
        """Whole cycles, at most issue_width instructions in each."""
        cycle = math.ceil(start - 1e-9)
        while self.cycle_used.get(cycle, 0) >= self.model.issue_width:
            cycle += 1
        self.cycle_used[cycle] = self.cycle_used.get(cycle, 0) + 1
        return float(cycle)


def trace_issue(insns: list[Decoded], model: CpuModel, loops: bool, iterations: int) -> list[Issued]:
    """Every instruction of `iterations` back-to-back executions, as `block_cost` issues them."""
    pipe = _Pipe(model)
    issued = []
    for _ in range(iterations):
        if not loops:
            base = max(pipe.slot / model.issue_width, pipe.fence)
            pipe.ready = dict.fromkeys(pipe.ready, base)
        issued += [pipe.issue(i) for i in insns]
    return issued


def block_cost(insns: list[Decoded], model: CpuModel, loops: bool) -> BlockCost:
    """Steady-state cycles per execution of `insns` on `model` (see module docstring)."""
    classes = tuple(i.cls for i in insns)
    unclassified = sum(1 for c in classes if c == UNCLASSIFIED)
    if not insns:
        return BlockCost(0.0, 0, 0, classes)
    lib = build.load()
    cycles = (
        _native_cycles(lib, insns, model, loops) if lib is not None else _python_cycles(insns, model, loops)
    )
    return BlockCost(max(cycles, len(insns) / model.issue_width), len(insns), unclassified, classes)


def _python_cycles(insns: list[Decoded], model: CpuModel, loops: bool) -> float:
    """Growth of the latest start per execution over the second half of ITERATIONS executions."""
    issued = trace_issue(insns, model, loops, ITERATIONS)
    ends, latest = [], 0.0
    for first in range(0, len(issued), len(insns)):
        latest = max(latest, *(i.start for i in issued[first : first + len(insns)]))
        ends.append(latest)
    half = ITERATIONS // 2
    return (ends[-1] - ends[half - 1]) / (ITERATIONS - half)


def _native_cycles(lib: ctypes.CDLL, insns: list[Decoded], model: CpuModel, loops: bool) -> float:
    """`_python_cycles` in C (emu/native/scoreboard.c): the same arithmetic, ~50x faster.

    Registers and ports are numbered for this block; per instruction the C side gets its
    price and its reads, writes and address writes, flattened into one array."""
    n = len(insns)
    registers: dict[str, int] = {}
    ports: dict[str, int] = {}
    costs = [model.cost(insn.cls) for insn in insns]
    regs = [
        registers.setdefault(reg, len(registers))
        for insn in insns
        for group in (insn.reads, insn.writes, insn.address_writes)
        for reg in group
    ]
    flags = [
        (SERIALIZE if cost.serialize else 0)
        | (PREDICTED_FLAG if insn.cls in PREDICTED else 0)
        | (UPDATE if cost.update_latency is not None else 0)
        for insn, cost in zip(insns, costs, strict=True)
    ]
    port = [-1 if cost.port == "none" else ports.setdefault(cost.port, len(ports)) for cost in costs]
    doubles, ints = ctypes.c_double * n, ctypes.c_int * n
    cycles = lib.sb_block_cost(
        n,
        ints(*port),
        doubles(*(cost.latency for cost in costs)),
        doubles(*(cost.rthroughput for cost in costs)),
        doubles(*(cost.update_latency or 0.0 for cost in costs)),
        ints(*flags),
        ints(*(len(insn.reads) for insn in insns)),
        ints(*(len(insn.writes) for insn in insns)),
        ints(*(len(insn.address_writes) for insn in insns)),
        (ctypes.c_int * max(1, len(regs)))(*regs),
        len(registers),
        len(ports),
        model.issue_width,
        int(model.in_order),
        int(loops),
        ITERATIONS,
    )
    if cycles < 0:
        raise MemoryError("emu scoreboard: out of memory")
    return cycles
