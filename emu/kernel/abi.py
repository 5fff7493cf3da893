"""The guest's Linux ABI constants, defined once: errno values, signal numbers, clone, futex,
mmap and protection flags.

These are the guest kernel's numbers, not the host's: emu must answer an arm or ppc64 guest
the same on any host, so nothing here comes from Python's `errno` or `signal` modules. The
values are the asm-generic ones (include/uapi/asm-generic/errno-base.h, errno.h, signal.h,
mman-common.h; linux/sched.h; linux/futex.h), which amd64, arm and ppc64 share for every
constant below. Where an arch differs (mmap flags such as MAP_NORESERVE on ppc64, O_DIRECTORY
on arm) the arch's own value is data in its arch.toml (`[linux] mmap_flags`, `open_flags`).
"""

from __future__ import annotations

from enum import IntEnum, IntFlag


class Errno(IntEnum):
    """Linux errno values (asm-generic/errno-base.h and errno.h)."""

    EPERM = 1
    ENOENT = 2
    ESRCH = 3
    EINTR = 4
    EIO = 5
    ENXIO = 6
    E2BIG = 7
    ENOEXEC = 8
    EBADF = 9
    ECHILD = 10
    EAGAIN = 11
    ENOMEM = 12
    EACCES = 13
    EFAULT = 14
    ENOTBLK = 15
    EBUSY = 16
    EEXIST = 17
    EXDEV = 18
    ENODEV = 19
    ENOTDIR = 20
    EISDIR = 21
    EINVAL = 22
    ENFILE = 23
    EMFILE = 24
    ENOTTY = 25
    ETXTBSY = 26
    EFBIG = 27
    ENOSPC = 28
    ESPIPE = 29
    EROFS = 30
    EMLINK = 31
    EPIPE = 32
    EDOM = 33
    ERANGE = 34
    EDEADLK = 35
    ENAMETOOLONG = 36
    ENOLCK = 37
    ENOSYS = 38
    ENOTEMPTY = 39
    ELOOP = 40
    ENODATA = 61
    ETIME = 62
    EOVERFLOW = 75
    ENOTSOCK = 88
    EOPNOTSUPP = 95
    EAFNOSUPPORT = 97
    ETIMEDOUT = 110
    ECONNREFUSED = 111

    @classmethod
    def name_of(cls, value: int) -> str:
        """The symbolic name strace prints for an errno value ('?' for one not listed)."""
        try:
            return cls(value).name
        except ValueError:
            return "?"


class Signal(IntEnum):
    """Linux signal numbers (asm-generic/signal.h, the same on x86, arm and powerpc)."""

    SIGHUP = 1
    SIGINT = 2
    SIGQUIT = 3
    SIGILL = 4
    SIGTRAP = 5
    SIGABRT = 6
    SIGBUS = 7
    SIGFPE = 8
    SIGKILL = 9
    SIGUSR1 = 10
    SIGSEGV = 11
    SIGUSR2 = 12
    SIGPIPE = 13
    SIGALRM = 14
    SIGTERM = 15
    SIGSTKFLT = 16
    SIGCHLD = 17
    SIGCONT = 18
    SIGSTOP = 19
    SIGTSTP = 20
    SIGTTIN = 21
    SIGTTOU = 22
    SIGURG = 23
    SIGXCPU = 24
    SIGXFSZ = 25
    SIGVTALRM = 26
    SIGPROF = 27
    SIGWINCH = 28
    SIGIO = 29
    SIGPWR = 30
    SIGSYS = 31

    @property
    def description(self) -> str:
        """What glibc's strsignal says, lower-cased (fault reports: "SIGSEGV (segmentation fault)")."""
        return _DESCRIPTIONS.get(self.name, self.name)

    @classmethod
    def name_of(cls, value: int) -> str | None:
        """SIGxxx for a standard signal; None for a real-time or unknown one."""
        try:
            return cls(value).name
        except ValueError:
            return None


_DESCRIPTIONS = {
    "SIGILL": "illegal instruction",
    "SIGTRAP": "trace/breakpoint trap",
    "SIGBUS": "bus error",
    "SIGFPE": "floating point exception",
    "SIGSEGV": "segmentation fault",
    "SIGKILL": "killed",
    "SIGABRT": "aborted",
    "SIGSYS": "bad system call",
}

SIGRTMIN = 32  # the kernel's first real-time signal (glibc reserves 32..34 for itself)
NSIG = 64


class Clone(IntFlag):
    """clone(2) flags (linux/sched.h)."""

    CLONE_VM = 0x100
    CLONE_FS = 0x200
    CLONE_FILES = 0x400
    CLONE_SIGHAND = 0x800
    CLONE_PIDFD = 0x1000
    CLONE_PTRACE = 0x2000
    CLONE_VFORK = 0x4000
    CLONE_PARENT = 0x8000
    CLONE_THREAD = 0x10000
    CLONE_NEWNS = 0x20000
    CLONE_SYSVSEM = 0x40000
    CLONE_SETTLS = 0x80000
    CLONE_PARENT_SETTID = 0x100000
    CLONE_CHILD_CLEARTID = 0x200000
    CLONE_DETACHED = 0x400000
    CLONE_UNTRACED = 0x800000
    CLONE_CHILD_SETTID = 0x1000000


class Futex(IntEnum):
    """futex(2) commands (linux/futex.h); FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME are or-ed in."""

    FUTEX_WAIT = 0
    FUTEX_WAKE = 1
    FUTEX_FD = 2
    FUTEX_REQUEUE = 3
    FUTEX_CMP_REQUEUE = 4
    FUTEX_WAKE_OP = 5
    FUTEX_LOCK_PI = 6
    FUTEX_UNLOCK_PI = 7
    FUTEX_TRYLOCK_PI = 8
    FUTEX_WAIT_BITSET = 9
    FUTEX_WAKE_BITSET = 10


FUTEX_PRIVATE_FLAG = 128
FUTEX_CLOCK_REALTIME = 256


class Prot(IntFlag):
    """mmap/mprotect protections (asm-generic/mman-common.h)."""

    PROT_NONE = 0
    PROT_READ = 1
    PROT_WRITE = 2
    PROT_EXEC = 4


# mmap flags every emu arch shares (asm-generic/mman-common.h); the full per-arch table, with the
# ones that differ, is `[linux] mmap_flags` in each arch.toml.
MAP_SHARED = 0x01
MAP_PRIVATE = 0x02
MAP_SHARED_VALIDATE = 0x03
MAP_FIXED = 0x10
MAP_ANONYMOUS = 0x20
MAP_FIXED_NOREPLACE = 0x100000
