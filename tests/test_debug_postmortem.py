"""`emu run --postmortem`: registers, last instructions and a backtrace when a run fails."""

from __future__ import annotations

import re

import pytest
from conftest import ARCHES, run_emu

# _start calls `leaf`, which stores through a null pointer: the backtrace must show both.
FAULTING = {
    "amd64": "_start:\n call leaf\n nop\nleaf:\n xor eax, eax\n mov dword ptr [rax], 1\n",
    "arm": "_start:\n bl leaf\n nop\nleaf:\n mov r0, #0\n str r0, [r0]\n",
    "ppc64": " .abiversion 2\n_start:\n bl leaf\n nop\nleaf:\n li 4, 0\n std 3, 0(4)\n",
    "arm64": "_start:\n bl leaf\n nop\nleaf:\n mov x0, #0\n str x0, [x0]\n",
}
REGISTER = {"amd64": "rip", "arm": "cpsr", "ppc64": "xer", "ppc64le": "xer", "arm64": "nzcv"}


@pytest.mark.parametrize("arch", ARCHES)
def test_fault_postmortem(tmp_path, arch: str) -> None:
    source = tmp_path / "fault.s"
    source.write_text("    .globl _start\n    .text\n" + FAULTING[arch.removesuffix("le")])
    result = run_emu("run", source, "--arch", arch, "--postmortem", "8")
    assert result.returncode == 139
    report = result.stderr
    assert re.search(r"--- post-mortem: thread 1000, SIGSEGV at 0x[0-9a-f]+ <leaf\+0x", report), report
    assert re.search(rf"\b{REGISTER[arch]} [0-9a-f]+", report)
    history = re.findall(r"^ (=>|  ) 0x[0-9a-f]+ <(\S+)>", report, re.M)
    assert history[-1][0] == "=>" and history[-1][1].startswith("leaf+")
    assert any(name.startswith("_start") for _, name in history)
    frames = re.findall(r"#\d+ 0x[0-9a-f]+ <(\S+)>", report)
    assert frames[0].startswith("leaf+") and frames[1].startswith("_start"), report
    assert report.rstrip().splitlines()[-1].startswith("emu: SIGSEGV")  # the one-line error comes last


@pytest.mark.parametrize("arch", ["arm", "ppc64", "amd64"])
def test_deadlock_postmortem_lists_every_thread(arch: str) -> None:
    result = run_emu("run", f"tests/programs/{arch}/deadlock.s", "--arch", arch, "--postmortem")
    assert "deadlock" in result.stderr
    assert re.findall(r"^thread (\d+):", result.stderr, re.M) == ["1000", "1001"], result.stderr
    assert result.stderr.count("backtrace (best effort):") == 2


def test_no_postmortem_by_default(tmp_path) -> None:
    source = tmp_path / "fault.s"
    source.write_text("    .globl _start\n    .text\n" + FAULTING["arm"])
    result = run_emu("run", source, "--arch", "arm")
    assert "post-mortem" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
