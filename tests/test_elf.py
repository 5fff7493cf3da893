"""`emu run` on static ELF executables: the arch comes from the header."""

from __future__ import annotations

import pytest
from conftest import ARCHES, ROOT, require_tool, run_emu

from emu import arch as arches
from emu.asm import gnu_backend


def link_hello(tmp_path, arch_name: str) -> str:
    """examples/hello_ARCH.s assembled and linked by GNU as + ld -static."""
    arch = arches.get(arch_name)
    if not gnu_backend.available(arch):
        require_tool(arch.gnu["prefix"] + "as", arch.gnu["prefix"] + "ld")
    source = ROOT / "examples" / f"hello_{arch_name}.s"
    return str(
        gnu_backend.link_executable(source.read_text(), arch, str(source), tmp_path / f"hello-{arch_name}")
    )


@pytest.mark.parametrize("arch", ARCHES)
def test_static_elf_runs_with_its_own_arch(tmp_path, arch: str) -> None:
    result = run_emu("run", link_hello(tmp_path, arch))
    assert (result.returncode, result.stdout) == (0, f"Hello from {arch}!\n"), result.stderr


def test_disagreeing_arch_is_an_error(tmp_path) -> None:
    result = run_emu("run", link_hello(tmp_path, "ppc64"), "--arch", "ppc64le")
    assert result.returncode == 2
    assert "this ELF is for ppc64, not ppc64le" in result.stderr


def test_garbage_elf_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x7fELF" + b"\0" * 8)
    result = run_emu("run", bad)
    assert result.returncode == 2 and ": bad ELF: " in result.stderr, result.stderr
