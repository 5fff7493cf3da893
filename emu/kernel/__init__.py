"""The Linux system-call layer.

Handlers are plain functions registered by name with `@syscall("write")`; they
receive the kernel, the calling thread and the raw argument words, and return
the Linux result (a value, or -errno). Which register holds what, and how an
error is signalled (x86/arm: -errno; ppc64: CR0.SO + positive errno), is the
arch's data, applied once in `Kernel.dispatch` — no handler knows registers.
"""

from __future__ import annotations

import errno
import sys
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from emu.machine import Machine, Thread

Handler = Callable[..., int]
HANDLERS: dict[str, Handler] = {}
PPC_CR0_SO = 0x10000000
MAX_ERRNO = 4095


def syscall(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under one or more Linux syscall names."""

    def register(handler: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = handler
        return handler

    return register


class ProcessExit(Exception):
    """exit_group (or the last thread's exit): the whole guest ends with `status`."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class ThreadExit(Exception):
    """exit: only the calling thread ends."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def signed(value: int, bits: int) -> int:
    """A raw register word as the C `long` the kernel sees."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


class Kernel:
    """Answers a machine's syscalls; one instance per guest process."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.arch = machine.arch
        self.names = self.arch.syscall_names
        self.warned: set[int] = set()
        self.strace = machine.options.strace_stream

    def dispatch(self, thread: Thread) -> None:
        regs, abi = thread.machine.regs, self.arch.syscall
        number = regs[abi.number]
        args = [regs[name] for name in abi.args]
        name = self.names.get(number, f"syscall_{number}")
        handler = HANDLERS.get(name)
        try:
            result = handler(self, thread, *args) if handler else self._unimplemented(number, name)
        except (ProcessExit, ThreadExit) as end:
            self._trace(thread, name, args, None, end)
            raise
        self._trace(thread, name, args, result)
        self.set_result(result)

    def set_result(self, result: int) -> None:
        regs, abi = self.machine.regs, self.arch.syscall
        is_error = -MAX_ERRNO <= signed(result, self.arch.bits) < 0
        if abi.errors == "cr0so":
            cr = regs["cr"]
            if is_error:
                regs["cr"] = cr | PPC_CR0_SO
                regs[abi.result] = -signed(result, self.arch.bits)
            else:
                regs["cr"] = cr & ~PPC_CR0_SO
                regs[abi.result] = result & self.arch.word_mask
        else:
            regs[abi.result] = result & self.arch.word_mask

    def _unimplemented(self, number: int, name: str) -> int:
        if number not in self.warned:
            self.warned.add(number)
            print(f"emu: unimplemented syscall {name} ({number}) returns -ENOSYS", file=sys.stderr)
        return -errno.ENOSYS

    def _trace(self, thread: Thread, name: str, args: list[int], result: int | None, end: Exception | None = None) -> None:
        if self.strace is None:
            return
        from emu.kernel.strace import format_call

        self.strace.write(format_call(self.arch, thread.tid, name, args, result, end) + "\n")


# Handler modules register themselves on import.
from emu.kernel import process, files  # noqa: E402,F401
