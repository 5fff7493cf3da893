"""Assembling a runtime program: the program, then runtime_asm/<dir>/runtime.s and rt0.s.

A program asks for the runtime with a comment line `# emu:runtime` (`@` on arm, `//` on arm64)
and defines `main`; rt0.s brings `_start`. The user's stubs (`--stubs`, e.g. a
mutant) replace shipped ones the way StubMachine does it (emu.stubs.stub_source).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from emu import arch as arches
from emu.arch import Arch
from emu.asm import assemble_text
from emu.errors import UsageError
from emu.image import Image
from emu.stubs import UserStubs, add_plain_names, stub_source, user_code_errors

PRAGMA = re.compile(r"^\s*(?:#|@|//)\s*emu:runtime\b", re.MULTILINE)  # any GNU as line comment


def uses_runtime(path: str | Path) -> bool:
    try:
        return bool(PRAGMA.search(Path(path).read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def rt0_path(arch: Arch) -> Path:
    return arch.file("runtime_asm/rt0.s")


def link(
    path: str | Path, arch: Arch | str, assembler: str | None = None, user: UserStubs | None = None
) -> Image:
    """The program with the stubs and rt0.s appended (by `.include`, so lines stay exact).

    With the user's stubs, the composed stub source (shipped lines kept in place,
    the user's file included under its own path) goes through a temporary file,
    because only a file can be included; every error in the user's code still
    names the user's file and line.
    """
    arch = arches.get(arch) if isinstance(arch, str) else arch
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    source = stub_source(arch, user)
    with tempfile.TemporaryDirectory(prefix="emu-link-") as tmp:
        stubs = Path(source.filename)
        if source.user_file is not None:
            stubs = Path(tmp) / "runtime.s"
            stubs.write_text(source.text)
        text = path.read_text(encoding="utf-8")
        text += f'\n.text\n.include "{stubs.resolve()}"\n.include "{rt0_path(arch)}"\n'
        with user_code_errors(arch, source):
            image = assemble_text(text, arch, str(path), assembler)
    add_plain_names(image)
    image.path = str(path)
    return image
