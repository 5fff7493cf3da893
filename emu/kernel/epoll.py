"""epoll, pipes and eventfds: enough for a runtime's network poller to idle and be woken.

Go's netpoller creates an epoll, registers the read end of a non-blocking pipe
(its wake-up channel) and sleeps in epoll_wait/epoll_pwait with the timeout of
its next timer. Waits are on the virtual clock (emu/sched.py): when every
thread sleeps, time jumps to the earliest deadline. A write to a watched pipe
wakes the sleeper, which collects the ready events as it resumes. The layout
of struct epoll_event (packed on x86-64) is arch data: `[linux] epoll_event`.
"""

from __future__ import annotations

from dataclasses import dataclass

from emu.kernel import Kernel, signed, syscall
from emu.kernel.abi import Errno
from emu.kernel.files import (
    EPOLLERR,
    EPOLLHUP,
    EPOLLIN,
    EPOLLOUT,
    O_CLOEXEC,
    O_NONBLOCK,
    O_RDONLY,
    O_RDWR,
    O_WRONLY,
    OpenFile,
)
from emu.sched import Wait

PIPE_CAPACITY = 65536
EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD = 1, 2, 3
EPOLLONESHOT, EPOLLET = 1 << 30, 1 << 31
EFD_SEMAPHORE = 1
EVENTFD_MAX = (1 << 64) - 2
NS_PER_MS = 1_000_000


# ---- pipes ------------------------------------------------------------------------------


class Pipe:
    """The shared buffer of a pipe and how many ends of each kind are open."""

    def __init__(self, flags: int) -> None:
        """`flags`: status flags both ends share (O_NONBLOCK)."""
        self.data = bytearray()
        self.readers = self.writers = 1
        self.read_end = PipeEnd(self, O_RDONLY | flags)
        self.write_end = PipeEnd(self, O_WRONLY | flags)


class PipeEnd(OpenFile):
    def __init__(self, pipe: Pipe, flags: int) -> None:
        super().__init__(flags)
        self.pipe = pipe

    def read(self, kernel: Kernel, count: int) -> bytes | int:
        pipe = self.pipe
        if not pipe.data:
            return b"" if pipe.writers == 0 else -Errno.EAGAIN
        data = bytes(pipe.data[:count])
        del pipe.data[:count]
        kernel.files.changed(self)
        kernel.files.changed(pipe.write_end)
        return data

    def write(self, kernel: Kernel, data: bytes) -> int:
        pipe = self.pipe
        if pipe.readers == 0:
            return -Errno.EPIPE
        room = PIPE_CAPACITY - len(pipe.data)
        if room <= 0:
            return -Errno.EAGAIN
        pipe.data += data[:room]
        kernel.files.changed(pipe.read_end)
        kernel.files.changed(self)
        return min(room, len(data))

    def poll(self) -> int:
        pipe = self.pipe
        if self is pipe.read_end:
            return (EPOLLIN if pipe.data else 0) | (EPOLLHUP if pipe.writers == 0 else 0)
        return (EPOLLOUT if len(pipe.data) < PIPE_CAPACITY else 0) | (EPOLLERR if pipe.readers == 0 else 0)

    def close(self, kernel: Kernel) -> None:
        pipe = self.pipe
        other = pipe.write_end if self is pipe.read_end else pipe.read_end
        if self is pipe.read_end:
            pipe.readers = 0
        else:
            pipe.writers = 0
        kernel.files.changed(other)
        for epoll in list(self.watchers):
            epoll.forget(self)


@syscall("pipe2", "pipe")
def sys_pipe2(kernel: Kernel, thread, fds: int, flags: int = 0, *_) -> int:
    if flags & ~(O_NONBLOCK | O_CLOEXEC):
        return -Errno.EINVAL
    pipe = Pipe(flags & O_NONBLOCK)
    cloexec = bool(flags & O_CLOEXEC)
    read_fd = kernel.files.install(pipe.read_end, cloexec, 0)
    write_fd = kernel.files.install(pipe.write_end, cloexec, 0)
    if read_fd < 0 or write_fd < 0:
        for fd in (read_fd, write_fd):
            if fd >= 0:
                kernel.files.close(fd)
        return -Errno.EMFILE
    kernel.store(fds, read_fd, 4)
    kernel.store(fds + 4, write_fd, 4)
    return 0


# ---- eventfd ----------------------------------------------------------------------------


class EventFd(OpenFile):
    """A 64-bit counter: write adds, read takes it all (or one, as a semaphore)."""

    def __init__(self, value: int, flags: int) -> None:
        super().__init__(O_RDWR | (flags & O_NONBLOCK))
        self.value = value
        self.semaphore = bool(flags & EFD_SEMAPHORE)

    def read(self, kernel: Kernel, count: int) -> bytes | int:
        if count < 8:
            return -Errno.EINVAL
        if self.value == 0:
            return -Errno.EAGAIN
        taken = 1 if self.semaphore else self.value
        self.value -= taken
        kernel.files.changed(self)
        return kernel.arch.pack(taken, 8)

    def write(self, kernel: Kernel, data: bytes) -> int:
        if len(data) < 8:
            return -Errno.EINVAL
        value = kernel.arch.unpack(data[:8])
        if value > EVENTFD_MAX:
            return -Errno.EINVAL
        if self.value + value > EVENTFD_MAX:
            return -Errno.EAGAIN
        self.value += value
        kernel.files.changed(self)
        return 8

    def poll(self) -> int:
        return (EPOLLIN if self.value else 0) | (EPOLLOUT if self.value < EVENTFD_MAX else 0)


