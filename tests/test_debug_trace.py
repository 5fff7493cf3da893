"""`emu run --trace`: one line per instruction with the registers and memory it changed."""

from __future__ import annotations

import re

import pytest
from archdata import expect
from conftest import ARCHES, or8_program, run_emu

from emu import arch as arches

# What atomicor8(&m[1], 0xf0) must show in the trace: the byte store of 0xf1 to m+1, made by the
# arch's atomic instruction, with the register that carries the new byte ([trace] in expect.toml).


def program(arch: str) -> str:
    return or8_program(arch)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("T")]


@pytest.mark.parametrize("arch", ARCHES)
def test_trace_shows_every_instruction_with_its_effects(arch: str) -> None:
    result = run_emu("run", program(arch), "--arch", arch, "--trace")
    assert result.returncode == 0, result.stderr
    trace = lines(result.stderr)
    assert trace[0].startswith("T1000 ") and "<_start>" in trace[0]
    store = next(line for line in trace if expect(arch, "trace.or8_store") in line)
    assert re.search(r"<atomicor8\+0x[0-9a-f]+>|<atomicor8>", store), store
    # the byte itself, or (RISC-V, no byte AMO) the aligned word around it with only m[1] changed
    assert re.search(r"mem 0x[0-9a-f]+/(1 = f1|4 = 01 f1 01 01)$", store.rstrip()), store
    ored = expect(arch, "trace.or8_result")
    if ored:
        assert any(ored in line for line in trace), "\n".join(trace)
    # the last line is the exit syscall, with nothing after it
    assert re.search(rf"\b{re.escape(arches.get(arch).syscall.trap)}\s*$", trace[-1]), trace[-1]


@pytest.mark.parametrize("arch", ARCHES)
def test_trace_range_and_thread_filters(arch: str, tmp_path) -> None:
    out = tmp_path / "trace.txt"
    result = run_emu("run", program(arch), "--arch", arch, "--trace-range", "atomicor8", "--trace-file", out)
    assert result.returncode == 0, result.stderr
    assert not lines(result.stderr), "trace must go to the file only"
    trace = lines(out.read_text())
    assert trace and all("<atomicor8" in line for line in trace), trace
    none = run_emu("run", program(arch), "--arch", arch, "--trace", "--trace-thread", "4242")
    assert none.returncode == 0 and not lines(none.stderr)


def test_trace_range_by_addresses() -> None:
    first = lines(run_emu("run", program("arm"), "--arch", "arm", "--trace").stderr)
    start = int(first[1].split()[1], 16)
    result = run_emu("run", program("arm"), "--arch", "arm", "--trace-range", f"{start:#x}-{start + 8:#x}")
    trace = lines(result.stderr)
    assert [int(line.split()[1], 16) for line in trace] == [start, start + 4]
