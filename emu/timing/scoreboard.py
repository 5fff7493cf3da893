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
import math
from dataclasses import dataclass

from emu.timing.classify import UNCLASSIFIED, Decoded
from emu.timing.model import CpuModel

ITERATIONS = 48  # enough for slow resource bounds to overtake early latency chains
PREDICTED = frozenset({"branch", "branch_indirect", "call", "ret"})


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


class _Pipe:
    """Pipeline state while a block is issued repeatedly."""

    def __init__(self, model: CpuModel) -> None:
        self.model = model
        self.ready: dict[str, float] = {}
        # Each port's reservations as sorted (start, end) intervals. An out-of-order core may
        # start a younger instruction in a gap an older one left (a store waiting for its data
        # must not hold the port against the next iteration's independent load), so a single
        # "free from" time that only moves forward is not enough.
        self.port_busy: dict[str, list[tuple[float, float]]] = {}
        self.longest: dict[str, float] = {}  # each port's longest reservation
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
            start = self._port_gap(cost.port, start, cost.rthroughput)
        if self.model.in_order:
            start = self._in_order_slot(max(start, self.last_start))
        if cost.port != "none":
            bisect.insort(self.port_busy.setdefault(cost.port, []), (start, start + cost.rthroughput))
            self.longest[cost.port] = max(self.longest.get(cost.port, 0.0), cost.rthroughput)
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

    def _port_gap(self, port: str, earliest: float, length: float) -> float:
        """The first time >= earliest at which `port` is free for `length` cycles.

        Reservations are sorted by start; none is longer than the port's longest, so those
        starting more than that before `earliest` are over by then and the scan skips them
        by bisection (a linear scan from the first made pricing quadratic in block length)."""
        busy = self.port_busy.get(port, ())
        start = earliest
        first = bisect.bisect_left(busy, (earliest - self.longest.get(port, 0.0) - 1e-9,))
        for index in range(first, len(busy)):
            busy_start, busy_end = busy[index]
            if busy_end <= start + 1e-9:
                continue
            if busy_start >= start + length - 1e-9:
                break
            start = busy_end
        return start

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
    issued = trace_issue(insns, model, loops, ITERATIONS)
    ends, latest = [], 0.0
    for first in range(0, len(issued), len(insns)):
        latest = max(latest, *(i.start for i in issued[first : first + len(insns)]))
        ends.append(latest)
    half = ITERATIONS // 2
    cycles = (ends[-1] - ends[half - 1]) / (ITERATIONS - half)
    return BlockCost(max(cycles, len(insns) / model.issue_width), len(insns), unclassified, classes)
