"""epoll + pipe2 + eventfd as Go's netpoller uses them, on the virtual clock."""

from __future__ import annotations

import pytest
from conftest import ARCHES
from test_kernel_units import call, machine_for, scratch

from emu.kernel import Blocked
from emu.kernel.abi import Errno

O_NONBLOCK, O_CLOEXEC, EPOLLIN, EPOLL_CTL_ADD = 0x800, 0x80000, 1, 1


def netpoll_setup(machine) -> tuple[int, int, int]:
    """epoll_create1 + pipe2(O_NONBLOCK) + EPOLL_CTL_ADD of the read end, like netpollinit."""
    kernel, base = machine.kernel, scratch(machine)
    epfd = call(machine, "epoll_create1", O_CLOEXEC)
    assert call(machine, "pipe2", base, O_NONBLOCK | O_CLOEXEC) == 0
    read_fd, write_fd = kernel.load(base, 4), kernel.load(base + 4, 4)
    data_offset = machine.arch.linux.epoll_event.data_offset
    kernel.store(base + 64, EPOLLIN, 4)
    kernel.store(base + 64 + data_offset, 0xABCDEF, 8)
    assert call(machine, "epoll_ctl", epfd, EPOLL_CTL_ADD, read_fd, base + 64) == 0
    return epfd, read_fd, write_fd


@pytest.mark.parametrize("arch_name", ARCHES)
def test_pipe_wakes_epoll_sleeper_with_its_event(arch_name: str) -> None:
    machine = machine_for(arch_name)
    kernel, base, thread = machine.kernel, scratch(machine), machine.threads[0]
    epfd, read_fd, write_fd = netpoll_setup(machine)
    events = base + 256
    assert call(machine, "epoll_wait", epfd, events, 128, 0) == 0  # nothing ready
    with pytest.raises(Blocked):
        call(machine, "epoll_wait", epfd, events, 128, (1 << 32) - 1)  # -1: forever
    assert thread.wait is not None and thread.wait.deadline is None
    kernel.store(base + 128, 1, 1)
    assert call(machine, "write", write_fd, base + 128, 1) == 1  # netpollBreak
    assert thread.wait is None and thread.pending_result == 1
    data_offset = machine.arch.linux.epoll_event.data_offset
    assert kernel.load(events, 4) == EPOLLIN and kernel.load(events + data_offset, 8) == 0xABCDEF
    assert call(machine, "read", read_fd, base + 160, 16) == 1
    assert call(machine, "read", read_fd, base + 160, 16) == -Errno.EAGAIN


def test_epoll_timeout_is_virtual_time() -> None:
    machine = machine_for("ppc64")
    thread = machine.threads[0]
    epfd, _, _ = netpoll_setup(machine)
    now = machine.kernel.clock.monotonic()
    with pytest.raises(Blocked):
        call(machine, "epoll_pwait", epfd, scratch(machine) + 256, 128, 10, 0, 8)
    assert thread.wait is not None and thread.wait.deadline == now + 10_000_000
    assert machine.scheduler.pick() is thread  # everyone asleep: the clock jumps to the deadline
    assert thread.pending_result == 0 and machine.kernel.clock.monotonic() >= now + 10_000_000


def test_epoll_ctl_errors_and_edge_trigger() -> None:
    machine = machine_for("amd64")
    kernel, base = machine.kernel, scratch(machine)
    epfd, read_fd, write_fd = netpoll_setup(machine)
    assert call(machine, "epoll_ctl", epfd, EPOLL_CTL_ADD, read_fd, base + 64) == -Errno.EEXIST
    assert call(machine, "epoll_ctl", epfd, 2, 1, 0) == -Errno.ENOENT
    assert call(machine, "epoll_ctl", 1, EPOLL_CTL_ADD, read_fd, base + 64) == -Errno.EINVAL
    kernel.store(base + 64, EPOLLIN | 1 << 31, 4)  # EPOLLET
    assert call(machine, "epoll_ctl", epfd, 3, read_fd, base + 64) == 0
    call(machine, "write", write_fd, base, 1)
    assert call(machine, "epoll_wait", epfd, base + 256, 8, 0) == 1
    assert call(machine, "epoll_wait", epfd, base + 256, 8, 0) == 0  # reported once


def test_eventfd_counts() -> None:
    machine = machine_for("arm")
    kernel, base = machine.kernel, scratch(machine)
    fd = call(machine, "eventfd2", 0, O_NONBLOCK)
    assert call(machine, "read", fd, base, 8) == -Errno.EAGAIN
    kernel.store(base, 5, 8)
    assert call(machine, "write", fd, base, 8) == 8
    assert call(machine, "write", fd, base, 8) == 8
    assert call(machine, "read", fd, base + 8, 8) == 8 and kernel.load(base + 8, 8) == 10
