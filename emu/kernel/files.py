"""File descriptors: a per-process table of open files, and the calls that use any of them.

fds 0-2 are emu's own stdin/stdout/stderr; other files come from the read-only
virtual file system (vfs.py), pipes and eventfds (epoll.py). Every open file
answers `read`/`write`/`poll`; a file whose readiness changes calls
`FdTable.changed`, which wakes threads sleeping on it or on an epoll watching it.
"""

from __future__ import annotations

import itertools
import os
import select
import sys
import time
from typing import IO, TYPE_CHECKING

import unicorn

from emu.kernel import Kernel, signed, syscall
from emu.kernel.abi import Errno
from emu.kernel.sigframe import SigInfo
from emu.sched import Wait

if TYPE_CHECKING:
    from emu.kernel.epoll import Epoll

MAX_IO = 1 << 24
HOST_CHUNK = 4096  # bytes per host write while a --timeout is set (PIPE_BUF: never blocks)
O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR = 3, 0, 1, 2
O_NONBLOCK, O_CLOEXEC = 0x800, 0x80000
F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC = 0, 1, 2, 3, 4, 1030
FD_CLOEXEC = 1
EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP = 0x1, 0x4, 0x8, 0x10
MAX_FDS = 1024
# Sleep keys for non-futex waits live above every guest address, so they never meet a futex word.
_KEYS = itertools.count(1 << 64)


class OpenFile:
    """An open file description; subclasses override what they support."""

    def __init__(self, flags: int = O_RDWR) -> None:
        self.flags = flags
        self.key = next(_KEYS)  # what readers sleep on
        # epolls watching this file, in registration order (a dict: a set of objects would
        # iterate in address order, and wake-ups, hence --strace, would differ between runs)
        self.watchers: dict[Epoll, None] = {}
        self.generation = 0  # bumped on every readiness change (edge-triggered epoll)

    def read(self, kernel: Kernel, count: int) -> bytes | int:
        return -Errno.EINVAL

    def write(self, kernel: Kernel, data: bytes) -> int:
        return -Errno.EINVAL

    def poll(self) -> int:
        """Ready events right now (EPOLLIN/EPOLLOUT/EPOLLHUP)."""
        return EPOLLIN | EPOLLOUT

    def close(self, kernel: Kernel) -> None:
        """The last descriptor for this file went away."""


class HostStream(OpenFile):
    """emu's own stdin, stdout or stderr, shared with the guest.

    With --timeout, emu never blocks on the host past the deadline: it waits for the fd with
    select() and moves at most HOST_CHUNK bytes per host call (a pipe that select() calls
    writable takes that much without blocking). Reaching the deadline is -EINTR, and the run
    loop then reports the timeout."""

    def __init__(self, fd: int, flags: int) -> None:
        super().__init__(flags)
        self.fd = fd

    def read(self, kernel: Kernel, count: int) -> bytes | int:
        if not self._wait_ready(kernel, writing=False):
            return -Errno.EINTR
        try:
            return os.read(self.fd, count)
        except OSError as err:
            return -(err.errno or Errno.EIO)

    def write(self, kernel: Kernel, data: bytes) -> int:
        stream = {1: sys.stdout, 2: sys.stderr}.get(self.fd)
        if stream is None:
            return -Errno.EBADF
        try:
            stream.flush()  # emu's own lines (--strace on stderr) stay in order with the guest's
        except BrokenPipeError:
            return self._reader_gone(kernel)
        written = 0
        while written < len(data):
            if not self._wait_ready(kernel, writing=True):
                break
            chunk = HOST_CHUNK if kernel.process.deadline is not None else len(data)
            try:
                written += os.write(self.fd, data[written : written + chunk])
            except BrokenPipeError:
                return self._reader_gone(kernel)
            except OSError as err:
                return written or -(err.errno or Errno.EIO)
        return written if written or not data else -Errno.EINTR

    def _reader_gone(self, kernel: Kernel) -> int:
        """A write to a pipe whose reader went away (`emu run | head`): SIGPIPE to the writing
        thread and -EPIPE, as on Linux (exit 141 by default; ignored, only the error)."""
        from emu.kernel import signals

        signals.send(kernel, kernel.process.running, SigInfo(signals.SIGPIPE, signals.SI_USER))
        return -Errno.EPIPE

    def _wait_ready(self, kernel: Kernel, writing: bool) -> bool:
        """Wait until the fd is ready, or False once --timeout has passed (no timeout: True)."""
        deadline = kernel.process.deadline
        if deadline is None:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        watched = [self.fd]
        ready = (
            select.select([], watched, [], remaining)[1]
            if writing
            else select.select(watched, [], [], remaining)[0]
        )
        return bool(ready)


