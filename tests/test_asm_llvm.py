"""The llvm back end (llvm-mc + ld.lld): the same program at the same addresses as GNU as + ld,
the same one-line errors, and the default when it is the only assembler installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARCHES, ROOT, require_tool, run_emu

from emu import arch as arches
from emu.asm import assemble, choose, gnu_backend, llvm_backend
from emu.errors import AsmError, UsageError
from emu.runtime import link

LLVM_ARCHES = [name for name in ARCHES if "llvm" in arches.get(name).asm.backends]

# Sources whose llvm bytes legitimately differ from GNU's, and why (docs/adding-an-architecture.md).
DIFFERENT = {
    "tests/fixtures/stores.s": "li of a 64-bit constant: llvm-mc materialises it in fewer instructions",
    "tests/programs/futex.s": "li of 0xffffffff: llvm-mc's li/srli pair, GNU as's addiw/slli/addi",
    "tests/programs/directives.s": "runtime·sum: llvm-mc takes no `·` in a bare symbol name",
    "runtime_asm/rt0.s": "calls main and the stubs: no program alone",
    "runtime_asm/contended.s": "calls the stubs: no program alone",
}
# rt0.s and contended.s also branch to global labels, which llvm-mc leaves to the linker in the
# long form (a 4-byte jal, not c.j; a `bnez` becomes `beqz +8; j`) where GNU as resolves them
# and compresses: the runtime programs (examples/runtime) differ in length for that reason.


def require_llvm() -> None:
    if llvm_backend.find_tool("llvm-mc") is None or llvm_backend.find_tool("ld.lld") is None:
        require_tool("llvm-mc-19", "ld.lld-19")


def require_both(arch: arches.Arch) -> None:
    require_llvm()
    if not gnu_backend.available(arch):
        require_tool(arch.gnu.prefix + "as", arch.gnu.prefix + "ld")


def compared_sources() -> list[tuple[str, str]]:
    """Every .s/.S file in each llvm arch's folder, but those in DIFFERENT and the runtime programs."""
    found = []
    for name in LLVM_ARCHES:
        arch = arches.get(name)
        for relative, path in _sources(arch):
            if relative not in DIFFERENT and not link.uses_runtime(path):
                found.append((str(path.relative_to(ROOT)), name))
    return found


def _sources(arch: arches.Arch) -> list[tuple[str, Path]]:
    folder = arch.folders[0]
    return sorted(
        (path.relative_to(folder).as_posix(), path)
        for path in folder.rglob("*")
        if path.suffix in (".s", ".S") and path.is_file()
    )


def section_bytes(image, arch: arches.Arch) -> dict[int, int]:
    """Every initialised byte from the text base up, by address (below it: each linker's headers)."""
    return {
        seg.address + i: b
        for seg in image.segments
        for i, b in enumerate(seg.data)
        if seg.address + i >= arch.text_base
    }


@pytest.mark.parametrize("path,arch_name", compared_sources())
def test_llvm_gives_gnus_bytes_at_gnus_addresses(path: str, arch_name: str) -> None:
    arch = arches.get(arch_name)
    require_both(arch)
    gnu, llvm = assemble(ROOT / path, arch, "gnu"), assemble(ROOT / path, arch, "llvm")
    theirs, ours = section_bytes(gnu, arch), section_bytes(llvm, arch)
    assert ours, "llvm made no bytes to compare"
    assert ours == {address: theirs.get(address) for address in ours}
    assert llvm.symbols == {name: gnu.symbols.get(name) for name in llvm.symbols}  # GNU ld adds its own


def run_programs() -> list[tuple[str, str]]:
    """Each llvm arch's examples and test programs (the runtime ones too), but those llvm-mc rejects."""
    found = []
    for name in LLVM_ARCHES:
        for relative, path in _sources(arches.get(name)):
            runnable = relative.startswith(("examples/", "tests/programs/"))
            if runnable and "no `·`" not in DIFFERENT.get(relative, ""):
                found.append((str(path.relative_to(ROOT)), name))
    return found


