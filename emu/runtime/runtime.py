"""One guest process's runtime: state, the between-slices service loop, roots, traces.

The Runtime is a Machine attachment: after every slice, if that slice ended in
a hypercall, it answers it (hypercalls.ENTRIES) with stub calls on the same
engine, then writes the result into the thread's saved registers. A throw
prints `fatal error: ...` through the sys_write stub and sends the M to rt0's
rt_die (exit status 2), as Go's throw does.
"""

from __future__ import annotations

import sys

from emu import cpu
from emu.machine import Machine
from emu.options import RuntimeOptions
from emu.runtime import hypercalls
from emu.runtime.calls import SupervisorCalls
from emu.runtime.chan import Channels
from emu.runtime.gctrace import GcLine
from emu.runtime.malloc import Allocator, BadType
from emu.runtime.mem import OSMemory, OutOfMemory
from emu.runtime.mgc import GOGC_DEFAULT, Collector, Cycle, MarkLost
from emu.runtime.mheap import MHeap
from emu.runtime.proc import Scheduler, Throw
from emu.sched import NS_PER_INSTRUCTION, Thread

PERSISTENT_CHUNK = 256 << 10
STACK_CHUNK = 256 << 10
PRINT_BUFFER = 4096
FATAL = (Throw, MarkLost, OutOfMemory, BadType)


