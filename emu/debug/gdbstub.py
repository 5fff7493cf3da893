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
The register layout is data: the arch.toml [gdb] table becomes target.xml.

The toy runtime calls stubs (`cas`, `xchg`...) from the supervisor between
slices (emu/runtime/calls.py). A breakpoint or step inside such a call stops
its engine run; the call asks `held_in_call`, which serves gdb with the call's
live registers and lets the call go on when gdb resumes.

Malformed packets (bad checksum, truncated, non-hex fields, wrong lengths,
out-of-range addresses) get the protocol's answer: `-` to resend, `E01`, or an
empty reply for what is not supported; the session goes on
(tests/fuzz/test_gdb_packets.py).
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import unicorn
from unicorn import UcError

from emu.debug import symfile
from emu.debug.common import ThreadRegisters
from emu.errors import EmuError
from emu.kernel.abi import Signal

if TYPE_CHECKING:
    from emu.machine import Machine
    from emu.sched import Thread

ACCEPT_TIMEOUT = float(os.environ.get("EMU_GDB_ACCEPT_TIMEOUT", "300"))
MAX_PACKET = 0x4000  # the PacketSize announced in qSupported: longer packets are refused
MAX_BREAKPOINTS = 4096
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


class GdbKill(EmuError):
    """gdb sent `k`: end the guest as SIGKILL would."""

    exit_status = 128 + Signal.SIGKILL


@dataclass(frozen=True)
class GdbRegister:
    gdb_name: str
    emu_name: str | None  # None: not emulated, reads as zeros
    bits: int
    type: str


def _gdb_signal(name: str) -> int:
    """The stop signal gdb is told for a fault (GDB's numbers equal Linux's for these; SIGSEGV else)."""
    return Signal[name] if name in Signal.__members__ else Signal.SIGSEGV


def registers(arch) -> list[tuple[str, list[GdbRegister]]]:
    """(feature, registers) in `g` packet order, from the arch's [gdb.features]."""
    out = []
    for feature, specs in arch.gdb.features.items():
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
             f"  <architecture>{arch.gdb.architecture}</architecture>"]  # fmt: skip
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


def escape_binary(data: bytes) -> bytes:
    """Binary reply data (qXfer) with `#`, `$`, `}` and `*` escaped as `}` + (byte ^ 0x20)."""
    out = bytearray()
    for byte in data:
        if byte in b"#$}*":
            out += bytes([0x7D, byte ^ 0x20])
        else:
            out.append(byte)
    return bytes(out)


class BadPacket(ValueError):
    """A malformed packet (non-hex number, wrong length, missing field): answered `E01`."""


def hex_number(text: str, limit: int = 1 << 64) -> int:
    """A hex field of a packet, below `limit` (an address fits the arch, a register number the layout)."""
    if not text or not all(c in HEX_DIGITS for c in text):
        raise BadPacket(f"not a hex number: {text[:20]!r}")
    value = int(text, 16)
    if value >= limit:
        raise BadPacket(f"out of range: {text[:20]!r}")
    return value


def hex_bytes(text: str) -> bytes:
    if len(text) % 2 or not all(c in HEX_DIGITS for c in text):
        raise BadPacket("not hex data")
    return bytes.fromhex(text)


def fields(text: str, separator: str, count: int) -> list[str]:
    parts = text.split(separator)
    if len(parts) != count:
        raise BadPacket(f"expected {count} fields")
    return parts


