"""`--strace` lines in QEMU linux-user's style: `TID name(args) = result`.

Each syscall's arguments are shown by kind (pointer, size, decoded flags), as
QEMU does; errors read `-1 errno=N (ENAME)`. Flag names that differ between
arches (mmap's MAP_NORESERVE...) come from the arch data.
"""

from __future__ import annotations

from collections.abc import Callable

from emu.arch import Arch
from emu.kernel import MAX_ERRNO, signed
from emu.kernel.abi import FUTEX_CLOCK_REALTIME, FUTEX_PRIVATE_FLAG, Clone, Errno, Futex, Prot, Signal

PROT_NAMES = {flag.name: flag.value for flag in Prot if flag.name and flag.value}  # members are named
FUTEX_COMMANDS = frozenset(Futex)
FUTEX_FLAGS = {"FUTEX_PRIVATE_FLAG": FUTEX_PRIVATE_FLAG, "FUTEX_CLOCK_REALTIME": FUTEX_CLOCK_REALTIME}
CLONE_NAMES = {flag.name: flag.value for flag in Clone if flag.name}
CLONE_LABELS = {"stack": "child_stack", "ptid": "parent_tidptr", "ctid": "child_tidptr", "tls": "tls"}

# argument kinds per syscall; unknown syscalls show all six words
SIGNATURES: dict[str, tuple[str, ...]] = {
    "write": ("int", "ptr", "size"),
    "read": ("int", "ptr", "size"),
    "exit": ("int",),
    "exit_group": ("int",),
    "getpid": (),
    "gettid": (),
    "sched_yield": (),
    "mmap": ("ptr", "size", "prot", "mmap", "int", "size"),
    "mmap2": ("ptr", "size", "prot", "mmap", "int", "size"),
    "munmap": ("ptr", "size"),
    "mprotect": ("ptr", "size", "prot"),
    "madvise": ("ptr", "size", "int"),
    "brk": ("ptr",),
    "mincore": ("ptr", "size", "ptr"),
    "futex": ("ptr", "futex", "int", "ptr", "ptr", "int"),
    "set_tid_address": ("ptr",),
    "set_robust_list": ("ptr", "size"),
    "sched_getaffinity": ("int", "size", "ptr"),
    "clock_gettime": ("int", "ptr"),
    "clock_getres": ("int", "ptr"),
    "gettimeofday": ("ptr", "ptr"),
    "time": ("ptr",),
    "nanosleep": ("ptr", "ptr"),
    "clock_nanosleep": ("int", "int", "ptr", "ptr"),
    "getrandom": ("ptr", "size", "int"),
    "rt_sigaction": ("int", "ptr", "ptr", "size"),
    "rt_sigprocmask": ("int", "ptr", "ptr", "size"),
    "sigaltstack": ("ptr", "ptr"),
    "rt_sigreturn": (),
    "open": ("path", "oflags", "int"),
    "openat": ("dirfd", "path", "oflags", "int"),
    "close": ("int",),
    "fcntl": ("int", "fcntl", "ptr"),
    "fcntl64": ("int", "fcntl", "ptr"),
    "getrlimit": ("int", "ptr"),
    "ugetrlimit": ("int", "ptr"),
    "setrlimit": ("int", "ptr"),
    "prlimit64": ("int", "int", "ptr", "ptr"),
    "pipe2": ("ptr", "oflags"),
    "eventfd2": ("size", "oflags"),
    "epoll_create1": ("oflags",),
    "epoll_ctl": ("int", "epoll_op", "int", "ptr"),
    "epoll_wait": ("int", "ptr", "int", "int"),
    "epoll_pwait": ("int", "ptr", "int", "int", "ptr", "size"),
    "tgkill": ("int", "int", "signal"),
    "tkill": ("int", "signal"),
    "kill": ("int", "signal"),
}
OPEN_FLAGS = {"O_WRONLY": 0x1, "O_RDWR": 0x2, "O_CREAT": 0x40, "O_NONBLOCK": 0x800, "O_CLOEXEC": 0x80000}
FCNTL_COMMANDS = {
    0: "F_DUPFD",
    1: "F_GETFD",
    2: "F_SETFD",
    3: "F_GETFL",
    4: "F_SETFL",
    1030: "F_DUPFD_CLOEXEC",
}
EPOLL_OPS = {1: "EPOLL_CTL_ADD", 2: "EPOLL_CTL_DEL", 3: "EPOLL_CTL_MOD"}
POINTER_RESULTS = {"mmap", "mmap2", "brk"}
STRING_LIMIT = 256  # bytes of a guest string shown before `...`
_ESCAPES = {0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}