class Runtime:
    def __init__(self, machine: Machine, options: RuntimeOptions | None = None) -> None:
        self.machine, self.arch, self.memory = machine, machine.arch, machine.memory
        self.options = options or RuntimeOptions()
        self.calls = SupervisorCalls(machine)
        self.pending: tuple[Thread, str, list[int]] | None = None
        self.next_schedtrace = self.options.schedtrace
        self.initialised = False
        self.finished = False

    # ---- start-up --------------------------------------------------------------------------

    def init(self) -> None:
        """mallocinit and schedinit: the arena, persistent memory, Ps (GOMAXPROCS = --ncpu)."""
        self.os = OSMemory(self.calls, self.arch.page_size, self.arch.bits)
        self._chunks: dict[str, list[int]] = {"persistent": [0, 0], "stack": [0, 0]}
        self.os.vec = self.persistent(8)
        self.print_buffer = self.persistent(PRINT_BUFFER)
        self.heap = MHeap(self.os, self.arch.word_size, self.arch.bits, self.memory)
        self.heap.init()
        self.allocator = Allocator(self.heap, self.calls, self.arch)
        self.collector = Collector(
            self.heap, self.allocator, self.calls, self.arch, self._gogc(), self.options.checkmark
        )
        self.sched = Scheduler(self, self.machine.options.ncpu)
        self.chans = Channels(self.sched)
        self.collector.on_free = self.chans.freed
        self.start_ns = self.machine.scheduler.clock.monotonic()
        self.initialised = True

    def _gogc(self) -> int:
        if self.options.gogc is not None:
            return self.options.gogc
        for pair in self.machine.options.env:
            if pair.startswith("GOGC="):
                value = pair[5:]
                return -1 if value == "off" else int(value)
        return GOGC_DEFAULT

    def symbol(self, name: str) -> int:
        return self.machine.image.symbols[name]

    def _bump(self, kind: str, n: int, chunk: int) -> int:
        """persistentalloc / stackalloc: carve from sysAlloc'd chunks, word-aligned."""
        n = -(-n // 16) * 16
        state = self._chunks[kind]
        if state[0] + n > state[1]:
            size = self.os.round(max(n, chunk))
            state[0] = self.os.sys_alloc(size)
            state[1] = state[0] + size
        address = state[0]
        state[0] += n
        return address

    def persistent(self, n: int) -> int:
        return self._bump("persistent", n, PERSISTENT_CHUNK)

    def stackalloc(self, n: int) -> int:
        return self._bump("stack", n, STACK_CHUNK)

    # ---- the service loop ---------------------------------------------------------------------

    def request(self, thread: Thread, name: str, args: list[int]) -> None:
        """From the syscall hook: remember the call and end the slice (no stub calls here)."""
        self.pending = (thread, name, args)
        self.machine.preempt()

    def after_slice(self, thread: Thread) -> None:
        if self.pending is not None and self.pending[0] is thread and thread.alive:
            _, name, args = self.pending
            self.pending = None
            self._serve(thread, name, args)
        self._schedtrace_tick()

    def _serve(self, thread: Thread, name: str, args: list[int]) -> None:
        started = self.machine.now()
        try:
            with self.calls.on_behalf_of(thread):
                try:
                    result = hypercalls.ENTRIES[name](self, thread, *args)
                except FATAL as err:
                    self.throw(thread, str(err))
                    return
        finally:
            self.machine.events.runtime_call(thread.tid, f"runtime.{name}", started, self.machine.now())
        self._deliver(thread, result=result)

    def _deliver(self, thread: Thread, result: int | None = None, pc: int | None = None) -> None:
        """Write a result (or a new pc) into a stopped thread's saved registers."""
        uc = self.machine.uc
        uc.context_restore(thread.context)
        if result is not None:
            self.machine.kernel.set_result(result)
        if pc is not None:
            self.machine.regs[self.arch.pc] = pc
        thread.context = uc.context_save()

    def throw(self, thread: Thread, message: str) -> None:
        """Go's throw: `fatal error: ...` on stderr, then this M exits the process with status 2."""
        with self.calls.on_behalf_of(thread):
            self.write(2, f"fatal error: {message}\n".encode())
        self._deliver(thread, pc=self.symbol("rt_die"))

    def write(self, fd: int, data: bytes) -> None:
        """Guest output through the sys_write stub (so it is ordered with the guest's own)."""
        for start in range(0, len(data), PRINT_BUFFER):
            piece = data[start : start + PRINT_BUFFER]
            self.memory.write(self.print_buffer, piece)
            self.calls.call("sys_write", fd, self.print_buffer, len(piece))

    # ---- allocation and collection ------------------------------------------------------------

    def mallocgc(self, thread: Thread, size: int, typ: int) -> int:
        """GC first if this allocation crosses next_gc (before: the new object is in no root yet)."""
        if self.collector.should_trigger(size):
            self.gc(thread)
        return self.allocator.mallocgc(size, typ)

    def gc(self, thread: Thread) -> None:
        """stoptheworld / mark / sweep / starttheworld. Between slices every M is stopped at an
        instruction boundary: that is the safe point, so the world is stopped by construction,
        and the registers of every thread are roots."""
        started = self.machine.now()
        cycle = self.collector.collect(self.roots(), self.machine.scheduler.clock.monotonic())
        if self.machine.events.active:
            self._report_phases(thread, cycle, started)
        if self.options.gctrace:
            self._trace_gc(cycle)

    def _report_phases(self, thread: Thread, cycle: Cycle, started: int) -> None:
        """The collection and its phases as run events, laid end to end from `started`."""
        events = self.machine.events
        events.gc_phase(thread.tid, f"gc {cycle.number}", started, started + cycle.pause * NS_PER_INSTRUCTION)
        for phase, instructions in cycle.phases:
            if not instructions:
                continue  # checkmark reads the bitmap without stub calls: no virtual time to show
            end = started + instructions * NS_PER_INSTRUCTION
            events.gc_phase(thread.tid, phase, started, end)
            started = end

    def _trace_gc(self, cycle: Cycle) -> None:
        """Go's gctrace=1 line, then the same collection in bytes and objects (emu/runtime/gctrace.py)."""
        line = GcLine(
            cycle.number,
            cycle.at - self.start_ns,
            sum(c.pause for c in self.collector.cycles) * NS_PER_INSTRUCTION,
            cycle.pause * NS_PER_INSTRUCTION,
            cycle.heap_before,
            cycle.heap_after,
            self.collector.next_gc,
            sum(g.stack_hi - g.stack_lo for g in self.sched.allgs),
            sum(s.size for s in self.machine.image.segments if s.writable),
            len(self.sched.ps),
        )
        self.trace(line.go_format())
        self.trace(
            f"emu gc {cycle.number}: {cycle.heap_before} -> {cycle.heap_after} B heap, "
            f"{cycle.freed} objects freed, {cycle.live} live, pause {cycle.pause} instructions"
        )

    def roots(self) -> list[int]:
        """Candidate pointers: writable data, G structs, goroutine stacks, registers, channels."""
        words: list[int] = []
        for segment in self.machine.image.segments:
            if segment.writable:
                words += self._words(segment.address, segment.end)
        threads = {t.tid: t for t in self.machine.threads if t.alive}
        for g in self.sched.allgs:
            words += self._words(g.addr, g.addr + self.sched.layout.g_size)
            if g.m is not None and g.m.tid in threads:
                sp = threads[g.m.tid].context.reg_read(cpu.register_id(self.arch, self.arch.sp))
            else:
                sp = self.sched.load(self.sched.gobuf(g))
            words += self._words(max(sp, g.stack_lo), g.stack_hi)
        for thread in threads.values():
            words += [
                thread.context.reg_read(cpu.register_id(self.arch, name))
                for name in self.arch.registers.general
            ]
        return words + self.chans.roots()

    def _words(self, start: int, end: int) -> list[int]:
        word = self.arch.word_size
        start = -(-start // word) * word
        if end <= start:
            return []
        raw = self.memory.read(start, end - start)
        return [self.arch.unpack(raw[i : i + word]) for i in range(0, len(raw) - word + 1, word)]

    # ---- traces -------------------------------------------------------------------------------

    def trace(self, line: str) -> None:
        stream = self.options.trace_stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()

    def _schedtrace_tick(self, force: bool = False) -> None:
        if not self.options.schedtrace or not self.initialised:
            return
        now = self.machine.scheduler.clock.monotonic()
        if force or now >= self.next_schedtrace:
            self.trace(f"SCHED {(now - self.start_ns) / 1e6:.3f}ms: {self.sched.summary()}")
            self.next_schedtrace = now + self.options.schedtrace

    def finish(self) -> None:
        """At exit: a last SCHED line and the GC summary."""
        if self.finished or not self.initialised:
            return
        self.finished = True
        self._schedtrace_tick(force=True)
        if self.options.gctrace:
            stats = self.allocator.stats
            self.trace(
                f"gc summary: {len(self.collector.cycles)} collections, {stats.nmalloc} mallocs, "
                f"{stats.nfree} frees, {stats.unrolls} GC program unrolls "
                f"({stats.flag_misses} with the flag byte unset after atomicor8), "
                f"heap {stats.heap_alloc} B, sys {self.os.stats.sys} B"
            )


def attach(machine: Machine, options: RuntimeOptions | None = None) -> Runtime:
    """Give a machine the runtime (idempotent: the first hypercall attaches one with defaults)."""
    runtime = machine.runtime
    if runtime is None:
        runtime = Runtime(machine, options)
        machine.runtime = runtime
        machine.attachments.append(runtime)
    return runtime


def runtime_of(machine: Machine) -> Runtime:
    return attach(machine)
