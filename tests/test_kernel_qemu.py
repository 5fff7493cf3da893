"""Differential tests: the same program gives the same stdout and exit status under qemu-user.

Each program is assembled with GNU as + `ld -static` for the target and run by
qemu-<arch> (with the arch's page size, `-p 65536` on ppc64), then run by emu
from the same source. Locally a missing tool skips; in CI (CI=true) it fails,
because CI installs them with `make tools`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import ARCHES, ROOT, require_tool, run_emu
from test_kernel_programs import source

from emu import arch as arches
from emu.asm.gnu_backend import tool

PROGRAMS = ("mm", "futex", "clone")


def build_with_gnu(arch_name: str, src: str, out: Path) -> Path:
    """A static executable from `src` built by GNU as + ld for `arch_name`."""
    arch = arches.get(arch_name)
    assembler, linker = tool(arch, "as"), tool(arch, "ld")
    if not assembler or not linker:
        require_tool(arch.gnu["prefix"] + "as", arch.gnu["prefix"] + "ld")
    text = (ROOT / src).read_text()
    prelude = arch.gnu.get("prelude", "")
    asm = out / "prog.s"
    asm.write_text(f"{prelude}\n{text}" if prelude else text)
    subprocess.run([assembler, *arch.gnu["as_flags"], str(asm), "-o", str(out / "prog.o")], check=True)
    subprocess.run(
        [linker, *arch.gnu["ld_flags"], "-static", str(out / "prog.o"), "-o", str(out / "prog")], check=True
    )
    return out / "prog"


def run_qemu(arch_name: str, executable: Path) -> tuple[int, str]:
    """(exit status as a shell reports it, stdout) of `executable` under qemu-user."""
    arch = arches.get(arch_name)
    require_tool(arch.gnu["qemu"])
    result = subprocess.run(
        [arch.gnu["qemu"], "-p", str(arch.page_size), str(executable)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    status = 128 - result.returncode if result.returncode < 0 else result.returncode
    return status, result.stdout


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("name", PROGRAMS)
def test_same_stdout_and_status_as_qemu(tmp_path: Path, arch: str, name: str) -> None:
    expected = run_qemu(arch, build_with_gnu(arch, source(arch, name), tmp_path))
    result = run_emu("run", source(arch, name), "--arch", arch)
    assert (result.returncode, result.stdout) == expected, result.stderr
