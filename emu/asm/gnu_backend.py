"""The GNU back end: the target's own `as` and `ld` from Debian's cross binutils.

Assembling, linking, section placement, DWARF lines and error lines are
`emu.asm.linked`'s, shared with the llvm back end; this module says which tools
and flags GNU's are.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from emu.arch import Arch
from emu.asm import linked
from emu.errors import UsageError

GNU_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?:Error|Fatal error): (?P<msg>.*)$")


def tool(arch: Arch, name: str) -> str | None:
    """Path of the target's binutils tool (`as`, `ld`), or None when not installed."""
    return shutil.which(arch.gnu.prefix + name)


def available(arch: Arch) -> bool:
    return tool(arch, "as") is not None and tool(arch, "ld") is not None


def install_hint(arch: Arch) -> str:
    """What to install for this back end, for a one-line error."""
    return f"{arch.gnu.prefix}as and ld (Debian: binutils-{arch.gnu.prefix[:-1]})"


def toolchain(arch: Arch) -> linked.Toolchain:
    """GNU as + ld for `arch`, or a UsageError saying how to install them."""
    assembler, linker = tool(arch, "as"), tool(arch, "ld")
    if assembler is None or linker is None:
        raise UsageError(f"--assembler gnu needs {install_hint(arch)}; `make tools`")
    return linked.Toolchain(
        label="GNU as",
        assembler=(assembler, *arch.gnu.as_flags, "--gdwarf-4"),
        linker=(linker, *arch.gnu.ld_flags),
        error=GNU_ERROR,
    )


def link_executable(text: str, arch: Arch, filename: str, out: Path) -> Path:
    """A static executable at `out` from GNU as + ld, its sections placed as emu places them."""
    return linked.link_executable(text, arch, filename, out, toolchain(arch))
