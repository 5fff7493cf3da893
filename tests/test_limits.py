"""Limits that hold (issue 12): --mem-limit bounds the host memory a guest can make emu use,
and --max-insns/--timeout end every run, whatever the syscall.

The programs are the reliability repros (tests/fixtures/limits/). Memory cases run emu in a
subprocess under an address-space limit (`ulimit -v`) and read its peak RSS from wait4, so a
regression fails here instead of taking the host down.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, run_emu
from conftest import run_limited as run_with_limits

from emu import arch as arches
from emu import cpu
from emu.kernel.strace import escape
from emu.memory import MAX_MAP_COUNT, PROT_NONE, PROT_READ, PROT_WRITE, AddressSpace, OutOfMemory

PROGRAMS = ROOT / "tests" / "fixtures" / "limits"
MiB = 1 << 20
# emu's own resident memory besides the guest's: interpreter, unicorn, keystone (~100 MiB measured)
EMU_OVERHEAD = 256 * MiB
HOST_AS_LIMIT = 6 << 30  # `ulimit -v 6291456`, as the repros ran


@dataclass
class Limited:
    returncode: int
    stdout: str
    stderr: str
    peak_rss: int  # bytes


def run_limited(*args: str, address_space: int = HOST_AS_LIMIT, cpu_seconds: int = 120) -> Limited:
    """`emu ARGS` under RLIMIT_AS (and a CPU-time guard against hangs); peak RSS from wait4."""

    out_path, err_path = (
        Path(os.environ.get("TMPDIR", "/tmp")) / f"emu-limits-{os.getpid()}.{n}" for n in (1, 2)
    )
    with open(out_path, "w+") as out, open(err_path, "w+") as err:
        status, peak = run_with_limits(
            [sys.executable, "-m", "emu", *args], address_space, cpu_seconds, stdout=out, stderr=err, cwd=ROOT
        )
        out.seek(0)
        err.seek(0)
        result = Limited(status, out.read(), err.read(), peak)
    out_path.unlink()
    err_path.unlink()
    return result


def program(name: str) -> str:
    return str(PROGRAMS / name)


def space(limit: int = 1 << 30) -> AddressSpace:
    return AddressSpace(cpu.new_engine(arches.get("amd64")), 4096, limit)


# ---- memory ------------------------------------------------------------------------------


def test_refaulting_signal_handler_stays_within_the_memory_limit() -> None:
    """D06: a SIGSEGV handler that resets its stack and faults again (2.6 GB before)."""
    result = run_limited(
        "run", program("D06_signal_frames_memory_ppc64.s"), "--arch", "ppc64", "--max-insns", "50000",
        "--mem-limit", "256M",
    )  # fmt: skip
    assert result.returncode == 124, result.stderr
    assert "instruction limit of 50000" in result.stderr
    assert result.peak_rss < 256 * MiB + EMU_OVERHEAD


def test_a_handler_that_resets_its_stack_keeps_one_frame() -> None:
    """D06 in-process: each new frame lands where the last one was, so only one is kept."""
    from emu.machine import Machine
    from emu.options import RunOptions
    from emu.program import load_program

    image, arch = load_program(program("D06_signal_frames_memory_ppc64.s"), "ppc64", "keystone")
    machine = Machine(arch, image, RunOptions(max_insns=5000))
    with pytest.raises(Exception, match="instruction limit"):
        machine.run()
    (thread,) = machine.threads
    assert len(thread.signal_frames) == 1
    assert machine.memory.record_bytes == thread.signal_frames[0][1].size


def test_clone_bomb_is_refused_within_the_memory_limit() -> None:
    """D07: threads that exit at once while the parent clones forever (~80 KB each, kept)."""
    result = run_limited(
        "run", program("D07_clone_bomb_memory_ppc64.s"), "--arch", "ppc64", "--max-insns", "100000",
        "--mem-limit", "64M", "--strace",
    )  # fmt: skip
    assert result.returncode == 124, result.stderr[-2000:]
    assert "clone(" in result.stderr and "= -1 errno=12 (Cannot allocate memory)" in result.stderr
    assert result.peak_rss < 64 * MiB + EMU_OVERHEAD


def test_exited_threads_are_forgotten_and_their_memory_released(tmp_path) -> None:
    """Each clone's record is charged to --mem-limit and released when the thread exits."""
    from emu.machine import Machine
    from emu.options import RunOptions
    from emu.program import load_program

    image, arch = load_program(program("D07_clone_bomb_memory_ppc64.s"), "ppc64", "keystone")
    machine = Machine(arch, image, RunOptions(max_insns=20000, quantum=50))
    with pytest.raises(Exception, match="instruction limit"):
        machine.run()
    live = len(machine.threads)
    assert machine.kernel.next_tid - machine.pid > 2 * live  # many came and went...
    assert machine.memory.record_bytes <= live * machine.uc.context_save().size  # ...and are paid back


