"""What the kernel may use of the process it serves: the one interface between emu/kernel and
the machine that runs the guest (emu.machine.Machine implements it).

The kernel sees the process's memory, the registers of the calling thread (the engine's live
context), its threads and scheduler (to block, wake, add and remove threads), the run's options
and deadline, and a few machine operations (end the slice, where the syscall instruction is,
where the thread resumes, save and restore a CPU context for clone and signal frames). Anything
else of the machine (the engine, hooks, counters, debuggers) is not the kernel's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from unicorn.unicorn_py3.unicorn import UcContext

    from emu.arch import Arch
    from emu.cpu import Registers
    from emu.events import RunEvents
    from emu.image import Image
    from emu.memory import AddressSpace
    from emu.options import RunOptions
    from emu.sched import Scheduler, Thread


class Process(Protocol):
    """A guest process as the kernel sees it."""

    arch: Arch
    pid: int
    options: RunOptions
    image: Image
    memory: AddressSpace
    regs: Registers  # the calling (current) thread's registers
    scheduler: Scheduler
    current: Thread | None
    deadline: float | None  # time.monotonic() at which --timeout ends the run
    events: RunEvents  # observers of syscalls, waits and signals (--timeline)

    def preempt(self) -> None:
        """End the current slice after this syscall (another thread should run, or time is up)."""

    def out_of_time(self) -> bool:
        """Whether --timeout has passed."""

    @property
    def threads(self) -> list[Thread]:
        """The process's live threads."""

    @property
    def running(self) -> Thread:
        """The thread on the CPU (the caller of the syscall being handled)."""

    def now(self) -> int:
        """The guest's virtual time, for events."""

    def trap_pc(self) -> int:
        """The address of the syscall instruction being handled."""

    def resume_pc(self) -> int:
        """Where the calling thread resumes after the syscall."""

    def save_context(self) -> UcContext:
        """The calling thread's CPU state, to start a clone or keep with a signal frame."""

    def restore_context(self, context: UcContext) -> None:
        """Make a saved CPU state the calling thread's (rt_sigreturn)."""
