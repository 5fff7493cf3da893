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

import bisect
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
HISTORY_TRIM = 32  # a byte's history in one view is trimmed past this many entries
STORE_BUFFER = 64  # x86-TSO: a store buffer this full drains its oldest store (hardware's are smaller)


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

    uses_dependencies = False  # whether read()'s `after` matters (the observer then tracks registers)

    def __init__(self, nthreads: int, rng: random.Random, initial: Callable[[int], int]) -> None:
        self.nthreads, self.rng, self.initial = nthreads, rng, initial
        self.memory: dict[int, int] = {}
        self.versions: dict[int, int] = {}  # byte -> stores that reached memory (for LL/SC)
        self.reservations: dict[int, dict[int, int]] = {}  # thread -> byte -> version it reserved

    def _memory_byte(self, address: int) -> int:
        if address not in self.memory:
            self.memory[address] = self.initial(address)
        return self.memory[address]

    def write(self, tid: int, address: int, data: bytes, locked: bool = False) -> None:
        for offset, byte in enumerate(data):
            self.memory[address + offset] = byte
            self.versions[address + offset] = self.versions.get(address + offset, 0) + 1

    def read(self, tid: int, address: int, size: int, after: int = 0) -> tuple[bytes, int]:
        """The bytes thread `tid` reads, and when (on the model's clock) it read them."""
        return bytes(self._memory_byte(address + i) for i in range(size)), 0

    def touch(self, address: int, size: int) -> None:
        """Track these bytes from now on (their value now is their initial value)."""
        for byte in range(address, address + size):
            self._memory_byte(byte)

    def barrier(self, tid: int, kind: str) -> None:
        """`kind` is one of BARRIERS."""

    def store_conditional_ok(self, tid: int) -> bool:
        """Whether the thread's reservation still holds (its store-conditional may succeed): no
        store has reached memory at its bytes since the load-reserve."""
        reserved = self.reservations.pop(tid, None)
        return reserved is not None and all(self.versions.get(b, 0) == v for b, v in reserved.items())

    def reserve(self, tid: int, address: int, size: int) -> None:
        """A load-reserve (lwarx, ldrex) by `tid` of these bytes has just been read."""
        self.reservations[tid] = {b: self.versions.get(b, 0) for b in range(address, address + size)}

    def step(self) -> None:
        """Let the storage subsystem make one internal move (propagate, drain), if it wants."""

    def settle(self) -> None:
        """Make every store visible everywhere (the end of a run)."""

    def final(self, address: int, size: int) -> bytes:
        """Memory after settle(): the coherence-last write of each byte."""
        self.settle()
        return bytes(self._memory_byte(address + i) for i in range(size))

    def final_bytes(self) -> dict[int, int]:
        """Every byte the subsystem tracks, at its coherence-last value (as after settle()): what
        memory holds once every store has reached every thread. The subsystem is spent afterwards."""
        self.settle()
        return dict(self.memory)

    def backlog(self) -> int:
        """How much the subsystem holds that has not reached every thread (its cost per move)."""
        return 0


class TsoStorage(Storage):
    """x86-TSO: per-thread FIFO store buffers drained to one memory."""

    def __init__(self, nthreads: int, rng: random.Random, initial: Callable[[int], int]) -> None:
        super().__init__(nthreads, rng, initial)
        self.buffers: list[deque[tuple[int, bytes]]] = [deque() for _ in range(nthreads)]
        # Per thread, byte -> [newest buffered value, buffered stores covering it]: forwarding
        # without scanning the buffer (FIFO drains the oldest first, so the newest stays newest).
        self.forward: list[dict[int, list[int]]] = [{} for _ in range(nthreads)]
        self.drain_probability = rng.choice((0.05, 0.2, 0.5))

    def write(self, tid: int, address: int, data: bytes, locked: bool = False) -> None:
        if locked:
            self.drain(tid)
            super().write(tid, address, data)
            return
        forward = self.forward[tid]
        for offset, value in enumerate(data):
            byte = address + offset
            self._memory_byte(byte)  # memory's value before the store, while the engine still has it
            entry = forward.get(byte)
            if entry is None:
                forward[byte] = [value, 1]
            else:
                entry[0], entry[1] = value, entry[1] + 1
        self.buffers[tid].append((address, data))
        if len(self.buffers[tid]) > STORE_BUFFER:
            self._drain_one(tid)

    def read(self, tid: int, address: int, size: int, after: int = 0) -> tuple[bytes, int]:
        forward = self.forward[tid]
        out = bytearray()
        for byte in range(address, address + size):
            entry = forward.get(byte)
            out.append(entry[0] if entry is not None else self._memory_byte(byte))
        return bytes(out), 0

    def barrier(self, tid: int, kind: str) -> None:
        if kind == "full":
            self.drain(tid)

    def _drain_one(self, tid: int) -> None:
        """The oldest store of `tid`'s buffer reaches memory."""
        address, data = self.buffers[tid].popleft()
        forward = self.forward[tid]
        for byte in range(address, address + len(data)):
            entry = forward[byte]
            entry[1] -= 1
            if not entry[1]:
                del forward[byte]
        super().write(tid, address, data)

    def drain(self, tid: int) -> None:
        while self.buffers[tid]:
            self._drain_one(tid)

    def step(self) -> None:
        busy = [tid for tid, buffer in enumerate(self.buffers) if buffer]
        if busy and self.rng.random() < self.drain_probability:
            self._drain_one(self.rng.choice(busy))

    def settle(self) -> None:
        for tid in range(self.nthreads):
            self.drain(tid)

    def backlog(self) -> int:
        return sum(len(buffer) for buffer in self.buffers)


