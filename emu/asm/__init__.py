"""The assembler front end: GNU-as source for a target -> an Image.

`assemble(path, arch)` uses the arch's first assembler (`[asm] backends`):
keystone through emu's own layout engine, or an external toolchain placing
sections at the same addresses (emu.asm.linked): GNU as + ld for the target, or
llvm-mc + ld.lld, where keystone cannot do the arch. `assembler="gnu"` asks for
one by name. A `.S` file goes through the C
preprocessor first (emu.asm.preprocess), for both back ends.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Iterable
from pathlib import Path

from emu.arch import Arch
from emu.asm import source
from emu.asm.preprocess import needs_cpp, preprocess
from emu.errors import UsageError
from emu.image import Image
from emu.memory import (
    DEFAULT_MEM_LIMIT as DEFAULT_IMAGE_LIMIT,
)  # no program image may be larger (--mem-limit)

ASSEMBLERS = ("keystone", "gnu", "llvm")
EXTERNAL = {"gnu": "emu.asm.gnu_backend", "llvm": "emu.asm.llvm_backend"}  # back ends outside Python


def parse(text: str, arch: Arch, filename: str, preprocessed: bool = False) -> list[source.Statement]:
    return source.parse(text, filename, arch.comment, arch.separator, preprocessed)


def _external(name: str) -> types.ModuleType:
    """The module of an external back end (`available`, `install_hint`, `toolchain`)."""
    return importlib.import_module(EXTERNAL[name])


def _installed(name: str, arch: Arch) -> bool:
    return _external(name).available(arch) if name in EXTERNAL else True  # keystone is a Python dependency


def choose(arch: Arch, requested: str | None = None) -> str:
    """The back end for `arch`: the one asked for, else the first of `[asm] backends` installed.

    An arch keystone cannot do (riscv64) has only external assemblers: when none is
    installed that is a one-line UsageError saying what to install, not a keystone crash."""
    known = arch.asm.backends
    if requested is not None:
        if requested not in ASSEMBLERS:
            raise UsageError(f"unknown assembler '{requested}' (choose from: {', '.join(ASSEMBLERS)})")
        if requested not in known:
            raise UsageError(f"{requested} cannot assemble {arch.name} (its assemblers: {', '.join(known)})")
        return requested
    for name in known:
        if _installed(name, arch):
            return name
    hints = " or ".join(_external(name).install_hint(arch) for name in known if name in EXTERNAL)
    raise UsageError(f"{arch.name} needs an assembler and none is installed: {hints}; `make tools`")


def assemble_text(
    text: str,
    arch: Arch,
    filename: str = "<input>",
    assembler: str | None = None,
    defines: Iterable[str] = (),
    image_limit: int = DEFAULT_IMAGE_LIMIT,
) -> Image:
    """Assemble `text`, read from `filename` (which decides `.S` preprocessing and `.include` paths).

    `assembler` names the back end (None: the arch's default, see `choose`); `defines` are `-D NAME[=VALUE]` for cpp; `image_limit` bounds the bytes the
    program's sections may need (the run's --mem-limit), checked before any is made.
    """
    assembler = choose(arch, assembler)
    preprocessed = needs_cpp(filename)
    if preprocessed:
        text = preprocess(text, filename, arch, defines)
    if assembler in EXTERNAL:
        from emu.asm import linked

        return linked.assemble(text, arch, filename, _external(assembler).toolchain(arch), image_limit)
    from emu.asm.keystone_backend import KeystoneAssembler

    backend = KeystoneAssembler(arch, filename, image_limit)
    backend.collect(parse(text, arch, filename, preprocessed))
    return backend.assemble()


def assemble(
    path: str | Path,
    arch: Arch,
    assembler: str | None = None,
    defines: Iterable[str] = (),
    image_limit: int = DEFAULT_IMAGE_LIMIT,
) -> Image:
    text = source.read_source(Path(path))
    return assemble_text(text, arch, str(path), assembler, defines, image_limit)
