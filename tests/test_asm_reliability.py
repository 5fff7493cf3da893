"""Hostile assembler input: one-line `file:line: error`, exit 2 — never a hang, a crash or an OOM.

The sources are the reproductions of issue 12 (tests/fixtures/asm/reliability/, copied from
shared/repros/reliability/); each ran into a hang, a host kill or an internal error before.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ARCHES, ROOT

from emu import arch as arches
from emu.asm import assemble_text, keystone_guard
from emu.asm.keystone_guard import KeystoneFailure, KeystoneGuard
from emu.errors import AsmError

REPROS = ROOT / "tests" / "fixtures" / "asm" / "reliability"
ADDRESS_SPACE_CAP = 6 << 30  # a regression must fail the test, not take the host's memory


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def run_capped(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`emu ARGS` under an address-space cap and a wall-clock limit."""
    return subprocess.run(
        [sys.executable, "-m", "emu", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        preexec_fn=_capped,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, path, line: int, message: str) -> None:
    assert result.returncode == 2, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"emu: {path}:{line}: error: "), result.stderr
    assert message in first
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize(
    "name,arch_name,line,message",
    [
        ("D14_p2align_host_oom.s", "amd64", 7, "alignment too large"),
        ("D15a_fill_negsize.s", "amd64", 7, ".fill needs a repeat count >= 0 and a size from 0 to 8"),
        ("D15b_octal.s", "amd64", 7, "bad number '08'"),
        ("D15c_negshift.s", "amd64", 7, "shift count -1 is out of range"),
        ("D15d_char_escape.s", "amd64", 7, "bad escape in character constant"),
        ("D15e_deep_parens.s", "amd64", 7, "nests more than 100 levels deep"),
        ("D15f_p2align_neg.s", "amd64", 7, "negative alignment -1"),
        ("D16_space_1g_internal_error.s", "amd64", 7, "image exceeds --mem-limit"),
        ("D19_keystone_segfault_ppc64.s", "ppc64", 4, "cannot assemble 'trap @ha stwcx. r3'"),
        ("D19_keystone_segfault_ppc64.s", "ppc64le", 4, "cannot assemble 'trap @ha stwcx. r3'"),
        ("S01_include_environ_leak.s", "amd64", 1, "cannot include '/proc/self/environ': not a text file"),
    ],
)
def test_repro_is_a_one_line_error(name: str, arch_name: str, line: int, message: str) -> None:
    path = REPROS / name
    assert_one_line_error(run_capped("run", path, "--arch", arch_name), path, line, message)


@pytest.mark.parametrize("arch_name", ARCHES)
def test_d02_a_line_that_hangs_keystone_is_an_error(arch_name: str) -> None:
    path = REPROS / "D02_keystone_star_hang.s"
    start = time.monotonic()
    result = run_capped("run", path, "--arch", arch_name, "--timeout", "2")
    keystone = "keystone" in arches.get(arch_name).asm.backends  # else GNU as reads it (riscv64)
    message = "'*' is not an instruction mnemonic" if keystone else "junk at end of line"
    assert_one_line_error(result, path, 4, message)
    assert time.monotonic() - start < 60


@pytest.mark.parametrize("line", ["+", "[rbx+8]", "^0", "*"])
def test_d02_amd64_lines_that_hang_keystone(line: str) -> None:
    with pytest.raises(AsmError, match="is not an instruction mnemonic") as err:
        assemble_text(f".text\n_start:\n {line}\n", arches.get("amd64"), "t.s")
    assert err.value.line == 3


def test_s01_the_error_never_shows_the_included_contents(tmp_path) -> None:
    secret = "SECRET_VALUE_abc123"
    (tmp_path / "binary.bin").write_bytes(f"A={secret}\0B=2\0".encode())
    (tmp_path / "long.s").write_text(f" .frobnicate {secret * 40}\n")
    (tmp_path / "main.s").write_text('.text\n_start: nop\n.include "binary.bin"\n')
    with pytest.raises(AsmError) as err:
        assemble_text((tmp_path / "main.s").read_text(), arches.get("amd64"), str(tmp_path / "main.s"))
    assert secret not in str(err.value) and err.value.line == 3
    with pytest.raises(AsmError) as err:
        assemble_text('.text\n.include "long.s"\n', arches.get("amd64"), str(tmp_path / "main.s"))
    assert len(str(err.value)) < 400  # the offending line is shown, cut short


@pytest.mark.parametrize("target", ["/dev/zero", "/"])
def test_include_of_a_device_or_directory_is_refused_at_once(tmp_path, target: str) -> None:
    with pytest.raises(AsmError, match="not a regular file"):
        assemble_text(f'.include "{target}"\n', arches.get("amd64"), str(tmp_path / "main.s"))


def test_d17_a_macro_inside_a_macro_or_rept_expands(tmp_path) -> None:
    path = REPROS / "D17_macro_in_macro_or_rept.s"
    result = run_capped("run", path, "--arch", "amd64")
    assert (result.returncode, result.stderr) == (0, "")
    code = next(s for s in assemble_text(path.read_text(), arches.get("amd64"), str(path)).segments)
    assert code.data.startswith(b"\x90\x90\x90")  # outer -> inner, then the .rept 2 of inner


