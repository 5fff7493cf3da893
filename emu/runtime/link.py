"""Assembling a runtime program: the program, then runtime_asm/<dir>/runtime.s and rt0.s.

A program asks for the runtime with a comment line `# emu:runtime` (`@` on arm)
and defines `main`; rt0.s brings `_start`. The stubs may be replaced (mutants)
the way StubMachine does it: `override_dir` holds `<dir>/runtime.s` or `<dir>.s`.
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
from emu.resources import data_dir
from emu.stubs import stub_abi, stub_source

PRAGMA = re.compile(r"^\s*[#@]\s*emu:runtime\b", re.MULTILINE)


def uses_runtime(path: str | Path) -> bool:
    try:
        return bool(PRAGMA.search(Path(path).read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def rt0_path(arch: Arch) -> Path:
    return data_dir("runtime_asm") / stub_abi(arch.name).dir / "rt0.s"


def link(
    path: str | Path, arch: Arch | str, assembler: str = "keystone", override_dir: Path | None = None
) -> Image:
    """The program with the stubs and rt0.s appended (by `.include`, so lines stay exact)."""
    arch = arches.get(arch) if isinstance(arch, str) else arch
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    stubs_text, stubs_file = stub_source(arch, Path(override_dir) if override_dir else None)
    with tempfile.TemporaryDirectory(prefix="emu-link-") as tmp:
        stubs = Path(stubs_file)
        if stubs.name != "runtime.s":  # a partial override: the composed source needs a file
            stubs = Path(tmp) / "runtime.s"
            stubs.write_text(stubs_text)
        text = path.read_text(encoding="utf-8")
        text += f'\n.text\n.include "{stubs.resolve()}"\n.include "{rt0_path(arch)}"\n'
        image = assemble_text(text, arch, str(path), assembler)
    image.path = str(path)
    return image