def test_mem_limit_beyond_the_host_is_enomem_not_a_crash() -> None:
    """D08: --mem-limit 64G under a 2 GiB address-space limit: mmap fails with ENOMEM (exit 12),
    before unicorn cannot allocate (a host segfault or a SIGILL 'UC_ERR_NOMEM' before)."""
    result = run_limited(
        "run", program("D08_mmap_loop_amd64.s"), "--arch", "amd64", "--mem-limit", "64G",
        "--max-insns", "50000000", address_space=2 << 30,
    )  # fmt: skip
    assert result.returncode == 12, result.stderr
    assert result.peak_rss < 2 << 30


def test_a_program_that_cannot_even_load_is_a_one_line_error() -> None:
    result = run_limited("run", program("D08_mmap_loop_amd64.s"), "--arch", "amd64", address_space=1500 * MiB)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "does not fit in memory" in result.stderr


def test_mapping_count_is_capped_like_linux() -> None:
    """D05's loop, in the address space: MAP_FIXED reservations with gaps never merge."""
    memory = space()
    for index in range(MAX_MAP_COUNT):
        memory.map(0x100000000 + index * 0x20000, 0x10000, PROT_NONE, "[anon]")
    assert len(memory.mappings) == MAX_MAP_COUNT
    with pytest.raises(OutOfMemory):
        memory.map(0x100000000 + MAX_MAP_COUNT * 0x20000, 0x10000, PROT_NONE, "[anon]")
    memory.unmap(0x100000000, 0x20000)  # freeing one makes room again
    memory.map(0x100000000 + MAX_MAP_COUNT * 0x20000, 0x10000, PROT_NONE, "[anon]")
    remaining = memory.find(0x100020000)
    assert memory.is_free(0x100000000, 0x100010000) and remaining is not None and remaining.name == "[anon]"


def test_prot_none_mmap_loop_runs_to_its_instruction_limit() -> None:
    """D05 (122 s for 200k instructions when the bookkeeping was quadratic)."""
    result = run_emu("run", program("D05_mmap_quadratic_amd64.s"), "--arch", "amd64", "--max-insns", "200000")
    assert result.returncode == 124 and "instruction limit of 200000" in result.stderr


def test_bookkeeping_keeps_mappings_sorted_merged_and_counted() -> None:
    memory = space(limit=1 << 20)
    rw = PROT_READ | PROT_WRITE
    memory.map(0x10000, 0x4000, rw, "a")
    memory.map(0x14000, 0x4000, rw, "a")  # merges with its neighbour
    memory.map(0x30000, 0x1000, PROT_NONE, "r")
    memory.protect(0x11000, 0x1000, PROT_READ)  # splits in three
    assert [(m.start, m.end, m.prot) for m in memory.mappings] == [
        (0x10000, 0x11000, rw),
        (0x11000, 0x12000, PROT_READ),
        (0x12000, 0x18000, rw),
        (0x30000, 0x31000, PROT_NONE),
    ]
    assert memory.mapped_bytes == 0x8000
    assert memory.find_free(0x1000, floor=0x10000) == 0x18000
    memory.unmap(0x10000, 0x2000)
    assert memory.find_free(0x1000, floor=0x10000) == 0x10000  # the freed hole is found again
    assert memory.mapped_bytes == 0x6000
    with pytest.raises(OutOfMemory):
        memory.charge((1 << 20) - 0x6000 + 1)  # records share the budget with the pages


# ---- time ----------------------------------------------------------------------------------


def test_huge_getrandom_loop_ends_at_the_timeout() -> None:
    """D03: getrandom(32 MiB) in a loop ran past --timeout 5 for minutes."""
    result = run_emu("run", program("D03_getrandom_amd64.s"), "--arch", "amd64", "--timeout", "2", timeout=60)
    assert result.returncode == 124 and "timeout of 2.0 s reached" in result.stderr


