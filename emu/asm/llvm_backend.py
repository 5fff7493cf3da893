"""The llvm back end: llvm-mc makes the ELF object, ld.lld links it.

For an arch keystone cannot assemble (riscv64) it is the second assembler beside GNU as,
through the same machinery (`emu.asm.linked`): sections placed where the other back ends
place them, file:line from DWARF, one-line errors. The arch's `[llvm]` table gives the
triple, llvm-mc's flags (-mattr) and ld.lld's (riscv64: --no-relax).

Debian installs the tools with a version suffix (llvm-mc-19, ld.lld-19) and sometimes an
unsuffixed llvm-mc of an older LLVM: the newest version on PATH is used.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from emu.arch import Arch, LlvmTools
from emu.asm import linked
from emu.errors import UsageError

LLVM_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?:\d+:)? error: (?P<msg>.*)$")
ASSEMBLER, LINKER = "llvm-mc", "ld.lld"
# GNU ld drops the assembler's temporary .L labels; ld.lld keeps them unless told, and llvm-mc
# makes one per `la`/`call` (.Lpcrel_hi0...), which would then name code in emu's reports.
DISCARD_TEMPORARIES = "--discard-locals"


def find_tool(name: str) -> str | None:
    """The newest `name-N` on PATH, else a plain `name`, else None."""
    versioned = re.compile(re.escape(name) + r"-(\d+)$")
    best: tuple[int, str] | None = None
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        folder = Path(directory or ".")
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            version = _version(entry, name, versioned)
            if version is None or not (entry.is_file() and os.access(entry, os.X_OK)):
                continue
            if best is None or version > best[0]:
                best = (version, str(entry))
    return best[1] if best else None


def _version(entry: Path, name: str, versioned: re.Pattern[str]) -> int | None:
    """N for `name-N`, -1 for `name` itself (older than any numbered one), else None."""
    match = versioned.match(entry.name)
    return int(match.group(1)) if match else -1 if entry.name == name else None


def _facts(arch: Arch) -> LlvmTools:
    if arch.llvm is None:
        raise UsageError(f"llvm cannot assemble {arch.name} (its assemblers: {', '.join(arch.asm.backends)})")
    return arch.llvm


def available(arch: Arch) -> bool:
    return arch.llvm is not None and find_tool(ASSEMBLER) is not None and find_tool(LINKER) is not None


def install_hint(arch: Arch) -> str:
    """What to install for this back end, for a one-line error."""
    return "llvm-mc and ld.lld (Debian: llvm-19 and lld-19)"


def toolchain(arch: Arch) -> linked.Toolchain:
    """llvm-mc + ld.lld for `arch`, or a UsageError saying how to install them."""
    facts = _facts(arch)
    assembler, linker = find_tool(ASSEMBLER), find_tool(LINKER)
    if assembler is None or linker is None:
        raise UsageError(f"--assembler llvm needs {install_hint(arch)}; `make tools`")
    return linked.Toolchain(
        label="llvm-mc",
        assembler=(
            assembler,
            "-filetype=obj",
            f"-triple={facts.triple}",
            *facts.mc_flags,
            "-g",
            "-dwarf-version=4",
        ),
        linker=(linker, *facts.ld_flags, *_layout(arch), DISCARD_TEMPORARIES),
        error=LLVM_ERROR,
    )


def _layout(arch: Arch) -> tuple[str, ...]:
    """ld.lld loads the ELF and program headers at its image base, which is the first section's
    address unless told: one page below it is where GNU ld puts them, and overlaps nothing. Its
    segments are aligned to the target's largest page (64 KiB on arm64) unless told the arch's."""
    return (f"--image-base={arch.text_base - arch.page_size:#x}", f"-zmax-page-size={arch.page_size:#x}")
