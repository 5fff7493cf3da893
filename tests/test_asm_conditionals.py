"""Conditional assembly, `.S` preprocessing and `.include`: as GNU as (and gcc for .S) does them."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from archdata import input_file
from conftest import ARCHES, KEYSTONE_ARCHES, ROOT, require_tool, run_emu
from test_asm import memory_image, require_gnu

from emu import arch as arches
from emu.asm import assemble, assemble_text
from emu.asm.preprocess import preprocess
from emu.errors import AsmError, UsageError

FIXTURES = ROOT / "tests" / "fixtures" / "asm"


def code_of(text: str, arch_name: str = "ppc64", filename: str = "t.s") -> str:
    """The .text bytes, in hex, of `text` assembled by emu."""
    image = assemble_text(text, arches.get(arch_name), filename)
    return next(s for s in image.segments if s.name == ".text").data.hex()


# ---- .if and friends -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "condition,taken",
    [
        (".if 1", True),
        (".if 0", False),
        (".if N - 3", False),
        (".ifeq N - 3", True),
        (".ifne N", True),
        (".ifgt N - 4", False),
        (".ifge N - 3", True),
        (".iflt -1", True),
        (".ifle 1", False),
        (".ifdef N", True),
        (".ifdef later", False),  # defined further down: GNU as says no
        (".ifndef nowhere", True),
        (".ifnotdef N", False),
        (".ifc abc,abc", True),
        (".ifc 'a b','a b'", True),
        (".ifnc abc,abd", True),
        ('.ifeqs "x","x"', True),
        ('.ifnes "x","x"', False),
        (".ifb", True),
        (".ifnb x", True),
        (".if 2 == 2", True),  # a true comparison is -1: still true
    ],
)
def test_each_conditional(condition: str, taken: bool) -> None:
    source = f".equ N, 3\n.text\n{condition}\n nop\n.else\n trap\n.endif\nlater: blr\n"
    assert code_of(source) == ("60000000" if taken else "7fe00008") + "4e800020"


def test_elseif_chain_and_nesting() -> None:
    source = """
.text
.irp v, 0, 1, 2, 3
.if \\v == 0
  li 3, 10
.elseif \\v == 1
  .if 1
    li 3, 11
  .else
    li 3, 99
  .endif
.elseif \\v == 2
  li 3, 12
.else
  .if 0
    li 3, 98
  .elseif 1
    li 3, 13
  .endif
.endif
.endr
"""
    assert code_of(source) == "3860000a3860000b3860000c3860000d"


def test_conditionals_inside_macros_and_rept() -> None:
    source = """
.macro LOAD reg, value
.ifc \\reg,zero
  li 3, 0
.else
  .if \\value > 100
    lis \\reg, \\value >> 16
  .else
    li \\reg, \\value
  .endif
.endif
.endm
.text
  LOAD zero, 1
  LOAD 4, 5
  LOAD 5, 0x10000
.rept 2
  .ifdef FLAG
    nop
  .else
    LOAD 6, 7
  .endif
.endr
"""
    assert code_of(source) == "38600000388000053ca0000138c0000738c00007"


def test_false_branches_are_not_read() -> None:
    # An include of a missing file, a macro definition and an unknown directive, all skipped.
    source = '.text\n.if 0\n.include "missing.s"\n.macro X\n.endm\n.frobnicate\n.endif\n nop\n'
    assert code_of(source) == "60000000"


@pytest.mark.parametrize(
    "source,line,message",
    [
        (".if 1\n nop\n", 1, "'.if' without a matching '.endif'"),
        (" nop\n.endif\n", 2, "'.endif' without a matching '.if'"),
        (".else\n", 1, "'.else' without a matching '.if'"),
        (".if 1\n.else\n.elseif 1\n.endif\n", 3, "after '.else'"),
        (".if undefined_thing\n.endif\n", 1, "non-constant expression in '.if'"),
        (".if here\n.endif\nhere: nop\n", 1, "non-constant expression"),
        (".ifdef 1x\n.endif\n", 1, "needs a symbol name"),
        ('.ifeqs x,"x"\n.endif\n', 1, "double-quoted"),
        (".if\n.endif\n", 1, "needs an expression"),
        (".rept -1\n nop\n.endr\n", 1, ".rept count -1 is out of range"),
        (".exitm\n", 1, "'.exitm' outside a macro"),
    ],
)
def test_conditional_errors_name_the_line(source: str, line: int, message: str) -> None:
    with pytest.raises(AsmError) as err:
        code_of(".text\n nop\n" + source)
    assert err.value.line == line + 2 and message in err.value.message


def test_macro_features_gnu_as_has() -> None:
    source = """
