"""Guest programs exercise the Linux layer on every arch: memory, futex, threads, deadlock.

Each program is the arch folder's tests/programs/<name>.s (ppc64le shares ppc64's) and
checks its own syscall results, exiting with the number of the step that went wrong.
"""

from __future__ import annotations

import re

import pytest
from archdata import input_path
from conftest import ARCHES, run_emu


def source(arch: str, name: str) -> str:
    return input_path(arch, f"tests/programs/{name}.s")


def emu(arch: str, name: str, *options: str, timeout: float = 60):
    return run_emu("run", source(arch, name), "--arch", arch, *options, timeout=timeout)


@pytest.mark.parametrize("arch", ARCHES)
def test_mmap_munmap_mincore_madvise_brk_then_readonly_write_faults(arch: str) -> None:
    result = emu(arch, "mm")
    assert result.stdout == "mm ok\n", result.stderr
    assert result.returncode == 139, result.stderr
    assert "SIGSEGV" in result.stderr and "write to read-only address" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("arch", ARCHES)
def test_futex_eagain_and_10ms_timeout(arch: str) -> None:
    result = emu(arch, "futex")
    assert (result.returncode, result.stdout) == (0, "futex ok\n"), result.stderr


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("quantum", ["100000", "37"])
def test_clone_atomic_counter_join_through_cleartid(arch: str, quantum: str) -> None:
    """Two threads add 100000 each with the arch's atomics; a tiny quantum preempts inside LL/SC."""
    result = emu(arch, "clone", "--quantum", quantum, "--seed", "7")
    assert (result.returncode, result.stdout) == (0, "total 0x00030d40\n"), result.stderr


@pytest.mark.parametrize("arch", ARCHES)
def test_deadlock_is_reported_not_hung(arch: str) -> None:
    result = emu(arch, "deadlock", timeout=30)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("emu: deadlock: all 2 live thread(s) are blocked")
    waits = [
        line
        for line in lines[1:]
        if re.match(r"  thread 100[01]: waiting on futex 0x[0-9a-f]+ .* at pc 0x", line)
    ]
    assert len(waits) == 2, result.stderr
    assert all("deadlock.s:" in line for line in waits)


@pytest.mark.parametrize("arch", ARCHES)
def test_linux_semantics_and_mem_limit(arch: str) -> None:
    """Unaligned mincore is -EINVAL (page-size aware), hints honoured, --mem-limit gives -ENOMEM."""
    result = emu(arch, "linux", "--mem-limit", "16M")
    assert (result.returncode, result.stdout) == (0, "linux ok\n"), result.stderr


@pytest.mark.parametrize("arch", ARCHES)
def test_mem_limit_default_lets_the_program_map(arch: str) -> None:
    """Without the cap the 64 MiB mapping of step 5 succeeds, so the program reports step 5."""
    result = emu(arch, "linux")
    assert result.returncode == 5, result.stderr


@pytest.mark.parametrize("arch", ARCHES)
def test_same_seed_gives_byte_identical_strace(tmp_path, arch: str) -> None:
    traces = []
    for run in range(2):
        path = tmp_path / f"trace{run}.txt"
        result = emu(arch, "race", "--seed", "42", "--quantum", "3000", "--strace-file", str(path))
        assert result.returncode == 0, result.stderr
        traces.append(path.read_bytes())
    assert traces[0] == traces[1]
    assert b" clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|" in traces[0]
    assert b" futex(" in traces[0] and b" exit(0)" in traces[0]


@pytest.mark.parametrize("arch", ARCHES)
def test_different_seeds_give_different_interleavings(arch: str) -> None:
    outputs = {emu(arch, "race", "--seed", str(seed), "--quantum", "3000").stdout for seed in range(1, 5)}
    assert all(sorted(out.strip()) == ["A"] * 24 + ["B"] * 24 for out in outputs), outputs
    assert len(outputs) >= 3, outputs


def test_strace_lines_look_like_qemu() -> None:
    """QEMU's -strace format (tests/test_strace_qemu.py diffs it against qemu-user itself)."""
    result = emu("amd64", "mm", "--strace")
    trace = result.stderr
    assert re.search(
        r"^1000 mmap\(NULL,16384,PROT_READ\|PROT_WRITE,MAP_PRIVATE\|MAP_ANONYMOUS,-1,0\) = 0x[0-9a-f]{16}$",
        trace,
        re.M,
    ), trace
    mincore = r"^1000 mincore\(\d+,16384,\d+,34,-1,0\) = -1 errno=12 \(Cannot allocate memory\)$"
    assert re.search(mincore, trace, re.M)
    assert re.search(r"^1000 munmap\(0x[0-9a-f]{16},4096\) = -1 errno=22 \(Invalid argument\)$", trace, re.M)
    assert re.search(r"^1000 mprotect\(0x[0-9a-f]{16},4096,PROT_READ\) = 0$", trace, re.M)
    assert re.search(
        r"^--- SIGSEGV \{si_signo=SIGSEGV, si_code=2, si_addr=0x[0-9a-f]{16}\} ---$", trace, re.M
    )


def test_arm_yield_hint_is_not_sigill(tmp_path) -> None:
    """Go's procyield runs YIELD (0xe320f001); unicorn rejects it, emu resumes after it."""
    path = tmp_path / "yield.s"
    path.write_text(
        "    .globl _start\n    .text\n_start:\n    .word 0xe320f001\n    .word 0xe320f002\n"
        "    mov r0, #7\n    mov r7, #1\n    svc #0\n"
    )
    result = run_emu("run", str(path), "--arch", "arm")
    assert result.returncode == 7, result.stderr
