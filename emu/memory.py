"""The guest address space: mappings with protections, in the arch's page size.

Unicorn holds the bytes; this module is the one place that knows which ranges
are mapped, with what protection and why, so mmap/munmap/mprotect/mincore and
fault reports all agree.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import unicorn
from unicorn import UC_PROT_EXEC, UC_PROT_READ, UC_PROT_WRITE

PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4
_TO_UC = {PROT_READ: UC_PROT_READ, PROT_WRITE: UC_PROT_WRITE, PROT_EXEC: UC_PROT_EXEC}


class OutOfMemory(Exception):
    """The guest asked for more than --mem-limit allows (mmap answers -ENOMEM)."""


@dataclass
class Mapping:
    start: int
    end: int
    prot: int
    name: str

    def describe(self) -> str:
        perms = "".join(c if self.prot & bit else "-" for c, bit in (("r", 1), ("w", 2), ("x", 4)))
        return f"{self.start:#x}-{self.end:#x} {perms} {self.name}"


def uc_prot(prot: int) -> int:
    value = 0
    for bit, uc_bit in _TO_UC.items():
        if prot & bit:
            value |= uc_bit
    return value


class AddressSpace:
    """Page-granular mappings over one unicorn engine."""

    def __init__(self, uc: unicorn.Uc, page_size: int, limit: int) -> None:
        self.uc, self.page_size, self.limit = uc, page_size, limit
        self.mappings: list[Mapping] = []  # sorted, non-overlapping

    # ---- queries -----------------------------------------------------------------

    def round_up(self, value: int) -> int:
        return (value + self.page_size - 1) // self.page_size * self.page_size

    def round_down(self, value: int) -> int:
        return value // self.page_size * self.page_size

    @property
    def mapped_bytes(self) -> int:
        return sum(m.end - m.start for m in self.mappings)

    def find(self, address: int) -> Mapping | None:
        index = bisect.bisect_right([m.start for m in self.mappings], address) - 1
        if index >= 0 and self.mappings[index].start <= address < self.mappings[index].end:
            return self.mappings[index]
        return None

    def is_mapped(self, start: int, end: int) -> bool:
        """True if every byte of [start, end) is mapped."""
        cursor = start
        for mapping in self.mappings:
            if mapping.end <= cursor:
                continue
            if mapping.start > cursor:
                return False
            cursor = mapping.end
            if cursor >= end:
                return True
        return cursor >= end

    def is_free(self, start: int, end: int) -> bool:
        return all(m.end <= start or m.start >= end for m in self.mappings)

    def find_free(self, size: int, hint: int = 0, floor: int = 0x10000, ceiling: int = 1 << 47) -> int | None:
        """The lowest free range of `size` bytes at or above `hint` (or `floor`)."""
        candidate = self.round_up(max(hint, floor))
        for mapping in self.mappings:
            if mapping.end <= candidate:
                continue
            if mapping.start >= candidate + size:
                break
            candidate = self.round_up(mapping.end)
        return candidate if candidate + size <= ceiling else None

    # ---- changes -----------------------------------------------------------------

    def map(self, start: int, size: int, prot: int, name: str) -> None:
        """Map fresh zeroed pages over [start, start+size), replacing what was there."""
        start, end = self.round_down(start), self.round_up(start + size)
        replaced = self._overlap(start, end)
        if self.mapped_bytes - replaced + (end - start) > self.limit:
            raise OutOfMemory(f"guest memory limit of {self.limit} bytes reached")
        self.unmap(start, end - start)
        self.uc.mem_map(start, end - start, uc_prot(prot))
        bisect.insort(self.mappings, Mapping(start, end, prot, name), key=lambda m: m.start)
        self._merge()

    def unmap(self, start: int, size: int) -> None:
        """Unmap [start, start+size), splitting mappings that straddle it."""
        start, end = self.round_down(start), self.round_up(start + size)
        for mapping in list(self.mappings):
            lo, hi = max(start, mapping.start), min(end, mapping.end)
            if lo >= hi:
                continue
            self.uc.mem_unmap(lo, hi - lo)
            self.mappings.remove(mapping)
            if mapping.start < lo:
                self.mappings.append(Mapping(mapping.start, lo, mapping.prot, mapping.name))
            if hi < mapping.end:
                self.mappings.append(Mapping(hi, mapping.end, mapping.prot, mapping.name))
        self.mappings.sort(key=lambda m: m.start)

    def protect(self, start: int, size: int, prot: int) -> None:
        """Change protection of mapped pages in [start, start+size)."""
        start, end = self.round_down(start), self.round_up(start + size)
        for mapping in list(self.mappings):
            lo, hi = max(start, mapping.start), min(end, mapping.end)
            if lo >= hi:
                continue
            self.uc.mem_protect(lo, hi - lo, uc_prot(prot))
            self.mappings.remove(mapping)
            pieces = [(mapping.start, lo, mapping.prot), (lo, hi, prot), (hi, mapping.end, mapping.prot)]
            self.mappings += [Mapping(a, b, p, mapping.name) for a, b, p in pieces if a < b]
        self.mappings.sort(key=lambda m: m.start)
        self._merge()

    def zero(self, start: int, size: int) -> None:
        """Drop the pages of [start, start+size) so they read back as zeros (MADV_DONTNEED).

        Remapping is cheaper than writing zeros over large ranges and keeps the
        protection (unicorn's mem_write would ignore it anyway).
        """
        start, end = self.round_down(start), self.round_up(start + size)
        for mapping in self.mappings:
            lo, hi = max(start, mapping.start), min(end, mapping.end)
            if lo < hi:
                self.uc.mem_unmap(lo, hi - lo)
                self.uc.mem_map(lo, hi - lo, uc_prot(mapping.prot))

    def _overlap(self, start: int, end: int) -> int:
        return sum(max(0, min(end, m.end) - max(start, m.start)) for m in self.mappings)

    def _merge(self) -> None:
        merged: list[Mapping] = []
        for mapping in self.mappings:
            last = merged[-1] if merged else None
            if last and last.end == mapping.start and last.prot == mapping.prot and last.name == mapping.name:
                last.end = mapping.end
            else:
                merged.append(mapping)
        self.mappings = merged

    # ---- bytes -------------------------------------------------------------------

    def read(self, address: int, size: int) -> bytes:
        return bytes(self.uc.mem_read(address, size))

    def write(self, address: int, data: bytes) -> None:
        self.uc.mem_write(address, bytes(data))

    def read_cstring(self, address: int, limit: int = 4096) -> bytes:
        out = bytearray()
        while len(out) < limit:
            chunk = self.read(address + len(out), 1)
            if chunk == b"\0":
                break
            out += chunk
        return bytes(out)
