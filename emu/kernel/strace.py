"""`--strace` lines in QEMU linux-user's style: `TID name(args) = result`."""

from __future__ import annotations

import errno
import os

from emu.arch import Arch
from emu.kernel import MAX_ERRNO, signed

ARG_COUNTS = {"write": 3, "exit": 1, "exit_group": 1, "getpid": 0, "gettid": 0}


def format_call(arch: Arch, tid: int, name: str, args: list[int], result: int | None, end: Exception | None = None) -> str:
    shown = args[: ARG_COUNTS.get(name, len(args))]
    text = f"{tid} {name}({','.join(_arg(a) for a in shown)})"
    if end is not None:
        return text
    value = signed(result, arch.bits)
    if -MAX_ERRNO <= value < 0:
        code = -value
        return f"{text} = -1 errno={code} ({errno.errorcode.get(code, '?')}: {os.strerror(code)})"
    return f"{text} = {value if value < 0x10000 else hex(result & arch.word_mask)}"


def _arg(value: int) -> str:
    return str(value) if value < 0x10000 else f"{value:#x}"
