"""The storage subsystems: what a load returns and when a store becomes visible, per memory model.

emu runs one guest thread at a time on one engine, so without help every program sees
sequential consistency. A storage subsystem sits between the threads and the tracked memory
(emu/memmodel/observer.py feeds it every load, store and barrier of the running thread):

- `sc`: one memory, every store visible at once (what emu always did).
- `tso` (x86-TSO, Owens, Sarkar & Sewell, TPHOLs 2009): a FIFO store buffer per thread; a load
  reads the thread's own newest buffered store to that byte, else memory; buffers drain to
  memory one store at a time, in order, at seeded random moments; `mfence` and locked
  instructions drain the thread's buffer. Only store->load reordering is visible (SB).
- `power` and `arm`: an operational storage subsystem after Sarkar, Sewell, Alglave, Maranget &
  Williams, "Understanding POWER multiprocessors" (PLDI 2011): each thread has its own view of
  memory; a store is visible to its own thread at once and *propagates* to each other thread
  separately, in any order (not multi-copy atomic: IRIW), subject to the barriers:
  a barrier (sync/lwsync/eieio, dmb/dsb) records the writes its thread has seen (group A) and
  cannot reach another thread before they do; a store committed after a barrier reached its
  thread cannot reach another thread before that barrier (cumulativity). `sync`/`dmb` wait
  until their barrier has reached every thread. A load may be satisfied from the thread's view
  at any moment since its last ordering point (a barrier, an address dependency, ctrl+isync),
  never older than what the thread already read or wrote at that byte (coherence).

Where emu is stricter than the model (never looser: emu must not show what the model forbids):
coherence order is the order in which stores commit, so outcomes that need two threads' stores
to reach coherence against their commit order (2+2W, S) are not produced; a store commits
when it executes, after every earlier load was satisfied, so load buffering (LB) is not
produced; `isync`/`isb` order every earlier load, not only those a branch depended on.
docs/memory-models.md lists the litmus tests this leaves unreached.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

MODELS = ("sc", "tso", "power", "arm")
# What arch data maps each barrier instruction to: full (sync, dmb: orders everything, waits until
# it has reached every thread), strong_ww (dmb st: waits like full, orders only stores), lw
# (lwsync: cumulative, no wait, does not order a store before a later load), ww (eieio:
# cumulative for stores only, no wait), isync (isync, isb: later loads after earlier ones).
BARRIERS = ("full", "strong_ww", "lw", "ww", "isync")


@dataclass(frozen=True)
class Write:
    wid: int
    tid: int
    address: int
    data: bytes
    barriers: frozenset[int]  # barriers that had reached the writer when it committed


@dataclass(frozen=True)
class Barrier:
    bid: int
    tid: int
    group_a: frozenset[int]  # the writes its thread had seen


class Storage:
    """The interface the observer drives; `sc` is this class itself (no reordering at all)."""

    def __init__(self, nthreads: int, rng: random.Random, initial: Callable[[int], int]) -> None:
        self.nthreads, self.rng, self.initial = nthreads, rng, initial
        self.memory: dict[int, int] = {}

    def _memory_byte(self, address: int) -> int:
        if address not in self.memory:
            self.memory[address] = self.initial(address)
        return self.memory[address]

    def write(self, tid: int, address: int, data: bytes, locked: bool = False) -> None:
        for offset, byte in enumerate(data):
            self.memory[address + offset] = byte

    def read(self, tid: int, address: int, size: int, after: int = 0) -> tuple[bytes, int]:
        """The bytes thread `tid` reads, and when (on the model's clock) it read them."""
        return bytes(self._memory_byte(address + i) for i in range(size)), 0

    def barrier(self, tid: int, kind: str) -> None:
        """`kind` is one of BARRIERS."""

    def store_conditional_ok(self, tid: int) -> bool:
        """Whether the thread's reservation still holds (its store-conditional may succeed)."""
        return True

    def reserve(self, tid: int, address: int, size: int) -> None:
        """A load-reserve (lwarx, ldrex) by `tid` of these bytes has just been read."""

    def step(self) -> None:
        """Let the storage subsystem make one internal move (propagate, drain), if it wants."""

    def settle(self) -> None:
        """Make every store visible everywhere (the end of a run)."""

    def final(self, address: int, size: int) -> bytes:
        """Memory after settle(): the coherence-last write of each byte."""
        self.settle()
        return bytes(self._memory_byte(address + i) for i in range(size))


class TsoStorage(Storage):
    """x86-TSO: per-thread FIFO store buffers drained to one memory."""

    def __init__(self, nthreads: int, rng: random.Random, initial: Callable[[int], int]) -> None:
        super().__init__(nthreads, rng, initial)
        self.buffers: list[deque[tuple[int, bytes]]] = [deque() for _ in range(nthreads)]
        self.drain_probability = rng.choice((0.05, 0.2, 0.5))

    def write(self, tid: int, address: int, data: bytes, locked: bool = False) -> None:
        if locked:
            self.drain(tid)
            super().write(tid, address, data)
        else:
            self.buffers[tid].append((address, data))

    def read(self, tid: int, address: int, size: int, after: int = 0) -> tuple[bytes, int]:
        out = bytearray()
        for byte in range(address, address + size):
            buffered = [d[byte - a] for a, d in self.buffers[tid] if a <= byte < a + len(d)]
            out.append(buffered[-1] if buffered else self._memory_byte(byte))
        return bytes(out), 0

    def barrier(self, tid: int, kind: str) -> None:
        if kind == "full":
            self.drain(tid)

    def drain(self, tid: int) -> None:
        while self.buffers[tid]:
            address, data = self.buffers[tid].popleft()
            super().write(tid, address, data)

    def step(self) -> None:
        busy = [tid for tid, buffer in enumerate(self.buffers) if buffer]
        if busy and self.rng.random() < self.drain_probability:
            address, data = self.buffers[self.rng.choice(busy)].popleft()
            super().write(-1, address, data)

    def settle(self) -> None:
        for tid in range(self.nthreads):
            self.drain(tid)


@dataclass
class _View:
    """One thread's view of memory."""

    seen: set[int] = field(default_factory=set)  # writes propagated to it
    barriers: set[int] = field(default_factory=set)  # barriers propagated to it
    history: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # byte -> (time, wid)
    floor: dict[int, int] = field(default_factory=dict)  # byte -> oldest wid it may still read
    read_floor: int = 0  # no load is satisfied from a view older than this time
    latest_read: int = 0  # the latest time any of its loads was satisfied at
    reservation: dict[int, int] | None = None  # byte -> wid read by the load-reserve


class PropagationStorage(Storage):
    """POWER and ARMv7: per-thread views, non-multi-copy-atomic propagation, cumulative barriers."""

    INITIAL = 0  # the write id of memory's initial contents

    def __init__(self, nthreads: int, rng: random.Random, initial: Callable[[int], int]) -> None:
        super().__init__(nthreads, rng, initial)
        self.time = 0
        self.writes: dict[int, Write] = {}
        self.barrier_records: dict[int, Barrier] = {}
        self.coherence: dict[int, list[int]] = {}  # byte -> wids in coherence (= commit) order
        self.position: dict[tuple[int, int], int] = {}  # (byte, wid) -> index in coherence order
        self.views = [_View() for _ in range(nthreads)]
        self.pending: list[tuple[int, str, int]] = []  # (thread, "w"|"b", id) not yet propagated
        self.propagate_probability = rng.choice((0.1, 0.3, 0.6, 0.9))
        self.fresh_bias = rng.choice((0.5, 0.8, 0.95))  # how often a load takes the newest it may
        self.next_id = 1

    # ---- bytes, views and coherence -----------------------------------------------------------

    def _track(self, byte: int) -> None:
        if byte not in self.coherence:
            self.coherence[byte] = [self.INITIAL]
            self.position[(byte, self.INITIAL)] = 0
            self.memory[byte] = self.initial(byte)
            for view in self.views:
                view.history[byte] = [(0, self.INITIAL)]

    def _value(self, byte: int, wid: int) -> int:
        if wid == self.INITIAL:
            return self.memory[byte]
        write = self.writes[wid]
        return write.data[byte - write.address]

    def _view_at(self, view: _View, byte: int, time: int) -> tuple[int, int]:
        """(wid, since) of the write the view shows for `byte` at `time`."""
        history = view.history[byte]
        index = max(i for i, (t, _) in enumerate(history) if t <= time)
        return history[index][1], history[index][0]

    def _show(self, tid: int, write: Write) -> None:
        """Propagate `write` to thread `tid` now: its view moves on where the write is newer."""
        self.time += 1
        view = self.views[tid]
        view.seen.add(write.wid)
        for byte in range(write.address, write.address + len(write.data)):
            current = view.history[byte][-1][1]
            if self.position[(byte, write.wid)] > self.position[(byte, current)]:
                view.history[byte].append((self.time, write.wid))

    # ---- what the observer calls -------------------------------------------------------------

    def write(self, tid: int, address: int, data: bytes, locked: bool = False) -> None:
        for byte in range(address, address + len(data)):
            self._track(byte)
        view = self.views[tid]
        write = Write(self.next_id, tid, address, data, frozenset(view.barriers))
        self.next_id += 1
        self.writes[write.wid] = write
        for byte in range(address, address + len(data)):
            self.position[(byte, write.wid)] = len(self.coherence[byte])
            self.coherence[byte].append(write.wid)
            view.floor[byte] = write.wid
        self._show(tid, write)
        self.pending += [(other, "w", write.wid) for other in range(self.nthreads) if other != tid]

    def read(self, tid: int, address: int, size: int, after: int = 0) -> tuple[bytes, int]:
        view = self.views[tid]
        bytes_ = range(address, address + size)
        for byte in bytes_:
            self._track(byte)
        earliest = max(after, view.read_floor, *(self._visible_since(view, b) for b in bytes_))
        moments = {earliest} | {t for b in bytes_ for t, _ in view.history[b] if t > earliest}
        ordered = sorted(moments)
        when = ordered[-1] if self.rng.random() < self.fresh_bias else self.rng.choice(ordered)
        shown = [self._view_at(view, byte, when)[0] for byte in bytes_]
        for byte, wid in zip(bytes_, shown, strict=True):
            view.floor[byte] = wid
        view.latest_read = max(view.latest_read, when)
        return bytes(self._value(b, w) for b, w in zip(bytes_, shown, strict=True)), when

    def _visible_since(self, view: _View, byte: int) -> int:
        """When the view first showed a write at least as new as the byte's coherence floor."""
        floor = view.floor.get(byte, self.INITIAL)
        need = self.position[(byte, floor)]
        return next(t for t, wid in view.history[byte] if self.position[(byte, wid)] >= need)

    def reserve(self, tid: int, address: int, size: int) -> None:
        view = self.views[tid]
        view.reservation = {b: view.floor[b] for b in range(address, address + size)}

    def store_conditional_ok(self, tid: int) -> bool:
        """The reservation holds while no other write to its bytes is coherence-after what the
        load-reserve read; the hardware may also drop it at any time (rarely)."""
        view = self.views[tid]
        reserved, view.reservation = view.reservation, None
        if not reserved or self.rng.random() < 0.05:
            return False
        return all(self.coherence[byte][-1] == wid for byte, wid in reserved.items())

    def barrier(self, tid: int, kind: str) -> None:
        view = self.views[tid]
        if kind in ("full", "strong_ww", "lw", "ww"):
            record = Barrier(self.next_id, tid, frozenset(view.seen))
            self.next_id += 1
            self.barrier_records[record.bid] = record
            view.barriers.add(record.bid)
            self.pending += [(other, "b", record.bid) for other in range(self.nthreads) if other != tid]
            if kind in ("full", "strong_ww"):  # wait until the barrier has reached every thread
                for other in range(self.nthreads):
                    self._force_barrier(other, record.bid)
            if kind == "full":
                view.read_floor = self.time
                return
        if kind in ("lw", "isync"):
            view.read_floor = max(view.read_floor, view.latest_read)

    # ---- propagation ---------------------------------------------------------------------------

    def _ready(self, tid: int, kind: str, ident: int) -> bool:
        view = self.views[tid]
        if kind == "w":
            return self.writes[ident].barriers <= view.barriers
        return self.barrier_records[ident].group_a <= view.seen

    def _propagate(self, tid: int, kind: str, ident: int) -> None:
        self.pending.remove((tid, kind, ident))
        if kind == "w":
            self._show(tid, self.writes[ident])
        else:
            self.views[tid].barriers.add(ident)

    def _force_write(self, tid: int, wid: int) -> None:
        if wid == self.INITIAL or wid in self.views[tid].seen:
            return
        for bid in sorted(self.writes[wid].barriers):
            self._force_barrier(tid, bid)
        self._propagate(tid, "w", wid)

    def _force_barrier(self, tid: int, bid: int) -> None:
        if bid in self.views[tid].barriers:
            return
        for wid in sorted(self.barrier_records[bid].group_a):
            self._force_write(tid, wid)
        self._propagate(tid, "b", bid)

    def step(self) -> None:
        if not self.pending or self.rng.random() >= self.propagate_probability:
            return
        ready = [item for item in self.pending if self._ready(*item)]
        if ready:
            self._propagate(*self.rng.choice(ready))

    def settle(self) -> None:
        for tid, kind, ident in list(self.pending):
            if (tid, kind, ident) in self.pending:
                (self._force_write if kind == "w" else self._force_barrier)(tid, ident)

    def final(self, address: int, size: int) -> bytes:
        self.settle()
        out = bytearray()
        for byte in range(address, address + size):
            self._track(byte)
            out.append(self._value(byte, self.coherence[byte][-1]))
        return bytes(out)


def new_storage(model: str, nthreads: int, rng: random.Random, initial: Callable[[int], int]) -> Storage:
    """The storage subsystem for `model` (one of MODELS)."""
    kinds = {"sc": Storage, "tso": TsoStorage, "power": PropagationStorage, "arm": PropagationStorage}
    return kinds[model](nthreads, rng, initial)
