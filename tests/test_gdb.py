"""`emu run --gdb PORT` driven by a real gdb-multiarch in batch mode.

The guest is the arch's tests/fixtures/or8.s: atomicor8(&m[1], 0xf0) on
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
from archdata import example, expect
from conftest import ARCHES, ROOT, or8_program, require_tool, run_emu


def start_emu(
    program: str, arch: str, stderr_path: Path, tmpdir: Path | None = None
) -> tuple[subprocess.Popen, str, int]:
    """emu waiting for gdb on a port it picked (--gdb 0); returns it, the symbol file it wrote and
    the port (both read from its banner). `tmpdir` becomes its TMPDIR, to see what it leaves."""
    env = dict(os.environ, EMU_GDB_ACCEPT_TIMEOUT="30")
    if tmpdir is not None:
        tmpdir.mkdir(exist_ok=True)
        env["TMPDIR"] = str(tmpdir)
    emu = subprocess.Popen(
        [sys.executable, "-m", "emu", "run", program, "--arch", arch, "--gdb", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr_path.open("w"), env=env, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = re.search(r"file (\S+); target remote :(\d+)", stderr_path.read_text())
        if match:
            return emu, match.group(1), int(match.group(2))
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


@pytest.mark.parametrize("arch", ARCHES)
def test_gdb_breaks_steps_and_reads(tmp_path: Path, arch: str) -> None:
    require_tool("gdb-multiarch")
    emu, symbols, port = start_emu(or8_program(arch), arch, tmp_path / "emu.err")
    first, second = expect(arch, "gdb.first_args")
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
    assert values(output, "step") == [symbol + expect(arch, "gdb.or8_first_insn_size")], output
    assert "Thread 1000" in output, output
    # the register write after the step takes effect where the or is still to come (LL/SC loops:
    # m[1] = 1 | 0x0c = 0x0d, exit code 0x0d ^ 0xf1); where one instruction did it all, it is too late
    expected = expect(arch, "gdb.or8_exit_after_write")
    assert f"exited with code 0{expected:o}" in output if expected else "exited normally" in output, output
    assert status == expected, (status, output)


@pytest.mark.parametrize("arch", ARCHES)
def test_gdb_breaks_and_steps_in_a_stub_the_runtime_calls(tmp_path: Path, arch: str) -> None:
    """`break *cas` under pingpong: the runtime calls cas from the supervisor (emu/runtime/calls.py);
    the call stops for gdb (however long the session stays there, the call's budget counts only
    instructions), steps, stops again, and the program ends with the output it has without gdb.
    No temp file is left."""
    require_tool("gdb-multiarch")
    program = example(arch, "runtime/pingpong")
    plain = run_emu("run", program, "--arch", arch)
    assert plain.returncode == 0 and "final ball 10" in plain.stdout, plain.stderr
    emu, symbols, port = start_emu(program, arch, tmp_path / "emu.err", tmp_path / "tmp")
    try:
        output = run_gdb(symbols, port, [
            "break *cas",
            "continue",
            "echo pc:\\n", "p/x $pc",
            "echo sym:\\n", "p/x &cas",
            "stepi",
            "echo step:\\n", "p/x $pc",
            "continue",
            "echo again:\\n", "p/x $pc",
            "delete",
            "continue",
        ])  # fmt: skip
        status = emu.wait(timeout=60)
        assert emu.stdout is not None
        stdout = emu.stdout.read()
    finally:
        emu.kill()
    stderr = (tmp_path / "emu.err").read_text()
    cas = values(output, "sym")[0]
    assert values(output, "pc") == [cas] and values(output, "again") == [cas], output
    assert values(output, "step") == [cas + expect(arch, "gdb.cas_stepi_bytes")], output
    assert "exited normally" in output, output
    assert (status, stdout) == (0, plain.stdout), (status, stderr)
    assert "did not return" not in stderr, stderr
    assert list((tmp_path / "tmp").iterdir()) == []


def test_gdb_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "emu", "run", or8_program("arm"), "--arch", "arm", "--gdb", str(port)],
            cwd=ROOT, capture_output=True, text=True, timeout=60, env=dict(os.environ, TMPDIR=str(tmpdir)),
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"emu: gdb: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
    assert list(tmpdir.iterdir()) == []


def test_gdb_port_out_of_range_is_refused_when_parsing() -> None:
    result = run_emu("run", or8_program("arm"), "--arch", "arm", "--gdb", "70000")
    assert result.returncode == 2 and "port 70000 is not in 0-65535" in result.stderr, result.stderr


def listening_addresses(port: int) -> set[str]:
    """Local addresses in LISTEN state on `port`, from /proc/net/tcp and tcp6 (hex, as the kernel writes them)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, port_hex = local.partition(":")
            if int(port_hex, 16) == port and state == "0A":
                found.add(address)
    return found


def test_gdb_listens_on_loopback_only_and_cleans_up_when_nobody_comes(tmp_path: Path) -> None:
    err = tmp_path / "emu.err"
    emu, symbols, port = start_emu(or8_program("ppc64le"), "ppc64le", err, tmp_path / "tmp")
    try:
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
        assert Path(symbols).is_file()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"$D#44")  # detach at once: the guest runs to its end
            sock.recv(100)
        assert emu.wait(timeout=30) == 0
    finally:
        emu.kill()
    assert list((tmp_path / "tmp").iterdir()) == []
    quiet = subprocess.run(
        [sys.executable, "-m", "emu", "run", or8_program("arm"), "--arch", "arm", "--gdb", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=dict(os.environ, TMPDIR=str(tmp_path / "tmp"), EMU_GDB_ACCEPT_TIMEOUT="0.5"),
    )  # fmt: skip
    assert quiet.returncode == 2 and "nobody connected" in quiet.stderr, quiet.stderr
    assert list((tmp_path / "tmp").iterdir()) == []
