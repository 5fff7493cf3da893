"""`--gdb PORT`: a GDB remote-serial-protocol stub, so gdb-multiarch can drive a guest.

The stub is synchronous: it talks to gdb only while the guest is stopped, from
`wait_for_gdb` (before the first instruction) and from `after_slice` (a slice
ended because a breakpoint or a single step stopped the engine, or the guest
faulted). Running resumes by returning into the Machine's run loop.

Stops are made with unicorn code hooks calling `emu_stop()`, which stops
*before* the hooked instruction runs: a breakpoint is a hook on one address
(the guest's code is never patched, so memory reads show the real bytes), a
single step a hook on every address that stops at the second instruction of
the stepped thread. Resuming from a breakpoint skips that one hit once.

Registers come from each thread's saved context (`ThreadRegisters`), so gdb
can read and write any guest thread (`Hg`), not just the one that stopped.
The register layout is data: targets.toml [ARCH.gdb] becomes target.xml.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import unicorn
from unicorn import UcError

from emu.debug import symfile
from emu.debug.common import ThreadRegisters, target_data
from emu.errors import EmuError

if TYPE_CHECKING:
    from emu.machine import Machine

ACCEPT_TIMEOUT = float(os.environ.get("EMU_GDB_ACCEPT_TIMEOUT", "300"))
SIGNAL_NUMBERS = {"SIGSEGV": 11, "SIGILL": 4, "SIGBUS": 7, "SIGTRAP": 5, "SIGFPE": 8}


class GdbKill(EmuError):
    """gdb sent `k`: end the guest as SIGKILL would."""

    exit_status = 128 + signal.SIGKILL


@dataclass(frozen=True)
class GdbRegister:
    gdb_name: str
    emu_name: str | None  # None: not emulated, reads as zeros
    bits: int
    type: str


def registers(arch) -> list[tuple[str, list[GdbRegister]]]:
    """(feature, registers) in `g` packet order, from targets.toml."""
    out = []
    for feature, specs in target_data(arch)["gdb"]["features"].items():
        regs = []
        for spec in specs:
            parts = spec.split(":")
            names = parts[0].split("=")
            emu_name = names[-1] if names[-1] != "-" else None
            kind = parts[2] if len(parts) > 2 else "int"
            regs.append(GdbRegister(names[0], emu_name, int(parts[1]), kind))
        out.append((feature, regs))
    return out


def target_xml(arch) -> str:
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">', '<target version="1.0">',
             f"  <architecture>{target_data(arch)['gdb']['architecture']}</architecture>"]  # fmt: skip
    number = 0
    for feature, regs in registers(arch):
        lines.append(f'  <feature name="{feature}">')
        for reg in regs:
            lines.append(
                f'    <reg name="{reg.gdb_name}" bitsize="{reg.bits}" type="{reg.type}" regnum="{number}"/>'
            )
            number += 1
        lines.append("  </feature>")
    return "\n".join([*lines, "</target>", ""])


def checksum(data: bytes) -> bytes:
    return b"%02x" % (sum(data) & 0xFF)


class Connection:
    """Packet framing over one socket: `$data#cs`, `+` acks, `\\x03` interrupts."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def send(self, data: str | bytes) -> None:
        raw = data.encode() if isinstance(data, str) else data
        self.sock.sendall(b"$" + raw + b"#" + checksum(raw))

    def receive(self) -> str | None:
        """The next packet's payload, or None when gdb hung up."""
        while True:
            self.buffer = self.buffer.lstrip(b"+-")
            if self.buffer[:1] == b"\x03":
                self.buffer = self.buffer[1:]
                return "\x03"
            end = self.buffer.find(b"#")
            if self.buffer[:1] == b"$" and end >= 0 and len(self.buffer) >= end + 3:
                payload, self.buffer = self.buffer[1:end], self.buffer[end + 3 :]
                self.sock.sendall(b"+")
                return payload.decode("latin-1")
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk

    def interrupted(self) -> bool:
        """A `\\x03` (gdb's Ctrl-C) arrived while the guest ran (never blocks)."""
        self.sock.setblocking(False)
        try:
            self.buffer += self.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            self.sock.setblocking(True)
        if b"\x03" in self.buffer:
            self.buffer = self.buffer.replace(b"\x03", b"")
            return True
        return False


