"""File descriptors: the guest's stdout and stderr are emu's."""

from __future__ import annotations

import errno
import sys

import unicorn

from emu.kernel import Kernel, signed, syscall

MAX_IO = 1 << 24


def _stream(fd: int):
    return {1: sys.stdout.buffer, 2: sys.stderr.buffer}.get(fd)


@syscall("write")
def sys_write(kernel: Kernel, thread, fd: int, buf: int, count: int, *_) -> int:
    stream = _stream(signed(fd, kernel.arch.bits))
    if stream is None:
        return -errno.EBADF
    count = min(count, MAX_IO)
    try:
        data = kernel.machine.memory.read(buf, count)
    except unicorn.UcError:
        return -errno.EFAULT
    stream.write(data)
    stream.flush()
    return len(data)
