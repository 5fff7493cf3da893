"""`emu run --postmortem`: registers, last instructions and a backtrace when a run fails."""

from __future__ import annotations

import re

import pytest
from archdata import expect, input_path
from conftest import ARCHES, run_emu

# [snippets] call_then_fault: _start calls `leaf`, which stores through a null pointer: the
# backtrace must show both. [postmortem] flags_register: a register the report must list.


@pytest.mark.parametrize("arch", ARCHES)
def test_fault_postmortem(tmp_path, arch: str) -> None:
    source = tmp_path / "fault.s"
    source.write_text("    .globl _start\n    .text\n" + expect(arch, "snippets.call_then_fault"))
    result = run_emu("run", source, "--arch", arch, "--postmortem", "8")
    assert result.returncode == 139
    report = result.stderr
    assert re.search(r"--- post-mortem: thread 1000, SIGSEGV at 0x[0-9a-f]+ <leaf\+0x", report), report
    assert re.search(rf"\b{expect(arch, 'postmortem.flags_register')} [0-9a-f]+", report)
    history = re.findall(r"^ (=>|  ) 0x[0-9a-f]+ <(\S+)>", report, re.M)
    assert history[-1][0] == "=>" and history[-1][1].startswith("leaf+")
    assert any(name.startswith("_start") for _, name in history)
    frames = re.findall(r"#\d+ 0x[0-9a-f]+ <(\S+)>", report)
    assert frames[0].startswith("leaf+") and frames[1].startswith("_start"), report
    assert report.rstrip().splitlines()[-1].startswith("emu: SIGSEGV")  # the one-line error comes last


@pytest.mark.parametrize("arch", ARCHES)
def test_deadlock_postmortem_lists_every_thread(arch: str) -> None:
    result = run_emu("run", input_path(arch, "tests/programs/deadlock.s"), "--arch", arch, "--postmortem")
    assert "deadlock" in result.stderr
    assert re.findall(r"^thread (\d+):", result.stderr, re.M) == ["1000", "1001"], result.stderr
    assert result.stderr.count("backtrace (best effort):") == 2


def test_no_postmortem_by_default(tmp_path) -> None:
    source = tmp_path / "fault.s"
    source.write_text("    .globl _start\n    .text\n" + expect("arm", "snippets.call_then_fault"))
    result = run_emu("run", source, "--arch", "arm")
    assert "post-mortem" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
