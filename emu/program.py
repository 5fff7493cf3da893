"""What `emu run FILE` loads: an assembly source or an ELF executable, and its arch."""

from __future__ import annotations

from pathlib import Path

from emu import arch as arches
from emu import elf
from emu.arch import Arch
from emu.asm import DEFAULT_IMAGE_LIMIT, assemble
from emu.errors import UsageError
from emu.image import Image


def load_program(
    path: str,
    arch_name: str | None,
    assembler: str | None = None,
    defines: list[str] | None = None,
    image_limit: int = DEFAULT_IMAGE_LIMIT,
) -> tuple[Image, Arch]:
    """The program's image and arch; `defines` (-D) and `image_limit` (--mem-limit) go to the assembler."""
    if not Path(path).exists():
        raise UsageError(f"{path}: no such file")
    if elf.is_elf(path):
        image = elf.load_elf(path, arch_name)
        return image, arches.get(image.arch)
    if not arch_name:
        raise UsageError(f"{path}: assembly needs --arch (one of: {', '.join(arches.all_arches())})")
    arch = arches.get(arch_name)
    return assemble(path, arch, assembler, defines or (), image_limit), arch
