"""The llvm back end (llvm-mc + ld.lld): the same program at the same addresses as GNU as + ld,
the same one-line errors, and the default where it is the only assembler installed.

Which sources llvm-mc rejects and which legitimately give other bytes is each arch's
tests/expect.toml `[llvm]`, with the reason; every other source of the arch is compared.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from archdata import WHEN_APPLICABLE, lookup
from conftest import ARCHES, require_tool, run_emu

from emu import arch as arches
from emu.asm import assemble, assemble_text, choose, gnu_backend, llvm_backend
from emu.errors import AsmError, UsageError
from emu.image import Image
from emu.runtime import link

LLVM_ARCHES = [name for name in ARCHES if "llvm" in arches.get(name).asm.backends]
# arches with no built-in assembler: what is installed decides their default
EXTERNAL_ONLY = [name for name in LLVM_ARCHES if "keystone" not in arches.get(name).asm.backends]
NOT_PROGRAMS = ("runtime_asm/rt0.s", "runtime_asm/contended.s")  # call main or the stubs (as test_asm.py)


def llvm_expect(arch_name: str, key: str) -> dict[str, str]:
    """`[llvm] key` of the arch's tests/expect.toml (file -> reason); an llvm arch must have it."""
    assert f"llvm.{key}" in WHEN_APPLICABLE
    found, value = lookup(arch_name, f"llvm.{key}")
    if not found:
        pytest.fail(f"{arch_name}: no [llvm] {key} in its tests/expect.toml (nor its base's)")
    return value


def require_llvm() -> None:
    if llvm_backend.find_tool("llvm-mc") is None or llvm_backend.find_tool("ld.lld") is None:
        require_tool("llvm-mc-19", "ld.lld-19")


def require_both(arch: arches.Arch) -> None:
    require_llvm()
    if not gnu_backend.available(arch):
        require_tool(arch.gnu.prefix + "as", arch.gnu.prefix + "ld")


def sources(arch_name: str) -> dict[str, Path]:
    """Every assembly source of the arch (its own and its base's) that is a program alone."""
    return {
        relative: path
        for relative, path in arches.get(arch_name).tree("").items()
        if path.suffix in (".s", ".S") and relative not in NOT_PROGRAMS
    }


def cases(key: str | None) -> list[tuple[str, str]]:
    """(source, arch) for each llvm arch: those its `[llvm] key` lists, or (None) all the others."""
    found = []
    for name in LLVM_ARCHES:
        listed = {**llvm_expect(name, "rejected"), **llvm_expect(name, "other_bytes")}
        wanted = llvm_expect(name, key) if key else {}
        for relative in sources(name):
            if (relative in wanted) if key else (relative not in listed):
                found.append((relative, name))
    return found


def build(relative: str, arch_name: str, assembler: str) -> Image:
    """The image of one source as `emu run` makes it (a runtime program with its stubs and rt0)."""
    arch, path = arches.get(arch_name), sources(arch_name)[relative]
    return link.link(path, arch, assembler) if link.uses_runtime(path) else assemble(path, arch, assembler)


def section_bytes(image: Image, arch: arches.Arch) -> dict[int, int]:
    """Every initialised byte from the text base up, by address (below it: each linker's headers)."""
    return {
        seg.address + i: b
        for seg in image.segments
        for i, b in enumerate(seg.data)
        if seg.address + i >= arch.text_base
    }


