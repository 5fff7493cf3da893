"""A memory model under a whole guest process (`emu run/test --memory-model`): WeakMemory on a Machine.

The litmus runner owns its threads and its few locations; a Machine does not know in advance
which bytes its threads will share, how many threads there will be or what the guest will map.
So the hooks cover every address and every instruction (unicorn calls them only for the
running thread: the one the scheduler resumed), and the storage subsystem tracks each byte
from its first access, with the engine's memory as the initial value.

The kernel reads and writes guest memory directly (futex words, write() buffers, signal frames,
clone's tid words), and it must see what the guest would see after every store had reached
every thread. So at every syscall, before and after the kernel's work, and whenever emu's own
code touches guest memory (AddressSpace.read/write), the subsystem is *flushed*: every tracked
byte's coherence-last value is written into the engine's memory and a fresh subsystem starts,
with the threads that exist now. A flush lets every store propagate everywhere at once, a
move every model allows, so it never shows a forbidden outcome; it is also what bounds the
subsystem's size. Between syscalls the subsystem makes a seeded number of moves at every slice
boundary (stores propagate, buffers drain), and it is flushed when its backlog grows past
FLUSH_BACKLOG (a thread that stores in a long loop without a syscall).
"""

from __future__ import annotations

import contextlib
import random
from typing import TYPE_CHECKING

from unicorn import UcError

from emu.memmodel.observer import WeakMemory
from emu.memmodel.storage import Storage, new_storage

if TYPE_CHECKING:
    from emu.machine import Machine
    from emu.sched import Thread

EVERYWHERE = (0, 1 << 64)  # unicorn hook range: every address
FLUSH_BACKLOG = 4096  # pending propagations (or buffered stores) that force a flush
EAGERNESS = (1, 3, 8)  # a seed picks how many moves the subsystem may make per slice boundary
CHUNK = 64  # initial values are read from the engine this many (aligned) bytes at a time


class MachineMemory:
    """The storage subsystem of model `model` between a Machine's threads and its memory."""

    def __init__(self, machine: Machine, model: str) -> None:
        self.machine, self.model = machine, model
        self.rng = random.Random(f"emu-memmodel-{machine.options.seed}")
        self.eagerness = self.rng.choice(EAGERNESS)
        self.index: dict[int, int] = {}  # thread id -> the storage's thread number
        # Engine bytes read for initial values since the last flush. Valid until then: a byte
        # changes between flushes only by a guest store, whose hook tracks it first.
        self.chunks: dict[int, bytes] = {}
        self.observer = WeakMemory(machine.uc, machine.arch, self._fresh(), [EVERYWHERE], [EVERYWHERE])
        machine.memory.before_host_access = self.flush

    def _fresh(self) -> Storage:
        """A subsystem for the threads that exist now, starting from the engine's memory."""
        self.chunks = {}
        threads = self.machine.threads
        self.index = {thread.tid: number for number, thread in enumerate(threads)}
        return new_storage(self.model, max(1, len(threads)), self.rng, self._engine_byte)

    def _engine_byte(self, address: int) -> int:
        base = address - address % CHUNK
        chunk = self.chunks.get(base)
        if chunk is None:
            chunk = self.chunks[base] = bytes(self.machine.uc.mem_read(base, CHUNK))
        return chunk[address - base]

    def resume(self, thread: Thread) -> None:
        """`thread` runs next: the hooks act for it."""
        if thread.tid not in self.index:
            self.flush()  # a thread born since the subsystem started (it has no view yet)
        self.observer.tid = self.index[thread.tid]

    def after_slice(self) -> None:
        """A slice ended: let the subsystem move (the other threads may now see more)."""
        storage = self.observer.storage
        for _ in range(self.rng.randint(0, self.eagerness)):
            storage.step()
        if storage.backlog() > FLUSH_BACKLOG:
            self.flush()

    def flush(self) -> None:
        """Write every store's coherence-last value into the engine and start afresh."""
        values = self.observer.storage.final_bytes()
        if not values and all(thread.tid in self.index for thread in self.machine.threads):
            return
        self._write_back(values)
        current, observer = self.machine.current, self.observer
        # What each thread's load-reserve read stays with that thread (its number may change):
        # a store-conditional failed by the fresh subsystem must compare against a decoy that
        # differs from what the engine reserved, or unicorn would report a success.
        reserved = {tid: observer.reserved[n] for tid, n in self.index.items() if n in observer.reserved}
        observer.storage, observer.taint = self._fresh(), {}
        observer.reserved = {self.index[tid]: data for tid, data in reserved.items() if tid in self.index}
        if current is not None and current.tid in self.index:
            observer.tid = self.index[current.tid]

    def _write_back(self, values: dict[int, int]) -> None:
        """The bytes into the engine, a contiguous run per write."""
        addresses = sorted(values)
        start = 0
        for end in range(1, len(addresses) + 1):
            if end == len(addresses) or addresses[end] != addresses[end - 1] + 1:
                run = addresses[start:end]
                with contextlib.suppress(UcError):  # unmapped since: its bytes are gone with it
                    self.machine.uc.mem_write(run[0], bytes(values[a] for a in run))
                start = end
