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
are predicted: out of order they do not wait for their flags (a counter a branch
decrements itself, bdnz's ctr, is waited for); in order a branch issues when its
operands are ready and holds back what follows. A `serialize` class (barriers, locked RMW,
syscalls) waits for everything before it to complete and holds back everything
after it until it is done.

The model data refines this per class (see emu/timing/model.py): an update form's
base is ready after `update_latency`, an accumulator is read `read_advance` late,
a producer's `bypass` hands its result early to some consumer classes, a
`data_late` store issues on its address alone; and per model, single-buffer
ports stall dispatch while one instruction waits there, and update forms take a
second dispatch slot (`cracked_updates`). What these mean for one instruction of a
block is resolved once (`_plan`), so the Python and C twins run the same steps.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import math
from dataclasses import dataclass

from emu.native import build
from emu.timing.classify import PREDICTED, UNCLASSIFIED, Decoded
from emu.timing.model import ClassCost, CpuModel

__all__ = ["PREDICTED", "BlockCost", "Issued", "block_cost", "trace_issue"]

ITERATIONS = 48  # enough for slow resource bounds to overtake early latency chains
SERIALIZE, UPDATE = 1, 4  # instruction flags of emu/native/scoreboard.c


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


@dataclass(frozen=True)
class _Step:
    """One instruction as the scoreboard issues it, resolved once per block (`_plan`)."""

    cost: ClassCost
    waits: tuple[tuple[str, float], ...]  # registers it starts after, each with how early it may read it
    late: tuple[str, ...]  # a data_late store's data: it completes when these are ready too
    writes: tuple[str, ...]
    address_writes: tuple[str, ...]
    slots: int  # dispatch slots (the class's uops; more for a cracked update form)
    buffered: tuple[str, ...]  # single-buffer ports it passes through


def _plan(insns: list[Decoded], model: CpuModel, loops: bool) -> list[_Step]:
    """Each instruction's waits, late reads, slots and buffered ports for this block.

    A register's read may come early by the reader's `read_advance` (an accumulator) plus the
    `bypass` its producer gives the reader's class; the producer is the block's last writer
    before the reader, or (in a loop) its last writer overall: the previous repetition's."""
    last_writer: dict[str, str | None] = {}  # register -> class, None for an address write
    if loops:
        for insn in insns:
            last_writer.update(dict.fromkeys(insn.writes, insn.cls))
            last_writer.update(dict.fromkeys(insn.address_writes, None))
    steps = []
    for insn in insns:
        cost = model.cost(insn.cls)
        # A predicted branch need not wait for its operands out of order (bdnz still waits for the
        # ctr it writes); in order, it issues when they are ready and nothing passes it.
        predicted = insn.cls in PREDICTED and not model.in_order
        waits = insn.reads & insn.writes if predicted else insn.reads
        late = insn.data_reads if cost.data_late else frozenset()
        steps.append(
            _Step(
                cost,
                tuple(
                    (reg, _advance(model, insn, cost, reg, last_writer.get(reg)))
                    for reg in sorted(waits - late)
                ),
                tuple(sorted(late)),
                tuple(sorted(insn.writes)),
                tuple(sorted(insn.address_writes)),
                _slots(model, insn, cost),
                _buffered(model, insn, cost),
            )
        )
        last_writer.update(dict.fromkeys(insn.writes, insn.cls))
        last_writer.update(dict.fromkeys(insn.address_writes, None))
    return steps


def _slots(model: CpuModel, insn: Decoded, cost: ClassCost) -> int:
    """Dispatch slots: the class's uops, or an update form's when the model cracks those."""
    if insn.address_writes and model.cracked_updates:
        return cost.update_uops if cost.update_uops is not None else cost.uops + 1
    return cost.uops


def _advance(model: CpuModel, insn: Decoded, cost: ClassCost, reg: str, producer: str | None) -> float:
    """How many cycles before its producer's latency `insn` may read `reg`."""
    bypass = model.cost(producer).bypass.get(insn.cls, 0.0) if producer else 0.0
    return bypass + (cost.read_advance if reg in insn.accumulators else 0.0)


def _buffered(model: CpuModel, insn: Decoded, cost: ClassCost) -> tuple[str, ...]:
    """The single-buffer ports `insn` goes through: its class's, and the model's address port
    for an update form's write-back."""
    ports = [cost.port] + ([model.address_port] if insn.address_writes and model.address_port else [])
    return tuple(p for p in dict.fromkeys(ports) if p in model.single_buffer_ports)


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
        self.buffer_free: dict[str, float] = {}  # a single-buffer port's last start
        self.slot = 0  # dispatch slots used
        self.last_start = 0.0
        self.fence = 0.0  # nothing starts before this (a serializing instruction's end)
        self.drained = 0.0  # when everything issued so far completes
        self.cycle_used: dict[int, int] = {}

    def issue(self, step: _Step) -> Issued:
        """When the instruction dispatches, starts and completes; updates the scoreboard."""
        cost = step.cost
        dispatch = self._dispatch(step)
        start = self._start(step, max(dispatch, self.fence))
        for port in step.buffered:
            self.buffer_free[port] = start
        if cost.port != "none":
            self._port(cost.port).reserve(start, start + cost.rthroughput)
        done = start + cost.latency
        for reg in step.late:
            done = max(done, self.ready.get(reg, 0.0))
        for reg in step.writes:
            self.ready[reg] = done
        # An update form's base register comes from its own address uop, not from the access.
        update = cost.update_latency if cost.update_latency is not None else cost.latency
        for reg in step.address_writes:
            self.ready[reg] = start + update
        self.drained = max(self.drained, done)
        if cost.serialize:
            self.fence = done
        self.last_start = start
        return Issued(dispatch, start, done)

    def _dispatch(self, step: _Step) -> float:
        """The next dispatch slot, once every single-buffer port the instruction needs has let
        its waiting instruction go (dispatch is in order: the stall holds back what follows)."""
        width = self.model.issue_width
        dispatch = self.slot / width
        if step.buffered:
            for port in step.buffered:
                dispatch = max(dispatch, self.buffer_free.get(port, 0.0))
            self.slot = max(self.slot, math.ceil(dispatch * width - 1e-9))
        self.slot += step.slots
        return dispatch

    def _start(self, step: _Step, earliest: float) -> float:
        """When the instruction starts: its operands, a serializing class's drain, a free gap
        on its port, and program order on an in-order model."""
        start = earliest
        for reg, advance in step.waits:
            start = max(start, self.ready.get(reg, 0.0) - advance)
        if step.cost.serialize:
            start = max(start, self.drained)
        if step.cost.port != "none":
            start = self._port(step.cost.port).gap(start, step.cost.rthroughput)
        if self.model.in_order:
            start = self._in_order_slot(max(start, self.last_start))
        return start

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
    steps = _plan(insns, model, loops)
    issued = []
    for _ in range(iterations):
        if not loops:
            base = max(pipe.slot / model.issue_width, pipe.fence)
            pipe.ready = dict.fromkeys(pipe.ready, base)
        issued += [pipe.issue(step) for step in steps]
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
    `_Step`: its price, and its waits (with their advances), late reads, writes, address
    writes and single-buffer ports, flattened into arrays."""
    steps = _plan(insns, model, loops)
    n = len(steps)
    registers: dict[str, int] = {}
    ports: dict[str, int] = {}
    number = functools.partial(_number, registers)
    regs = [
        number(reg)
        for step in steps
        for group in ([r for r, _ in step.waits], step.late, step.writes, step.address_writes)
        for reg in group
    ]
    advances = [advance for step in steps for _, advance in step.waits]
    port = [-1 if step.cost.port == "none" else _number(ports, step.cost.port) for step in steps]
    buffers = [_number(ports, name) for step in steps for name in step.buffered]
    flags = [
        (SERIALIZE if step.cost.serialize else 0) | (UPDATE if step.cost.update_latency is not None else 0)
        for step in steps
    ]
    doubles, ints = ctypes.c_double * n, ctypes.c_int * n
    cycles = lib.sb_block_cost(
        n,
        ints(*port),
        doubles(*(step.cost.latency for step in steps)),
        doubles(*(step.cost.rthroughput for step in steps)),
        doubles(*(step.cost.update_latency or 0.0 for step in steps)),
        ints(*flags),
        ints(*(step.slots for step in steps)),
        ints(*(len(step.waits) for step in steps)),
        ints(*(len(step.late) for step in steps)),
        ints(*(len(step.writes) for step in steps)),
        ints(*(len(step.address_writes) for step in steps)),
        (ctypes.c_int * max(1, len(regs)))(*regs),
        (ctypes.c_double * max(1, len(advances)))(*advances),
        ints(*(len(step.buffered) for step in steps)),
        (ctypes.c_int * max(1, len(buffers)))(*buffers),
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


def _number(numbers: dict[str, int], name: str) -> int:
    """`name`'s number in this block (the next free one the first time)."""
    return numbers.setdefault(name, len(numbers))