@pytest.mark.parametrize("path,arch_name", run_programs())
def test_programs_under_llvm_do_what_they_do_under_gnu(path: str, arch_name: str) -> None:
    """Output, errors (with their symbol+offset and file:line) and exit status, all the same."""
    require_both(arches.get(arch_name))
    gnu = run_emu("run", path, "--arch", arch_name, "--assembler", "gnu")
    llvm = run_emu("run", path, "--arch", arch_name, "--assembler", "llvm")
    assert (llvm.returncode, llvm.stdout, llvm.stderr) == (gnu.returncode, gnu.stdout, gnu.stderr)
    assert gnu.stdout or gnu.stderr or gnu.returncode  # it did something to compare


@pytest.mark.parametrize("arch_name", LLVM_ARCHES)
def test_llvm_syntax_error_is_one_line_with_file_and_line(arch_name: str, tmp_path: Path) -> None:
    require_llvm()
    bad = tmp_path / "bad.s"
    bad.write_text(".text\n.globl _start\n_start:\n  frobnicate 3\n")
    result = run_emu("run", bad, "--arch", arch_name, "--assembler", "llvm")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") <= 1, result.stderr  # the message, then the source line
    assert result.stderr.startswith(f"emu: {bad}:4: error: ") and "(llvm-mc)" in result.stderr


@pytest.mark.parametrize("arch_name", LLVM_ARCHES)
def test_llvm_mc_crash_is_a_one_line_error(arch_name: str, tmp_path: Path) -> None:
    """llvm-mc 19 dies with SIGSEGV on `li` of a `.equ . - label` (14 rejects it): either way one line."""
    require_llvm()
    source = tmp_path / "equ.s"
    source.write_text('.section .rodata\nmsg: .ascii "hi"\n.equ n, . - msg\n.text\n_start:\n li a2, n\n')
    with pytest.raises(AsmError) as err:
        assemble(source, arches.get(arch_name), "llvm")
    assert str(source) in str(err.value) and "\n" not in str(err.value).strip()


def _path_of(tools: list[str], folder: Path) -> str:
    """A PATH of one folder holding symlinks to exactly `tools` (found on the real PATH)."""
    folder.mkdir()
    for tool in tools:
        (folder / Path(tool).name).symlink_to(tool)
    return str(folder)


def _emu_with_path(path: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path}
    return subprocess.run(
        [sys.executable, "-m", "emu", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
        check=False,
    )


@pytest.mark.parametrize("arch_name", LLVM_ARCHES)
def test_with_no_assembler_installed_emu_names_both(arch_name: str, tmp_path: Path) -> None:
    arch = arches.get(arch_name)
    result = _emu_with_path(
        _path_of([], tmp_path / "bin"), "run", arch.file("examples/hello.s"), "--arch", arch_name
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert (
        f"{arch.gnu.prefix}as" in result.stderr and "llvm-mc" in result.stderr and "ld.lld" in result.stderr
    )


def _only_llvm(tmp_path: Path) -> str:
    require_llvm()
    tools = [llvm_backend.find_tool("llvm-mc"), llvm_backend.find_tool("ld.lld")]
    return _path_of([tool for tool in tools if tool], tmp_path / "bin")


@pytest.mark.parametrize("arch_name", LLVM_ARCHES)
def test_with_only_llvm_installed_it_is_the_default(
    arch_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arch = arches.get(arch_name)
    path = _only_llvm(tmp_path)
    monkeypatch.setenv("PATH", path)
    assert choose(arch) == "llvm"
    with pytest.raises(UsageError):
        gnu_backend.toolchain(arch)  # not installed, as the PATH says
    monkeypatch.undo()
    result = _emu_with_path(path, "run", arch.file("examples/hello.s"), "--arch", arch_name)
    assert (result.returncode, result.stderr) == (0, "") and result.stdout


@pytest.mark.parametrize("arch_name", LLVM_ARCHES)
def test_conformance_suite_passes_on_llvm_assembled_stubs(arch_name: str, tmp_path: Path) -> None:
    """`emu test` assembles the stubs with the arch's default: with only llvm on PATH, that is llvm."""
    result = _emu_with_path(_only_llvm(tmp_path), "test", "--arch", arch_name)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
