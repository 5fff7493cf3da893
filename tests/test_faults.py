"""Faults and signals as Linux delivers them (issue 12), each status checked against qemu-user.

Every case is a one-instruction (or few) program run in-process by emu and, built
with GNU as + ld, by qemu-user: both must give the status written here, which is
what Linux gives. Where qemu-user itself differs from Linux (real-time signal
numbers, which it shifts), only emu is run and the Linux answer is asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from archdata import expect
from conftest import ARCHES, ROOT, run_emu
from test_differential import build_with_gnu, run_qemu

from emu import arch as arches
from emu.asm import assemble_text
from emu.errors import GuestError
from emu.kernel.abi import Errno
from emu.machine import Machine
from emu.options import RunOptions
from emu.runtime import abi

FIXTURES = ROOT / "tests" / "fixtures" / "reliability"


def program(arch_name: str, body: str) -> str:
    """A `_start` that runs `body` (`;` separates lines) and then exits 0."""
    prelude, exit_zero = expect(arch_name, "snippets.prelude"), expect(arch_name, "snippets.exit_zero")
    lines = "\n    ".join(f"{body}; {exit_zero}".split(";"))
    return f"{prelude}\n.globl _start\n.text\n_start:\n    {lines}\n"


def run_in_process(arch_name: str, source: str, **options: Any) -> tuple[int, str]:
    """(exit status as a shell reports it, emu's one-line report) through the Python API."""
    arch = arches.get(arch_name)
    machine = Machine(arch, assemble_text(source, arch), RunOptions(max_insns=100_000, **options))
    try:
        return machine.run(), ""
    except GuestError as err:
        return err.exit_status, str(err)


def qemu_status(tmp_path: Path, arch_name: str, source: str) -> int:
    path = tmp_path / "case.s"
    path.write_text(source)
    return run_qemu(arch_name, build_with_gnu(arch_name, str(path), tmp_path))[0]


# Each arch's [faults] cases (tests/expect.toml): a body, and the status Linux gives (128 + signal).
CASES = [(arch, case["body"], case["status"]) for arch in ARCHES for case in expect(arch, "faults.cases")]


@pytest.mark.parametrize("arch_name,body,status", CASES)
def test_fault_gives_the_linux_status(tmp_path: Path, arch_name: str, body: str, status: int) -> None:
    source = program(arch_name, body)
    result = run_in_process(arch_name, source)
    assert result[0] == status, result[1]
    assert qemu_status(tmp_path, arch_name, source) == status


def test_a_privileged_instruction_is_a_signal_a_handler_can_catch() -> None:
    """The fault is a real SIGSEGV: a handler that skips the `hlt` runs and the program goes on."""
    source = """
.globl _start
.text
_start:
    lea rax, [rip + act]
    lea rcx, [rip + skip]
    mov [rax], rcx
    lea rcx, [rip + restore]
    mov [rax + 16], rcx
    mov edi, 11
    mov rsi, rax
    xor edx, edx
    mov r10d, 8
    mov eax, 13
    syscall
    hlt
    mov edi, 7
    mov eax, 60
    syscall
skip:                         # rip in the ucontext (gregs[REG_RIP] at 40 + 16 * 8) += 1
    inc qword ptr [rdx + 168]
    ret
restore:
    mov eax, 15
    syscall
.data
act: .quad 0, 0x04000000, 0, 0
"""
    assert run_in_process("amd64", source)[0] == 7


# ---- default actions ------------------------------------------------------------------------

IGNORED_BY_DEFAULT = {17, 18, 23, 28}  # SIGCHLD, SIGCONT, SIGURG, SIGWINCH (signal(7))
STOPS = {19, 20, 21, 22}  # qemu-user would stop itself: not compared


def kill_self(signo: int) -> str:
    return program("amd64", f"mov eax, 39; syscall; mov edi, eax; mov esi, {signo}; mov eax, 62; syscall")


@pytest.mark.parametrize("signo", range(1, 65))
def test_default_action_of_every_signal(tmp_path: Path, signo: int) -> None:
    """D09: kill(getpid(), N) with SIG_DFL: ignored (exit 0) or death as a shell reports it."""
    status, message = run_in_process("amd64", kill_self(signo))
    expected = 0 if signo in IGNORED_BY_DEFAULT else 128 + signo
    assert status == expected, message
    if signo >= 32:
        assert f"killed by signal {signo}" in message  # no host name for a real-time signal
    elif signo not in STOPS:  # qemu-user shifts real-time signals (its own use of SIGRTMIN)
        assert qemu_status(tmp_path, "amd64", kill_self(signo)) == expected


def test_d09_realtime_signal_repro() -> None:
    result = run_emu("run", FIXTURES / "D09_rt_signal_default_internal_error_amd64.s", "--arch", "amd64")
    assert result.returncode == 168
    assert result.stderr.strip() == "emu: killed by signal 40 (sent by the guest to thread 1000)"


# ---- SIGPIPE --------------------------------------------------------------------------------


def run_with_closed_stdout(*args: str) -> subprocess.CompletedProcess:
    """`emu ARGS | head -c0`: stdout is a pipe whose reader has gone."""
    process = subprocess.Popen(
        [sys.executable, "-m", "emu", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    return subprocess.CompletedProcess(args, process.returncode, "", stderr)


def test_d10_write_to_a_closed_pipe_is_sigpipe() -> None:
    result = run_with_closed_stdout(
        "run", str(FIXTURES / "D10_broken_pipe_internal_error_amd64.s"), "--arch", "amd64"
    )
    assert result.returncode == 141, result.stderr
    assert result.stderr.strip() == "emu: killed by SIGPIPE (sent by the kernel to thread 1000)"


def test_an_ignored_sigpipe_makes_write_fail_with_epipe(tmp_path: Path) -> None:
    """SIG_IGN for SIGPIPE: write returns -EPIPE instead (the guest exits with -result)."""
    source = tmp_path / "epipe.s"
    source.write_text(
        program(
            "amd64",
            "lea rsi, [rip + act]; mov edi, 13; xor edx, edx; mov r10d, 8; mov eax, 13; syscall;"
            "1: mov edi, 1; lea rsi, [rip + act]; mov edx, 8; mov eax, 1; syscall;"
            "test rax, rax; jns 1b; neg eax; mov edi, eax; mov eax, 60; syscall",
        )
        + ".data\nact: .quad 1, 0, 0, 0\n"
    )
    result = run_with_closed_stdout("run", str(source), "--arch", "amd64")
    assert result.returncode == Errno.EPIPE, result.stderr
    assert result.stderr == ""


def test_emus_own_output_to_a_closed_pipe_ends_quietly() -> None:
    result = run_with_closed_stdout("explain", "--help")
    assert result.returncode in (0, 141)
    assert "Traceback" not in result.stderr and "Exception" not in result.stderr


# ---- hypercall numbers ------------------------------------------------------------------------


def hypercall_probe(number: int) -> str:
    """Exits with -result of syscall `number` (ENOSYS = 38 when unknown)."""
    return program("amd64", f"mov eax, {number}; syscall; neg eax; mov edi, eax; mov eax, 60; syscall")


@pytest.mark.parametrize("index", range(len(abi.HYPERCALLS)))
def test_hypercall_numbers_are_unknown_syscalls_without_the_runtime(
    tmp_path: Path, capfd: pytest.CaptureFixture, index: int
) -> None:
    """Python API and CLI agree: -ENOSYS and the one-time warning, no runtime attached."""
    number = abi.HC_BASE + index
    source = hypercall_probe(number)
    assert run_in_process("amd64", source)[0] == Errno.ENOSYS
    assert f"unimplemented syscall syscall_{number}" in capfd.readouterr().err
    path = tmp_path / "hc.s"
    path.write_text(source)
    result = run_emu("run", path, "--arch", "amd64")
    assert result.returncode == Errno.ENOSYS
    assert result.stderr.count("unimplemented syscall") == 1


# ---- non-canonical addresses --------------------------------------------------------------------


@pytest.mark.parametrize(
    "repro,report",
    [
        ("D11_noncanonical_store_aliases_amd64.s", "write to unmapped address 0x8000000000401000"),
        ("D12_noncanonical_jump_internal_error_amd64.s", "execution of unmapped address 0x40000000400016"),
    ],
)
def test_non_canonical_store_and_jump_are_sigsegv(tmp_path: Path, repro: str, report: str) -> None:
    """Unicorn aliases them to low memory (D11 stored into `val`, D12 ended in an internal error)."""
    result = run_emu("run", FIXTURES / repro, "--arch", "amd64")
    assert result.returncode == 139, result.stderr
    assert report in result.stderr  # the address the guest used, not its low-memory alias
    assert qemu_status(tmp_path, "amd64", (FIXTURES / repro).read_text()) == 139
