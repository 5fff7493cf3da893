"""`--trace`: one line per executed instruction, with what it changed.

    T1000 0x10000298 <atomicor8+0x8>  stbcx. 5, 0, 3   cr: 0x0 -> 0x20000000; mem 0x10020001/1 = f1

Unicorn calls a code hook *before* each instruction, so an instruction's effects
are known only when the next hook fires (or the slice ends): the line for
instruction N is printed at hook N+1 by diffing a register snapshot, and the
bytes it stored are read back from memory then (the write hook only says where).
Reading memory afterwards, rather than formatting the hook's value, also gets
the byte order right on every arch for free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

import unicorn
from unicorn import UcError

from emu import cpu
from emu.debug.common import Decoder, Insn

if TYPE_CHECKING:
    from emu.machine import Machine
    from emu.sched import Thread


@dataclass
class Step:
    """An instruction that has started but whose effects are not yet printed."""

    tid: int
    insn: Insn
    before: list[int]
    writes: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class TraceRecord:
    """What one instruction did (also handed to listeners, e.g. `emu explain`)."""

    tid: int
    insn: Insn
    regs: list[tuple[str, int, int]]  # name, old, new
    writes: list[tuple[int, bytes]]  # address, bytes now in memory


class Tracer:
    """Attach with `Tracer(machine, stream).install()`; filters narrow what is printed."""

    def __init__(
        self,
        machine: Machine,
        stream: TextIO | None,
        ranges: list[tuple[int, int]] | None = None,
        thread: int | None = None,
    ) -> None:
        self.machine, self.stream = machine, stream
        self.ranges, self.thread = ranges or [], thread
        self.decoder = Decoder(machine)
        self.names = [n for n in machine.arch.registers.general if n != machine.arch.pc]
        self.ids = [cpu.register_id(machine.arch, n) for n in self.names]
        self.pending: Step | None = None
        self.snapshot: list[int] | None = None  # registers after the last flushed instruction
        self.listeners: list = []  # callables taking a TraceRecord
        self.count = 0

    def install(self) -> Tracer:
        uc = self.machine.uc
        uc.hook_add(unicorn.UC_HOOK_CODE, self._on_code)
        uc.hook_add(unicorn.UC_HOOK_MEM_WRITE, self._on_write)
        self.machine.attachments.append(self)
        return self

    # ---- hooks --------------------------------------------------------------------------

    def _wanted(self, address: int) -> bool:
        if self.thread is not None and self.machine.running.tid != self.thread:
            return False
        return not self.ranges or any(lo <= address < hi for lo, hi in self.ranges)

    def _on_code(self, uc, address: int, size: int, _user) -> None:
        if self.pending is not None:
            self._flush(self.pending)
        if not self._wanted(address):
            self.snapshot = None
            return
        before = self.snapshot if self.snapshot is not None else self._read_regs()
        self.pending = Step(self.machine.running.tid, self.decoder.at(address), before)

    def _on_write(self, uc, access, address: int, size: int, value: int, _user) -> None:
        if self.pending is not None:
            self.pending.writes.append((address, size))

    def after_slice(self, thread: Thread) -> None:
        """The slice ended (preemption, syscall stop, fault): print the last instruction."""
        if self.pending is not None:
            self._flush(self.pending)
        self.snapshot = None

    # ---- output ------------------------------------------------------------------------

    def _read_regs(self) -> list[int]:
        return list(self.machine.uc.reg_read_batch(self.ids))

    def _flush(self, step: Step) -> None:
        """Print (and hand to the listeners) the instruction `step`, now that it has run."""
        self.pending = None
        after = self._read_regs()
        self.snapshot = after
        regs = [(n, a, b) for n, a, b in zip(self.names, step.before, after, strict=True) if a != b]
        record = TraceRecord(step.tid, step.insn, regs, [(a, self._read(a, s)) for a, s in step.writes])
        self.count += 1
        for listener in self.listeners:
            listener(record)
        if self.stream is not None:
            self.stream.write(self.format(record) + "\n")

    def _read(self, address: int, size: int) -> bytes:
        try:
            return self.machine.memory.read(address, size)
        except UcError:
            return b""

    def format(self, record: TraceRecord) -> str:
        where = f"{record.insn.address:#x} <{self.machine.image.symbolize(record.insn.address)}>"
        changes = [f"{name}: {old:#x} -> {new:#x}" for name, old, new in record.regs]
        changes += [f"mem {addr:#x}/{len(data)} = {data.hex(' ')}" for addr, data in record.writes]
        line = f"T{record.tid} {where}  {record.insn.text:<28}"
        return (line + "  " + "; ".join(changes)).rstrip() if changes else line.rstrip()
