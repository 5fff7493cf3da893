"""The Linux system-call layer.

Handlers are plain functions marked with the names they answer, `@syscall("write")`;
`linux_table()` collects them from the handler modules it lists (no import side effect
fills a table), and each Kernel is given its table. A handler receives the kernel, the
calling thread and the raw argument words, and returns
the Linux result (a value, or -errno). Which register holds what, and how an
error is signalled (x86/arm: -errno; ppc64: CR0.SO + positive errno), is the
arch's data, applied once in `Kernel.dispatch` — no handler knows registers.
"""

from __future__ import annotations

import enum
import functools
import random
import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, TypeVar

import unicorn

from emu.kernel.abi import Errno
from emu.sched import SYSCALL_NS, Wait

if TYPE_CHECKING:
    from typing import TextIO

    from emu.kernel.interface import Process
    from emu.kernel.strace import Tracer
    from emu.sched import Thread


class Keep(enum.Enum):
    """A handler's result meaning "registers are already final" (rt_sigreturn)."""

    REGISTERS = "registers"


Handler = Callable[..., int | Keep]
AnyHandler = TypeVar("AnyHandler", bound=Handler)
SyscallTable = Mapping[str, Handler]  # Linux syscall name (or syscall_<n>) -> handler
HYPERCALL_PREFIX = "hc_"  # a toy-runtime hypercall's name in --strace (emu/runtime/hypercalls.py)
MAX_ERRNO = 4095
MAX_WARNED = 64  # distinct unimplemented syscalls reported (a fuzzer calls millions of numbers)


def syscall(*names: str) -> Callable[[AnyHandler], AnyHandler]:
    """Mark a handler as answering one or more Linux syscall names (`table_of` collects it)."""

    def mark(handler: AnyHandler) -> AnyHandler:
        handler.syscall_names = names  # type: ignore[attr-defined]
        return handler

    return mark


def table_of(*modules: ModuleType) -> dict[str, Handler]:
    """The syscall table of the handlers the modules define (`@syscall`); a name twice is an error."""
    table: dict[str, Handler] = {}
    for module in modules:
        for handler in vars(module).values():
            if getattr(handler, "__module__", None) != module.__name__:
                continue  # imported from elsewhere: its own module lists it
            for name in getattr(handler, "syscall_names", ()):
                if name in table:
                    raise RuntimeError(f"syscall {name} has two handlers ({module.__name__})")
                table[name] = handler
    return table


@functools.cache
def linux_table() -> SyscallTable:
    """Every Linux syscall emu implements, from its handler modules (listed here, explicitly)."""
    from emu.kernel import clock, epoll, files, futex, mm, process, signals, stat, threads, uname, vfs

    return MappingProxyType(
        table_of(clock, epoll, files, futex, mm, process, signals, stat, threads, uname, vfs)
    )


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


KEEP_REGISTERS = Keep.REGISTERS


class Blocked(Exception):
    """The calling thread sleeps (futex, nanosleep); its result is written when it wakes."""


