"""The toy Go runtime: examples on every arch, GC with a broken atomicor8, check(), mem_linux."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from archdata import example, input_file
from conftest import ARCHES, ROOT, run_emu

from emu import arch as arches
from emu.errors import EmuError
from emu.kernel.abi import Errno
from emu.machine import Machine
from emu.options import RunOptions
from emu.runtime import abi
from emu.runtime.link import link, rt0_path
from emu.runtime.mem import MAP_FIXED, OSMemory
from emu.runtime.runtime import RuntimeOptions, attach
from emu.stubs import StubMachine, UserStubs

BROKEN_OR8 = ROOT / "emu" / "data" / "mutants" / "or8_ignores_byte_order"
EXPECTED = {
    "pingpong": "".join(f"{'ping' if i % 2 else 'pong'} {i}\n" for i in range(1, 11)) + "final ball 10\n",
    "workers": "workers 4\nsum of squares 338350\n",
    "gcloop": "".join(f"list ok after round {i}\n" for i in range(1, 11)) + "list sum 5050\n",
}


def run_program(
    path: Path, arch_name: str, capfd, stubs: Path | None = None, **options
) -> tuple[int, str, str]:
    """Run a runtime program in-process: (exit status, guest stdout, guest stderr + traces)."""
    arch = arches.get(arch_name)
    traces = io.StringIO()
    machine = Machine(
        arch, link(path, arch, user=UserStubs(stubs) if stubs else None), RunOptions(timeout=60)
    )
    attach(machine, RuntimeOptions(trace_stream=traces, **options))
    try:
        status = machine.run()
    except EmuError as failure:
        status = failure.exit_status
    out, err = capfd.readouterr()
    return status, out, err + traces.getvalue()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_examples_same_output_on_every_arch(name: str, arch_name: str, capfd) -> None:
    path = input_file(arch_name, f"examples/runtime/{name}.s")
    status, out, err = run_program(path, arch_name, capfd, gctrace=True)
    assert (status, out) == (0, EXPECTED[name]), err


def test_gc_example_collects_several_times(arch_name: str, capfd) -> None:
    path = input_file(arch_name, "examples/runtime/gcloop.s")
    status, _, err = run_program(path, arch_name, capfd, gctrace=True)
    cycles = re.findall(
        r"^emu gc \d+: .*?(\d+) objects freed, (\d+) live, pause (\d+) instructions", err, re.M
    )
    assert status == 0 and len(cycles) >= 3, err
    assert all(int(freed) > 0 and int(live) >= 100 and int(pause) > 0 for freed, live, pause in cycles)
    assert "1 GC program unrolls (0 with the flag byte unset" in err  # the flag byte was set and seen


@pytest.mark.parametrize("arch_name", ["ppc64", "ppc64le"])  # the arches BROKEN_OR8 has a file for
def test_broken_atomicor8_misses_the_gc_program_flag_byte_only_on_ppc64(arch_name: str, capfd) -> None:
    """The unrolled flag is the FIRST BYTE in memory of the mask buffer: the BE-broken
    atomicor8 sets the word's low-order byte, the last one in memory on ppc64, so every
    allocation unrolls the program again (and scribbles on the mask)."""
    path = input_file(arch_name, "examples/runtime/gcloop.s")
    _, _, err = run_program(path, arch_name, capfd, stubs=BROKEN_OR8, checkmark=False, gctrace=True)
    found = re.search(r"(\d+) GC program unrolls \((\d+) with the flag", err)
    assert found, err
    unrolls, misses = map(int, found.groups())
    if arch_name == "ppc64":
        assert unrolls > 1 and misses == unrolls, err
    else:
        assert (unrolls, misses) == (1, 0), err


@pytest.mark.parametrize("arch_name", ["ppc64", "ppc64le"])  # the arches BROKEN_OR8 has a file for
def test_broken_atomicor8_fails_the_gc_example_only_on_ppc64(arch_name: str, capfd) -> None:
    """The word-sized LL/SC atomicor8 with the little-endian shift marks the wrong bitmap
    byte on big-endian: the collector's checkmark catches the lost mark (exit 2); without it
    the live list is freed and reused, and the program itself sees it (exit 1)."""
    path = input_file(arch_name, "examples/runtime/gcloop.s")
    status, out, err = run_program(path, arch_name, capfd, stubs=BROKEN_OR8)
    unchecked, out_unchecked, _ = run_program(path, arch_name, capfd, stubs=BROKEN_OR8, checkmark=False)
    if arch_name == "ppc64":
        assert status == 2 and "fatal error: gc: live object" in err and "not marked" in err
        assert unchecked == 1 and "list corrupted" in out_unchecked
    else:
        assert (status, out) == (0, EXPECTED["gcloop"])
        assert (unchecked, out_unchecked) == (0, EXPECTED["gcloop"])


def test_deadlock_is_reported(capfd) -> None:
    status, _, err = run_program(ROOT / "tests/fixtures/runtime/deadlock_amd64.s", "amd64", capfd)
    assert status == 2 and "fatal error: all goroutines are asleep - deadlock!" in err


@pytest.mark.parametrize("arch_name", ARCHES)
def test_rt0_equates_match_the_abi(arch_name: str) -> None:
    arch = arches.get(arch_name)
    text = rt0_path(arch).read_text()
    found = {name: int(value, 0) for name, value in re.findall(r"^\.equ\s+(\w+),\s*(\w+)", text, re.M)}
    assert found == abi.Layout(arch.word_size).rt0_equates()


def test_emu_check_all_lists_every_item() -> None:
    result = run_emu("check", "--arch", "all")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ARCHES:
        assert re.search(rf"^{name}: all \d+ items ok$", result.stdout, re.M), result.stdout
    sign_extending = [name for name in ARCHES if "sign-extended" in arches.get(name).stubs.int32]
    assert result.stdout.count("[sign-extended: old=0xffffffffffffffff new=0xfffffffffffffffe]") == len(
        sign_extending
    )
    assert "atomicor8(&m[1], 0xf0)" in result.stdout and "FAIL" not in result.stdout


def test_emu_check_catches_the_broken_atomicor8_on_ppc64() -> None:
    result = run_emu("check", "--arch", "ppc64", "--stubs", BROKEN_OR8)
    assert result.returncode == 1
    assert "FAIL atomicor8(&m[1], 0xf0) on {1,1,1,1}: m = {0x1, 0x1, 0xf1, 0x1}" in result.stdout


# Go 1.19's gctrace=1 line (runtime/mgc.go), as the parsers of Go traces match it.
GO_GCTRACE = (
    r"^gc (\d+) @(\d+\.\d{3})s (\d+)%: ([\d.]+)\+([\d.]+)\+([\d.]+) ms clock, "
    r"([\d.]+)\+([\d.]+)/([\d.]+)/([\d.]+)\+([\d.]+) ms cpu, (\d+)->(\d+)->(\d+) MB, (\d+) MB goal, "
    r"(\d+) MB stacks, (\d+) MB globals, (\d+) P$"
)


@pytest.mark.parametrize(
    "ns,shown",
    [
        (0, "0"),
        (999, "0"),
        (26_000, "0.026"),
        (390_000, "0.39"),
        (100_000, "0.10"),
        (9_999_999, "9.9"),
        (12_345_678, "12"),
    ],
)
def test_gctrace_times_are_formatted_as_go_does(ns: int, shown: str) -> None:
    from emu.runtime.gctrace import ms

    assert ms(ns) == shown


def test_cli_gctrace_and_schedtrace() -> None:
    result = run_emu("run", "-a", "ppc64le", example("ppc64", "runtime/gcloop"), "--gctrace", "--schedtrace")
    assert result.returncode == 0 and result.stdout == EXPECTED["gcloop"]
    assert re.search(GO_GCTRACE, result.stderr, re.M), result.stderr
    assert re.search(r"^emu gc 1: \d+ -> \d+ B heap", result.stderr, re.M)
    assert re.search(
        r"^SCHED [\d.]+ms: gomaxprocs=4 idleprocs=\d+ threads=4 .*runqueue=\d+ \[", result.stderr, re.M
    )


# ---- mem_linux.go ----------------------------------------------------------------------------


class HintIgnoringKernel:
    """Stub calls where the first mmap without MAP_FIXED ignores its hint (some kernels do)."""

    def __init__(self, sm: StubMachine) -> None:
        self.sm, self.ignored = sm, False
        self.log: list[tuple[str | int, ...]] = []

    def call(self, name: str, *args: int) -> int:
        self.log.append((name, *args))
        if name == "sys_mmap" and not args[3] & MAP_FIXED and not self.ignored:
            self.ignored = True
            args = (0, *args[1:])
        return self.sm.call(name, *args)


@pytest.mark.parametrize("arch_name", ["amd64", "ppc64"])
def test_mmap_fixed_retries_when_the_hint_is_ignored(arch_name: str) -> None:
    sm = StubMachine(arch_name)
    calls = HintIgnoringKernel(sm)
    os_memory = OSMemory(calls, sm.arch.page_size, sm.arch.bits)
    os_memory.vec = sm.data
    v, n = 0x3000000000, 4 * sm.arch.page_size
    assert os_memory.mmap_fixed(v, n, 3, 0x22) == v
    assert os_memory.stats.fixed_retries == 1
    assert os_memory.stats.mincore_calls == 4  # one page at a time (64 KiB pages on ppc64)
    assert [c[0] for c in calls.log] == ["sys_mmap"] + ["sys_mincore"] * 4 + ["sys_munmap", "sys_mmap"]
    assert not os_memory.addrspace_free(v, n)
    assert os_memory.mmap_fixed(v, n, 3, 0x22) != v  # taken now: no retry over it
    result = calls.call("sys_mincore", v + n + 16 * sm.arch.page_size, sm.arch.page_size, sm.data)
    assert result == (-Errno.ENOMEM) & sm.arch.word_mask
