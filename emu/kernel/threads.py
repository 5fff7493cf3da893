"""Threads: clone (thread flags only), exit, gettid, set_tid_address, sched_*.

A clone makes a new Thread whose first resume sets the new stack, the TLS
register and a 0 result; which argument is which (x86 swaps tls and
child_tid) and which register holds the TLS are arch data (`[linux]`).
"""

from __future__ import annotations

import contextlib

import unicorn

from emu.kernel import Kernel, ThreadExit, syscall
from emu.kernel.abi import Clone, Errno
from emu.kernel.process import RLIMIT_NPROC, soft_limit
from emu.memory import OutOfMemory
from emu.sched import Thread

CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND = (
    Clone.CLONE_VM,
    Clone.CLONE_FS,
    Clone.CLONE_FILES,
    Clone.CLONE_SIGHAND,
)
CLONE_THREAD, CLONE_SYSVSEM, CLONE_SETTLS = Clone.CLONE_THREAD, Clone.CLONE_SYSVSEM, Clone.CLONE_SETTLS
CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID = Clone.CLONE_PARENT_SETTID, Clone.CLONE_CHILD_CLEARTID
CLONE_DETACHED, CLONE_CHILD_SETTID = Clone.CLONE_DETACHED, Clone.CLONE_CHILD_SETTID
CSIGNAL = 0xFF
THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD
OPTIONAL_FLAGS = (
    CLONE_SYSVSEM
    | CLONE_SETTLS
    | CLONE_PARENT_SETTID
    | CLONE_CHILD_CLEARTID
    | CLONE_DETACHED
    | CLONE_CHILD_SETTID
)
FUTEX_WAKE_ONE = 1


def clone_arguments(kernel: Kernel, raw: tuple[int, ...]) -> dict[str, int]:
    """clone's raw argument words by name, in this arch's order."""
    return dict(zip(kernel.arch.linux.clone_args, raw, strict=False))


@syscall("clone")
def sys_clone(kernel: Kernel, thread: Thread, *raw: int) -> int:
    """Only the thread form Go and glibc use (with or without SYSVSEM): fork is -EINVAL."""
    args = clone_arguments(kernel, raw)
    flags = args["flags"]
    if flags & THREAD_FLAGS != THREAD_FLAGS or flags & ~(THREAD_FLAGS | OPTIONAL_FLAGS | CSIGNAL):
        return -Errno.EINVAL
    process = kernel.process
    if len(process.threads) >= soft_limit(kernel, RLIMIT_NPROC):  # exited threads are retired
        return -Errno.EAGAIN
    context = process.save_context()
    try:
        process.memory.charge(context.size)  # a thread costs emu its saved CPU context
    except OutOfMemory:
        return -Errno.ENOMEM
    child = Thread(context, tid=kernel.next_tid, record_bytes=context.size)
    kernel.next_tid += 1
    child.sigmask = thread.sigmask
    child.pending_result = 0
    child.pending_regs = {process.arch.pc: process.resume_pc()}
    if args["stack"]:
        child.pending_regs[process.arch.sp] = args["stack"]
    if flags & CLONE_SETTLS:
        child.pending_regs[kernel.arch.linux.tls_register] = args["tls"]
    if flags & CLONE_PARENT_SETTID:
        kernel.store(args["ptid"], child.tid, 4)
    if flags & CLONE_CHILD_SETTID:
        kernel.store(args["ctid"], child.tid, 4)
    if flags & CLONE_CHILD_CLEARTID:
        child.clear_child_tid = args["ctid"]
    process.scheduler.add(child)
    return child.tid


@syscall("exit")
def sys_exit(kernel: Kernel, thread: Thread, status: int, *_) -> int:
    """One thread ends: clear and wake its CLONE_CHILD_CLEARTID word (how joins work)."""
    if thread.clear_child_tid:
        with contextlib.suppress(unicorn.UcError):  # Linux ignores a bad clear_child_tid
            kernel.store(thread.clear_child_tid, 0, 4)
        kernel.process.scheduler.wake(thread.clear_child_tid, FUTEX_WAKE_ONE)
    raise ThreadExit(status & 0xFF)


@syscall("gettid")
def sys_gettid(kernel: Kernel, thread: Thread, *_) -> int:
    return thread.tid


@syscall("set_tid_address")
def sys_set_tid_address(kernel: Kernel, thread: Thread, address: int, *_) -> int:
    thread.clear_child_tid = address
    return thread.tid


@syscall("set_robust_list")
def sys_set_robust_list(kernel: Kernel, thread: Thread, head: int, length: int, *_) -> int:
    return 0 if length == 3 * kernel.arch.word_size else -Errno.EINVAL


@syscall("sched_yield")
def sys_sched_yield(kernel: Kernel, thread: Thread, *_) -> int:
    kernel.process.preempt()
    return 0


@syscall("sched_getaffinity")
def sys_sched_getaffinity(kernel: Kernel, thread: Thread, pid: int, size: int, mask: int, *_) -> int:
    """A mask of --ncpu CPUs, in whole C longs (Linux returns the bytes it wrote)."""
    word = kernel.arch.word_size
    ncpu = kernel.process.options.ncpu
    needed = (ncpu + 8 * word - 1) // (8 * word) * word
    if size < needed or size % word:
        return -Errno.EINVAL
    bits = (1 << ncpu) - 1
    words = [(bits >> (8 * word * i)) & kernel.arch.word_mask for i in range(needed // word)]
    kernel.store_words(mask, words)
    return needed


ARCH_PRCTL_CODES = {
    0x1001: "ARCH_SET_GS",
    0x1002: "ARCH_SET_FS",
    0x1003: "ARCH_GET_FS",
    0x1004: "ARCH_GET_GS",
}


@syscall("arch_prctl")
def sys_arch_prctl(kernel: Kernel, thread: Thread, code: int, address: int, *_) -> int:
    """x86-64's own TLS call (Go's settls): set or read the FS/GS base of the calling thread."""
    name = ARCH_PRCTL_CODES.get(code, "")
    register = kernel.arch.linux.arch_prctl_bases.get(name)  # which base register (arch data)
    if register is None:
        return -Errno.EINVAL
    regs = kernel.process.regs
    if name.startswith("ARCH_SET_"):
        regs[register] = address
    else:
        kernel.store(address, regs[register], 8)
    return 0