@syscall("eventfd2", "eventfd")
def sys_eventfd2(kernel: Kernel, thread, value: int, flags: int = 0, *_) -> int:
    if flags & ~(O_NONBLOCK | O_CLOEXEC | EFD_SEMAPHORE):
        return -Errno.EINVAL
    return kernel.files.install(EventFd(value & 0xFFFFFFFF, flags), bool(flags & O_CLOEXEC))


# ---- epoll ------------------------------------------------------------------------------


@dataclass
class Interest:
    file: OpenFile
    events: int
    data: int
    generation: int = -1  # the file's generation last reported (edge-triggered)


class Epoll(OpenFile):
    """An interest list; level-triggered unless EPOLLET, which reports each change once."""

    def __init__(self) -> None:
        super().__init__(O_RDWR)
        self.interests: dict[int, Interest] = {}

    def forget(self, file: OpenFile) -> None:
        for fd in [fd for fd, interest in self.interests.items() if interest.file is file]:
            del self.interests[fd]
        file.watchers.pop(self, None)

    def ready(self, limit: int) -> list[tuple[int, int]]:
        """Up to `limit` (events, data) pairs ready now; marks edge-triggered ones reported."""
        found: list[tuple[int, int]] = []
        for interest in self.interests.values():
            if len(found) >= limit:
                break
            events = interest.file.poll() & (interest.events | EPOLLERR | EPOLLHUP)
            if not events or (interest.events & EPOLLET and interest.generation == interest.file.generation):
                continue
            interest.generation = interest.file.generation
            if interest.events & EPOLLONESHOT:
                interest.events = 0
            found.append((events, interest.data))
        return found

    def poll(self) -> int:
        return EPOLLIN if self.ready_peek() else 0

    def ready_peek(self) -> bool:
        return any(i.file.poll() & (i.events | EPOLLERR | EPOLLHUP) for i in self.interests.values())

    def close(self, kernel: Kernel) -> None:
        for interest in list(self.interests.values()):
            interest.file.watchers.pop(self, None)
        self.interests.clear()


def _event_layout(kernel: Kernel) -> tuple[int, int]:
    layout = kernel.arch.linux.epoll_event
    return layout.size, layout.data_offset


@syscall("epoll_create1")
def sys_epoll_create1(kernel: Kernel, thread, flags: int, *_) -> int:
    if flags & ~O_CLOEXEC:
        return -Errno.EINVAL
    return kernel.files.install(Epoll(), bool(flags & O_CLOEXEC))


@syscall("epoll_create")
def sys_epoll_create(kernel: Kernel, thread, size: int, *_) -> int:
    return -Errno.EINVAL if signed(size, 32) <= 0 else kernel.files.install(Epoll())


@syscall("epoll_ctl")
def sys_epoll_ctl(kernel: Kernel, thread, epfd: int, op: int, fd: int, event: int, *_) -> int:
    epoll, file = kernel.files.get(epfd), kernel.files.get(fd)
    if epoll is None or file is None:
        return -Errno.EBADF
    if not isinstance(epoll, Epoll) or file is epoll:
        return -Errno.EINVAL
    fd = signed(fd, 32)
    if op == EPOLL_CTL_DEL:
        if fd not in epoll.interests:
            return -Errno.ENOENT
        del epoll.interests[fd]
        if all(i.file is not file for i in epoll.interests.values()):
            file.watchers.pop(epoll, None)
        return 0
    if op not in (EPOLL_CTL_ADD, EPOLL_CTL_MOD):
        return -Errno.EINVAL
    if (op == EPOLL_CTL_ADD) == (fd in epoll.interests):
        return -Errno.EEXIST if op == EPOLL_CTL_ADD else -Errno.ENOENT
    data_offset = _event_layout(kernel)[1]
    events, data = kernel.load(event, 4), kernel.load(event + data_offset, 8)
    epoll.interests[fd] = Interest(file, events, data)
    file.watchers[epoll] = None
    kernel.files.changed(epoll)
    return 0


def _deliver_events(kernel: Kernel, epoll: Epoll, buffer: int, limit: int) -> int:
    size, data_offset = _event_layout(kernel)
    found = epoll.ready(limit)
    for i, (events, data) in enumerate(found):
        kernel.store(buffer + i * size, events, 4)
        kernel.store(buffer + i * size + data_offset, data, 8)
    return len(found)


@syscall("epoll_wait", "epoll_pwait")
def sys_epoll_wait(kernel: Kernel, thread, epfd: int, events: int, maxevents: int, timeout: int, *_) -> int:
    """Ready events now, else sleep until one arrives or `timeout` ms pass (-1: forever).
    epoll_pwait's signal mask is not applied: the sleep ends for any delivered signal anyway."""
    epoll = kernel.files.get(epfd)
    if epoll is None:
        return -Errno.EBADF
    limit, timeout = signed(maxevents, 32), signed(timeout, 32)
    if not isinstance(epoll, Epoll) or limit <= 0:
        return -Errno.EINVAL
    count = _deliver_events(kernel, epoll, events, limit)
    if count or timeout == 0:
        return count

    def complete(result: int) -> int:
        return result if result < 0 else _deliver_events(kernel, epoll, events, limit)

    deadline = None if timeout < 0 else kernel.clock.monotonic() + timeout * NS_PER_MS
    kernel.block(thread, Wait(epoll.key, deadline, on_timeout=0, complete=complete))
    return 0  # not reached: block raises