def discard_unwritten(stream: IO[str] | IO[bytes]) -> None:
    """Point a host stream whose reader is gone at /dev/null: its buffered bytes can never be
    delivered, and flushing them again (at exit) must not raise."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, stream.fileno())
    os.close(devnull)


class FdTable:
    """Descriptor numbers -> (open file, close-on-exec); lowest free number first, like Linux."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.entries: dict[int, tuple[OpenFile, bool]] = {
            0: (HostStream(0, O_RDONLY), False),
            1: (HostStream(1, O_WRONLY), False),
            2: (HostStream(2, O_WRONLY), False),
        }

    def get(self, fd: int) -> OpenFile | None:
        entry = self.entries.get(signed(fd, 32))
        return entry[0] if entry else None

    def install(self, file: OpenFile, cloexec: bool = False, lowest: int = 0) -> int:
        """The lowest free descriptor >= `lowest` now refers to `file` (-EMFILE if none)."""
        for fd in range(lowest, MAX_FDS):
            if fd not in self.entries:
                self.entries[fd] = (file, cloexec)
                return fd
        return -Errno.EMFILE

    def close(self, fd: int) -> int:
        entry = self.entries.pop(signed(fd, 32), None)
        if entry is None:
            return -Errno.EBADF
        file = entry[0]
        if all(other is not file for other, _ in self.entries.values()):
            file.close(self.kernel)
        return 0

    def changed(self, file: OpenFile) -> None:
        """`file`'s readiness changed: wake its readers and the epolls that watch it."""
        file.generation += 1
        scheduler = self.kernel.process.scheduler
        scheduler.wake(file.key, MAX_FDS)
        for epoll in list(file.watchers):
            scheduler.wake(epoll.key, MAX_FDS)


def _guest_bytes(kernel: Kernel, buf: int, count: int) -> bytes | int:
    try:
        return kernel.process.memory.read(buf, min(count, MAX_IO))
    except unicorn.UcError:
        return -Errno.EFAULT


@syscall("write")
def sys_write(kernel: Kernel, thread, fd: int, buf: int, count: int, *_) -> int:
    file = kernel.files.get(fd)
    if file is None or file.flags & O_ACCMODE == O_RDONLY:
        return -Errno.EBADF
    data = _guest_bytes(kernel, buf, count)
    return data if isinstance(data, int) else file.write(kernel, data)


@syscall("read")
def sys_read(kernel: Kernel, thread, fd: int, buf: int, count: int, *_) -> int:
    file = kernel.files.get(fd)
    if file is None or file.flags & O_ACCMODE == O_WRONLY:
        return -Errno.EBADF
    count = min(count, MAX_IO)

    def attempt(result: int = 0) -> int:
        if result < 0:
            return result  # interrupted while asleep
        data = file.read(kernel, count)
        if isinstance(data, int):
            return data
        kernel.process.memory.write(buf, data)
        return len(data)

    result = attempt()
    if result != -Errno.EAGAIN or file.flags & O_NONBLOCK:
        return result
    kernel.block(thread, Wait(file.key, None, complete=attempt))  # wakes on FdTable.changed
    return result


@syscall("close")
def sys_close(kernel: Kernel, thread, fd: int, *_) -> int:
    return kernel.files.close(fd)


@syscall("fcntl", "fcntl64")
def sys_fcntl(kernel: Kernel, thread, fd: int, command: int, argument: int, *_) -> int:
    """The descriptor-flag and status-flag commands (Go asks F_GETFL of fds 0-2 at start-up)."""
    table = kernel.files
    entry = table.entries.get(signed(fd, 32))
    if entry is None:
        return -Errno.EBADF
    file, cloexec = entry
    if command in (F_DUPFD, F_DUPFD_CLOEXEC):
        return table.install(file, command == F_DUPFD_CLOEXEC, signed(argument, 32))
    if command == F_GETFD:
        return FD_CLOEXEC if cloexec else 0
    if command == F_SETFD:
        table.entries[signed(fd, 32)] = (file, bool(argument & FD_CLOEXEC))
        return 0
    if command == F_GETFL:
        return file.flags
    if command == F_SETFL:
        file.flags = (file.flags & ~O_NONBLOCK) | (argument & O_NONBLOCK)
        return 0
    return -Errno.EINVAL
