"""Translated blocks on first sight: counted, and shown to whoever inspects new code.

Unicorn's block hook gives an address and a size in bytes, not an instruction
count; this table counts each block once (by size, or capstone's lite decode) and
hands it to the inspectors (the privileged-instruction check, the timing profiler),
which read its bytes or decode it only as far as they need.
"""

from __future__ import annotations

from collections.abc import Callable

import capstone
import unicorn

from emu import cpu
from emu.arch import Arch


class FirstSight:
    """A block on first sight, seen as cheaply as its checks allow: its bytes and capstone's
    lite decode (address, size, mnemonic, operands) are read only when someone asks.

    Every run inspects every new block (privileged instructions, see emu/faults.py); building
    capstone instruction objects for that costs ~80 µs per instruction through the Python
    binding, so inspectors get the raw bytes (enough for fixed-width encodings) and the lite
    tuples on demand, and counting a fixed-width block reads nothing at all."""

    def __init__(self, table: BlockTable, address: int, size: int, alt: str | None) -> None:
        self.address, self.size, self.alt = address, size, alt
        self.width = table.insn_width if alt is None else 0  # 0: variable width in this mode
        self._table = table
        self._code: bytes | None = None
        self._lite: list[tuple[int, int, str, str]] | None = None

    @property
    def code(self) -> bytes:
        if self._code is None:
            self._code = bytes(self._table.uc.mem_read(self.address, self.size)) if self.size else b""
        return self._code

    def lite(self) -> list[tuple[int, int, str, str]]:
        """(address, size, mnemonic, operands) of each instruction, decoded once."""
        if self._lite is None:
            self._lite = list(self._table.disassembler(self.alt).disasm_lite(self.code, self.address))
        return self._lite

    def instructions(self) -> list[tuple[int, bytes]]:
        """(address, encoding) of each instruction: cut by width, else by the lite decode."""
        code = self.code
        if self.width:
            return [(self.address + at, code[at : at + self.width]) for at in range(0, len(code), self.width)]
        return [(address, code[address - self.address :][:size]) for address, size, _, _ in self.lite()]

    def ninsns(self) -> int:
        """Instructions in the block (an undecodable block still runs, and faults, as one)."""
        if self.width:
            return max(1, self.size // self.width)
        return max(1, len(self.lite()))


class BlockTable:
    """Blocks by address, counted on first sight.

    Counting is what every run needs, on every new block: by size where the code has a
    fixed instruction width (`[timing] insn_width` in the arch.toml), else a lite capstone
    pass that builds no instruction objects. Inspectors see each block once, undecoded.
    """

    def __init__(self, uc: unicorn.Uc, arch: Arch) -> None:
        self.uc, self.arch = uc, arch
        self.inspectors: list[Callable[[FirstSight], None]] = []  # every block, once, undecoded
        self._alt = arch.timing.alt_mode
        self.insn_width = arch.timing.insn_width
        self._seen: dict[int, tuple[int, int]] = {}  # address -> (instructions, bytes)
        self._disassemblers: dict[str | None, capstone.Cs] = {}

    def ninsns(self, address: int, size: int) -> int:
        """Instruction count of the block at `address` (counted once, at first sight: first
        sight wins, as in the C counter)."""
        seen = self._seen.get(address)
        if seen is None:
            seen = self._seen[address] = (self._first_sight(address, size).ninsns(), size)
        return seen[0]

    def inspect(self, inspector: Callable[[FirstSight], None]) -> None:
        """Show `inspector` every block at first sight: those seen so far, then each new one."""
        for address, (_, size) in list(self._seen.items()):
            inspector(FirstSight(self, address, size, self._mode()))
        self.inspectors.append(inspector)

    def _mode(self) -> str | None:
        """The alternate decoding mode in force (data-driven: e.g. ARM's CPSR.T -> thumb)."""
        if not self._alt:
            return None
        value = cpu.Registers(self.uc, self.arch)[self._alt.register]
        return self._alt.capstone if value & self._alt.mask else None

    def disassembler(self, alt: str | None) -> capstone.Cs:
        """The arch's capstone (details on) for the main or an alternate mode, made once."""
        cs = self._disassemblers.get(alt)
        if cs is None:
            cs = self._disassemblers[alt] = cpu.new_disassembler(self.arch, alt)
        return cs

    def _first_sight(self, address: int, size: int) -> FirstSight:
        """Count a block (by size where the width is fixed) and show it to the inspectors,
        without building capstone instruction objects."""
        sight = FirstSight(self, address, size, self._mode())
        self._inspect(sight)
        return sight

    def _inspect(self, sight: FirstSight) -> None:
        for inspector in self.inspectors:
            inspector(sight)