class Connection:
    """Packet framing over one socket: `$data#cs`, acked `+`, or `-` (resend) when the checksum is
    wrong; `\\x03` interrupts. Bytes between packets are skipped, a `$` inside an unterminated
    packet starts a new one (the old one was truncated), a packet longer than MAX_PACKET is refused
    with `-`, and a `-` from gdb resends the last reply. A socket error is gdb hanging up."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.last_sent = b""
        self.closed = False

    def send(self, data: str | bytes) -> None:
        raw = data.encode("latin-1") if isinstance(data, str) else data
        self.last_sent = b"$" + raw + b"#" + checksum(raw)
        self._send_raw(self.last_sent)

    def _send_raw(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    def receive(self) -> str | None:
        """The next packet's payload, or None when gdb hung up."""
        while not self.closed:
            packet = self._take_packet()
            if packet is not None:
                return packet
            self._fill(blocking=True)
        return None

    def _fill(self, blocking: bool) -> None:
        try:
            if not blocking:
                self.sock.setblocking(False)
            chunk = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        finally:
            if not blocking and not self.closed:
                self.sock.setblocking(True)
        if not chunk and blocking:
            self.closed = True
        self.buffer += chunk

    def _take_packet(self) -> str | None:
        """Take one packet (or `\\x03`) off the buffer; None when more bytes are needed."""
        while self.buffer:
            first = self.buffer[:1]
            if first == b"\x03":
                self.buffer = self.buffer[1:]
                return "\x03"
            if first == b"-" and self.last_sent:  # gdb could not read our last reply
                self._send_raw(self.last_sent)
            if first != b"$":  # acks and junk between packets
                self.buffer = self.buffer[self._next_frame_start() :]
                continue
            end, restart = self.buffer.find(b"#", 1), self.buffer.find(b"$", 1)
            if restart != -1 and (end == -1 or restart < end):  # truncated: a new packet begins
                self.buffer = self.buffer[restart:]
                continue
            if end == -1 and len(self.buffer) > MAX_PACKET + 1:  # too long: refuse, drop what came
                self.buffer = b""
                self._send_raw(b"-")
            if end == -1 or len(self.buffer) < end + 3:
                return None
            payload, sent_sum = self.buffer[1:end], self.buffer[end + 1 : end + 3]
            self.buffer = self.buffer[end + 3 :]
            if len(payload) > MAX_PACKET or sent_sum.lower() != checksum(payload):
                self._send_raw(b"-")
                continue
            self._send_raw(b"+")
            return payload.decode("latin-1")
        return None

    def _next_frame_start(self) -> int:
        """Index of the next `$`, `-` or `\\x03` after the first byte (or the buffer's end)."""
        found = [i for i in (self.buffer.find(c, 1) for c in (b"$", b"-", b"\x03")) if i != -1]
        return min(found, default=len(self.buffer))

    def interrupted(self) -> bool:
        """A `\\x03` (gdb's Ctrl-C) arrived while the guest ran (never blocks)."""
        self._fill(blocking=False)
        if b"\x03" in self.buffer:
            self.buffer = self.buffer.replace(b"\x03", b"")
            return True
        return False

    def close(self) -> None:
        self.closed = True
        self.sock.close()


