"""`--strace` in QEMU linux-user's format, byte for byte (qemu 7.2's `-strace`).

QEMU prints a call in two pieces: `PID name(args)` when the guest enters it and
` = result` plus the newline when it returns, so a call that blocks shows at
once and its result follows whatever other threads printed meanwhile (a call
that never returns stays an unfinished line). The prefix is the process id, as
QEMU's `getpid()`, for every thread. Arguments are printed as QEMU's printers
and format strings do — including their quirks, which the strace diff test
(tests/test_strace_qemu.py) checks against qemu-user:
- `print_pointer` (`NULL`, else `0x` and the word zero-padded) for most pointers, but read/write
  buffers are C `%#x` (low 32 bits, unpadded) and sigaltstack/getcwd/uname `%p` (`(nil)`);
- calls without a printer show all six argument registers as signed decimal words;
- futex's last field is the fifth argument again as `%d` (QEMU prints arg4 twice);
- errors read ` = -1 errno=N (strerror text)`; an unknown number is `Unknown syscall N`.
Deliberate differences: guest strings are escaped (QEMU copies their bytes raw, so a guest could
forge lines or send terminal escapes), and a line left unfinished when the run ends is closed with
a newline so emu's own error message starts a line of its own. Flag values that differ between
arches (mmap's MAP_NORESERVE, open's O_DIRECTORY...) come from the arch data; the order of the
names is QEMU's.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol, TextIO

from emu.arch import Arch
from emu.kernel import MAX_ERRNO, signed
from emu.kernel.abi import FUTEX_CLOCK_REALTIME, FUTEX_PRIVATE_FLAG, Futex, Prot, Signal

STRING_LIMIT = 256  # bytes of a guest string shown before `...`
_ESCAPES = {0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}

# ---- QEMU's name tables (linux-user/strace.c), in QEMU's order ---------------------------------

PROT_NAMES = (
    ("PROT_NONE", Prot.PROT_NONE),
    ("PROT_EXEC", Prot.PROT_EXEC),
    ("PROT_READ", Prot.PROT_READ),
    ("PROT_WRITE", Prot.PROT_WRITE),
    ("PROT_SEM", 0x8),
    ("PROT_GROWSDOWN", 0x01000000),
    ("PROT_GROWSUP", 0x02000000),
)
MMAP_ORDER = (
    "MAP_SHARED",
    "MAP_PRIVATE",
    "MAP_ANONYMOUS",
    "MAP_DENYWRITE",
    "MAP_FIXED",
    "MAP_GROWSDOWN",
    "MAP_EXECUTABLE",
    "MAP_LOCKED",
    "MAP_NONBLOCK",
    "MAP_NORESERVE",
    "MAP_POPULATE",
    "MAP_UNINITIALIZED",
)
MAP_UNINITIALIZED = 0x4000000  # the same on every arch (not in the arch data: Linux ignores it)
OPEN_ACCESS = (("O_RDONLY", 0), ("O_WRONLY", 1), ("O_RDWR", 2))
O_ACCMODE, O_CREAT = 3, 0x40
OPEN_ORDER = (
    "O_APPEND",
    "O_CREAT",
    "O_DIRECTORY",
    "O_EXCL",
    "O_LARGEFILE",
    "O_NOCTTY",
    "O_NOFOLLOW",
    "O_NONBLOCK",
    "O_DSYNC",
    "__O_SYNC",
    "O_TRUNC",
    "O_DIRECT",
    "O_NOATIME",
    "O_CLOEXEC",
    "O_PATH",
    "__O_TMPFILE",
)
# asm-generic/fcntl.h; the arch data's `open_flags` overrides the ones an arch moves
GENERIC_OPEN_FLAGS = {
    "O_CREAT": 0x40,
    "O_EXCL": 0x80,
    "O_NOCTTY": 0x100,
    "O_TRUNC": 0x200,
    "O_APPEND": 0x400,
    "O_NONBLOCK": 0x800,
    "O_DSYNC": 0x1000,
    "O_DIRECT": 0x4000,
    "O_LARGEFILE": 0x8000,
    "O_DIRECTORY": 0x10000,
    "O_NOFOLLOW": 0x20000,
    "O_NOATIME": 0x40000,
    "O_CLOEXEC": 0x80000,
    "__O_SYNC": 0x100000,
    "O_PATH": 0x200000,
    "__O_TMPFILE": 0x400000,
}
CLONE_NAMES = (
    ("CLONE_VM", 0x100),
    ("CLONE_FS", 0x200),
    ("CLONE_FILES", 0x400),
    ("CLONE_SIGHAND", 0x800),
    ("CLONE_PTRACE", 0x2000),
    ("CLONE_VFORK", 0x4000),
    ("CLONE_PARENT", 0x8000),
    ("CLONE_THREAD", 0x10000),
    ("CLONE_NEWNS", 0x20000),
    ("CLONE_SYSVSEM", 0x40000),
    ("CLONE_SETTLS", 0x80000),
    ("CLONE_PARENT_SETTID", 0x100000),
    ("CLONE_CHILD_CLEARTID", 0x200000),
    ("CLONE_DETACHED", 0x400000),
    ("CLONE_UNTRACED", 0x800000),
    ("CLONE_CHILD_SETTID", 0x1000000),
    ("CLONE_NEWUTS", 0x4000000),
    ("CLONE_NEWIPC", 0x8000000),
    ("CLONE_NEWUSER", 0x10000000),
    ("CLONE_NEWPID", 0x20000000),
    ("CLONE_NEWNET", 0x40000000),
    ("CLONE_IO", 0x80000000),
    ("CLONE_NEWCGROUP", 0x2000000),
)
CLONE_LABELS = {"stack": "child_stack", "ptid": "parent_tidptr", "tls": "tls", "ctid": "child_tidptr"}
FUTEX_COMMANDS = (
    *(command.name for command in sorted(Futex)),  # 0..10
    "FUTEX_WAIT_REQUEUE_PI",
    "FUTEX_CMP_REQUEUE_PI",
    "FUTEX_LOCK_PI2",
)
FUTEX_TIMED = {0, 9}  # FUTEX_WAIT, FUTEX_WAIT_BITSET: arg 4 is a timeout QEMU prints as a timespec
CLOCK_NAMES = (
    "CLOCK_REALTIME",
    "CLOCK_MONOTONIC",
    "CLOCK_PROCESS_CPUTIME_ID",
    "CLOCK_THREAD_CPUTIME_ID",
    "CLOCK_MONOTONIC_RAW",
    "CLOCK_REALTIME_COARSE",
    "CLOCK_MONOTONIC_COARSE",
    "CLOCK_BOOTTIME",
    "CLOCK_REALTIME_ALARM",
    "CLOCK_BOOTTIME_ALARM",
    "CLOCK_SGI_CYCLE",
    "CLOCK_TAI",
)
SIGPROCMASK_HOW = ("SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK")
MADVISE_NAMES = {
    0: "MADV_NORMAL",
    1: "MADV_RANDOM",
    2: "MADV_SEQUENTIAL",
    3: "MADV_WILLNEED",
    4: "MADV_DONTNEED",
    8: "MADV_FREE",
    9: "MADV_REMOVE",
    10: "MADV_DONTFORK",
    11: "MADV_DOFORK",
    12: "MADV_MERGEABLE",
    13: "MADV_UNMERGEABLE",
    14: "MADV_HUGEPAGE",
    15: "MADV_NOHUGEPAGE",
    16: "MADV_DONTDUMP",
    17: "MADV_DODUMP",
    18: "MADV_WIPEONFORK",
    19: "MADV_KEEPONFORK",
    20: "MADV_COLD",
    21: "MADV_PAGEOUT",
    22: "MADV_POPULATE_READ",
    23: "MADV_POPULATE_WRITE",
    24: "MADV_DONTNEED_LOCKED",
}
SIGNAL_NAMES = tuple(
    "SIGIOT" if signal.name == "SIGABRT" else signal.name for signal in sorted(Signal)
)  # 1..31
SI_CODES = {0: "SI_USER", 0x80: "SI_KERNEL", -1: "SI_QUEUE", -2: "SI_TIMER", -3: "SI_MESGQ", -4: "SI_ASYNCIO"}
SI_CODES |= {-5: "SI_SIGIO", -6: "SI_TKILL"}
FCNTL_NO_ARGUMENT = {1: "F_GETFD", 3: "F_GETFL", 9: "F_GETOWN", 11: "F_GETSIG", 1025: "F_GETLEASE"}
FCNTL_NO_ARGUMENT |= {1032: "F_GETPIPE_SZ"}
FCNTL_NUMBER_ARGUMENT = {0: "F_DUPFD", 2: "F_SETFD", 8: "F_SETOWN", 10: "F_SETSIG", 1024: "F_SETLEASE"}
FCNTL_NUMBER_ARGUMENT |= {1026: "F_NOTIFY", 1030: "F_DUPFD_CLOEXEC", 1031: "F_SETPIPE_SZ"}
FCNTL_LOCK_ARGUMENT = {5: "F_GETLK", 6: "F_SETLK", 7: "F_SETLKW"}
F_SETFL = 4
SEEK_NAMES = ("SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA", "SEEK_HOLE")
AT_FDCWD = -100
AT_FILE_FLAGS = (("AT_EACCESS", 0x200), ("AT_SYMLINK_NOFOLLOW", 0x100))
STATX_FLAGS = (
    ("AT_EMPTY_PATH", 0x1000),
    ("AT_NO_AUTOMOUNT", 0x800),
    ("AT_SYMLINK_NOFOLLOW", 0x100),
    ("AT_STATX_FORCE_SYNC", 0x2000),
    ("AT_STATX_DONT_SYNC", 0x4000),
)
STATX_MASK = (("STATX_ALL", 0xFFF), ("STATX_BASIC_STATS", 0x7FF))
# What QEMU's target_strerror says for its own codes (a sigreturn "returns" -QEMU_ESIGRETURN).
QEMU_ERRORS = {512: "To be restarted", 513: "Successful exit from sigreturn"}
QEMU_ESIGRETURN = 513


class GuestMemory(Protocol):
    """What the printers read from the guest (None: not readable, QEMU then shows the pointer)."""

    def string(self, address: int) -> bytes | None: ...

    def words(self, address: int, count: int) -> list[int] | None: ...


# ---- C printf conversions as QEMU applies them to an abi_long -----------------------------------


def _d(value: int) -> str:
    """`%d`: the low 32 bits, signed."""
    return str(signed(value, 32))


def _u(value: int) -> str:
    return str(value & 0xFFFFFFFF)


def _hex32(value: int) -> str:
    """`%#x`: the low 32 bits; C prints zero without the 0x."""
    value &= 0xFFFFFFFF
    return f"{value:#x}" if value else "0"


def _mode(value: int) -> str:
    """`%#03o` (QEMU's file mode)."""
    return f"{value & 0o7777:#o}".replace("0o", "0") if value & 0o7777 else "000"


class Printer:
    """Formats one process's calls for one arch."""

    def __init__(self, arch: Arch, memory: GuestMemory | None = None) -> None:
        self.arch = arch
        self.memory = memory
        open_flags = GENERIC_OPEN_FLAGS | arch.linux.open_flags
        self.open_flags = tuple((name, open_flags[name]) for name in OPEN_ORDER)
        mmap_flags = arch.linux.mmap_flags | {"MAP_UNINITIALIZED": MAP_UNINITIALIZED}
        self.mmap_flags = tuple((name, mmap_flags[name]) for name in MMAP_ORDER if name in mmap_flags)

    # ---- values ----------------------------------------------------------------------------

    def long(self, value: int) -> str:
        """TARGET_ABI_FMT_ld: the word, signed."""
        return str(signed(value, self.arch.bits))

    def pointer(self, value: int) -> str:
        """print_pointer: `NULL`, or the word as `0x` and 8 or 16 hex digits."""
        value &= self.arch.word_mask
        return "NULL" if value == 0 else self.address(value)

    def address(self, value: int) -> str:
        """`0x` TARGET_ABI_FMT_lx: zero-padded to the word, NULL included."""
        return f"0x{value & self.arch.word_mask:0{self.arch.word_size * 2}x}"

    def host_pointer(self, value: int) -> str:
        """C `%p` of the host: `(nil)` for zero, else unpadded hex."""
        value &= self.arch.word_mask
        return f"{value:#x}" if value else "(nil)"

    def string(self, address: int) -> str:
        data = self.memory.string(address) if self.memory and address else None
        return self.pointer(address) if data is None else escape(data)

    def timespec(self, address: int, fraction: str = "tv_nsec") -> str:
        if not address:
            return "NULL"
        words = self.memory.words(address, 2) if self.memory else None
        if words is None:
            return self.pointer(address)
        return f"{{tv_sec = {words[0]},{fraction} = {words[1]}}}"

    def signal(self, value: int) -> str:
        number = signed(value, 32)
        return SIGNAL_NAMES[number - 1] if 1 <= number <= len(SIGNAL_NAMES) else str(number)

    def clock(self, value: int) -> str:
        number = value & 0xFFFFFFFF
        return CLOCK_NAMES[number] if number < len(CLOCK_NAMES) else _hex32(number)

    def flags(self, value: int, names: tuple[tuple[str, int], ...]) -> str:
        """print_flags: names whose bits are all set, then the rest in hex; no name: hex."""
        value &= 0xFFFFFFFF
        if value == 0 and names[0][1] == 0:
            return names[0][0]
        shown = []
        for name, bits in names:
            if bits and value & bits == bits:
                shown.append(name)
                value &= ~bits
        if not shown or value:
            shown.append(_hex32(value))
        return "|".join(shown)

    def open_flags_text(self, value: int) -> str:
        access = self.flags(value & O_ACCMODE, OPEN_ACCESS)
        rest = value & 0xFFFFFFFF & ~O_ACCMODE
        return access if not rest else f"{access}|{self.flags(rest, self.open_flags)}"

    def dirfd(self, value: int) -> str:
        """print_at_dirfd compares the whole word: Go's zero-extended -100 prints as -100."""
        return "AT_FDCWD" if signed(value, self.arch.bits) == AT_FDCWD else _d(value)

    # ---- a whole call ----------------------------------------------------------------------

    def call(self, pid: int, name: str | None, number: int, args: list[int]) -> str:
        """What QEMU prints as the call starts (ends in a newline only for calls that never return)."""
        if name is None:
            return f"{pid} Unknown syscall {number}\n"
        if name in NO_RETURN:
            return f"{pid} {name}({_d(args[0])})\n"
        printer = PRINTERS.get(name)
        inside = printer(self, args) if printer else ",".join(self.long(value) for value in args[:6])
        return f"{pid} {name}({inside})"

    def result(self, name: str, args: list[int], result: int) -> str:
        """What QEMU prints as the call returns: ` = value`, maybe a decoded struct, newline."""
        value = signed(result, self.arch.bits)
        if -MAX_ERRNO <= value < 0:
            code = -value
            return f" = -1 errno={code} ({QEMU_ERRORS.get(code) or os.strerror(code)})\n"
        if name in ADDRESS_RESULTS:
            return f" = {self.address(result)}\n"
        if name in ("clock_gettime", "clock_getres"):
            return f" = {value} ({self.timespec(args[1])})\n"
        if name == "gettimeofday":
            return f" = {value} ({self.timespec(args[0], 'tv_usec')},{self.pointer(args[1])})\n"
        return f" = {value}\n"

    def signal_line(self, signo: int, code: int, address: int = 0, pid: int = 0, uid: int = 0) -> str:
        """print_taken_signal: `--- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, ...} ---`."""
        name = self.signal(signo)
        code_text = SI_CODES.get(code, str(code))
        # sent by a process (SI_USER, SI_TKILL...: QEMU_SI_KILL), else a fault (QEMU_SI_FAULT)
        detail = f", si_pid={pid}, si_uid={uid}" if code <= 0 else f", si_addr={self.pointer(address)}"
        return f"--- {name} {{si_signo={name}, si_code={code_text}{detail}}} ---\n"


# ---- per-call printers (QEMU's print_<name>, or a strace.list format string) --------------------


CONVERSIONS: dict[str, Callable[[Printer, int], str]] = {
    "%d": lambda p, value: _d(value),
    "%u": lambda p, value: _u(value),
    "%#x": lambda p, value: _hex32(value),
    "%p": Printer.host_pointer,
}


def _format(spec: str) -> Callable[[Printer, list[int]], str]:
    """A strace.list format string's arguments, e.g. "%d,%#x,%d" (read): one conversion each."""
    conversions = [CONVERSIONS[part] for part in spec.split(",")] if spec else []
    return lambda p, args: ",".join(
        convert(p, value) for convert, value in zip(conversions, args, strict=False)
    )


def _open(p: Printer, args: list[int]) -> str:
    return _open_tail(p, [p.string(args[0])], args[1], args[2])


def _openat(p: Printer, args: list[int]) -> str:
    return _open_tail(p, [p.dirfd(args[0]), p.string(args[1])], args[2], args[3])


def _open_tail(p: Printer, shown: list[str], flags: int, mode: int) -> str:
    shown.append(p.open_flags_text(flags))
    if flags & O_CREAT:
        shown.append(_mode(mode))
    return ",".join(shown)


def _fcntl(p: Printer, args: list[int]) -> str:
    fd, command, argument = _d(args[0]), args[1] & 0xFFFFFFFF, args[2]
    if command in FCNTL_NO_ARGUMENT:
        return f"{fd},{FCNTL_NO_ARGUMENT[command]}"
    if command in FCNTL_NUMBER_ARGUMENT:
        return f"{fd},{FCNTL_NUMBER_ARGUMENT[command]},{p.long(argument)}"
    if command == F_SETFL:
        return f"{fd},F_SETFL,{p.open_flags_text(argument)}"
    if command in FCNTL_LOCK_ARGUMENT:
        return f"{fd},{FCNTL_LOCK_ARGUMENT[command]},{p.pointer(argument)}"
    return f"{fd},{p.long(args[1])},{p.pointer(argument)}"


def _futex(p: Printer, args: list[int]) -> str:
    command = args[1] & 0x7F
    named = (("FUTEX_PRIVATE_FLAG", FUTEX_PRIVATE_FLAG), ("FUTEX_CLOCK_REALTIME", FUTEX_CLOCK_REALTIME))
    flags = [name for name, bit in named if args[1] & bit]
    name = FUTEX_COMMANDS[command] if command < len(FUTEX_COMMANDS) else str(command)
    timeout = p.timespec(args[3]) if command in FUTEX_TIMED else p.pointer(args[3])
    return ",".join(
        [p.pointer(args[0]), "|".join([*flags, name]), _d(args[2]), timeout, p.pointer(args[4]), _d(args[4])]
    )


def _mmap(p: Printer, args: list[int]) -> str:
    prot = p.flags(args[2], PROT_NAMES)
    return ",".join(
        [
            p.pointer(args[0]),
            p.long(args[1]),
            prot,
            p.flags(args[3], p.mmap_flags),
            _d(args[4]),
            _hex32(args[5]),
        ]
    )


def _mprotect(p: Printer, args: list[int]) -> str:
    return ",".join([p.pointer(args[0]), p.long(args[1]), p.flags(args[2], PROT_NAMES)])


def _madvise(p: Printer, args: list[int]) -> str:
    advice = args[2] & 0xFFFFFFFF
    return ",".join([p.pointer(args[0]), p.long(args[1]), MADVISE_NAMES.get(advice) or _hex32(advice)])


def _clone(p: Printer, args: list[int]) -> str:
    named = dict(zip(p.arch.linux.clone_args, args, strict=False))
    labels = [f"{label}={p.address(named[key])}" for key, label in CLONE_LABELS.items()]
    return ",".join([p.flags(named["flags"], CLONE_NAMES), *labels])


def _sigprocmask(p: Printer, args: list[int]) -> str:
    how = args[0] & 0xFFFFFFFF
    name = SIGPROCMASK_HOW[how] if how < len(SIGPROCMASK_HOW) else "UNKNOWN"
    return ",".join([name, p.pointer(args[1]), p.pointer(args[2])])


def _lseek(p: Printer, args: list[int]) -> str:
    whence = args[2] & 0xFFFFFFFF
    return ",".join(
        [_d(args[0]), p.long(args[1]), SEEK_NAMES[whence] if whence < len(SEEK_NAMES) else _hex32(whence)]
    )


PRINTERS: dict[str, Callable[[Printer, list[int]], str]] = {
    "read": _format("%d,%#x,%d"),
    "write": _format("%d,%#x,%d"),
    "close": _format("%d"),
    "fchdir": _format("%d"),
    "epoll_create": _format("%d"),
    "epoll_create1": _format("%d"),
    "eventfd": _format("%d"),
    "eventfd2": _format("%d,%d"),
    "getcwd": _format("%p,%d"),
    "uname": _format("%p"),
    "sigaltstack": _format("%p,%p"),
    "getrandom": _format("%p,%u,%u"),
    "getdents64": _format("%d,%p,%d"),
    "open": _open,
    "openat": _openat,
    "chdir": lambda p, a: p.string(a[0]),
    "stat": lambda p, a: f"{p.string(a[0])},{p.pointer(a[1])}",
    "fcntl": _fcntl,
    "fcntl64": _fcntl,
    "futex": _futex,
    "mmap": _mmap,
    "mmap2": _mmap,
    "mprotect": _mprotect,
    "munmap": lambda p, a: f"{p.pointer(a[0])},{p.long(a[1])}",
    "madvise": _madvise,
    "brk": lambda p, a: p.pointer(a[0]),
    "clone": _clone,
    "fstat": lambda p, a: f"{_d(a[0])},{p.pointer(a[1])}",
    "newfstatat": lambda p, a: ",".join(
        [p.dirfd(a[0]), p.string(a[1]), p.pointer(a[2]), p.flags(a[3], AT_FILE_FLAGS)]
    ),
    "statx": lambda p, a: ",".join(
        [
            p.dirfd(a[0]),
            p.string(a[1]),
            p.flags(a[2], STATX_FLAGS),
            p.flags(a[3], STATX_MASK),
            p.pointer(a[4]),
        ]
    ),
    "lseek": _lseek,
    "clock_gettime": lambda p, a: f"{p.clock(a[0])},{p.pointer(a[1])}",
    "clock_nanosleep": lambda p, a: ",".join([p.clock(a[0]), _d(a[1]), p.timespec(a[2]), p.pointer(a[3])]),
    "gettimeofday": lambda p, a: f"{p.pointer(a[0])},{p.pointer(a[1])}",
    "rt_sigaction": lambda p, a: f"{p.signal(a[0])},{p.pointer(a[1])},{p.pointer(a[2])}",
    "rt_sigprocmask": _sigprocmask,
    "kill": lambda p, a: f"{_d(a[0])},{p.signal(a[1])}",
    "tkill": lambda p, a: f"{_d(a[0])},{p.signal(a[1])}",
    "tgkill": lambda p, a: f"{_d(a[0])},{_d(a[1])},{p.signal(a[2])}",
}
for _alias, _name in [
    ("lstat", "stat"),
    ("stat64", "stat"),
    ("lstat64", "stat"),
    ("fstat64", "fstat"),
    ("fstatat64", "newfstatat"),
    ("clock_getres", "clock_gettime"),
]:
    PRINTERS[_alias] = PRINTERS[_name]
NO_ARGUMENTS = ("getpid", "gettid", "getppid", "getuid", "getgid", "geteuid", "getegid")
for _name in NO_ARGUMENTS + tuple(f"{name}32" for name in NO_ARGUMENTS[3:]):
    PRINTERS[_name] = _format("")  # "%s()"
NO_RETURN = {"exit", "exit_group"}  # "%s(%d)\n": the line ends as the call starts
ADDRESS_RESULTS = {"mmap", "mmap2", "brk"}  # print_syscall_ret_addr


def escape(data: bytes, limit: int = STRING_LIMIT) -> str:
    """A guest string as strace shows it: quoted, printable ASCII as is, \\n \\t \\r \\v \\f
    \\" \\\\ named, any other byte as \\xNN, and `...` after the quote past `limit` bytes.
    Pure ASCII, so a guest can neither forge a line nor send a terminal escape."""
    text = "".join(_ESCAPES.get(byte) or _byte(byte) for byte in data[:limit])
    return f'"{text}"' + ("..." if len(data) > limit else "")


def _byte(byte: int) -> str:
    return chr(byte) if 0x20 <= byte < 0x7F else f"\\x{byte:02x}"


class Tracer:
    """Writes one process's --strace stream, remembering whether a line is left unfinished."""

    def __init__(self, stream: TextIO, arch: Arch, pid: int, memory: GuestMemory) -> None:
        self.stream = stream
        self.pid = pid
        self.printer = Printer(arch, memory)
        self.line_open = False

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.line_open = not text.endswith("\n")

    def call(self, name: str | None, number: int, args: list[int]) -> None:
        self.write(self.printer.call(self.pid, name, number, args))

    def result(self, name: str, args: list[int], result: int) -> None:
        self.write(self.printer.result(name, args, result))

    def sigreturn(self) -> None:
        """rt_sigreturn restores the registers; QEMU reports it as its own -QEMU_ESIGRETURN."""
        self.write(self.printer.result("rt_sigreturn", [], -QEMU_ESIGRETURN))

    def signal(self, signo: int, code: int, address: int = 0, pid: int = 0, uid: int = 0) -> None:
        self.write(self.printer.signal_line(signo, code, address, pid, uid))

    def close_line(self) -> None:
        """The run ends: a call that never returned gets its newline (emu's report follows)."""
        if self.line_open:
            self.write("\n")
        self.stream.flush()


def format_call(
    arch: Arch, pid: int, name: str, args: list[int], result: int | None, memory: GuestMemory | None = None
) -> str:
    """A whole line, without its newline, as QEMU prints a call that returns at once (`result`
    None: one that does not)."""
    printer = Printer(arch, memory)
    text = printer.call(pid, name, 0, args)
    if result is not None and not text.endswith("\n"):
        text += printer.result(name, args, result)
    return text.removesuffix("\n")
