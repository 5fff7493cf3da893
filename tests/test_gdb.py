"""`emu run --gdb PORT` driven by a real gdb-multiarch in batch mode.

The guest is tests/fixtures/explain/or8_<arch>.s: atomicor8(&m[1], 0xf0) on
m = {1,1,1,1}. gdb breaks on the stub symbol, reads the argument registers and
the array, single-steps, writes a register, and lets the guest finish.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, or8_program, require_tool

ARG_REGS = {"ppc64le": ("r3", "r4"), "arm": ("r0", "r1"), "ppc64": ("r3", "r4"), "amd64": ("rdi", "rsi")}
STEP_SIZE = 4  # the first instruction of atomicor8: sync / dmb ish (amd64 is not stepped here)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_emu(arch: str, port: int, stderr_path: Path) -> tuple[subprocess.Popen, str]:
    """emu waiting for gdb; returns it and the symbol file it wrote (read from its banner)."""
    env = dict(os.environ, EMU_GDB_ACCEPT_TIMEOUT="30")
    program = or8_program(arch)
    emu = subprocess.Popen(
        [sys.executable, "-m", "emu", "run", program, "--arch", arch, "--gdb", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr_path.open("w"), env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = re.search(r"file (\S+); target remote", stderr_path.read_text())
        if match:
            return emu, match.group(1)
        if emu.poll() is not None:
            break
        time.sleep(0.05)
    emu.kill()
    pytest.fail(f"emu --gdb did not start: {stderr_path.read_text()}")


def run_gdb(symbols: str, port: int, commands: list[str]) -> str:
    args = ["gdb-multiarch", "-batch", "-nx", "-ex", "set confirm off", "-ex", "set pagination off",
            "-ex", f"file {symbols}", "-ex", f"target remote :{port}"]  # fmt: skip
    for command in commands:
        args += ["-ex", command]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    return result.stdout + result.stderr


def values(output: str, name: str) -> list[int]:
    """Every `$N = 0x...` answer of `p/x` commands tagged with `echo name:`."""
    return [int(v, 16) for v in re.findall(rf"(?m)^{name}:\s*\$\d+ = (0x[0-9a-f]+)", output)]


@pytest.mark.parametrize("arch", ["ppc64le", "arm"])
def test_gdb_breaks_steps_and_reads(tmp_path: Path, arch: str) -> None:
    require_tool("gdb-multiarch")
    port = free_port()
    emu, symbols = start_emu(arch, port, tmp_path / "emu.err")
    first, second = ARG_REGS[arch]
    try:
        output = run_gdb(symbols, port, [
            "break *atomicor8",
            "continue",
            "echo pc:\\n", "p/x $pc",
            "echo sym:\\n", "p/x &atomicor8",
            "echo ptr:\\n", f"p/x ${first}",
            "echo val:\\n", f"p/x ${second}",
            "echo m:\\n", "p/x &m",
            "x/4xb &m",
            "stepi",
            "echo step:\\n", "p/x $pc",
            f"set ${second} = 0x0c",
            "info threads",
            "continue",
        ])  # fmt: skip
        status = emu.wait(timeout=30)
    finally:
        emu.kill()
    symbol = values(output, "sym")[0]
    m = values(output, "m")[0]
    assert values(output, "pc") == [symbol], output
    assert values(output, "ptr") == [m + 1], output
    assert values(output, "val") == [0xF0], output
    assert re.search(rf"{m:#x}.*:\s+0x01\s+0x01\s+0x01\s+0x01", output), output
    assert values(output, "step") == [symbol + STEP_SIZE], output
    assert "Thread 1000" in output, output
    assert "exited with code" in output, output
    # the register write took effect: m[1] = 1 | 0x0c = 0x0d, so the guest's exit code is 0x0d ^ 0xf1
    assert status == 0x0D ^ 0xF1, (status, output)
