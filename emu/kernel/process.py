"""Process and thread lifetime: exit, exit_group, getpid, gettid."""

from __future__ import annotations

from emu.kernel import Kernel, ProcessExit, ThreadExit, syscall


@syscall("exit_group")
def sys_exit_group(kernel: Kernel, thread, status: int, *_) -> int:
    raise ProcessExit(status & 0xFF)


@syscall("exit")
def sys_exit(kernel: Kernel, thread, status: int, *_) -> int:
    raise ThreadExit(status & 0xFF)


@syscall("getpid")
def sys_getpid(kernel: Kernel, thread, *_) -> int:
    return kernel.machine.pid


@syscall("gettid")
def sys_gettid(kernel: Kernel, thread, *_) -> int:
    return thread.tid
