"""The assembler front end: GNU syntax in, the same bytes GNU as + ld would produce."""

from __future__ import annotations

import operator

import pytest
from archdata import arch_path, example, input_path
from conftest import KEYSTONE_ARCHES, ROOT, require_tool, run_emu
from hypothesis import given
from hypothesis import strategies as st

from emu import arch as arches
from emu.asm import assemble, assemble_text, gnu_backend
from emu.asm.expr import ExprError, evaluate
from emu.errors import AsmError

PROGRAMS = [(example(a, "hello"), a) for a in KEYSTONE_ARCHES]
PROGRAMS += [(input_path(a, "tests/programs/directives.s"), a) for a in KEYSTONE_ARCHES]
PROGRAMS += [(arch_path("arm", "tests/programs/literals.s"), "arm")]


def memory_image(image) -> dict[int, int]:
    """Every initialised byte of an Image, by address (bss reads as absent)."""
    return {seg.address + i: b for seg in image.segments for i, b in enumerate(seg.data)}


def require_gnu(arch_name: str) -> None:
    arch = arches.get(arch_name)
    if not gnu_backend.available(arch):
        require_tool(arch.gnu.prefix + "as", arch.gnu.prefix + "ld")


@pytest.mark.parametrize("path,arch_name", PROGRAMS)
def test_keystone_and_gnu_give_identical_bytes(path: str, arch_name: str) -> None:
    require_gnu(arch_name)
    arch = arches.get(arch_name)
    ours, theirs = assemble(ROOT / path, arch), assemble(ROOT / path, arch, "gnu")
    mine = memory_image(ours)
    gnu = memory_image(theirs)
    assert mine == {addr: gnu.get(addr) for addr in mine}
    for name, address in ours.symbols.items():
        assert theirs.symbols[name] == address, name


# The shipped stub files: runtime.s and variants of it (arm64's lse.s); rt0.s and contended.s
# call into the stubs and a program's main, so they do not assemble alone.
STUB_FILES = [
    (path.relative_to(ROOT).as_posix(), a)
    for a in KEYSTONE_ARCHES
    for path in arches.get(a).files("runtime_asm/*.s")
    if path.name not in ("rt0.s", "contended.s")
]


@pytest.mark.parametrize("path,arch_name", STUB_FILES)
def test_shipped_stubs_give_gnus_bytes(path: str, arch_name: str) -> None:
    """runtime_asm/README.md promises keystone's and GNU as's stubs are byte-identical."""
    require_gnu(arch_name)
    arch = arches.get(arch_name)
    ours, theirs = assemble(ROOT / path, arch), assemble(ROOT / path, arch, "gnu")
    mine, gnu = memory_image(ours), memory_image(theirs)
    assert mine == {addr: gnu.get(addr) for addr in mine}
    assert all(theirs.symbols[name] == address for name, address in ours.symbols.items())


@pytest.mark.parametrize("path,arch_name", PROGRAMS)
def test_gnu_assembled_program_behaves_the_same(path: str, arch_name: str) -> None:
    require_gnu(arch_name)
    mine = run_emu("run", path, "--arch", arch_name)
    gnu = run_emu("run", path, "--arch", arch_name, "--assembler", "gnu")
    assert (mine.returncode, mine.stdout) == (gnu.returncode, gnu.stdout) == (0, mine.stdout)


def test_gnu_errors_are_reported_with_the_line(tmp_path) -> None:
    require_gnu("ppc64le")
    source = tmp_path / "bad.s"
    source.write_text(".text\n_start:\n  nop\n  frobnicate 3\n")
    with pytest.raises(AsmError) as err:
        assemble(source, arches.get("ppc64le"), "gnu")
    assert err.value.line == 4 and "frobnicate" in str(err.value)


# ---- errors a user hits ------------------------------------------------------------------


@pytest.mark.parametrize(
    "source,message",
    [
        ("  b nowhere\n", "undefined symbol"),
        ("x:\nx:\n", "already defined"),
        ("  .frobnicate 1\n", "unknown or unsupported directive '.frobnicate'"),
        ("  b 1b\n", "'1b' has no earlier '1:'"),
        ("  .macro M a\n  nop\n", "without a matching '.endm'"),
        ("  .long 1 +\n", "expression ends too early"),
        ("  .align 3, 0, 0\n  .balign 3\n", "not a power of two"),
        ("  .bss\n  nop\n", "instruction 'nop' in a .bss section"),
        ("  .data\n  .long 1\n", "nothing to run: no instructions"),
    ],
)
def test_errors_name_the_line(source: str, message: str) -> None:
    with pytest.raises(AsmError) as err:
        assemble_text(".text\n_start:\n" + source, arches.get("ppc64le"), "t.s")
    assert message in str(err.value)
    assert str(err.value).startswith("t.s:")


def test_an_empty_file_is_an_error_not_a_crash(tmp_path) -> None:
    (tmp_path / "empty.s").write_text("")
    result = run_emu("run", tmp_path / "empty.s", "--arch", "arm")
    assert result.returncode == 2 and "empty.s:1: error: nothing to run" in result.stderr


def test_intel_syntax_ambiguities_are_refused() -> None:
    amd64 = arches.get("amd64")
    with pytest.raises(AsmError, match="is a label: write \\[msg\\]"):
        assemble_text(".text\n_start: mov rax, msg\nmsg: .quad 1\n", amd64, "t.s")
    with pytest.raises(AsmError, match="defined later"):
        assemble_text(".text\n_start: mov eax, N\n.equ N, 5\n", amd64, "t.s")
    with pytest.raises(AsmError, match="label 'word' is an operand-size keyword"):
        assemble_text(".text\n_start: lea rax, [rip + word]\nword: .quad 1\n", amd64, "t.s")