def differences(gnu: Image, llvm: Image, arch: arches.Arch) -> list[str]:
    """Where llvm's program is not GNU's: bytes at an address, or a symbol's address (GNU ld adds
    symbols of its own). A byte only llvm's image has must be 0 on a page GNU's maps too: ld.lld
    pads a segment to a following empty section (ppc64's .branch_lt), and the loader zeroes the
    rest of a mapped page, so the memory is the same."""
    theirs, ours = section_bytes(gnu, arch), section_bytes(llvm, arch)
    assert ours, "llvm made no bytes to compare"
    pages = {address // arch.page_size for address in theirs}
    found = [
        f"{address:#x}: llvm {value:#04x}, gnu {theirs[address]:#04x}"
        if address in theirs
        else f"{address:#x}: llvm {value:#04x}, gnu none"
        for address, value in sorted(ours.items())
        if theirs.get(address, 0 if address // arch.page_size in pages else None) != value
    ]
    found += [
        f"{name}: llvm {address:#x}, gnu {gnu.symbols.get(name)}"
        for name, address in llvm.symbols.items()
        if gnu.symbols.get(name) != address
    ]
    return found


@pytest.mark.parametrize("relative,arch_name", cases(None))
def test_llvm_gives_gnus_bytes_at_gnus_addresses(relative: str, arch_name: str) -> None:
    arch = arches.get(arch_name)
    require_both(arch)
    assert differences(build(relative, arch_name, "gnu"), build(relative, arch_name, "llvm"), arch) == []


@pytest.mark.parametrize("relative,arch_name", cases("other_bytes"))
def test_listed_differences_are_still_differences(relative: str, arch_name: str) -> None:
    """Each `other_bytes` entry still differs: a fixed one must leave the list and be compared."""
    arch = arches.get(arch_name)
    require_both(arch)
    assert differences(build(relative, arch_name, "gnu"), build(relative, arch_name, "llvm"), arch)


@pytest.mark.parametrize("relative,arch_name", cases("rejected"))
def test_rejected_sources_are_a_one_line_error(relative: str, arch_name: str) -> None:
    require_llvm()
    with pytest.raises(AsmError) as err:
        build(relative, arch_name, "llvm")
    assert "(llvm-mc)" in str(err.value)


def runnable(key: str | None) -> list[tuple[str, str]]:
    return [(rel, arch) for rel, arch in cases(key) if rel.startswith(("examples/", "tests/programs/"))]


@pytest.mark.parametrize("relative,arch_name", runnable(None) + runnable("other_bytes"))
def test_programs_under_llvm_do_what_they_do_under_gnu(relative: str, arch_name: str) -> None:
    """Output, errors (with their symbol+offset and file:line) and exit status, all the same."""
    require_both(arches.get(arch_name))
    path = sources(arch_name)[relative]
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


@pytest.mark.parametrize("backend", ["gnu", "llvm"])
@pytest.mark.parametrize("arch_name", LLVM_ARCHES)
def test_an_error_at_end_of_file_names_the_last_line(arch_name: str, backend: str) -> None:
    """Found by `make fuzz`: GNU as reports an unclosed `.rept` at the line after the last; the
    error names a line of the file, as keystone's does (in-process, on a file that is not on disk)."""
    require_llvm() if backend == "llvm" else require_tool(arches.get(arch_name).gnu.prefix + "as")
    source = ".text\n_start:\n.rept 2\n"
    with pytest.raises(AsmError) as caught:
        assemble_text(source, arches.get(arch_name), "fuzz.s", backend)
    assert (caught.value.filename, caught.value.line) == ("fuzz.s", 3), str(caught.value)


@pytest.mark.parametrize("backend", ["gnu", "llvm"])
def test_an_image_past_the_limit_is_a_one_line_error(backend: str) -> None:
    """A `.fill` of 32 MiB under a 1 MiB limit: the tool stops at the limit (no full disk, no
    gigabytes read back) and the error says so, as keystone's back end does."""
    arch = arches.get("riscv64")
    require_llvm() if backend == "llvm" else require_tool(arch.gnu.prefix + "as")
    source = ".text\n_start:\n nop\n.data\n.fill 0x2000000, 1, 7\n"
    with pytest.raises(AsmError, match="exceeds --mem-limit"):
        assemble_text(source, arch, "big.s", backend, image_limit=1 << 20)
    assert assemble_text(source, arch, "big.s", backend).segments  # the default limit takes it


def test_an_undefined_symbol_names_the_users_line_not_the_temp_copy() -> None:
    """Found by `make fuzz`: ld's `a.out.s:3: undefined reference to 'a0'` named emu's temp copy."""
    arch = arches.get("riscv64")
    require_tool(arch.gnu.prefix + "ld")
    with pytest.raises(AsmError) as caught:
        assemble_text(".text\n_start:\nla a0, a0\n", arch, "fuzz.s", "gnu")
    assert (caught.value.line, "emu-asm-" in str(caught.value)) == (3, False), str(caught.value)
    assert "undefined reference" in str(caught.value)


def _path_of(tools: dict[str, str], folder: Path) -> str:
    """A PATH of one folder holding exactly `tools` (name -> symlink target)."""
    folder.mkdir()
    for name, target in tools.items():
        (folder / name).symlink_to(target)
    return str(folder)


def _only_llvm(tmp_path: Path) -> str:
    require_llvm()
    tools = [llvm_backend.find_tool("llvm-mc"), llvm_backend.find_tool("ld.lld")]
    return _path_of({Path(tool).name: tool for tool in tools if tool}, tmp_path / "bin")


def _emu_with_path(path: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_emu(*args, timeout=300, env={**os.environ, "PATH": path})


@pytest.mark.parametrize("arch_name", LLVM_ARCHES)
def test_a_crashing_llvm_mc_is_a_one_line_error(arch_name: str, tmp_path: Path) -> None:
    """llvm-mc 19 dies of SIGSEGV on riscv64's `li a2, n` after `.equ n, . - msg`: any crash is one line."""
    require_llvm()
    crasher = tmp_path / "crash"
    crasher.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crasher.chmod(0o755)
    path = _path_of(
        {"llvm-mc-99": str(crasher), "ld.lld": str(llvm_backend.find_tool("ld.lld"))}, tmp_path / "bin"
    )
    source = tmp_path / "any.s"
    source.write_text(".text\n.globl _start\n_start:\n")
    result = _emu_with_path(path, "run", source, "--arch", arch_name, "--assembler", "llvm")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == f"emu: {source}: error: llvm-mc-99 crashed (SIGSEGV) on this source\n"


@pytest.mark.parametrize("arch_name", EXTERNAL_ONLY)
def test_with_no_assembler_installed_emu_names_both(arch_name: str, tmp_path: Path) -> None:
    arch = arches.get(arch_name)
    hello = arch.file("examples/hello.s")
    result = _emu_with_path(_path_of({}, tmp_path / "bin"), "run", hello, "--arch", arch_name)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert all(tool in result.stderr for tool in (f"{arch.gnu.prefix}as", "llvm-mc", "ld.lld")), result.stderr


@pytest.mark.parametrize("arch_name", EXTERNAL_ONLY)
def test_with_only_llvm_installed_it_is_the_default(
    arch_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arch = arches.get(arch_name)
    path = _only_llvm(tmp_path)
    with monkeypatch.context() as patched:
        patched.setenv("PATH", path)
        assert choose(arch) == "llvm"
        with pytest.raises(UsageError):
            gnu_backend.toolchain(arch)  # not installed, as the PATH says
    result = _emu_with_path(path, "run", arch.file("examples/hello.s"), "--arch", arch_name)
    assert (result.returncode, result.stderr) == (0, "") and result.stdout


@pytest.mark.parametrize("arch_name", EXTERNAL_ONLY)
def test_conformance_suite_passes_on_llvm_assembled_stubs(arch_name: str, tmp_path: Path) -> None:
    """`emu test` assembles the stubs with the arch's default: with only llvm on PATH, that is llvm."""
    result = _emu_with_path(_only_llvm(tmp_path), "test", "--arch", arch_name)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert "PASS: all" in result.stdout


def test_the_newest_numbered_tool_on_path_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Debian's plain llvm-mc may be an older LLVM than llvm-mc-19: the highest number wins."""
    older, newer = tmp_path / "a", tmp_path / "b"
    for folder, names in ((older, ("llvm-mc", "llvm-mc-19")), (newer, ("llvm-mc-14", "llvm-mc-x"))):
        folder.mkdir()
        for name in names:
            (folder / name).write_text("#!/bin/sh\n")
            (folder / name).chmod(0o755)
    (newer / "llvm-mc-20").mkdir()  # not a program
    (newer / "llvm-mc-21").write_text("")  # not executable
    monkeypatch.setenv("PATH", f"{newer}{os.pathsep}{older}")
    assert llvm_backend.find_tool("llvm-mc") == str(older / "llvm-mc-19")
    monkeypatch.setenv("PATH", str(tmp_path / "none"))
    assert llvm_backend.find_tool("llvm-mc") is None
