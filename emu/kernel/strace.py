"""`--strace` lines in QEMU linux-user's style: `TID name(args) = result`.

Each syscall's arguments are shown by kind (pointer, size, decoded flags), as
QEMU does; errors read `-1 errno=N (ENAME)`. Flag names that differ between
arches (mmap's MAP_NORESERVE...) come from the arch data.
"""

from __future__ import annotations

import errno
from collections.abc import Callable

from emu.arch import Arch
from emu.kernel import MAX_ERRNO, signed

PROT_NAMES = {"PROT_READ": 1, "PROT_WRITE": 2, "PROT_EXEC": 4}
FUTEX_COMMANDS = {
    0: "FUTEX_WAIT",
    1: "FUTEX_WAKE",
    2: "FUTEX_FD",
    3: "FUTEX_REQUEUE",
    4: "FUTEX_CMP_REQUEUE",
    5: "FUTEX_WAKE_OP",
    6: "FUTEX_LOCK_PI",
    7: "FUTEX_UNLOCK_PI",
    8: "FUTEX_TRYLOCK_PI",
    9: "FUTEX_WAIT_BITSET",
    10: "FUTEX_WAKE_BITSET",
}
FUTEX_FLAGS = {"FUTEX_PRIVATE_FLAG": 128, "FUTEX_CLOCK_REALTIME": 256}
CLONE_NAMES = {
    "CLONE_VM": 0x100,
    "CLONE_FS": 0x200,
    "CLONE_FILES": 0x400,
    "CLONE_SIGHAND": 0x800,
    "CLONE_PIDFD": 0x1000,
    "CLONE_PTRACE": 0x2000,
    "CLONE_VFORK": 0x4000,
    "CLONE_PARENT": 0x8000,
    "CLONE_THREAD": 0x10000,
    "CLONE_NEWNS": 0x20000,
    "CLONE_SYSVSEM": 0x40000,
    "CLONE_SETTLS": 0x80000,
    "CLONE_PARENT_SETTID": 0x100000,
    "CLONE_CHILD_CLEARTID": 0x200000,
    "CLONE_DETACHED": 0x400000,
    "CLONE_UNTRACED": 0x800000,
    "CLONE_CHILD_SETTID": 0x1000000,
}
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
}
POINTER_RESULTS = {"mmap", "mmap2", "brk"}


def format_call(
    arch: Arch, tid: int, name: str, args: list[int], result: int | None, end: Exception | None = None
) -> str:
    text = f"{tid} {name}({format_args(arch, name, args)})"
    if end is not None:
        return text
    return f"{text} = {format_result(arch, name, result)}"


def format_args(arch: Arch, name: str, args: list[int]) -> str:
    if name == "clone":
        return _clone_args(arch, args)
    kinds = SIGNATURES.get(name, ("ptr",) * len(args))
    return ",".join(_FORMATTERS[kind](arch, value) for kind, value in zip(kinds, args, strict=False))


def format_result(arch: Arch, name: str, result: int) -> str:
    value = signed(result, arch.bits)
    if -MAX_ERRNO <= value < 0:
        code = -value
        return f"-1 errno={code} ({errno.errorcode.get(code, '?')})"
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
    return _flags(value, arch.linux.get("mmap_flags", {}))


def _futex(arch: Arch, value: int) -> str:
    command = value & ~sum(FUTEX_FLAGS.values())
    flags = [name for name, bit in FUTEX_FLAGS.items() if value & bit]
    return "|".join([*flags, FUTEX_COMMANDS.get(command, str(command))])


_FORMATTERS: dict[str, Callable[[Arch, int], str]] = {
    "int": _int,
    "size": lambda arch, v: str(v),
    "ptr": _ptr,
    "prot": _prot,
    "mmap": _mmap,
    "futex": _futex,
}


def _clone_args(arch: Arch, args: list[int]) -> str:
    named = dict(zip(arch.linux["clone_args"], args, strict=False))
    flags = named["flags"]
    shown = _flags(flags & ~0xFF, CLONE_NAMES) + (f"|{flags & 0xFF:#x}" if flags & 0xFF else "")
    rest = [f"{CLONE_LABELS[key]}={_ptr(arch, named[key])}" for key in ("stack", "ptid", "tls", "ctid")]
    return ",".join([shown, *rest])
