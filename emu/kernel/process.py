"""Process lifetime: exit_group and getpid (thread lifetime is in threads.py)."""

from __future__ import annotations

from emu.kernel import Kernel, ProcessExit, syscall
from emu.kernel.abi import Errno


@syscall("exit_group")
def sys_exit_group(kernel: Kernel, thread, status: int, *_) -> int:
    raise ProcessExit(status & 0xFF)


@syscall("getpid")
def sys_getpid(kernel: Kernel, thread, *_) -> int:
    return kernel.process.pid


RLIM_INFINITY = (1 << 64) - 1
RLIMIT_STACK, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_SIGPENDING, RLIM_NLIMITS = 3, 6, 7, 11, 16
MAX_THREADS = 4096  # live threads (RLIMIT_NPROC): one more clone is -EAGAIN
MAX_PENDING_SIGNALS = 4096  # queued signals per process (RLIMIT_SIGPENDING): kill/tgkill -EAGAIN
DEFAULT_LIMITS = {
    RLIMIT_STACK: (8 << 20, RLIM_INFINITY),
    RLIMIT_NPROC: (MAX_THREADS, MAX_THREADS),
    RLIMIT_NOFILE: (1024, 4096),
    RLIMIT_SIGPENDING: (MAX_PENDING_SIGNALS, MAX_PENDING_SIGNALS),
}


def _limits(kernel: Kernel) -> dict[int, tuple[int, int]]:
    """The process's resource limits (fixed defaults: the host's are not the guest's)."""
    if not kernel.rlimits:
        kernel.rlimits.update(DEFAULT_LIMITS)
    return kernel.rlimits


def soft_limit(kernel: Kernel, resource: int) -> int:
    """What emu enforces: the guest's soft limit, never above emu's own default (the records
    behind threads and queued signals are host memory; a guest cannot raise that cap)."""
    default = DEFAULT_LIMITS[resource][1]
    return min(default, _limits(kernel).get(resource, (default, default))[0])


def _get_limit(kernel: Kernel, resource: int, old: int, size: int) -> int:
    if not 0 <= resource < RLIM_NLIMITS:
        return -Errno.EINVAL
    if old:
        infinity = (1 << (8 * size)) - 1
        for i, value in enumerate(_limits(kernel).get(resource, (RLIM_INFINITY, RLIM_INFINITY))):
            kernel.store(old + i * size, min(value, infinity), size)
    return 0


def _set_limit(kernel: Kernel, resource: int, new: int, size: int) -> int:
    if not 0 <= resource < RLIM_NLIMITS:
        return -Errno.EINVAL
    infinity = (1 << (8 * size)) - 1
    soft, hard = (kernel.load(new + i * size, size) for i in range(2))
    soft, hard = (RLIM_INFINITY if v == infinity else v for v in (soft, hard))
    if soft > hard:
        return -Errno.EINVAL
    _limits(kernel)[resource] = (soft, hard)
    return 0


@syscall("getrlimit", "ugetrlimit")
def sys_getrlimit(kernel: Kernel, thread, resource: int, old: int, *_) -> int:
    """struct rlimit: two native words (RLIM_INFINITY is the all-ones word)."""
    return _get_limit(kernel, resource, old, kernel.arch.word_size)


@syscall("setrlimit")
def sys_setrlimit(kernel: Kernel, thread, resource: int, new: int, *_) -> int:
    return _set_limit(kernel, resource, new, kernel.arch.word_size)


@syscall("prlimit64")
def sys_prlimit64(kernel: Kernel, thread, pid: int, resource: int, new: int, old: int, *_) -> int:
    """struct rlimit64 on every arch; pid 0 or our own pid only."""
    if pid not in (0, kernel.process.pid):
        return -Errno.ESRCH
    result = _get_limit(kernel, resource, old, 8)
    if result == 0 and new:
        result = _set_limit(kernel, resource, new, 8)
    return result


@syscall("getppid")
def sys_getppid(kernel: Kernel, thread, *_) -> int:
    return 1


@syscall("getuid", "geteuid", "getgid", "getegid", "getuid32", "geteuid32", "getgid32", "getegid32")
def sys_getuid(kernel: Kernel, thread, *_) -> int:
    """Matches AT_UID/AT_GID in the start-up auxv: the guest runs as root."""
    return 0
