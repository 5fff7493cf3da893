"""The guest-visible entry points: one function per hypercall (see abi.HYPERCALLS, docs/runtime.md).

A hypercall is a syscall with an emu-private number (abi.HC_BASE + index). Its
kernel handler runs inside unicorn's hook, where no stub may be called, so it
only records the request and ends the slice; Runtime.after_slice then calls the
function here, with the stubs available, and delivers its result (for switching
entry points: the gobuf the M must gogo to) into the thread's saved registers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from emu.kernel import HYPERCALL_PREFIX, Handler, signed
from emu.runtime import abi

if TYPE_CHECKING:
    from emu.image import Image
    from emu.kernel import Kernel
    from emu.machine import Machine
    from emu.runtime.runtime import Runtime
    from emu.sched import Thread

Entry = Callable[..., int]
ENTRIES: dict[str, Entry] = {}


def entry(function: Entry) -> Entry:
    ENTRIES[function.__name__.removeprefix("hc_")] = function
    return function


@entry
def hc_rt0(rt: Runtime, thread: Thread, main: int, sp: int, *_: int) -> int:
    """schedinit + mallocinit + newproc(main) + mstart: run main on m0, start the other Ms."""
    rt.init()
    m0 = rt.sched.newm(tid=thread.tid)
    rt.sched.newproc(main, 0, m0.p, entry="mainentry")
    gobuf = rt.sched.schedule(m0)
    for _p in rt.sched.ps[1:]:  # one M per further P
        rt.sched.newm()
    return gobuf


@entry
def hc_schedule(rt: Runtime, thread: Thread, *_: int) -> int:
    return rt.sched.schedule(rt.sched.m_of(thread.tid))


@entry
def hc_gosched(rt: Runtime, thread: Thread, *_: int) -> int:
    return rt.sched.gosched(rt.sched.m_of(thread.tid))


@entry
def hc_goexit(rt: Runtime, thread: Thread, *_: int) -> int:
    return rt.sched.goexit(rt.sched.m_of(thread.tid))


@entry
def hc_newproc(rt: Runtime, thread: Thread, fn: int, arg: int, *_: int) -> int:
    rt.sched.newproc(fn, arg, rt.sched.m_of(thread.tid).p)
    return 0


@entry
def hc_mallocgc(rt: Runtime, thread: Thread, size: int, typ: int, *_: int) -> int:
    return rt.mallocgc(thread, size, typ)


@entry
def hc_makechan(rt: Runtime, thread: Thread, cap: int, *_: int) -> int:
    address = rt.mallocgc(thread, 2 * rt.arch.word_size, 0)
    rt.chans.make(address, cap)
    return address


@entry
def hc_chansend(rt: Runtime, thread: Thread, *_: int) -> int:
    m = rt.sched.m_of(thread.tid)
    g = rt.sched.gfield
    return rt.chans.send(m, rt.sched.load(g(m.running, "arg0")), rt.sched.load(g(m.running, "arg1")))


@entry
def hc_chanrecv(rt: Runtime, thread: Thread, *_: int) -> int:
    m = rt.sched.m_of(thread.tid)
    return rt.chans.recv(m, rt.sched.load(rt.sched.gfield(m.running, "arg0")))


@entry
def hc_printstr(rt: Runtime, thread: Thread, text: int, *_: int) -> int:
    rt.write(1, rt.memory.read_cstring(text))
    return 0


@entry
def hc_printline(rt: Runtime, thread: Thread, text: int, value: int, *_: int) -> int:
    number = signed(value, rt.arch.bits)
    rt.write(1, rt.memory.read_cstring(text) + f" {number}\n".encode())
    return 0


@entry
def hc_gc(rt: Runtime, thread: Thread, *_: int) -> int:
    rt.gc(thread)
    return 0


@entry
def hc_exit(rt: Runtime, thread: Thread, code: int, *_: int) -> int:
    rt.finish()
    return code


def is_runtime_program(image: Image) -> bool:
    """Whether an image was linked with the toy runtime (rt0.s): only those may make hypercalls."""
    return "rt0_go" in image.symbols or "mstart" in image.symbols


def _recorder(name: str, number: int) -> Callable[..., int]:
    def record(kernel: Kernel, thread: Thread, *args: int) -> int:
        """A hypercall of a runtime program; from any other program, the unknown syscall it is
        (the same whether or not emu.runtime was imported: CLI and Python API agree)."""
        machine = cast("Machine", kernel.process)  # the toy runtime lives on emu's own Machine
        if machine.runtime is None and not is_runtime_program(machine.image):
            return kernel.unimplemented(number, f"syscall_{number}")
        from emu.runtime.runtime import runtime_of

        runtime_of(machine).request(thread, name, list(args))
        return 0

    return record


def hypercall_table() -> dict[str, Handler]:
    """The toy runtime's hypercalls as syscall-table entries (`syscall_<HC_BASE + index>`)."""
    return {
        f"syscall_{abi.HC_BASE + index}": _recorder(name, abi.HC_BASE + index)
        for index, name in enumerate(abi.HYPERCALLS)
    }


def hypercall_name(number: int) -> str | None:
    """A hypercall's name in --strace (`hc_<name>`); None for a number that is not one."""
    index = number - abi.HC_BASE
    return f"{HYPERCALL_PREFIX}{abi.HYPERCALLS[index]}" if 0 <= index < len(abi.HYPERCALLS) else None
