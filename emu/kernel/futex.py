"""futex: WAIT/WAKE and the BITSET forms, private or not, on the virtual clock.

The timeout is read as the guest wrote it: two native words in the arch's byte
order (so a runtime that stores a 32-bit tv_nsec into a 64-bit field on a
big-endian machine gets the huge or zero timeout real hardware would give).
Waiters never wake spuriously here: only FUTEX_WAKE, a thread exit's
CLONE_CHILD_CLEARTID, or the deadline wakes them.
"""

from __future__ import annotations

from emu.kernel import Kernel, signed, syscall
from emu.kernel.abi import FUTEX_CLOCK_REALTIME, FUTEX_PRIVATE_FLAG, Errno, Futex
from emu.sched import Wait

FUTEX_WAIT, FUTEX_WAKE = Futex.FUTEX_WAIT, Futex.FUTEX_WAKE
FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET = Futex.FUTEX_WAIT_BITSET, Futex.FUTEX_WAKE_BITSET
BITSET_ANY = 0xFFFFFFFF
NS = 1_000_000_000


def read_timespec(kernel: Kernel, address: int) -> int | None:
    """A guest timespec in ns, or None if it is invalid (Linux: -EINVAL)."""
    seconds, nanoseconds = kernel.load_words(address, 2)
    if seconds < 0 or not 0 <= nanoseconds < NS:
        return None
    return seconds * NS + nanoseconds


def _deadline(kernel: Kernel, timeout: int, absolute: bool, realtime: bool) -> int | None:
    """The monotonic deadline for a timeout pointer (None = wait forever); -1 if invalid."""
    if not timeout:
        return None
    ns = read_timespec(kernel, timeout)
    if ns is None:
        return -1
    if not absolute:
        return kernel.clock.monotonic() + ns
    if realtime:
        return ns - kernel.clock.realtime() + kernel.clock.monotonic()
    return ns


def _wait(kernel: Kernel, thread, address: int, value: int, deadline: int | None, bitset: int) -> int:
    if address % 4:
        return -Errno.EINVAL
    if deadline == -1 or bitset == 0:
        return -Errno.EINVAL
    current = kernel.load(address, 4)
    if current != value & 0xFFFFFFFF:
        return -Errno.EAGAIN
    if deadline is not None and deadline <= kernel.clock.monotonic():
        return -Errno.ETIMEDOUT
    kernel.block(thread, Wait(address, deadline, bitset, value=current))
    return 0  # not reached: block() leaves through Blocked


def _wake(kernel: Kernel, address: int, count: int, bitset: int) -> int:
    if address % 4 or bitset == 0:
        return -Errno.EINVAL
    return kernel.process.scheduler.wake(address, signed(count, 32), bitset)


@syscall("futex")
def sys_futex(kernel: Kernel, thread, address, op, value, timeout, address2, value3, *_) -> int:
    command = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
    realtime = bool(op & FUTEX_CLOCK_REALTIME)
    if command == FUTEX_WAIT:
        if realtime:
            return -Errno.ENOSYS
        deadline = _deadline(kernel, timeout, absolute=False, realtime=False)
        return _wait(kernel, thread, address, value, deadline, BITSET_ANY)
    if command == FUTEX_WAIT_BITSET:
        deadline = _deadline(kernel, timeout, absolute=True, realtime=realtime)
        return _wait(kernel, thread, address, value, deadline, value3 & 0xFFFFFFFF)
    if command == FUTEX_WAKE:
        return _wake(kernel, address, value, BITSET_ANY)
    if command == FUTEX_WAKE_BITSET:
        return _wake(kernel, address, value, value3 & 0xFFFFFFFF)
    return -Errno.ENOSYS
