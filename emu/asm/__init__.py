"""The assembler front end: GNU-as source for a target -> an Image.

`assemble(path, arch)` uses keystone through emu's own layout engine;
`assemble(path, arch, assembler="gnu")` runs GNU as + ld for the target
instead, placing sections at the same addresses.
"""

from __future__ import annotations

from pathlib import Path

from emu.arch import Arch
from emu.asm import source
from emu.errors import UsageError
from emu.image import Image

ASSEMBLERS = ("keystone", "gnu")


def parse(text: str, arch: Arch, filename: str) -> list[source.Statement]:
    return source.parse(text, filename, arch.comment, arch.separator)


def assemble_text(text: str, arch: Arch, filename: str = "<input>", assembler: str = "keystone") -> Image:
    if assembler == "keystone":
        from emu.asm.keystone_backend import KeystoneAssembler

        backend = KeystoneAssembler(arch, filename)
        backend.collect(parse(text, arch, filename))
        return backend.assemble()
    if assembler == "gnu":
        from emu.asm.gnu_backend import assemble_with_gnu

        return assemble_with_gnu(text, arch, filename)
    raise UsageError(f"unknown assembler '{assembler}' (choose from: {', '.join(ASSEMBLERS)})")


def assemble(path: str | Path, arch: Arch, assembler: str = "keystone") -> Image:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"{path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a UTF-8 text file (an ELF? it is detected by its header)") from None
    return assemble_text(text, arch, str(path), assembler)