def test_space_within_a_larger_mem_limit_is_allowed() -> None:
    source = ".text\n_start: nop\n.data\n .space 0x100000\n"
    assert assemble_text(source, arches.get("amd64"), "t.s", image_limit=2 << 20).segments
    with pytest.raises(AsmError, match="image exceeds --mem-limit"):
        assemble_text(source, arches.get("amd64"), "t.s", image_limit=1 << 20)


@pytest.mark.parametrize(
    "source,message",
    [
        (".rept 100000000\n nop\n.endr\n", ".rept count 100000000 is out of range"),
        (".rept 1000\n.rept 201\n nop\n.endr\n.endr\n", "expands to more than"),
        (".rept 100000\n.rept 100000\n.endr\n.endr\n", "steps to expand"),  # nothing, forever
        (".macro M\n M\n.endm\n M\n", "nests more than"),
        ('.include "t.s"\n', "nests more than"),
        (".fill 0x10000000, 8, 0\n", "image exceeds --mem-limit"),
        (".balign 0x80000000\n", "alignment too large"),
        (".quad 1 << 64\n", "shift count 64 is out of range"),
    ],
)
def test_expansion_and_size_limits(tmp_path, source: str, message: str) -> None:
    path = tmp_path / "t.s"
    path.write_text(".text\n_start: nop\n" + source)
    with pytest.raises(AsmError, match=message):
        assemble_text(path.read_text(), arches.get("amd64"), str(path))


# ---- the guard itself ------------------------------------------------------------------------


def test_a_keystone_hang_is_ended_by_the_line_time_limit(monkeypatch) -> None:
    monkeypatch.setattr(keystone_guard, "LINE_TIMEOUT", 1.0)
    guard = KeystoneGuard()
    try:
        assert guard.encode("X86", ["64"], "nop", 0x1000) == b"\x90"
        start = time.monotonic()
        with pytest.raises(KeystoneFailure, match="did not finish on this line"):
            guard.encode("X86", ["64"], "*", 0x1000)  # hangs keystone 0.9.2 forever
        assert time.monotonic() - start < 30
        assert guard.encode("X86", ["64"], "ret", 0x1000) == b"\xc3"  # a fresh worker goes on
    finally:
        guard.close()


def test_a_keystone_crash_ends_only_the_worker(monkeypatch, tmp_path) -> None:
    crashing = tmp_path / "worker.py"
    crashing.write_text(
        "import os, signal, sys\nprint('{}', flush=True)\nsys.stdin.readline()\n"
        "os.kill(os.getpid(), signal.SIGSEGV)\n"
    )
    monkeypatch.setattr(keystone_guard, "WORKER", crashing)
    guard = KeystoneGuard()
    try:
        with pytest.raises(KeystoneFailure, match="keystone crashed on this line"):
            guard.encode("PPC", ["PPC64", "BIG_ENDIAN"], "nop", 0x1000)
    finally:
        guard.close()


def test_keystone_diagnostics_do_not_reach_the_users_terminal() -> None:
    path = REPROS / "D19_keystone_segfault_ppc64.s"
    result = run_capped("run", path, "--arch", "ppc64")
    assert len(result.stderr.strip().splitlines()) == 2  # the error and the source line under it
    assert "unknown operand" not in result.stderr


# ---- inputs the fuzz harness (tests/fuzz/test_assembler.py) found, minimised ------------------


@pytest.mark.parametrize(
    "arch_name,source,line,message",
    [
        ("amd64", ".fill\n", 3, "'.fill' takes a repeat count, a size and a value"),
        ("amd64", ".space\n", 3, "'.space' takes a size and a fill byte"),
        ("arm", "\x0c0\n", 3, "'0' is not an instruction mnemonic"),  # \f does not end a line
        ("amd64", "\x1e\n.endif\n", 4, "'.endif' without a matching '.if'"),
        ("amd64", "lock *\n", 3, "'*' is not an instruction mnemonic"),  # hung keystone
        ("ppc64le", "lwarx 3, (4\n", 3, "unclosed '('"),
        ("amd64", "mov rax, [rbx+8))\n", 3, "unbalanced ')'"),
        ("ppc64", "std 8, {3}\n", 3, "'{' is not valid in an operand"),
    ],
)
def test_fuzz_findings(arch_name: str, source: str, line: int, message: str) -> None:
    with pytest.raises(AsmError) as err:
        assemble_text(".text\n_start:\n" + source, arches.get(arch_name), "t.s")
    assert err.value.line == line and message in err.value.message


def test_a_forked_child_gets_its_own_keystone_worker() -> None:
    import os

    guard = KeystoneGuard()
    try:
        assert guard.encode("X86", ["64"], "nop", 0x1000) == b"\x90"
        parent_worker = guard.worker
        pid = os.fork()
        if pid == 0:  # child: a fresh worker, the parent's left alone
            ok = guard.encode("X86", ["64"], "ret", 0x1000) == b"\xc3" and guard.worker is not parent_worker
            guard.close()
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert guard.encode("X86", ["64"], "int3", 0x1000) == b"\xcc"  # the parent's worker still serves
        assert guard.worker is parent_worker
    finally:
        guard.close()
