"""Time and randomness: clock_gettime, gettimeofday, time, nanosleep, getrandom.

Every answer comes from the virtual clock (emu/sched.py) or from a generator
seeded by --seed, so two runs with the same seed see the same times and the
same random bytes.
"""

from __future__ import annotations

from emu.kernel import Kernel, syscall
from emu.kernel.abi import Errno
from emu.kernel.futex import NS, read_timespec
from emu.sched import Wait

CLOCK_REALTIME_IDS = {0, 5, 8, 11}  # REALTIME, REALTIME_COARSE, REALTIME_ALARM, TAI
CLOCK_MONOTONIC_IDS = {1, 2, 3, 4, 6, 7, 9}  # MONOTONIC(_RAW,_COARSE), BOOTTIME, CPUTIME...
TIMER_ABSTIME = 1
MAX_RANDOM = 1 << 25
RANDOM_CHUNK = 1 << 20


def clock_now(kernel: Kernel, clock_id: int) -> int | None:
    if clock_id in CLOCK_REALTIME_IDS:
        return kernel.clock.realtime()
    if clock_id in CLOCK_MONOTONIC_IDS:
        return kernel.clock.monotonic()
    return None


@syscall("clock_gettime")
def sys_clock_gettime(kernel: Kernel, thread, clock_id, address, *_) -> int:
    now = clock_now(kernel, clock_id)
    if now is None:
        return -Errno.EINVAL
    kernel.store_words(address, [now // NS, now % NS])
    return 0


@syscall("clock_getres")
def sys_clock_getres(kernel: Kernel, thread, clock_id, address, *_) -> int:
    if clock_now(kernel, clock_id) is None:
        return -Errno.EINVAL
    if address:
        kernel.store_words(address, [0, 1])
    return 0


@syscall("gettimeofday")
def sys_gettimeofday(kernel: Kernel, thread, address, timezone, *_) -> int:
    now = kernel.clock.realtime()
    if address:
        kernel.store_words(address, [now // NS, now % NS // 1000])
    if timezone:
        kernel.store(timezone, 0, 8)
    return 0


@syscall("time")
def sys_time(kernel: Kernel, thread, address, *_) -> int:
    seconds = kernel.clock.realtime() // NS
    if address:
        kernel.store_words(address, [seconds])
    return seconds


def _sleep_until(kernel: Kernel, thread, deadline: int) -> int:
    if deadline <= kernel.clock.monotonic():
        kernel.process.preempt()  # a zero sleep still gives up the CPU
        return 0
    kernel.block(thread, Wait(None, deadline, on_timeout=0))
    return 0


@syscall("nanosleep")
def sys_nanosleep(kernel: Kernel, thread, request, remain, *_) -> int:
    ns = read_timespec(kernel, request)
    if ns is None:
        return -Errno.EINVAL
    return _sleep_until(kernel, thread, kernel.clock.monotonic() + ns)


@syscall("clock_nanosleep")
def sys_clock_nanosleep(kernel: Kernel, thread, clock_id, flags, request, remain, *_) -> int:
    now = clock_now(kernel, clock_id)
    ns = read_timespec(kernel, request)
    if now is None or ns is None:
        return -Errno.EINVAL
    deadline = ns - now + kernel.clock.monotonic() if flags & TIMER_ABSTIME else kernel.clock.monotonic() + ns
    return _sleep_until(kernel, thread, deadline)


@syscall("getrandom")
def sys_getrandom(kernel: Kernel, thread, address, length, flags, *_) -> int:
    """Seeded bytes, RANDOM_CHUNK at a time: a huge request past --timeout returns short
    (Linux returns short counts too). Chunks are whole words of the generator's stream, so
    the bytes do not depend on the chunking."""
    length = min(length, MAX_RANDOM)
    done = 0
    while done < length and not (done and kernel.process.out_of_time()):
        size = min(RANDOM_CHUNK, length - done)
        kernel.process.memory.write(address + done, kernel.random.randbytes(size))
        done += size
    return done