def signed(value: int, bits: int) -> int:
    """A raw register word as the C `long` the kernel sees."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


class Kernel:
    """Answers a process's syscalls; one instance per guest process.

    It reaches the process only through `emu.kernel.interface.Process` (memory, the calling
    thread's registers, threads and scheduler, a few machine operations)."""

    def __init__(self, process: Process, handlers: SyscallTable | None = None) -> None:
        self.process = process
        self.handlers = linux_table() if handlers is None else handlers
        self.arch = process.arch
        self.names = self.arch.syscall_names
        self.warned: set[int] = set()
        self.tracer = self._new_tracer(process.options.strace_stream)
        self.random = random.Random(f"emu-getrandom-{process.options.seed}")
        self.brk_start = self.brk = 0
        self.sigactions: dict[int, bytes] = {}
        self.next_tid = process.pid + 1
        self._in_dispatch = False
        self._deferred: list[tuple[str, list[int], int]] = []
        self.rlimits: dict[int, tuple[int, int]] = {}
        from emu.kernel.files import FdTable
        from emu.kernel.vfs import FileSystem

        self.files = FdTable(self)
        self.vfs = FileSystem(self.arch, process.options.mounts, process.options.cwd)

    @property
    def clock(self):
        return self.process.scheduler.clock

    def dispatch(self, thread: Thread) -> None:
        regs, abi = self.process.regs, self.arch.syscall
        number, *args = regs.read_many((abi.number, *abi.args))
        name = self.names.get(number, f"syscall_{number}")
        handler = self.handlers.get(name)
        started = self.process.now()
        self.clock.advance(SYSCALL_NS)
        self._in_dispatch = True
        if self.tracer is not None:
            self.tracer.call(self._traced_name(number), number, args)
        try:
            result = handler(self, thread, *args) if handler else self.unimplemented(number, name)
        except (ProcessExit, ThreadExit):
            self.process.events.syscall(thread.tid, name, args, started, None)
            self._flush_deferred()
            raise
        except Blocked:
            self.process.events.syscall(thread.tid, name, args, started, None)
            thread.pending_call = (name, args)
            self._flush_deferred()
            raise
        except unicorn.UcError:
            result = -Errno.EFAULT  # a bad guest pointer: Linux answers EFAULT, it does not crash
        if self.process.out_of_time():
            self.process.preempt()  # the run loop reports the timeout before the next slice
        if result is KEEP_REGISTERS:
            self.process.events.syscall(thread.tid, name, args, started, None)
            if self.tracer is not None:
                self.tracer.sigreturn()
            self._flush_deferred()
            return
        self.process.events.syscall(thread.tid, name, args, started, result)
        self._trace_result(number, name, args, result)
        self._flush_deferred()
        self.set_result(result)

    def retire(self, thread: Thread) -> None:
        """An exited thread's records go (the last one stays for the final report)."""
        memory = self.process.memory
        memory.release(thread.record_bytes + sum(ctx.size for _, ctx in thread.signal_frames))
        thread.record_bytes, thread.signal_frames = 0, []
        if len(self.process.threads) > 1:
            self.process.scheduler.remove(thread)

    # ---- signals (emu/kernel/signals.py): the machine's two hook points ---------------------

    def on_resume(self, thread: Thread) -> None:
        """A thread is about to run: finish an rt_sigreturn, deliver pending signals."""
        from emu.kernel.signals import on_resume

        on_resume(self, thread)

    def deliver_fault(self, thread: Thread, fault) -> bool:
        """A CPU fault in `thread`: True if a guest handler will run (else the process dies)."""
        from emu.kernel.signals import deliver_fault

        return deliver_fault(self, thread, fault)

    def _flush_deferred(self) -> None:
        """Wake-ups caused by a syscall are traced after its own line, as they happen after it."""
        self._in_dispatch = False
        deferred, self._deferred = self._deferred, []
        for name, args, result in deferred:
            if self.tracer is not None:
                self.tracer.result(name, args, result)

    def block(self, thread: Thread, wait: Wait) -> None:
        """Put the calling thread to sleep; raises Blocked to leave the handler."""
        from emu.kernel.signals import interrupt_wait

        wait.pc = self.process.trap_pc()
        wait.since = self.process.now()
        self.process.scheduler.block(thread, wait)
        interrupt_wait(self, thread)
        raise Blocked()

    def complete(self, thread: Thread, result: int, wait: Wait | None = None) -> None:
        """A blocked syscall finished (woken or timed out): trace it, deliver on resume."""
        if wait is not None and self.process.events.active:
            call = thread.pending_call[0] if thread.pending_call else "wait"
            what = f"futex wait {wait.address:#x}" if call == "futex" else f"{call} (blocked)"
            self.process.events.waited(thread.tid, what, wait.since, self.process.now(), result)
        if thread.pending_call is not None:
            name, args = thread.pending_call
            self._deferred.append((name, args, result))
            thread.pending_call = None
            if not self._in_dispatch:
                self._flush_deferred()
        thread.pending_result = result

    # ---- guest memory, in the arch's byte order ------------------------------------------

    def load(self, address: int, size: int, signed_value: bool = False) -> int:
        return self.arch.unpack(self.process.memory.read(address, size), signed=signed_value)

    def store(self, address: int, value: int, size: int) -> None:
        self.process.memory.write(address, self.arch.pack(value, size))

    def load_words(self, address: int, count: int) -> list[int]:
        """`count` signed C longs (timespec, timeval: two native words on every arch)."""
        size = self.arch.word_size
        return [self.load(address + i * size, size, True) for i in range(count)]

    def store_words(self, address: int, values: list[int]) -> None:
        size = self.arch.word_size
        self.process.memory.write(address, b"".join(self.arch.pack(v, size) for v in values))

    def set_result(self, result: int) -> None:
        regs, abi = self.process.regs, self.arch.syscall
        is_error = -MAX_ERRNO <= signed(result, self.arch.bits) < 0
        flag = abi.error_flag
        if flag is not None:  # errors = "flag": the flag says failure, the result is the positive errno
            if is_error:
                regs[flag.register] = regs[flag.register] | flag.bit
                regs[abi.result] = -signed(result, self.arch.bits)
            else:
                regs[flag.register] = regs[flag.register] & ~flag.bit
                regs[abi.result] = result & self.arch.word_mask
        else:
            regs[abi.result] = result & self.arch.word_mask

    def unimplemented(self, number: int, name: str) -> int:
        """-ENOSYS, with a warning the first time each number is asked for."""
        if number not in self.warned and len(self.warned) < MAX_WARNED:  # random numbers: bounded
            self.warned.add(number)
            print(f"emu: unimplemented syscall {name} ({number}) returns -ENOSYS", file=sys.stderr)
        return -Errno.ENOSYS

    # ---- --strace (emu/kernel/strace.py) -------------------------------------------------

    def _new_tracer(self, stream: TextIO | None) -> Tracer | None:
        """--strace's writer, which reads guest strings and structs through this kernel."""
        if stream is None:
            return None
        from emu.kernel.strace import Tracer

        return Tracer(stream, self.arch, self.process.pid, self)

    def _traced_name(self, number: int) -> str | None:
        """The call's name in --strace: the arch's table, a runtime program's hypercall, or None
        (QEMU's `Unknown syscall N`)."""
        name = self.names.get(number)
        if name is None:
            from emu.runtime.hypercalls import hypercall_name, is_runtime_program

            if is_runtime_program(self.process.image):  # a plain program's 32256 is QEMU's unknown
                return hypercall_name(number)
        return name

    def _trace_result(self, number: int, name: str, args: list[int], result: int) -> None:
        """` = result`; none for an unknown number (QEMU prints none) or a hypercall (the runtime
        answers it between slices, so its value is not known here: the line ends with the call)."""
        if self.tracer is None:
            return
        traced = self._traced_name(number)
        if traced is None:
            return
        if traced.startswith(HYPERCALL_PREFIX) and number not in self.names:
            self.tracer.write("\n")
            return
        self.tracer.result(name, args, result)

    def trace_signal(self, signo: int, code: int, address: int = 0, pid: int = 0, uid: int = 0) -> None:
        """A signal is taken (handled, or about to kill): QEMU's `--- SIGNAME {...} ---` line."""
        if self.tracer is not None:
            self.tracer.signal(signo, code, address, pid, uid)

    def close_trace(self) -> None:
        if self.tracer is not None:
            self.tracer.close_line()

    # GuestMemory for the strace printers: None where the guest pointer is bad
    def words(self, address: int, count: int) -> list[int] | None:
        try:
            return self.load_words(address, count)
        except unicorn.UcError:
            return None

    def string(self, address: int) -> bytes | None:
        """A path argument for --strace (raw bytes: strace escapes them), or None if unreadable."""
        from emu.kernel.vfs import read_path

        text = read_path(self, address)
        return None if isinstance(text, int) else text.encode("utf-8", "surrogateescape")
