"""The gdb stub's remote protocol, spoken directly (no gdb needed), on all four arches."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from archdata import example, expect
from conftest import ARCHES, ROOT, or8_program, require_tool

from emu import arch as arches
from emu.debug.gdbstub import checksum, registers, target_xml
from emu.debug.symfile import build
from emu.program import load_program


class Client:
    """A minimal RSP client: send a packet, return the reply payload."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def ask(self, payload: str) -> str:
        raw = payload.encode()
        self.sock.sendall(b"$" + raw + b"#" + checksum(raw))
        while True:
            match = re.search(rb"\$([^#]*)#[0-9a-f]{2}", self.buffer)
            if match:
                self.buffer = self.buffer[match.end() :]
                return match.group(1).decode()
            chunk = self.sock.recv(65536)
            if not chunk:
                return ""
            self.buffer += chunk


def test_target_descriptions_name_the_ppc64_special_registers() -> None:
    root = ET.fromstring(target_xml(arches.get("ppc64")))
    regs = {r.get("name"): int(r.attrib["bitsize"]) for r in root.iter("reg")}
    assert root.findtext("architecture") == "powerpc:common64"
    assert {n: regs[n] for n in ("pc", "msr", "cr", "lr", "ctr", "xer")} == {
        "pc": 64, "msr": 64, "cr": 32, "lr": 64, "ctr": 64, "xer": 32,
    }  # fmt: skip
    assert [r.get("name") for r in root.iter("reg")][:3] == ["r0", "r1", "r2"]
    arm = [r.get("name") for r in ET.fromstring(target_xml(arches.get("arm"))).iter("reg")]
    assert arm[13:] == ["sp", "lr", "pc", "cpsr"]
    for name in ARCHES:
        assert registers(arches.get(name))[0][1][expect(name, "gdb.pc_index")].gdb_name in ("pc", "rip")


@pytest.mark.parametrize("arch", ARCHES)
def test_symbol_file_is_a_valid_elf(tmp_path: Path, arch: str) -> None:
    image, arch_obj = load_program(or8_program(arch), arch)
    data = build(image, arch_obj)
    assert data[:4] == b"\x7fELF" and data[5] == (2 if arch_obj.big_endian else 1)
    require_tool("readelf")
    readelf = "readelf"
    path = tmp_path / "sym.elf"
    path.write_bytes(data)
    out = subprocess.run([readelf, "-s", str(path)], capture_output=True, text=True, timeout=10).stdout
    assert re.search(rf"{image.symbols['atomicor8']:x}\s+0 FUNC\s+GLOBAL DEFAULT\s+\d+ atomicor8", out), out


@pytest.mark.parametrize("arch", ARCHES)
def test_protocol_break_step_registers_memory_threads(tmp_path: Path, arch: str) -> None:
    err = tmp_path / "emu.err"
    emu = subprocess.Popen(
        [sys.executable, "-m", "emu", "run", or8_program(arch), "--arch", arch, "--gdb", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=err.open("w"), env=dict(os.environ, EMU_GDB_ACCEPT_TIMEOUT="20"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while "waiting on" not in err.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        listening = re.search(r"waiting on 127\.0\.0\.1:(\d+)", err.read_text())
        assert listening, err.read_text()
        port = int(listening.group(1))
        image, arch_obj = load_program(or8_program(arch), arch)
        word = arch_obj.word_size
        pc_index, first_arg = expect(arch, "gdb.pc_index"), expect(arch, "gdb.first_arg_index")
        client = Client(port)
        assert "qXfer:features:read+" in client.ask("qSupported:multiprocess+")
        assert client.ask("qXfer:features:read:target.xml:0,ffff").startswith("l<?xml")
        assert client.ask("qfThreadInfo") == "m3e8" and client.ask("qsThreadInfo") == "l"
        assert client.ask("Hg3e8") == "OK" and client.ask("Hg999") == "E01"
        target = image.symbols["atomicor8"]
        assert client.ask(f"Z0,{target:x},4") == "OK"
        assert client.ask("vCont;c").startswith("T05thread:3e8;")
        pc = client.ask(f"p{pc_index:x}")
        assert arch_obj.unpack(bytes.fromhex(pc)) == target
        regs = bytes.fromhex(client.ask("g"))
        arg = arch_obj.unpack(regs[first_arg * word : (first_arg + 1) * word])
        m = image.symbols["m"]
        assert arg == m + 1
        assert client.ask(f"m{m:x},4") == "01010101"
        assert client.ask(f"M{m + 3:x},1:07") == "OK" and client.ask(f"m{m:x},4") == "01010107"
        assert client.ask(f"z0,{target:x},4") == "OK"
        assert client.ask("vCont;s:3e8").startswith("T05")
        after = arch_obj.unpack(bytes.fromhex(client.ask(f"p{pc_index:x}")))
        assert target < after <= target + 8
        assert client.ask("c").startswith("W00")
        assert emu.wait(timeout=20) == 0
    finally:
        emu.kill()


@pytest.mark.parametrize("arch", ARCHES)
def test_protocol_breakpoint_inside_a_runtime_call(tmp_path: Path, arch: str) -> None:
    """A breakpoint on `cas`, which the toy runtime calls from the supervisor between slices: the
    stop is reported, registers show the call (pc = cas), and the program then runs to its end."""
    from elftools.elf.elffile import ELFFile
    from elftools.elf.sections import SymbolTableSection

    program = example(arch, "runtime/pingpong")
    err = tmp_path / "emu.err"
    emu = subprocess.Popen(
        [sys.executable, "-m", "emu", "run", program, "--arch", arch, "--gdb", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=err.open("w"), env=dict(os.environ, EMU_GDB_ACCEPT_TIMEOUT="20"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while "waiting on" not in err.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        banner = re.search(r"file (\S+); target remote :(\d+)", err.read_text())
        assert banner, err.read_text()
        with open(banner.group(1), "rb") as symbols:
            table = ELFFile(symbols).get_section_by_name(".symtab")
            assert isinstance(table, SymbolTableSection)
            found = table.get_symbol_by_name("cas")
            assert found, "no cas in the symbol file"
            cas = found[0]["st_value"]
        arch_obj, pc_index = arches.get(arch), expect(arch, "gdb.pc_index")
        client = Client(int(banner.group(2)))
        assert client.ask(f"Z0,{cas:x},4") == "OK"
        for _ in range(2):
            assert client.ask("c").startswith("T05thread:3e8;")
            assert arch_obj.unpack(bytes.fromhex(client.ask(f"p{pc_index:x}"))) == cas
        assert client.ask("vCont;s:3e8").startswith("T05")
        assert arch_obj.unpack(bytes.fromhex(client.ask(f"p{pc_index:x}"))) > cas
        assert client.ask(f"z0,{cas:x},4") == "OK"
        assert client.ask("c").startswith("W00")
        assert emu.wait(timeout=30) == 0
        assert emu.stdout is not None and emu.stdout.read().decode().endswith("final ball 10\n")
        assert "did not return" not in err.read_text()
    finally:
        emu.kill()
