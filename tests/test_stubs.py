"""The Python -> stub calling API (emu.stubs): arguments, results, budgets, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ARCHES
from hypothesis import given, settings
from hypothesis import strategies as st

from emu import arch as arches
from emu.kernel import signed
from emu.kernel.abi import Errno
from emu.stubs import (
    StubError,
    StubMachine,
    UserStubs,
    compose_source,
    global_names,
    int32_arguments,
    plain_name,
    split_functions,
)


@pytest.fixture(scope="module", params=ARCHES)
def sm(request: pytest.FixtureRequest) -> StubMachine:
    return StubMachine(request.param)


def test_cas_result_and_memory(sm: StubMachine) -> None:
    sm.write_int(sm.data, 1, 4)
    assert sm.call("cas", sm.data, 1, 2) == 1
    assert sm.read_int(sm.data, 4) == 2
    assert sm.call("cas", sm.data, 1, 3) == 0


def test_64bit_arguments_and_results_use_register_pairs_on_32bit(sm: StubMachine) -> None:
    """arm: old in r2:r3, new in r4:r5, results in r0:r1; 64-bit arches: one register each."""
    z = (sm.data + 8) & ~7
    sm.write_int(z, (7 << 32) | 9, 8)
    assert sm.call("cas64", z, (7 << 32) | 9, (1 << 40) + 1) == 1
    assert sm.call("xadd64", z, (1 << 40) + 1) == (2 << 40) + 2
    assert sm.call("atomicload64", z) == (2 << 40) + 2


def test_syscall_wrappers_reach_the_kernel(sm: StubMachine) -> None:
    assert sm.call("sys_gettid") == sm.thread.tid
    assert signed(sm.call("sys_write", 99, sm.data, 1), sm.arch.bits) == -Errno.EBADF


def test_unknown_stub_is_a_clear_error(sm: StubMachine) -> None:
    with pytest.raises(Exception, match="no stub named 'nonesuch'|no known signature"):
        sm.call("nonesuch")


def test_runaway_stub_fails_by_name_within_its_budget(tmp_path) -> None:
    (tmp_path / "amd64.s").write_text(".globl procyield\nprocyield:\n    jmp procyield\n")
    sm = StubMachine("amd64", UserStubs(tmp_path))
    with pytest.raises(StubError, match=r"procyield: did not return within 1000 instructions"):
        sm.call("procyield", 1, budget=1000)


def test_faulting_stub_fails_by_name() -> None:
    sm = StubMachine("arm")
    with pytest.raises(StubError, match=r"cas64: SIGILL"):
        sm.call("cas64", sm.data + 4, 0, 0)  # not 8-aligned: udf #0 by design


BASE = """# prologue
.text
.globl casp
casp:
# cas64: the real one
.globl cas64
cas64:
    nop
    ret
.globl xadd
xadd:
    ret
"""


def test_split_functions_keeps_aliases_together() -> None:
    _, functions = split_functions(BASE, "#")
    assert [names for names, _ in functions] == [{"casp", "cas64"}, {"xadd"}]
    assert global_names(BASE, "#") == ["casp", "cas64", "xadd"]


def test_override_blanks_only_its_functions_and_keeps_line_numbers(tmp_path) -> None:
    user = tmp_path / "mine.s"
    lines = compose_source(BASE, {"xadd"}, user, "#").splitlines()
    base = BASE.splitlines()
    xadd = base.index(".globl xadd")
    assert lines[:xadd] == base[:xadd]  # every kept line at its own line number
    assert lines[xadd : len(base)] == [""] * (len(base) - xadd)  # the replaced function: blank lines
    assert lines[len(base) :] == ["", f'.include "{user.resolve()}"']


def test_override_must_define_every_alias() -> None:
    with pytest.raises(Exception, match="alias casp"):
        compose_source(BASE, {"cas64"}, Path("mine.s"), "#")


@settings(max_examples=50, deadline=None)
@given(replaced=st.sets(st.sampled_from(["casp", "cas64", "xadd"])))
def test_composition_keeps_every_shipped_line_at_its_number(replaced: set[str]) -> None:
    """Whatever is replaced, a kept line is at its own line number and a replaced one is blank."""
    if {"casp", "cas64"} & replaced and not {"casp", "cas64"} <= replaced:
        replaced |= {"casp", "cas64"}  # aliases go together (the other case is an error, tested above)
    lines = compose_source(BASE, replaced, Path("mine.s"), "#").splitlines()
    for number, line in enumerate(BASE.splitlines()):
        assert lines[number] in (line, "")
        owner = next((name for name in replaced if name in line), None)
        if owner and line.strip().startswith((".globl", f"{owner}:")):
            assert lines[number] == ""


@pytest.mark.parametrize("arch_name", ARCHES)
@given(value=st.integers(0, 0xFFFFFFFF))
def test_int32_forms_keep_the_low_word_and_extend_as_named(arch_name: str, value: int) -> None:
    arch = arches.get(arch_name)
    for form, register in int32_arguments(arch, value):
        assert register & 0xFFFFFFFF == value and register <= arch.word_mask
        if form == "sign-extended":
            assert register == (value - (1 << 32) if value >> 31 else value) & arch.word_mask
        else:
            assert register == value


def test_go_spellings_are_plain_names() -> None:
    assert [plain_name(n) for n in ("runtime\u00b7cas", "runtime.cas", "cas", "runtime", "my.cas")] == [
        "cas",
        "cas",
        "cas",
        "runtime",
        "my.cas",
    ]
