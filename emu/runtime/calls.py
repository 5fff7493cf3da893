"""Stub calls from the supervisor into a running guest: the runtime's only way to act.

Unicorn cannot start an engine from inside one of its own hooks, so the runtime
never calls a stub while a slice runs: a hypercall only stops the slice, and the
runtime answers it afterwards (hypercalls.py), calling stubs through this class
on the same engine, memory and kernel as the guest. The calling thread's saved
context is untouched (the machine restores it before the next slice), and the
machine's per-slice stop state is put back after every call.
"""

from __future__ import annotations

from contextlib import contextmanager

from emu.errors import EmuError
from emu.machine import Machine, Thread
from emu.memory import PROT_EXEC, PROT_READ, PROT_WRITE
from emu.stubs import DEFAULT_BUDGET, StubMachine, signature

CALL_STACK = 64 << 10
# Entry points of rt0.s the supervisor calls like stubs (runtime_asm/README.md conventions).
RT0_SIGNATURES: dict[str, tuple[tuple[str, ...], str | None]] = {"rt_clone": (("w",) * 5, "w")}


class SupervisorCalls(StubMachine):
    """A StubMachine borrowing a Machine whose image holds the stubs (and rt0.s)."""

    def __init__(self, machine: Machine) -> None:  # noqa: D107 - shares StubMachine's attributes
        self.arch, self.machine, self.image = machine.arch, machine, machine.image
        self.abi = self.arch.stubs
        self.stubs = tuple(self.image.symbols)
        self.regs, self.memory, self.uc = machine.regs, machine.memory, machine.uc
        self.sentinel = self._map_area(self.arch.page_size, PROT_READ | PROT_EXEC, "[runtime-return]")
        stack = self._map_area(CALL_STACK, PROT_READ | PROT_WRITE, "[runtime-stack]")
        self.call_sp = (stack + CALL_STACK - 512) & ~0xF
        self.arg_regs = self.arch.call.args + self.abi.extra_args
        self.budget = DEFAULT_BUDGET
        self.caller: Thread | None = None  # set by on_behalf_of, around every call
        self.instructions = 0  # emulated instructions run by supervisor calls

    def _map_area(self, size: int, prot: int, name: str) -> int:
        start = self.memory.find_free(size, floor=self.arch.linux.mmap_base, ceiling=self.arch.linux.mmap_top)
        if start is None:
            raise EmuError(f"no room for {name}")
        self.memory.map(start, size, prot, name)
        return start

    @contextmanager
    def on_behalf_of(self, thread: Thread):
        """Calls made inside run as `thread` (its tid in strace, its clock charged)."""
        saved_stop, saved_current, saved_caller = self.machine.stop, self.machine.current, self.caller
        self.caller = thread
        before = self.instructions
        try:
            yield self
        finally:
            self.machine.charge(thread, self.instructions - before)
            self.machine.stop, self.machine.current, self.caller = saved_stop, saved_current, saved_caller

    def calling_thread(self) -> Thread:
        if self.caller is None:
            raise EmuError("runtime: a supervisor call outside on_behalf_of (an emu bug)")
        return self.caller

    def call(self, name: str, *args: int, budget: int | None = None) -> int:
        kinds, result_kind = RT0_SIGNATURES.get(name) or signature(name)
        self.set_args(name, kinds, args)
        self.enter(name)
        self.run_to_sentinel(name, budget or self.budget)
        return self.result(result_kind)