class GdbStub:
    """Attach with `GdbStub(machine, port).install()`, then `wait_for_gdb()` before running."""

    def __init__(self, machine: Machine, port: int, host: str = "127.0.0.1") -> None:
        self.machine, self.port, self.host = machine, port, host
        self.arch = machine.arch
        self.layout = [reg for _, regs in registers(self.arch) for reg in regs]
        self.xml = target_xml(self.arch)
        self.conn: Connection | None = None
        self.breakpoints: dict[int, int] = {}  # address -> hook handle
        self.skip: dict[int, int] = {}  # tid -> breakpoint address to run over once
        self.stepping: int | None = None  # tid being single-stepped
        self.step_started = False
        self.step_hook: int | None = None
        self.stopped: str | None = None  # stop reply to send at the end of this slice
        self.selected: int | None = None  # Hg thread
        self.symbols: Path | None = None

    def install(self) -> GdbStub:
        self.machine.attachments.append(self)
        return self

    # ---- connection -------------------------------------------------------------------------

    def wait_for_gdb(self) -> None:
        """Listen, write the symbol file, accept gdb, and serve it until it resumes the guest."""
        directory = Path(tempfile.mkdtemp(prefix="emu-gdb-"))
        self.symbols = symfile.write(self.machine.image, self.arch, directory / "symbols.elf")
        server = socket.create_server((self.host, self.port))
        server.settimeout(ACCEPT_TIMEOUT)
        print(f"emu: gdb: waiting on {self.host}:{self.port} (in gdb-multiarch: file {self.symbols}; "
              f"target remote :{self.port})", file=sys.stderr, flush=True)  # fmt: skip
        try:
            sock, _ = server.accept()
        except TimeoutError:
            raise EmuError(
                f"emu: gdb: nobody connected to port {self.port} in {ACCEPT_TIMEOUT:.0f} s"
            ) from None
        finally:
            server.close()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = Connection(sock)
        self.selected = self.machine.threads[0].tid
        self._serve(self.machine.threads[0])

    def finish(self, status: int | None) -> None:
        """The guest ended: tell gdb (W = exited, X = killed by a signal) and hang up."""
        if self.conn is None:
            return
        fault = self.machine.stop.fault
        try:
            if status is None and fault is not None:
                self.conn.send(f"X{SIGNAL_NUMBERS.get(fault.signal_name, 11):02x}")
            else:
                self.conn.send(f"W{(status or 0) & 0xFF:02x}")
            self.conn.sock.close()
        except OSError:
            pass
        self.conn = None

    # ---- stopping ------------------------------------------------------------------------------

    def after_slice(self, thread) -> None:
        if self.conn is None:
            return
        fault = self.machine.stop.fault
        if fault is not None and self.stopped is None:
            self.stopped = self._stop_reply(thread, SIGNAL_NUMBERS.get(fault.signal_name, 11))
        if self.stopped is None and self.conn.interrupted():
            self.stopped = self._stop_reply(thread, signal.SIGINT)
        if self.stopped is not None:
            reply, self.stopped = self.stopped, None
            self._end_step()
            self.selected = thread.tid
            self.conn.send(reply)
            self._serve(thread)

    def _stop_reply(self, thread, number: int) -> str:
        return f"T{number:02x}thread:{thread.tid:x};"

    def _on_breakpoint(self, uc, address: int, size: int, _user) -> None:
        tid = self.machine.current.tid
        if self.skip.get(tid) == address:
            del self.skip[tid]
            return
        self.stopped = self._stop_reply(self.machine.current, signal.SIGTRAP)
        uc.emu_stop()

    def _on_step(self, uc, address: int, size: int, _user) -> None:
        if self.machine.current.tid != self.stepping:
            return
        if not self.step_started:
            self.step_started = True
            return
        self.stopped = self._stop_reply(self.machine.current, signal.SIGTRAP)
        uc.emu_stop()

    def _end_step(self) -> None:
        if self.step_hook is not None:
            self.machine.uc.hook_del(self.step_hook)
        self.step_hook, self.stepping = None, None

    def _resume(self, step_tid: int | None) -> None:
        """Arm the skip-once for threads parked on a breakpoint, and the step hook."""
        self.skip = {}
        for thread in self.machine.threads:
            pc = ThreadRegisters(self.machine, thread)[self.arch.pc]
            if thread.alive and pc in self.breakpoints:
                self.skip[thread.tid] = pc
        if step_tid is not None:
            self.stepping, self.step_started = step_tid, False
            self.step_hook = self.machine.uc.hook_add(unicorn.UC_HOOK_CODE, self._on_step)

    # ---- the packet loop ---------------------------------------------------------------------

    def _serve(self, thread) -> None:
        """Answer packets until gdb resumes the guest (c, s, vCont, D)."""
        while True:
            packet = self.conn.receive()
            if packet is None:
                self._detach()
                return
            reply = self._handle(packet)
            if reply is None:  # resume
                return
            self.conn.send(reply)

    def _handle(self, packet: str) -> str | None:
        kind = packet[:1]
        if packet == "\x03":
            return self._stop_reply(self._thread(self.selected), signal.SIGINT)
        if packet.startswith("vCont"):
            return self._vcont(packet)
        if packet.startswith("q") or packet.startswith("Q"):
            return self._query(packet)
        handlers = {
            "?": lambda: self._stop_reply(self._thread(self.selected), signal.SIGTRAP),
            "g": self._read_all,
            "G": lambda: self._write_all(packet[1:]),
            "p": lambda: self._read_one(int(packet[1:], 16)),
            "P": lambda: self._write_one(packet[1:]),
            "m": lambda: self._read_memory(packet[1:]),
            "M": lambda: self._write_memory(packet[1:]),
            "Z": lambda: self._breakpoint(packet[1:], True),
            "z": lambda: self._breakpoint(packet[1:], False),
            "H": lambda: self._select(packet[2:]),
            "T": lambda: "OK" if self._find(int(packet[1:], 16)) else "E01",
            "c": lambda: self._go(None),
            "s": lambda: self._go(self.selected),
            "k": self._kill,
            "D": self._detach_packet,
        }
        handler = handlers.get(kind)
        return handler() if handler else ""

    def _query(self, packet: str) -> str:
        if packet.startswith("qSupported"):
            return "PacketSize=4000;qXfer:features:read+;qXfer:exec-file:read+;vContSupported+"
        if packet.startswith("qXfer:features:read:target.xml:"):
            return self._xfer(self.xml, packet.rsplit(":", 1)[1])
        if packet.startswith("qXfer:exec-file:read:"):
            return self._xfer(str(self.symbols or ""), packet.rsplit(":", 1)[1])
        if packet == "qfThreadInfo":
            return "m" + ",".join(f"{t.tid:x}" for t in self.machine.threads if t.alive)
        if packet == "qsThreadInfo":
            return "l"
        if packet == "qC":
            return f"QC{self.selected:x}"
        if packet.startswith("qAttached"):
            return "1"
        if packet.startswith("qThreadExtraInfo,"):
            thread = self._find(int(packet.split(",")[1], 16))
            state = "blocked" if thread and thread.wait is not None else "runnable"
            return state.encode().hex()
        return ""

    def _xfer(self, document: str, window: str) -> str:
        offset, length = (int(x, 16) for x in window.split(","))
        chunk = document[offset : offset + length]
        return ("l" if offset + length >= len(document) else "m") + chunk

    def _vcont(self, packet: str) -> str | None:
        if packet == "vCont?":
            return "vCont;c;C;s;S"
        for action in packet.split(";")[1:]:
            verb, _, tid = action.partition(":")
            if verb[:1] in "sS":
                step = int(tid, 16) if tid and tid != "-1" else self.selected
                return self._go(step)
        return self._go(None)

    def _go(self, step_tid: int | None) -> None:
        self._resume(step_tid)
        return None

    def _kill(self) -> str:
        self.conn.sock.close()
        self.conn = None
        raise GdbKill("emu: killed by gdb")

    def _detach_packet(self) -> None:
        self.conn.send("OK")
        self._detach()
        return None

    def _detach(self) -> None:
        """gdb left: remove every breakpoint and let the guest run on by itself."""
        for handle in self.breakpoints.values():
            self.machine.uc.hook_del(handle)
        self.breakpoints, self.skip = {}, {}
        self._end_step()
        if self.conn is not None:
            self.conn.sock.close()
        self.conn = None

    # ---- threads, registers, memory ----------------------------------------------------------

    def _find(self, tid: int):
        return next((t for t in self.machine.threads if t.tid == tid and t.alive), None)

    def _thread(self, tid: int | None):
        return self._find(tid) if tid is not None and self._find(tid) else self.machine.threads[0]

    def _select(self, text: str) -> str:
        tid = int(text, 16) if text not in ("", "-1", "0") else None
        if tid is not None and self._find(tid) is None:
            return "E01"
        if tid is not None:
            self.selected = tid
        return "OK"

    def _regs(self) -> ThreadRegisters:
        return ThreadRegisters(self.machine, self._thread(self.selected))

    def _encode(self, reg: GdbRegister, regs: ThreadRegisters) -> str:
        value = regs[reg.emu_name] if reg.emu_name else 0
        mask = (1 << reg.bits) - 1
        return (value & mask).to_bytes(reg.bits // 8, self.arch.byteorder).hex()

    def _read_all(self) -> str:
        regs = self._regs()
        return "".join(self._encode(reg, regs) for reg in self.layout)

    def _read_one(self, number: int) -> str:
        if number >= len(self.layout):
            return "E45"
        return self._encode(self.layout[number], self._regs())

    def _store(self, reg: GdbRegister, raw: bytes, regs: ThreadRegisters) -> None:
        if reg.emu_name:
            regs[reg.emu_name] = int.from_bytes(raw, self.arch.byteorder)

    def _write_all(self, text: str) -> str:
        data, regs, offset = bytes.fromhex(text), self._regs(), 0
        for reg in self.layout:
            size = reg.bits // 8
            if offset + size <= len(data):
                self._store(reg, data[offset : offset + size], regs)
            offset += size
        return "OK"

    def _write_one(self, text: str) -> str:
        number, value = text.split("=")
        index = int(number, 16)
        if index >= len(self.layout):
            return "E45"
        self._store(self.layout[index], bytes.fromhex(value), self._regs())
        return "OK"

    def _read_memory(self, text: str) -> str:
        address, length = (int(x, 16) for x in text.split(","))
        try:
            return self.machine.memory.read(address, length).hex()
        except UcError:
            return "E14"

    def _write_memory(self, text: str) -> str:
        where_, data = text.split(":")
        address = int(where_.split(",")[0], 16)
        try:
            self.machine.memory.write(address, bytes.fromhex(data))
        except UcError:
            return "E14"
        return "OK"

    def _breakpoint(self, text: str, insert: bool) -> str:
        kind, address, _ = text.split(",")
        if kind != "0":
            return ""  # only software breakpoints; gdb falls back to its own
        address = int(address, 16)
        if insert and address not in self.breakpoints:
            self.breakpoints[address] = self.machine.uc.hook_add(
                unicorn.UC_HOOK_CODE, self._on_breakpoint, None, address, address
            )
        elif not insert and address in self.breakpoints:
            self.machine.uc.hook_del(self.breakpoints.pop(address))
        return "OK"
