"""The assembler front end: GNU-as source for a target -> an Image.

`assemble(path, arch)` uses keystone through emu's own layout engine;
`assemble(path, arch, assembler="gnu")` runs GNU as + ld for the target
instead, placing sections at the same addresses. A `.S` file goes through the
C preprocessor first (emu.asm.preprocess), for both back ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from emu.arch import Arch
from emu.asm import source
from emu.asm.preprocess import needs_cpp, preprocess
from emu.errors import UsageError
from emu.image import Image

ASSEMBLERS = ("keystone", "gnu")
DEFAULT_IMAGE_LIMIT = 1 << 30  # the default --mem-limit: no program image may be larger


def parse(text: str, arch: Arch, filename: str, preprocessed: bool = False) -> list[source.Statement]:
    return source.parse(text, filename, arch.comment, arch.separator, preprocessed)


def assemble_text(
    text: str,
    arch: Arch,
    filename: str = "<input>",
    assembler: str = "keystone",
    defines: Iterable[str] = (),
    image_limit: int = DEFAULT_IMAGE_LIMIT,
) -> Image:
    """Assemble `text`, read from `filename` (which decides `.S` preprocessing and `.include` paths).

    `defines` are `-D NAME[=VALUE]` for cpp; `image_limit` bounds the bytes the
    program's sections may need (the run's --mem-limit), checked before any is made.
    """
    if assembler not in ASSEMBLERS:
        raise UsageError(f"unknown assembler '{assembler}' (choose from: {', '.join(ASSEMBLERS)})")
    preprocessed = needs_cpp(filename)
    if preprocessed:
        text = preprocess(text, filename, arch, defines)
    if assembler == "gnu":
        from emu.asm.gnu_backend import assemble_with_gnu

        return assemble_with_gnu(text, arch, filename)
    from emu.asm.keystone_backend import KeystoneAssembler

    backend = KeystoneAssembler(arch, filename, image_limit)
    backend.collect(parse(text, arch, filename, preprocessed))
    return backend.assemble()


def assemble(
    path: str | Path,
    arch: Arch,
    assembler: str = "keystone",
    defines: Iterable[str] = (),
    image_limit: int = DEFAULT_IMAGE_LIMIT,
) -> Image:
    text = source.read_source(Path(path))
    return assemble_text(text, arch, str(path), assembler, defines, image_limit)
