"""An Image: what a program is before it runs — placed sections, symbols, entry.

Both the assembler front end and the ELF reader produce Images; the loader maps
them. Addresses are final (the assembler lays sections out itself).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass
class Segment:
    """A contiguous, placed piece of the program with one protection."""

    name: str
    address: int
    data: bytes
    size: int  # >= len(data); the rest is zero-filled (bss)
    readable: bool = True
    writable: bool = False
    executable: bool = False

    @property
    def end(self) -> int:
        return self.address + self.size


@dataclass
class Image:
    arch: str
    segments: list[Segment]
    symbols: dict[str, int]
    entry: int
    source_lines: dict[int, tuple[str, int]] = field(default_factory=dict)
    alt_mode_symbols: set[str] = field(default_factory=set)
    path: str = ""
    initial_registers: dict[str, int] = field(default_factory=dict)  # e.g. ppc64 ELFv1 TOC in r2
    function_descriptors: bool = False  # ppc64 ELFv1: code pointers (signal handlers) are descriptors
    program_headers: list[tuple[int, int]] = field(default_factory=list)  # ELF: AT_PHDR/PHENT/PHNUM

    def symbolize(self, address: int) -> str:
        """`name+0x10` for the nearest symbol at or below `address`, else hex."""
        pairs = self._sorted_symbols()
        index = bisect.bisect_right(pairs, (address, "\uffff")) - 1
        if index < 0 or not any(seg.address <= address < seg.end for seg in self.segments):
            return f"{address:#x}"  # outside the program: no symbol+offset could be meant
        base, name = pairs[index]
        offset = address - base
        return name if offset == 0 else f"{name}+{offset:#x}"

    def _sorted_symbols(self) -> list[tuple[int, str]]:
        cached = getattr(self, "_symbol_cache", None)
        if cached is None or len(cached) != len(self.symbols):
            cached = sorted((addr, name) for name, addr in self.symbols.items())
            self._symbol_cache = cached
        return cached

    def where(self, address: int) -> str:
        """`file:line` of the source statement at `address`, if known."""
        location = self.source_lines.get(address)
        return f"{location[0]}:{location[1]}" if location else ""