def test_mincore_over_a_64_tib_reservation_answers_at_once() -> None:
    """D04: one mincore over 2**34 pages ran >300 s; the 16-byte vector cannot hold them: EFAULT."""
    result = run_emu(
        "run", program("D04_mincore_amd64.s"), "--arch", "amd64", "--max-insns", "100", "--timeout", "5",
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 14, result.stderr


def test_read_of_an_idle_stdin_ends_at_the_timeout(tmp_path) -> None:
    """read(0) on a pipe nobody writes to ignored --timeout 2 for 30 s."""
    with subprocess.Popen(["sleep", "60"], stdout=subprocess.PIPE) as idle:
        result = subprocess.run(
            [sys.executable, "-m", "emu", "run", program("read_stdin_amd64.s"), "--arch", "amd64", "--timeout", "2"],
            stdin=idle.stdout, capture_output=True, text=True, timeout=30, cwd=ROOT, check=False,
        )  # fmt: skip
        idle.kill()
    assert result.returncode == 124 and "timeout of 2.0 s reached" in result.stderr


def test_read_of_stdin_without_a_timeout_still_reads() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "emu", "run", program("read_stdin_amd64.s"), "--arch", "amd64", "--timeout", "60"],
        input=b"hello", capture_output=True, timeout=60, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 5


# ---- --strace ------------------------------------------------------------------------------


def test_strace_escapes_guest_strings() -> None:
    """D13: a path with a quote, newlines and terminal escapes forged strace lines."""
    result = run_emu("run", program("D13_strace_injection_amd64.s"), "--arch", "amd64", "--strace")
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and all(line.startswith("1000 ") for line in lines)
    assert lines[0] == '1000 open("A\\xff\\xfe",O_RDONLY) = -1 errno=2 (No such file or directory)'
    assert '"x\\") = 0\\n1000 write(1,\\"injected\\") = 8\\n\\x1b[31mRED' in lines[1]
    assert "\x1b" not in result.stderr


def test_escape_names_controls_and_truncates() -> None:
    assert escape(b'a\tb\n"\\\x00\x7f') == '"a\\tb\\n\\"\\\\\\x00\\x7f"'
    assert escape(b"x" * 300) == '"' + "x" * 256 + '"...'


def test_strace_file_takes_any_guest_bytes_whatever_the_locale(tmp_path) -> None:
    """D13 with --strace-file under LC_ALL=C: was a UnicodeEncodeError (internal error)."""
    log = tmp_path / "trace.txt"
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "emu", "run", program("D13_strace_injection_amd64.s"), "--arch", "amd64",
         "--strace-file", str(log)],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert log.read_text().count("\n") == 3 and "\\xff\\xfe" in log.read_text()


def test_unwritable_strace_file_is_a_one_line_error_before_the_run(tmp_path) -> None:
    result = run_emu(
        "run", program("D13_strace_injection_amd64.s"), "--arch", "amd64", "--strace-file",
        tmp_path / "missing" / "trace.txt",
    )  # fmt: skip
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "argument --strace-file" in result.stderr and result.stdout == ""  # checked at parse time


# ---- determinism ---------------------------------------------------------------------------


def test_two_epolls_on_one_pipe_replay_identically(monkeypatch: pytest.MonkeyPatch) -> None:
    """Watchers were a set ordered by object address: the wake-up order (and --strace) varied
    between runs with the same seed. They wake in registration order now."""
    from emu.kernel import Kernel
    from emu.machine import Machine
    from emu.options import RunOptions
    from emu.program import load_program

    runs = [
        run_emu("run", program("epoll_two_waiters_amd64.s"), "--arch", "amd64", "--strace", "--seed", "7")
        for _ in range(3)
    ]
    assert all(run.returncode == 0 for run in runs)
    assert runs[0].stderr == runs[1].stderr == runs[2].stderr
    woken: list[int] = []  # --strace lines carry the pid (QEMU's format), so watch the kernel
    complete = Kernel.complete

    def record(kernel: Kernel, thread, result: int, *rest) -> None:
        if thread.pending_call is not None and thread.pending_call[0] == "epoll_wait":
            woken.append(thread.tid)
        complete(kernel, thread, result, *rest)

    monkeypatch.setattr(Kernel, "complete", record)
    image, arch = load_program(program("epoll_two_waiters_amd64.s"), "amd64", "keystone")
    assert Machine(arch, image, RunOptions(seed=7)).run() == 0
    assert woken == [1001, 1002]  # the first epoll registered wakes its waiter first
