"""Fuzz the assembler front end: random statements, directives and expressions, per arch.

Every source must give an Image or an `AsmError` naming `file:line` (line >= 1; an external
assembler's whole-file error names the file alone, since GNU as gives no line for it) — never
another exception, a hang (keystone runs under emu.asm.keystone_guard) or unbounded memory
(expansion and image limits). Runs in-process, as the CLI does it, with a small image limit.
"""

from __future__ import annotations

import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from archdata import expect
from conftest import ARCHES
from hypothesis import example, given
from hypothesis import strategies as st

from emu import arch as arches
from emu.asm import assemble_text
from emu.errors import AsmError
from fuzz.conftest import record

pytestmark = pytest.mark.fuzz

FILENAME = "fuzz.s"
IMAGE_LIMIT = 16 << 20
HANG_LIMIT = 120  # seconds for one source: far above any honest assembly, far below "forever"
MEMORY_LIMIT = 3 << 30  # peak RSS of the whole test process, in bytes

# Each arch's mnemonics and operands to mix: [fuzz] in its tests/expect.toml.
JUNK = [
    "*",
    "+",
    "^0",
    "@ha",
    "@l",
    "#",
    "(",
    ")",
    "[",
    "]",
    "{",
    "'",
    '"',
    "\\",
    ",",
    ":",
    "·",
    "=",
    "$",
    "%",
]
DIRECTIVES = [".byte", ".short", ".long", ".quad", ".word", ".space", ".fill", ".p2align", ".balign",
              ".align", ".equ", ".set", ".if", ".ifdef", ".ifndef", ".ifc", ".else", ".elseif", ".endif",
              ".rept", ".irp", ".endr", ".macro", ".endm", ".exitm", ".include", ".ascii", ".asciz",
              ".section", ".text", ".data", ".bss", ".globl", ".frobnicate", ".ltorg", ".org"]  # fmt: skip


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-(2**70), 2**70).map(str),
        st.integers(0, 2**64).map(hex),
        st.sampled_from(["08", "0b102", "0x", "'a'", "'\\x'", "'\\n'", "1f", "1b", ".", "lab", "N"]),
    )


def expressions() -> st.SearchStrategy[str]:
    operators = ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "!", "==", "<", "&&", "||"]
    return st.recursive(
        numbers(),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(operators), inner).map(" ".join),
            inner.map(lambda e: f"({e})"),
            st.tuples(st.sampled_from(["-", "~", "!"]), inner).map("".join),
        ),
        max_leaves=12,
    )


def statements(arch_name: str) -> st.SearchStrategy[str]:
    mnemonics, operands = expect(arch_name, "fuzz.mnemonics"), expect(arch_name, "fuzz.operands")
    operand = st.one_of(st.sampled_from(operands), expressions(), st.sampled_from(JUNK))
    instruction = st.tuples(
        st.sampled_from(mnemonics + JUNK), st.lists(operand, max_size=3).map(", ".join)
    ).map(" ".join)
    directive = st.tuples(
        st.sampled_from(DIRECTIVES), st.lists(expressions(), max_size=3).map(", ".join)
    ).map(" ".join)
    label = st.sampled_from(["lab:", "1:", "N = 3", ".equ N, 4", "lab2: nop", '.include "fuzz.s"'])
    text = st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=20)
    return st.one_of(instruction, directive, label, text)


def sources(arch_name: str) -> st.SearchStrategy[str]:
    return st.lists(statements(arch_name), min_size=1, max_size=12).map(
        lambda lines: ".text\n_start:\n" + "\n".join(lines) + "\n"
    )


@contextmanager
def hang_alarm(seconds: int) -> Iterator[None]:
    def hung(signum, frame):  # noqa: ARG001 - signal handler signature
        raise AssertionError(f"the assembler did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(source: str, arch_name: str) -> None:
    """The one property: an Image, or an AsmError at a real line of this file."""
    with hang_alarm(HANG_LIMIT):
        try:
            image = assemble_text(source, arches.get(arch_name), FILENAME, image_limit=IMAGE_LIMIT)
        except AsmError as err:
            assert err.filename == FILENAME, str(err)
            assert "emu-asm-" not in str(err), str(err)  # never the temp copy an external tool read
            if err.line == 0:  # an external assembler's whole-file error (GNU as: `1f` never defined)
                assert arches.get(arch_name).asm.backends[0] != "keystone", str(err)
                assert str(err).startswith(f"{FILENAME}: error: ")
            else:
                assert 1 <= err.line <= source.count("\n"), str(err)
                assert str(err).startswith(f"{FILENAME}:{err.line}: error: ")
            record("assembler", arch_name, "error")
            return
    assert image.segments and sum(seg.size for seg in image.segments) <= IMAGE_LIMIT + (1 << 20)
    record("assembler", arch_name, "ok")


@pytest.mark.parametrize("arch_name", ARCHES)
@given(data=st.data())
@example(data=None)
def test_random_sources_assemble_or_fail_on_a_line(arch_name: str, data) -> None:
    source = data.draw(sources(arch_name)) if data is not None else ".text\n_start:\n *\n"
    check(source, arch_name)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 < MEMORY_LIMIT


@pytest.mark.parametrize("arch_name", ARCHES)
@given(expr=expressions(), size=st.sampled_from([".byte", ".long", ".quad"]))
def test_random_expressions_in_data(arch_name: str, expr: str, size: str) -> None:
    check(f".text\n_start:\n nop\n.data\nlab: {size} {expr}\n.equ N, 2\n", arch_name)