def test_section_directives_never_reach_keystone() -> None:
    # `.text` crashes keystone and `.section` makes it drop code: both are handled by emu.
    source = ".text\n_start: nop\n.section .data\nd: .long 1\n.text\n nop\n.section .text\n nop\n"
    image = assemble_text(source, arches.get("arm"), "t.s")
    text = next(s for s in image.segments if s.name == ".text")
    assert len(text.data) == 12


def test_numeric_labels_macros_and_go_names() -> None:
    source = """
.macro TWICE insn
    \\insn
    \\insn
.endm
.text
runtime·cas:
1:  TWICE nop
    b 1b
    b 1f
1:  b runtime·cas
"""
    image = assemble_text(source, arches.get("ppc64"), "t.s")
    code = image.segments[0].data
    words = [code[i : i + 4].hex() for i in range(0, len(code), 4)]
    assert words == ["60000000", "60000000", "4bfffff8", "48000004", "4bfffff0"]
    assert image.symbols["runtime·cas"] == arches.get("ppc64").text_base


@pytest.mark.parametrize("value", [0x10008000, 0x1234_5678_9ABC_DEF0, 0xFFFF_8000])
def test_ppc_address_pieces(value: int) -> None:
    source = (
        f".equ V, {value:#x}\n.text\n lis 3, V@ha\n addi 3, 3, V@l\n lis 4, V@highest\n ori 4, 4, V@higher\n"
    )
    code = assemble_text(source, arches.get("ppc64"), "t.s").segments[0].data
    imm = [int.from_bytes(code[i + 2 : i + 4], "big") for i in range(0, 16, 4)]
    ha, lo = imm[0], imm[1] - (0x10000 if imm[1] & 0x8000 else 0)
    assert ((ha << 16) + lo) & 0xFFFFFFFF == value & 0xFFFFFFFF
    assert (imm[2], imm[3]) == ((value >> 48) & 0xFFFF, (value >> 32) & 0xFFFF)


def test_include_is_relative_to_the_including_file(tmp_path) -> None:
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "defs.s").write_text(".equ ANSWER, 42\n.macro RET\n  blr\n.endm\n")
    (tmp_path / "main.s").write_text('.include "inc/defs.s"\n.text\n_start: li 3, ANSWER\n  RET\n')
    code = assemble(tmp_path / "main.s", arches.get("ppc64")).segments[0].data
    assert code.hex() == "3860002a4e800020"
    (tmp_path / "bad.s").write_text('.include "missing.s"\n')
    with pytest.raises(AsmError, match="bad.s:1: error: cannot include 'missing.s'"):
        assemble(tmp_path / "bad.s", arches.get("ppc64"))


# ---- expressions ---------------------------------------------------------------------------

OPS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "&": operator.and_,
    "|": operator.or_,
    "^": operator.xor,
}


NO_SYMBOLS: dict[str, int] = {}  # a lookup that finds nothing (KeyError)


def wrapped(value: int) -> int:
    """`value` as GNU as holds it: a signed 64-bit number."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >> 63 else value


@given(st.integers(-(2**40), 2**40), st.sampled_from(sorted(OPS)), st.integers(-(2**40), 2**40))
def test_expression_arithmetic_matches_python(a: int, op: str, b: int) -> None:
    assert evaluate(f"({a}) {op} ({b})", NO_SYMBOLS.__getitem__) == wrapped(OPS[op](a, b))


@given(st.integers(0, 2**32), st.integers(0, 31))
def test_expression_precedence_is_gnu_not_c(a: int, n: int) -> None:
    # binutils expr.c: shifts bind like `*`, bitwise operators tighter than `+`, true is -1.
    assert evaluate(f"{a:#x} << {n} + 1", NO_SYMBOLS.__getitem__) == wrapped((a << n) + 1)
    assert evaluate(f"{a} + 1 & {n}", NO_SYMBOLS.__getitem__) == a + (1 & n)
    assert evaluate(f"{a} >> {n} | 1", NO_SYMBOLS.__getitem__) == (a >> n) | 1
    assert evaluate(f"~{a} & 0xff", NO_SYMBOLS.__getitem__) == ~a & 0xFF
    assert evaluate(f"{a} == {a}", NO_SYMBOLS.__getitem__) == -1
    assert evaluate(f"{a} < {a} + 1", NO_SYMBOLS.__getitem__) == -1


def test_expression_errors() -> None:
    with pytest.raises(ExprError, match="undefined symbol 'nope'"):
        evaluate("nope + 1", lambda name: (_ for _ in ()).throw(ExprError(f"undefined symbol '{name}'")))
    with pytest.raises(ExprError, match="division by zero"):
        evaluate("1 / 0", NO_SYMBOLS.__getitem__)
    for text, message in [
        ("08", "bad number '08'"),
        ("1 << -1", "shift count -1 is out of range"),
        ("'\\x'", "bad escape"),
        ("(" * 2000 + "1" + ")" * 2000, "nests more than 100 levels"),
        ("-" * 5000 + "1", "nests more than 100 levels"),
    ]:
        with pytest.raises(ExprError, match=message):
            evaluate(text, NO_SYMBOLS.__getitem__)