class GdbStub:
    """Attach with `GdbStub(machine, port).install()`, then `wait_for_gdb()` before running;
    `close()` at the end removes the symbol file (emu/session.py does both)."""

    def __init__(
        self, machine: Machine, port: int, host: str = "127.0.0.1", symbols_path: str | None = None
    ) -> None:
        self.machine, self.port, self.host = machine, port, host
        self.symbols_path = symbols_path  # --gdb-symbols: where to keep the symbol file
        self.arch = machine.arch
        self.address_limit = 1 << machine.arch.bits
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
        self.live: int | None = None  # tid whose registers are in the engine (a runtime call)
        self.directory: tempfile.TemporaryDirectory | None = None
        self.symbols: Path | None = None

    def install(self) -> GdbStub:
        self.machine.attachments.append(self)
        return self

    # ---- connection -------------------------------------------------------------------------

    def wait_for_gdb(self) -> None:
        """Listen, write the symbol file, accept gdb, and serve it until it resumes the guest."""
        server = self._listen()
        try:
            if self.symbols_path:
                target = Path(self.symbols_path)
            else:
                self.directory = tempfile.TemporaryDirectory(prefix="emu-gdb-")
                target = Path(self.directory.name) / "symbols.elf"
            try:
                self.symbols = symfile.write(self.machine.image, self.arch, target)
            except OSError as err:
                raise EmuError(f"emu: gdb: cannot write the symbol file {target}: {err.strerror}") from None
            port = server.getsockname()[1]
            print(f"emu: gdb: waiting on {self.host}:{port} (in gdb-multiarch: file {self.symbols}; "
                  f"target remote :{port})", file=sys.stderr, flush=True)  # fmt: skip
            server.settimeout(ACCEPT_TIMEOUT)
            sock, _ = server.accept()
        except TimeoutError:
            raise EmuError(
                f"emu: gdb: nobody connected to port {self.port} in {ACCEPT_TIMEOUT:.0f} s"
            ) from None
        finally:
            server.close()
        self.attach(sock)

    def _listen(self) -> socket.socket:
        """The listening socket, on loopback only; a port in use is the user's error, not emu's."""
        try:
            return socket.create_server((self.host, self.port))
        except OSError as err:
            raise EmuError(
                f"emu: gdb: cannot listen on {self.host}:{self.port}: {os.strerror(err.errno) if err.errno else err}"
            ) from None

    def attach(self, sock: socket.socket) -> None:
        """Talk to gdb on a connected socket: serve it until it resumes the guest."""
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = Connection(sock)
        self.selected = self.machine.threads[0].tid
        self._serve(self.machine.threads[0])

    def finish(self, status: int | None) -> None:
        """The guest ended: tell gdb (W = exited, X = killed by a signal) and hang up."""
        if self.conn is None:
            return
        fault = self.machine.stop.fault
        if status is None and fault is not None:
            self.conn.send(f"X{_gdb_signal(fault.signal_name):02x}")
        else:
            self.conn.send(f"W{(status or 0) & 0xFF:02x}")
        self.conn.close()
        self.conn = None

    def close(self) -> None:
        """Hang up if still connected and remove the symbol file's directory."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.directory is not None:
            self.directory.cleanup()
            self.directory = None

    # ---- stopping ------------------------------------------------------------------------------

    def after_slice(self, thread: Thread) -> None:
        conn = self.conn
        if conn is None:
            return
        fault = self.machine.stop.fault
        if fault is not None and self.stopped is None:
            self.stopped = self._stop_reply(thread, _gdb_signal(fault.signal_name))
        if self.stopped is None and conn.interrupted():
            self.stopped = self._stop_reply(thread, Signal.SIGINT)
        if self.stopped is not None:
            self._report_stop(conn, self.stopped, thread)

    def held_in_call(self, thread: Thread) -> bool:
        """The engine stopped inside a runtime call made for `thread` (emu/runtime/calls.py): if a
        breakpoint or step of ours stopped it, report the stop and serve gdb, showing the call's
        own registers, until gdb resumes. True when it was ours (the call then goes on)."""
        if self.stopped is None:
            return False
        if self.conn is None:
            self.stopped = None
            return True
        self.live = thread.tid
        try:
            self._report_stop(self.conn, self.stopped, thread)
        finally:
            self.live = None
        return True

    def _report_stop(self, conn: Connection, reply: str, thread: Thread) -> None:
        self.stopped = None
        self._end_step()
        self.selected = thread.tid
        conn.send(reply)
        self._serve(thread)

    def _stop_reply(self, thread: Thread, number: int) -> str:
        return f"T{number:02x}thread:{thread.tid:x};"

    def _on_breakpoint(self, uc, address: int, size: int, _user) -> None:
        tid = self.machine.running.tid
        if self.skip.get(tid) == address:
            del self.skip[tid]
            return
        self.stopped = self._stop_reply(self.machine.running, Signal.SIGTRAP)
        uc.emu_stop()

    def _on_step(self, uc, address: int, size: int, _user) -> None:
        if self.machine.running.tid != self.stepping:
            return
        if not self.step_started:
            self.step_started = True
            return
        self.stopped = self._stop_reply(self.machine.running, Signal.SIGTRAP)
        uc.emu_stop()

    def _end_step(self) -> None:
        if self.step_hook is not None:
            self.machine.uc.hook_del(self.step_hook)
        self.step_hook, self.stepping = None, None

    def _resume(self, step_tid: int | None) -> None:
        """Arm the skip-once for threads parked on a breakpoint, and the step hook."""
        self.skip = {}
        for thread in self.machine.threads:
            pc = self._registers(thread)[self.arch.pc]
            if thread.alive and pc in self.breakpoints:
                self.skip[thread.tid] = pc
        if step_tid is not None:
            self.stepping, self.step_started = step_tid, False
            self.step_hook = self.machine.uc.hook_add(unicorn.UC_HOOK_CODE, self._on_step)

    # ---- the packet loop ---------------------------------------------------------------------

    def _serve(self, thread: Thread) -> None:
        """Answer packets until gdb resumes the guest (c, s, vCont, D) or hangs up."""
        while self.conn is not None:
            packet = self.conn.receive()
            if packet is None:
                self._detach()
                return
            reply = self._answer(packet)
            if reply is None:  # resume
                return
            self.conn.send(reply)

    def _answer(self, packet: str) -> str | None:
        """The reply to one packet: a malformed one is `E01` and the session goes on."""
        try:
            return self._handle(packet)
        except BadPacket:
            return "E01"

    def _handle(self, packet: str) -> str | None:
        kind, body = packet[:1], packet[1:]
        if packet == "\x03":
            return self._stop_reply(self._thread(self.selected), Signal.SIGINT)
        if packet.startswith("v"):
            return self._v_packet(packet)
        if kind in "qQ" and packet:
            return self._query(packet)
        handlers = {
            "?": lambda: self._stop_reply(self._thread(self.selected), Signal.SIGTRAP),
            "g": self._read_all,
            "G": lambda: self._write_all(body),
            "p": lambda: self._read_one(hex_number(body)),
            "P": lambda: self._write_one(body),
            "m": lambda: self._read_memory(body),
            "M": lambda: self._write_memory(body),
            "Z": lambda: self._breakpoint(body, True),
            "z": lambda: self._breakpoint(body, False),
            "H": lambda: self._select(body),
            "T": lambda: "OK" if self._find(hex_number(body)) else "E01",
            "c": lambda: self._go(None, body),
            "s": lambda: self._go(self.selected, body),
            "C": lambda: self._go(None, self._after_signal(body)),
            "S": lambda: self._go(self.selected, self._after_signal(body)),
            "k": self._kill,
            "D": self._detach_packet,
        }
        handler = handlers.get(kind)
        return handler() if handler else ""

    def _query(self, packet: str) -> str:
        if packet.startswith("qSupported"):
            return f"PacketSize={MAX_PACKET:x};qXfer:features:read+;qXfer:exec-file:read+;vContSupported+"
        if packet.startswith("qXfer:features:read:"):
            annex, window = fields(packet.removeprefix("qXfer:features:read:"), ":", 2)
            return self._xfer(self.xml, window) if annex == "target.xml" else "E00"
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
            thread = self._find(hex_number(packet.removeprefix("qThreadExtraInfo,")))
            if thread is None:
                return "E01"
            return ("blocked" if thread.wait is not None else "runnable").encode().hex()
        return ""

    def _xfer(self, document: str, window: str) -> str:
        offset, length = (hex_number(x) for x in fields(window, ",", 2))
        data = document.encode()
        chunk = data[offset : offset + min(length, MAX_PACKET // 2)]
        more = offset + len(chunk) < len(data)
        return ("m" if more else "l") + escape_binary(chunk).decode("latin-1")

    def _v_packet(self, packet: str) -> str | None:
        if packet == "vCont?":
            return "vCont;c;C;s;S"
        if packet.startswith("vCont;"):
            return self._vcont(packet.removeprefix("vCont;"))
        if packet.startswith("vKill"):
            return self._kill()
        return ""

    def _vcont(self, actions: str) -> str | None:
        """`vCont;s:TID;c`: step TID (or the selected thread), everything else continues."""
        step: int | None = None
        for action in actions.split(";"):
            verb, _, tid = action.partition(":")
            if verb[:1] not in ("c", "C", "s", "S") or (verb[:1] in "cs" and len(verb) > 1):
                raise BadPacket(f"vCont action {verb[:8]!r}")
            if verb[:1] in "CS":
                hex_number(verb[1:], 0x100)
            thread = self.selected if tid in ("", "-1") else hex_number(tid)
            if verb[:1] in "sS" and step is None:
                if thread is None or self._find(thread) is None:
                    return "E01"
                step = thread
        self._go(step, "")
        return None

    def _after_signal(self, body: str) -> str:
        """`C sig[;addr]`: the signal is not delivered (gdb passes the one it stopped with); the address."""
        number, _, address = body.partition(";")
        hex_number(number, 0x100)
        return address

    def _go(self, step_tid: int | None, address: str) -> None:
        """Resume (at `address` when gdb gives one), stepping `step_tid` if not None."""
        if address:
            self._regs()[self.arch.pc] = hex_number(address, self.address_limit)
        self._resume(step_tid)
        return None

    def _kill(self) -> NoReturn:
        if self.conn is not None:
            self.conn.close()
        self.conn = None
        raise GdbKill("emu: killed by gdb")

    def _detach_packet(self) -> None:
        if self.conn is not None:
            self.conn.send("OK")
        self._detach()

    def _detach(self) -> None:
        """gdb left: remove every breakpoint and let the guest run on by itself."""
        for handle in self.breakpoints.values():
            self.machine.uc.hook_del(handle)
        self.breakpoints, self.skip = {}, {}
        self._end_step()
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    # ---- threads, registers, memory ----------------------------------------------------------

    def _find(self, tid: int) -> Thread | None:
        return next((t for t in self.machine.threads if t.tid == tid and t.alive), None)

    def _thread(self, tid: int | None) -> Thread:
        found = self._find(tid) if tid is not None else None
        return found or self.machine.threads[0]

    def _select(self, text: str) -> str:
        """`Hg TID` / `Hc TID`: -1 is all threads, 0 any thread."""
        operation, tid_text = text[:1], text[1:]
        if operation not in ("g", "c"):
            raise BadPacket(f"H{operation}")
        if tid_text in ("-1", "0"):
            return "OK"
        tid = hex_number(tid_text)
        if self._find(tid) is None:
            return "E01"
        self.selected = tid
        return "OK"

    def _registers(self, thread: Thread) -> ThreadRegisters:
        return ThreadRegisters(self.machine, thread, live=thread.tid == self.live)

    def _regs(self) -> ThreadRegisters:
        return self._registers(self._thread(self.selected))

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
        if len(raw) != reg.bits // 8:
            raise BadPacket(f"{reg.gdb_name} takes {reg.bits // 8} bytes")
        if reg.emu_name:
            regs[reg.emu_name] = int.from_bytes(raw, self.arch.byteorder)

    def _write_all(self, text: str) -> str:
        data, regs, offset = hex_bytes(text), self._regs(), 0
        if len(data) != sum(reg.bits // 8 for reg in self.layout):
            raise BadPacket("G: not the size of the register set")
        for reg in self.layout:
            size = reg.bits // 8
            self._store(reg, data[offset : offset + size], regs)
            offset += size
        return "OK"

    def _write_one(self, text: str) -> str:
        number, value = fields(text, "=", 2)
        index = hex_number(number)
        if index >= len(self.layout):
            return "E45"
        self._store(self.layout[index], hex_bytes(value), self._regs())
        return "OK"

    def _read_memory(self, text: str) -> str:
        """`m addr,length`: as much of the range as is mapped from its start, at most a packet's
        worth (gdb asks again for the rest); E14 (EFAULT) when its first byte is unmapped."""
        address_text, length_text = fields(text, ",", 2)
        address, length = hex_number(address_text, self.address_limit), hex_number(length_text)
        length = min(length, MAX_PACKET // 2 - 16, self.address_limit - address)
        data = bytearray()
        page = self.arch.page_size
        while len(data) < length:
            here = address + len(data)
            piece = min(length - len(data), page - here % page)
            try:
                data += self.machine.memory.read(here, piece)
            except UcError:
                break
        return data.hex() if data or not length else "E14"

    def _write_memory(self, text: str) -> str:
        """`M addr,length:XX...`: the length must match the data; E14 when a byte is unmapped."""
        where_, data_text = fields(text, ":", 2)
        address_text, length_text = fields(where_, ",", 2)
        address, data = hex_number(address_text, self.address_limit), hex_bytes(data_text)
        if hex_number(length_text) != len(data) or address + len(data) > self.address_limit:
            raise BadPacket("M: length and data differ")
        try:
            self.machine.memory.write(address, data)
        except UcError:
            return "E14"
        return "OK"

    def _breakpoint(self, text: str, insert: bool) -> str:
        """`Z0/Z1,addr,kind`: software and hardware breakpoints are both code hooks; watchpoints
        (Z2-Z4) are not supported (empty reply), so gdb uses its own."""
        kind_text, address_text, size_text = fields(text.partition(";")[0], ",", 3)
        kind, address = hex_number(kind_text), hex_number(address_text, self.address_limit)
        hex_number(size_text)
        if kind not in (0, 1):
            return ""
        if insert and address not in self.breakpoints:
            if len(self.breakpoints) >= MAX_BREAKPOINTS:
                return "E0c"  # ENOMEM
            self.breakpoints[address] = self.machine.uc.hook_add(
                unicorn.UC_HOOK_CODE, self._on_breakpoint, None, address, address
            )
            # unicorn emits a code hook's call when it translates a block: a block translated while
            # no breakpoint was there (gdb lifts them all while stopped, and AArch64's step over an
            # LL/SC sequence runs through `cas` with only a temporary one) would never stop again.
            self.machine.uc.ctl_flush_tb()
        elif not insert and address in self.breakpoints:
            self.machine.uc.hook_del(self.breakpoints.pop(address))
        return "OK"