@dataclass
class _View:
    """One thread's view of memory."""

    seen: set[int] = field(default_factory=set)  # writes propagated to it
    barriers: set[int] = field(default_factory=set)  # barriers propagated to it
    # What it has seen that has not yet reached every thread: only these can still order a
    # later propagation (a barrier's group A, a write's barriers), so only these are recorded.
    unsettled_writes: set[int] = field(default_factory=set)
    unsettled_barriers: set[int] = field(default_factory=set)
    history: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # byte -> (time, wid)
    floor: dict[int, int] = field(default_factory=dict)  # byte -> oldest wid it may still read
    read_floor: int = 0  # no load is satisfied from a view older than this time
    latest_read: int = 0  # the latest time any of its loads was satisfied at
    reservation: dict[int, int] | None = None  # byte -> wid read by the load-reserve


class PropagationStorage(Storage):
    """POWER and ARMv7: per-thread views, non-multi-copy-atomic propagation, cumulative barriers."""

    INITIAL = 0  # the write id of memory's initial contents
    uses_dependencies = True

    def __init__(self, nthreads: int, rng: random.Random, initial: Callable[[int], int]) -> None:
        super().__init__(nthreads, rng, initial)
        self.time = 0
        self.writes: dict[int, Write] = {}
        self.barrier_records: dict[int, Barrier] = {}
        # Coherence order is commit order, and write ids grow with commits: for one byte, a later
        # write in coherence is one with a larger id. Only each byte's coherence-last id is kept.
        self.coherence_last: dict[int, int] = {}
        self.views = [_View() for _ in range(nthreads)]
        self.pending: list[tuple[int, str, int]] = []  # (thread, "w"|"b", id) not yet propagated
        self.reach: dict[int, int] = {}  # write or barrier id -> how many threads it has reached
        self.propagate_probability = rng.choice((0.1, 0.3, 0.6, 0.9))
        self.fresh_bias = rng.choice((0.5, 0.8, 0.95))  # how often a load takes the newest it may
        self.next_id = 1

    # ---- bytes, views and coherence -----------------------------------------------------------

    def _track(self, byte: int) -> None:
        if byte not in self.coherence_last:
            self.coherence_last[byte] = self.INITIAL
            self.memory[byte] = self.initial(byte)
            for view in self.views:
                view.history[byte] = [(0, self.INITIAL)]

    def _value(self, byte: int, wid: int) -> int:
        if wid == self.INITIAL:
            return self.memory[byte]
        write = self.writes[wid]
        return write.data[byte - write.address]

    def _show(self, tid: int, write: Write) -> None:
        """Propagate `write` to thread `tid` now: its view moves on where the write is newer."""
        self.time += 1
        view = self.views[tid]
        view.seen.add(write.wid)
        self._reached(write.wid, view.unsettled_writes, "unsettled_writes")
        for byte in range(write.address, write.address + len(write.data)):
            history = view.history[byte]
            if write.wid > history[-1][1]:
                history.append((self.time, write.wid))
                if len(history) > HISTORY_TRIM:
                    self._trim(view, history)

    def _reached(self, ident: int, unsettled: set[int], attribute: str) -> None:
        """One more thread has `ident` (a write or barrier); once all have, it orders nothing."""
        self.reach[ident] = self.reach.get(ident, 0) + 1
        if self.reach[ident] < self.nthreads:
            unsettled.add(ident)
            return
        for view in self.views:
            getattr(view, attribute).discard(ident)

    @staticmethod
    def _trim(view: _View, history: list[tuple[int, int]]) -> None:
        """Forget what no load can read any more: the entries replaced before the read floor."""
        del history[: bisect.bisect_right(history, view.read_floor, key=_moment) - 1]

    # ---- what the observer calls -------------------------------------------------------------

    def write(self, tid: int, address: int, data: bytes, locked: bool = False) -> None:
        for byte in range(address, address + len(data)):
            self._track(byte)
        view = self.views[tid]
        write = Write(self.next_id, tid, address, data, frozenset(view.unsettled_barriers))
        self.next_id += 1
        self.writes[write.wid] = write
        for byte in range(address, address + len(data)):
            self.coherence_last[byte] = write.wid
            view.floor[byte] = write.wid
        self._show(tid, write)
        self.pending += [(other, "w", write.wid) for other in range(self.nthreads) if other != tid]

    def read(self, tid: int, address: int, size: int, after: int = 0) -> tuple[bytes, int]:
        view = self.views[tid]
        bytes_ = range(address, address + size)
        for byte in bytes_:
            self._track(byte)
        histories = [view.history[byte] for byte in bytes_]
        earliest = max(after, view.read_floor, *(self._visible_since(view, b) for b in bytes_))
        later = [
            t
            for history in histories
            for t, _ in history[bisect.bisect_right(history, earliest, key=_moment) :]
        ]
        ordered = sorted({earliest, *later}) if later else [earliest]
        when = ordered[-1] if self.rng.random() < self.fresh_bias else self.rng.choice(ordered)
        shown = [_entry_at(history, when)[1] for history in histories]
        floor = view.floor
        for byte, wid in zip(bytes_, shown, strict=True):
            floor[byte] = wid
        view.latest_read = max(view.latest_read, when)
        return bytes(self._value(b, w) for b, w in zip(bytes_, shown, strict=True)), when

    def _visible_since(self, view: _View, byte: int) -> int:
        """When the view first showed a write at least as new as the byte's coherence floor."""
        floor = view.floor.get(byte, self.INITIAL)
        history = view.history[byte]
        index = bisect.bisect_left(history, floor, key=_write_id)
        return history[index][0]

    def touch(self, address: int, size: int) -> None:
        for byte in range(address, address + size):
            self._track(byte)

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
        return all(self.coherence_last[byte] == wid for byte, wid in reserved.items())

    def barrier(self, tid: int, kind: str) -> None:
        view = self.views[tid]
        if kind in ("full", "strong_ww", "lw", "ww"):
            record = Barrier(self.next_id, tid, frozenset(view.unsettled_writes))
            self.next_id += 1
            self.barrier_records[record.bid] = record
            view.barriers.add(record.bid)
            self._reached(record.bid, view.unsettled_barriers, "unsettled_barriers")
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
            view = self.views[tid]
            view.barriers.add(ident)
            self._reached(ident, view.unsettled_barriers, "unsettled_barriers")

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

    def final_bytes(self) -> dict[int, int]:
        """The coherence-last write of every byte: where settle() would lead, without its moves."""
        return {byte: self._value(byte, wid) for byte, wid in self.coherence_last.items()}

    def backlog(self) -> int:
        return len(self.pending)

    def final(self, address: int, size: int) -> bytes:
        self.settle()
        out = bytearray()
        for byte in range(address, address + size):
            self._track(byte)
            out.append(self._value(byte, self.coherence_last[byte]))
        return bytes(out)


def _moment(entry: tuple[int, int]) -> int:
    """The time of a history entry (time, wid)."""
    return entry[0]


def _entry_at(history: list[tuple[int, int]], time: int) -> tuple[int, int]:
    """The (time, wid) entry of a byte's history that a view shows at `time`."""
    if history[-1][0] <= time:
        return history[-1]
    return history[bisect.bisect_right(history, time, key=_moment) - 1]


def _write_id(entry: tuple[int, int]) -> int:
    """The write of a history entry (time, wid)."""
    return entry[1]


def new_storage(model: str, nthreads: int, rng: random.Random, initial: Callable[[int], int]) -> Storage:
    """The storage subsystem for `model` (one of MODELS)."""
    kinds = {"sc": Storage, "tso": TsoStorage, "power": PropagationStorage, "arm": PropagationStorage}
    return kinds[model](nthreads, rng, initial)