.macro COUNT from, to
  li 3, \\from
  .if \\to - \\from
    COUNT "(\\from + 1)", \\to
  .endif
.endm
.macro FIRST a, rest:vararg
  li 4, \\a
  .exitm
  trap
.endm
.macro Nothing
.endm
.text
  COUNT 1, 3
  first 9, 8, 7
  .purgem Nothing
"""
    assert code_of(source) == "38600001386000023860000338800009"


def test_cpp_directive_in_a_plain_s_file_is_an_error() -> None:
    # GNU as reads `#ifdef` as a comment and would assemble both branches: emu refuses.
    with pytest.raises(AsmError) as err:
        code_of(".text\n#ifdef __BIG_ENDIAN__\n nop\n#endif\n")
    assert err.value.line == 2 and "name the file .S" in err.value.message
    # A comment that merely starts with a word is still a comment.
    assert code_of(".text\n# if r3 is zero we are done\n#   define nothing\n nop\n") == "60000000"


# ---- .S through cpp --------------------------------------------------------------------------


def test_big_endian_ifdef_differs_between_ppc64_and_ppc64le() -> None:
    path = FIXTURES / "endian.S"
    big = assemble(path, arches.get("ppc64"))
    little = assemble(path, arches.get("ppc64le"))
    assert big.symbols["order"] != little.symbols["order"]
    assert memory_image(big) != memory_image(little)
    big_run = run_emu("run", path, "--arch", "ppc64")
    little_run = run_emu("run", path, "--arch", "ppc64le")
    assert (big_run.returncode, little_run.returncode) == (11, 22), big_run.stderr + little_run.stderr


@pytest.mark.parametrize("arch_name", KEYSTONE_ARCHES)
def test_preprocessed_source_matches_gnu_bytes(arch_name: str) -> None:
    require_gnu(arch_name)
    path = input_file(arch_name, "tests/fixtures/predefines.S")
    arch = arches.get(arch_name)
    ours, theirs = assemble(path, arch), assemble(path, arch, "gnu")
    mine, gnu = memory_image(ours), memory_image(theirs)
    assert mine == {addr: gnu.get(addr) for addr in mine}


@pytest.mark.parametrize("arch_name", ARCHES)
def test_preprocessed_source_sees_the_target_predefines(arch_name: str) -> None:
    path = input_file(arch_name, "tests/fixtures/predefines.S")
    assert run_emu("run", path, "--arch", arch_name).returncode == 42


@pytest.mark.parametrize("arch_name", ["ppc64", "ppc64le"])
def test_endian_fixture_matches_gnu_bytes(arch_name: str) -> None:
    require_gnu(arch_name)
    arch = arches.get(arch_name)
    path = FIXTURES / "endian.S"
    mine, gnu = memory_image(assemble(path, arch)), memory_image(assemble(path, arch, "gnu"))
    assert mine == {addr: gnu.get(addr) for addr in mine}


def test_amd64_predefines_are_what_gcc_predefines() -> None:
    require_tool("x86_64-linux-gnu-gcc")
    out = subprocess.run(
        ["x86_64-linux-gnu-gcc", "-dM", "-E", "-x", "assembler-with-cpp", "/dev/null"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    gcc = {parts[1]: parts[2] for line in out.splitlines() if len(parts := line.split(None, 2)) == 3}
    ours = arches.get("amd64").asm.predefines
    assert {name: gcc.get(name) for name in ours} == ours
    for name in ("__x86_64__", "__amd64__", "__linux__", "__ELF__", "__ASSEMBLER__", "__BYTE_ORDER__"):
        assert name in ours


@pytest.mark.parametrize("arch_name", ARCHES)
def test_every_arch_names_its_byte_order_and_family(arch_name: str) -> None:
    macros = arches.get(arch_name).asm.predefines
    order = "__ORDER_BIG_ENDIAN__" if arches.get(arch_name).endian == "big" else "__ORDER_LITTLE_ENDIAN__"
    assert macros["__BYTE_ORDER__"] == order
    assert {"__linux__", "__ELF__", "__ASSEMBLER__"} <= set(macros)


def test_defines_from_the_command_line(tmp_path) -> None:
    source = tmp_path / "d.S"
    source.write_text(".text\n.globl _start\n_start:\n li 3, CODE\n li 0, 1\n sc\n")
    assert run_emu("run", source, "--arch", "ppc64", "-D", "CODE=7").returncode == 7
    assert run_emu("run", source, "--arch", "ppc64", "-DCODE=8", "-D", "UNUSED").returncode == 8
    missing = run_emu("run", source, "--arch", "ppc64")
    assert missing.returncode == 2 and f"{source}:4: error: undefined symbol" in missing.stderr
    bad = run_emu("run", source, "--arch", "ppc64", "-D", "1X=2")
    assert bad.returncode == 2 and "-D needs NAME or NAME=VALUE" in bad.stderr


def test_errors_after_cpp_name_the_users_file_and_line(tmp_path) -> None:
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "macros.h").write_text("#define LOAD(r, v) li r, v\n")
    source = tmp_path / "e.S"
    source.write_text(
        '/* a comment\n   over lines */\n#include "inc/macros.h"\n.text\n\nLOAD(3, 1)\n  frobnicate 3\n'
    )
    with pytest.raises(AsmError) as err:
        assemble(source, arches.get("ppc64"))
    assert (err.value.filename, err.value.line) == (str(source), 7)
    source.write_text(".text\n#if 1\n#error stop here\n#endif\n")
    with pytest.raises(AsmError) as err:
        assemble(source, arches.get("ppc64"))
    assert (err.value.filename, err.value.line) == (str(source), 3) and "stop here" in err.value.message


def test_missing_cpp_is_a_one_line_error(monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UsageError, match="needs the C preprocessor 'cpp'"):
        preprocess("nop\n", "x.S", arches.get("ppc64"))
    command = [sys.executable, "-m", "emu", "run", str(FIXTURES / "endian.S"), "--arch", "ppc64"]
    result = subprocess.run(
        command, env={"PATH": "/nonexistent"}, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "needs the C preprocessor 'cpp'" in result.stderr


# ---- .include ------------------------------------------------------------------------------


def test_include_errors_name_the_included_file_and_its_line(tmp_path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "inner.s").write_text("  nop\n\n  frobnicate 3\n")
    (tmp_path / "lib" / "outer.s").write_text('.include "inner.s"\n')  # relative to lib/
    (tmp_path / "main.s").write_text('.text\n.include "lib/outer.s"\n')
    with pytest.raises(AsmError) as err:
        assemble(tmp_path / "main.s", arches.get("ppc64"))
    assert (err.value.filename, err.value.line) == (str(tmp_path / "lib" / "inner.s"), 3)


def test_include_errors_name_the_included_file_with_gnu_too(tmp_path) -> None:
    require_gnu("ppc64")
    (tmp_path / "inner.s").write_text("  nop\n  frobnicate 3\n")
    (tmp_path / "main.s").write_text('.text\n.include "inner.s"\n')
    with pytest.raises(AsmError) as err:
        assemble(tmp_path / "main.s", arches.get("ppc64"), "gnu")
    assert (err.value.filename, err.value.line) == (str(tmp_path / "inner.s"), 2)


def test_a_relative_include_is_found_from_another_working_directory(tmp_path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "defs.s").write_text(".equ CODE, 5\n")
    (tmp_path / "src" / "main.s").write_text(
        '.include "defs.s"\n.text\n.globl _start\n_start:\n li 3, CODE\n li 0, 1\n sc\n'
    )
    command = [sys.executable, "-m", "emu", "run", "src/main.s", "--arch", "ppc64"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 5, result.stderr


def test_end_stops_reading_and_byte_changing_directives_are_not_ignored() -> None:
    assert code_of(".text\n nop\n.end\n frobnicate\n") == "60000000"
    for directive in (".nops 8", ".p2alignw 3, 0x9090"):  # would change the bytes: refused, not skipped
        with pytest.raises(AsmError, match="unknown or unsupported directive"):
            code_of(f".text\n nop\n {directive}\n", "amd64")
