"""Process lifetime: exit_group and getpid (thread lifetime is in threads.py)."""

from __future__ import annotations

from emu.kernel import Kernel, ProcessExit, syscall


@syscall("exit_group")
def sys_exit_group(kernel: Kernel, thread, status: int, *_) -> int:
    raise ProcessExit(status & 0xFF)


@syscall("getpid")
def sys_getpid(kernel: Kernel, thread, *_) -> int:
    return kernel.machine.pid