def escape(data: bytes, limit: int = STRING_LIMIT) -> str:
    """A guest string as strace shows it: quoted, printable ASCII as is, \\n \\t \\r \\v \\f
    \\" \\\\ named, any other byte as \\xNN, and `...` after the quote past `limit` bytes.
    Pure ASCII, so a guest can neither forge a line nor send a terminal escape."""
    text = "".join(_ESCAPES.get(byte) or _byte(byte) for byte in data[:limit])
    return f'"{text}"' + ("..." if len(data) > limit else "")


def _byte(byte: int) -> str:
    return chr(byte) if 0x20 <= byte < 0x7F else f"\\x{byte:02x}"


def format_call(
    arch: Arch,
    tid: int,
    name: str,
    args: list[int],
    result: int | None,
    read_string: Callable[[int], bytes | None] | None = None,
) -> str:
    """One line; `result` None means the call returned no value (exit, rt_sigreturn)."""
    text = f"{tid} {name}({format_args(arch, name, args, read_string)})"
    if result is None:
        return text
    return f"{text} = {format_result(arch, name, result)}"


def format_args(
    arch: Arch, name: str, args: list[int], read_string: Callable[[int], bytes | None] | None = None
) -> str:
    if name == "clone":
        return _clone_args(arch, args)
    kinds = SIGNATURES.get(name, ("ptr",) * len(args))
    shown = []
    for kind, value in zip(kinds, args, strict=False):
        text = read_string(value) if kind == "path" and read_string and value else None
        shown.append(escape(text) if text is not None else _FORMATTERS[kind](arch, value))
    return ",".join(shown)


def format_result(arch: Arch, name: str, result: int) -> str:
    value = signed(result, arch.bits)
    if -MAX_ERRNO <= value < 0:
        code = -value
        return f"-1 errno={code} ({Errno.name_of(code)})"
    if name in POINTER_RESULTS:
        return f"{result & arch.word_mask:#x}"
    return str(value)


def _flags(value: int, names: dict[str, int]) -> str:
    parts = [name for name, bit in names.items() if value & bit == bit and bit]
    rest = value & ~sum({bit for bit in names.values() if value & bit == bit})
    if rest or not parts:
        parts.append(f"{rest:#x}")
    return "|".join(parts)


def _int(arch: Arch, value: int) -> str:
    return str(signed(value, 32) if value < 1 << 32 else signed(value, arch.bits))


def _ptr(arch: Arch, value: int) -> str:
    return "NULL" if value == 0 else f"{value & arch.word_mask:#x}"


def _prot(arch: Arch, value: int) -> str:
    return "PROT_NONE" if value == 0 else _flags(value, PROT_NAMES)


def _mmap(arch: Arch, value: int) -> str:
    return _flags(value, arch.linux.mmap_flags)


def _futex(arch: Arch, value: int) -> str:
    command = value & ~sum(FUTEX_FLAGS.values())
    flags = [name for name, bit in FUTEX_FLAGS.items() if value & bit]
    return "|".join([*flags, (Futex(command).name if command in FUTEX_COMMANDS else str(command))])


_FORMATTERS: dict[str, Callable[[Arch, int], str]] = {
    "int": _int,
    "size": lambda arch, v: str(v),
    "ptr": _ptr,
    "prot": _prot,
    "mmap": _mmap,
    "futex": _futex,
    "path": _ptr,
    "oflags": lambda arch, v: "O_RDONLY" if v == 0 else _flags(v, OPEN_FLAGS),
    "dirfd": lambda arch, v: "AT_FDCWD" if signed(v, 32) == -100 else _int(arch, v),
    "fcntl": lambda arch, v: FCNTL_COMMANDS.get(v, str(v)),
    "epoll_op": lambda arch, v: EPOLL_OPS.get(v, str(v)),
    "signal": lambda arch, v: Signal.name_of(v) or str(v),
}


def _clone_args(arch: Arch, args: list[int]) -> str:
    named = dict(zip(arch.linux.clone_args, args, strict=False))
    flags = named["flags"]
    shown = _flags(flags & ~0xFF, CLONE_NAMES) + (f"|{flags & 0xFF:#x}" if flags & 0xFF else "")
    rest = [f"{CLONE_LABELS[key]}={_ptr(arch, named[key])}" for key in ("stack", "ptid", "tls", "ctid")]
    return ",".join([shown, *rest])
