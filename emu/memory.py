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

PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC = 0, 1, 2, 4
_TO_UC = {PROT_READ: UC_PROT_READ, PROT_WRITE: UC_PROT_WRITE, PROT_EXEC: UC_PROT_EXEC}


class OutOfMemory(Exception):
    """The guest asked for more than --mem-limit allows (mmap answers -ENOMEM)."""


@dataclass
class Mapping:
    start: int
    end: int
    prot: int
    name: str
    backed: bool = True  # False: a PROT_NONE reservation unicorn was never told about

    def piece(self, start: int, end: int, prot: int | None = None, backed: bool | None = None) -> Mapping:
        """The part [start, end) of this mapping, optionally with a new protection."""
        return Mapping(
            start,
            end,
            self.prot if prot is None else prot,
            self.name,
            self.backed if backed is None else backed,
        )


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
        """Accessible memory, what --mem-limit caps (PROT_NONE reservations cost nothing)."""
        return sum(m.end - m.start for m in self.mappings if m.backed)

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
        """Map fresh zeroed pages over [start, start+size), replacing what was there.

        A PROT_NONE mapping is only recorded: Go reserves hundreds of MiB that
        way, and giving them to unicorn (and unmapping them again when the
        runtime maps over them with MAP_FIXED) costs ~0.2 s per call. Touching
        one faults either way.
        """
        start, end = self.round_down(start), self.round_up(start + size)
        backed = prot != 0
        if backed:
            self._check_limit(end - start - self._backed_overlap(start, end))
        self.unmap(start, end - start)
        if backed:
            self.uc.mem_map(start, end - start, uc_prot(prot))
        bisect.insort(self.mappings, Mapping(start, end, prot, name, backed), key=lambda m: m.start)
        self._merge()

    def unmap(self, start: int, size: int) -> None:
        """Unmap [start, start+size), splitting mappings that straddle it."""
        start, end = self.round_down(start), self.round_up(start + size)
        for mapping in list(self.mappings):
            lo, hi = max(start, mapping.start), min(end, mapping.end)
            if lo >= hi:
                continue
            if mapping.backed:
                self.uc.mem_unmap(lo, hi - lo)
            self.mappings.remove(mapping)
            if mapping.start < lo:
                self.mappings.append(mapping.piece(mapping.start, lo))
            if hi < mapping.end:
                self.mappings.append(mapping.piece(hi, mapping.end))
        self.mappings.sort(key=lambda m: m.start)

    def protect(self, start: int, size: int, prot: int) -> None:
        """Change protection of mapped pages in [start, start+size).

        Pages of a PROT_NONE reservation get fresh zeroed memory the first time
        they become accessible, as the kernel would fault them in.
        """
        start, end = self.round_down(start), self.round_up(start + size)
        for mapping in list(self.mappings):
            lo, hi = max(start, mapping.start), min(end, mapping.end)
            if lo >= hi:
                continue
            backed = mapping.backed or prot != 0
            if mapping.backed:
                self.uc.mem_protect(lo, hi - lo, uc_prot(prot))
            elif backed:
                self._check_limit(hi - lo)
                self.uc.mem_map(lo, hi - lo, uc_prot(prot))
            self.mappings.remove(mapping)
            pieces = [
                mapping.piece(mapping.start, lo),
                mapping.piece(lo, hi, prot, backed),
                mapping.piece(hi, mapping.end),
            ]
            self.mappings += [piece for piece in pieces if piece.start < piece.end]
        self.mappings.sort(key=lambda m: m.start)
        self._merge()

    def _check_limit(self, extra: int) -> None:
        if self.mapped_bytes + extra > self.limit:
            raise OutOfMemory(f"guest memory limit of {self.limit} bytes reached")

    def zero(self, start: int, size: int) -> None:
        """Drop the pages of [start, start+size) so they read back as zeros (MADV_DONTNEED).

        Remapping is cheaper than writing zeros over large ranges and keeps the
        protection (unicorn's mem_write would ignore it anyway).
        """
        start, end = self.round_down(start), self.round_up(start + size)
        for mapping in self.mappings:
            lo, hi = max(start, mapping.start), min(end, mapping.end)
            if lo < hi and mapping.backed:
                self.uc.mem_unmap(lo, hi - lo)
                self.uc.mem_map(lo, hi - lo, uc_prot(mapping.prot))

    def _backed_overlap(self, start: int, end: int) -> int:
        return sum(max(0, min(end, m.end) - max(start, m.start)) for m in self.mappings if m.backed)

    def _merge(self) -> None:
        merged: list[Mapping] = []
        for mapping in self.mappings:
            last = merged[-1] if merged else None
            same = (
                (last.prot, last.name, last.backed) == (mapping.prot, mapping.name, mapping.backed)
                if last
                else False
            )
            if last and last.end == mapping.start and same:
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
