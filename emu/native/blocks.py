"""Decoded basic blocks: what a block the engine reports contains, decoded once.

Unicorn's block hook gives an address and a size in bytes, not an instruction
count; this table disassembles each block with capstone on first sight and
keeps the instructions for anyone who wants to price them (emu.timing).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import capstone
import unicorn

from emu import cpu
from emu.arch import Arch
from emu.resources import data_dir


@dataclass
class Block:
    """One translated block: its address, byte size and decoded instructions."""

    address: int
    size: int
    insns: list[capstone.CsInsn]
    alt: str | None = None  # capstone alternate mode (e.g. "thumb") it was decoded in

    @property
    def ninsns(self) -> int:
        return max(1, len(self.insns))  # an undecodable block still runs (and faults) as one


@functools.cache
def arch_settings(arch_name: str) -> dict[str, Any]:
    """Per-arch decoding/timing settings from arch/timing/arches.toml."""
    data = tomllib.loads((data_dir("arch", "timing") / "arches.toml").read_text())
    return data[arch_name]


class BlockTable:
    """Blocks by address, decoded on first sight; listeners hear about each new block."""

    def __init__(self, uc: unicorn.Uc, arch: Arch) -> None:
        self.uc, self.arch = uc, arch
        self.blocks: dict[int, Block] = {}  # first sight wins, as in the C counter
        self.listeners: list[Callable[[Block], None]] = []
        self._alt = arch_settings(arch.name).get("alt_mode")
        self._disassemblers: dict[str | None, capstone.Cs] = {}

    def ninsns(self, address: int, size: int) -> int:
        """Instruction count of the block at `address` (decoding it if new)."""
        return self.lookup(address, size).ninsns

    def lookup(self, address: int, size: int) -> Block:
        block = self.blocks.get(address)
        if block is None:
            block = self._decode(address, size)
            self.blocks[address] = block
            for listener in self.listeners:
                listener(block)
        return block

    def _mode(self) -> str | None:
        """The alternate decoding mode in force (data-driven: e.g. ARM's CPSR.T -> thumb)."""
        if not self._alt:
            return None
        value = cpu.Registers(self.uc, self.arch)[self._alt["register"]]
        return self._alt["capstone"] if value & self._alt["mask"] else None

    def _decode(self, address: int, size: int) -> Block:
        alt = self._mode()
        cs = self._disassemblers.get(alt)
        if cs is None:
            cs = self._disassemblers[alt] = cpu.new_disassembler(self.arch, alt)
        code = bytes(self.uc.mem_read(address, size)) if size else b""
        return Block(address, size, list(cs.disasm(code, address)), alt)
