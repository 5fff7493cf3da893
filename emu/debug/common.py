"""Shared pieces of the debugging tools: per-arch debug data, decoding, ranges, hex dumps.

Every tool in emu/debug attaches to a Machine from outside (unicorn hooks plus
`machine.attachments`), so they all need the same few services: decode the
instruction at a pc (cached: tracing decodes the same loop body millions of
times), turn `SYMBOL`, `ADDR-ADDR` or `ADDR:LEN` into an address range, and
read/write registers of any thread, running or parked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unicorn import UcError

from emu import cpu
from emu.errors import UsageError
from emu.image import Image

if TYPE_CHECKING:
    import capstone

    from emu.machine import Machine
    from emu.sched import Thread


@dataclass(frozen=True)
class Insn:
    """One decoded instruction (what the tools print and match on)."""

    address: int
    size: int
    mnemonic: str
    op_str: str

    @property
    def text(self) -> str:
        return f"{self.mnemonic} {self.op_str}".strip()


class Decoder:
    """Capstone with a per-(pc, mode) cache; ARM picks Thumb from CPSR.T like the CPU does."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.arch = machine.arch
        self._cs: dict[str | None, capstone.Cs] = {None: cpu.new_disassembler(self.arch)}
        self._cache: dict[tuple[int, bool], Insn] = {}

    def in_alt_mode(self) -> bool:
        return self.machine.in_alt_mode()

    def at(self, pc: int, alt: bool | None = None) -> Insn:
        alt = self.in_alt_mode() if alt is None else alt
        key = (pc, alt)
        insn = self._cache.get(key)
        if insn is None:
            insn = self._cache[key] = self._decode(pc, alt)
        return insn

    def _decode(self, pc: int, alt: bool) -> Insn:
        try:
            code = self.machine.memory.read(pc, 16)
        except UcError:
            return Insn(pc, 4, "(unmapped)", "")
        mode = self.arch.alt_mode(alt)
        if mode not in self._cs:
            self._cs[mode] = cpu.new_disassembler(self.arch, mode)
        for found in self._cs[mode].disasm(code, pc, 1):
            return Insn(pc, found.size, found.mnemonic, found.op_str)
        return Insn(pc, 4, "(undecodable)", code[:4].hex())

    def block(self, start: int, size: int, alt: bool = False) -> list[Insn]:
        """The instructions of a basic block (for the post-mortem ring buffer)."""
        out, pc = [], start
        while pc < start + size:
            insn = self.at(pc, alt)
            out.append(insn)
            pc += insn.size
        return out


def where(image: Image, pc: int) -> str:
    """`0x10000290 <atomicor8+0x4>`."""
    return f"{pc:#x} <{image.symbolize(pc)}>"


# ---- ranges ---------------------------------------------------------------------------------


def symbol_extent(image: Image, name: str) -> tuple[int, int]:
    """[start, end) of a symbol: up to the next symbol at a higher address, or its segment's end."""
    if name not in image.symbols:
        raise UsageError(f"unknown symbol '{name}'")
    start = image.symbols[name]
    higher = [addr for addr in image.symbols.values() if addr > start]
    segment_end = next((s.end for s in image.segments if s.address <= start < s.end), start + 4)
    return start, min(higher + [segment_end])


def _number(text: str, image: Image) -> int:
    """`0x1000`, `4096`, `SYM` or `SYM+OFF` (a byte inside a data object: `m+1:1`)."""
    text = text.strip()
    if text in image.symbols:
        return image.symbols[text]
    base, plus, offset = text.partition("+")
    try:
        if plus and base.strip() in image.symbols:
            return image.symbols[base.strip()] + int(offset.strip(), 0)
        return int(text, 0)
    except ValueError:
        raise UsageError(f"not an address or symbol: '{text}'") from None


def parse_range(text: str, image: Image, default_len: int | None = None) -> tuple[int, int]:
    """`SYM`, `SYM:LEN`, `ADDR:LEN` or `ADDR-ADDR` (end exclusive) -> [start, end); SYM+OFF for ADDR.

    A bare symbol covers up to the next symbol (a function, or a data object);
    a bare address covers `default_len` bytes.
    """
    match = re.fullmatch(r"(.+?)-(0x[0-9a-fA-F]+|\d+)", text.strip())
    if match:
        start, end = _number(match.group(1), image), _number(match.group(2), image)
    elif ":" in text:
        base, length = text.rsplit(":", 1)
        start = _number(base, image)
        end = start + _number(length, image)
    elif text.strip() in image.symbols and default_len is None:
        start, end = symbol_extent(image, text.strip())
    else:
        start = _number(text, image)
        end = start + (default_len or 1)
    if end <= start:
        raise UsageError(f"empty range '{text}'")
    return start, end


# ---- registers of any thread --------------------------------------------------------------


class ThreadRegisters:
    """Registers of a guest thread: live in the engine when it is current, else in its saved context.

    `live` says the engine holds them although the thread has a saved context: a runtime call
    made on its behalf (emu/runtime/calls.py) is running, and a debugger stopped inside it wants
    the call's registers, not those the thread will resume with.
    """

    def __init__(self, machine: Machine, thread: Thread, live: bool = False) -> None:
        self.machine, self.thread = machine, thread
        self.live = live

    def __getitem__(self, name: str) -> int:
        reg = cpu.register_id(self.machine.arch, name)
        if self.live:
            return self.machine.uc.reg_read(reg)
        return self.thread.context.reg_read(reg)

    def __setitem__(self, name: str, value: int) -> None:
        reg = cpu.register_id(self.machine.arch, name)
        if self.live:
            self.machine.uc.reg_write(reg, value)
        else:
            self.thread.context.reg_write(reg, value)


def hexdump(data: bytes, changed: set[int] | None = None) -> tuple[str, str]:
    """`01 f1 01 01` and a marker line with `^^` under the changed bytes."""
    changed = changed or set()
    hexes = " ".join(f"{b:02x}" for b in data)
    marks = " ".join("^^" if i in changed else "  " for i in range(len(data)))
    return hexes, marks.rstrip()
