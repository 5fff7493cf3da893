"""The guest address space: mappings with protections, in the arch's page size.

Unicorn holds the bytes; this module is the one place that knows which ranges
are mapped, with what protection and why, so mmap/munmap/mprotect/mincore and
fault reports all agree.

It is also the one budget for the host memory a guest can make emu use
(--mem-limit): accessible guest pages plus the records emu keeps for the guest
(a thread's CPU context, a signal frame's saved state: `charge`/`release`).
A guest over the budget gets -ENOMEM (or -EAGAIN, or SIGSEGV for a signal
frame) instead of the host running out. Mappings are a sorted list searched
with bisect, so each call costs O(log n) plus the mappings it touches (a loop
of MAP_FIXED reservations stays linear overall), and their number is capped as
Linux caps it (vm.max_map_count).
"""

from __future__ import annotations

import bisect
import os
import resource
from collections.abc import Callable
from dataclasses import dataclass

import unicorn
from unicorn import UC_PROT_EXEC, UC_PROT_READ, UC_PROT_WRITE

from emu.kernel.abi import Prot

# The guest's mmap protections (defined once, in the kernel's ABI constants) as plain ints.
PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC = (
    int(p) for p in (Prot.PROT_NONE, Prot.PROT_READ, Prot.PROT_WRITE, Prot.PROT_EXEC)
)
_TO_UC = {PROT_READ: UC_PROT_READ, PROT_WRITE: UC_PROT_WRITE, PROT_EXEC: UC_PROT_EXEC}
DEFAULT_MEM_LIMIT = 1 << 30  # --mem-limit's default: 1 GiB of guest memory and records
MAX_MAP_COUNT = 65530  # Linux's default vm.max_map_count: more mappings is -ENOMEM
HOST_RESERVE = 512 << 20  # host memory kept free for emu itself (interpreter, translated code)
# Unicorn's mem_map/mem_protect/mem_unmap slow down steeply with the number of regions it holds
# (measured: ~0.3 ms per call at 1,000 regions, ~30 ms at 4,000, seconds beyond): a guest that
# fragments its memory further gets -ENOMEM, so every syscall stays cheap.
MAX_ENGINE_REGIONS = 1024


class OutOfMemory(Exception):
    """The guest asked for more than --mem-limit (or the host) allows (mmap answers -ENOMEM)."""


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

    @property
    def backed_size(self) -> int:
        return self.end - self.start if self.backed else 0

    def joins(self, other: Mapping) -> bool:
        """True if `other` continues this mapping with the same attributes (so they merge)."""
        return self.end == other.start and (self.prot, self.name, self.backed) == (
            other.prot,
            other.name,
            other.backed,
        )


def uc_prot(prot: int) -> int:
    value = 0
    for bit, uc_bit in _TO_UC.items():
        if prot & bit:
            value |= uc_bit
    return value


def host_headroom() -> int:
    """Bytes emu may still add to its address space before the host refuses: the smaller of
    RLIMIT_AS (`ulimit -v`) and physical memory, less what emu already uses and HOST_RESERVE.
    Unicorn crashes (or answers UC_ERR_NOMEM mid-run) when it cannot get memory, so a guest
    mapping must fail with -ENOMEM before that point."""
    page = os.sysconf("SC_PAGE_SIZE")
    physical = os.sysconf("SC_PHYS_PAGES") * page
    with open("/proc/self/statm") as statm:
        size_pages, resident_pages = (int(field) for field in statm.read().split()[:2])
    room = physical - resident_pages * page
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        room = min(room, soft - size_pages * page)
    return room - HOST_RESERVE


class AddressSpace:
    """Page-granular mappings over one unicorn engine, and the --mem-limit budget."""

    def __init__(self, uc: unicorn.Uc, page_size: int, limit: int) -> None:
        self.uc, self.page_size, self.limit = uc, page_size, limit
        self.mappings: list[Mapping] = []  # sorted, non-overlapping
        self._starts: list[int] = []  # mappings[i].start, for bisect
        self.mapped_bytes = 0  # accessible memory (PROT_NONE reservations cost nothing)
        self.record_bytes = 0  # emu's own records for the guest (contexts, signal frames)
        self._first_gap: dict[int, int] = {}  # find_free floor -> lowest address not known mapped
        self._engine_regions = 0  # an upper bound on unicorn's region count (recounted when high)
        # Called before emu's own code reads or writes guest bytes: a memory model (emu/memmodel/
        # attach.py) first makes every store visible, so the kernel sees coherent memory.
        self.before_host_access: Callable[[], None] | None = None

    # ---- queries -----------------------------------------------------------------

    def round_up(self, value: int) -> int:
        return (value + self.page_size - 1) // self.page_size * self.page_size

    def round_down(self, value: int) -> int:
        return value // self.page_size * self.page_size

    def _span(self, start: int, end: int) -> tuple[int, int]:
        """Indices [first, last) of the mappings that overlap [start, end)."""
        first = bisect.bisect_right(self._starts, start) - 1
        if first < 0 or self.mappings[first].end <= start:
            first += 1
        return first, max(first, bisect.bisect_left(self._starts, end))

    def find(self, address: int) -> Mapping | None:
        index = bisect.bisect_right(self._starts, address) - 1
        if index >= 0 and address < self.mappings[index].end:
            return self.mappings[index]
        return None

    def is_mapped(self, start: int, end: int) -> bool:
        """True if every byte of [start, end) is mapped."""
        first, last = self._span(start, end)
        cursor = start
        for mapping in self.mappings[first:last]:
            if mapping.start > cursor:
                return False
            cursor = mapping.end
        return cursor >= end

    def is_free(self, start: int, end: int) -> bool:
        first, last = self._span(start, end)
        return first == last

    def find_free(self, size: int, hint: int = 0, floor: int = 0x10000, ceiling: int = 1 << 47) -> int | None:
        """The lowest free range of `size` bytes at or above `hint` (or `floor`).

        Remembers, per floor, where the first hole above it is, so a run of
        mmaps that fill the space from the bottom does not rescan it each time."""
        candidate = self.round_up(max(hint, floor))
        known = self._first_gap.get(floor, floor)
        from_floor = candidate <= known
        candidate = max(candidate, known)
        index, _ = self._span(candidate, candidate + 1)
        while index < len(self.mappings):
            mapping = self.mappings[index]
            if mapping.start >= candidate + size:
                break
            if from_floor and mapping.start > candidate:
                self._first_gap[floor], from_floor = candidate, False
            candidate = self.round_up(max(candidate, mapping.end))
            index += 1
        if from_floor:
            self._first_gap[floor] = candidate
        return candidate if candidate + size <= ceiling else None

    # ---- the budget ----------------------------------------------------------------

    def charge(self, size: int) -> None:
        """Count `size` bytes of emu's own records for the guest against --mem-limit."""
        self._check_limit(size)
        self.record_bytes += size

    def release(self, size: int) -> None:
        self.record_bytes -= size

    def _check_limit(self, extra: int) -> None:
        if self.mapped_bytes + self.record_bytes + extra > self.limit:
            raise OutOfMemory(f"guest memory limit of {self.limit} bytes reached")

    def _check_host(self, extra: int) -> None:
        if extra > host_headroom():
            raise OutOfMemory("the host has no memory left for the guest")

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
        first, last = self._span(start, end)
        if backed:
            old = sum(min(end, m.end) - max(start, m.start) for m in self.mappings[first:last] if m.backed)
            self._check_limit(end - start - old)
            self._check_host(end - start - old)
        self._check_count(first, last, self._remnants(first, last, start, end) + 1)
        self._check_engine(2 * self._backed_count(first, last) + backed)
        self._remove(start, end)
        if backed:
            self._uc_map(start, end - start, prot)
        index = bisect.bisect_left(self._starts, start)
        self._replace(index, index, [Mapping(start, end, prot, name, backed)])

    def unmap(self, start: int, size: int) -> None:
        """Unmap [start, start+size), splitting mappings that straddle it."""
        start, end = self.round_down(start), self.round_up(start + size)
        first, last = self._span(start, end)
        self._check_count(first, last, self._remnants(first, last, start, end))
        self._check_engine(2 * self._backed_count(first, last))
        self._remove(start, end)
        for floor, gap in self._first_gap.items():
            if start < gap:
                self._first_gap[floor] = max(floor, start)

    def _remove(self, start: int, end: int) -> None:
        first, last = self._span(start, end)
        pieces = []
        for mapping in self.mappings[first:last]:
            lo, hi = max(start, mapping.start), min(end, mapping.end)
            if mapping.backed:
                self.uc.mem_unmap(lo, hi - lo)
            if mapping.start < lo:
                pieces.append(mapping.piece(mapping.start, lo))
            if hi < mapping.end:
                pieces.append(mapping.piece(hi, mapping.end))
        self._replace(first, last, pieces)

    def protect(self, start: int, size: int, prot: int) -> None:
        """Change protection of mapped pages in [start, start+size).

        Pages of a PROT_NONE reservation get fresh zeroed memory the first time
        they become accessible, as the kernel would fault them in.
        """
        start, end = self.round_down(start), self.round_up(start + size)
        first, last = self._span(start, end)
        if prot:
            fresh = sum(
                min(end, m.end) - max(start, m.start) for m in self.mappings[first:last] if not m.backed
            )
            self._check_limit(fresh)
            self._check_host(fresh)
        self._check_count(first, last, last - first + self._remnants(first, last, start, end))
        self._check_engine(2 * (last - first) if prot else 2 * self._backed_count(first, last))
        pieces = []
        for mapping in self.mappings[first:last]:
            lo, hi = max(start, mapping.start), min(end, mapping.end)
            backed = mapping.backed or prot != 0
            if mapping.backed:
                self.uc.mem_protect(lo, hi - lo, uc_prot(prot))
            elif backed:
                self._uc_map(lo, hi - lo, prot)
            parts = (
                mapping.piece(mapping.start, lo),
                mapping.piece(lo, hi, prot, backed),
                mapping.piece(hi, mapping.end),
            )
            pieces += [part for part in parts if part.start < part.end]
        self._replace(first, last, pieces)

    def zero(self, start: int, size: int) -> None:
        """Drop the pages of [start, start+size) so they read back as zeros (MADV_DONTNEED).

        Remapping is cheaper than writing zeros over large ranges and keeps the
        protection (unicorn's mem_write would ignore it anyway).
        """
        start, end = self.round_down(start), self.round_up(start + size)
        first, last = self._span(start, end)
        self._check_engine(2 * self._backed_count(first, last))
        for mapping in self.mappings[first:last]:
            lo, hi = max(start, mapping.start), min(end, mapping.end)
            if mapping.backed:
                self.uc.mem_unmap(lo, hi - lo)
                self._uc_map(lo, hi - lo, mapping.prot)

    def _uc_map(self, start: int, size: int, prot: int) -> None:
        """Give unicorn the pages; its own allocation failing is -ENOMEM too, never a crash."""
        try:
            self.uc.mem_map(start, size, uc_prot(prot))
        except unicorn.UcError as err:
            if err.errno != unicorn.UC_ERR_NOMEM:
                raise
            raise OutOfMemory("the CPU engine could not allocate guest memory") from None

    def _backed_count(self, first: int, last: int) -> int:
        return sum(1 for mapping in self.mappings[first:last] if mapping.backed)

    def _check_engine(self, added: int) -> None:
        """A change that may add `added` unicorn regions (new ones, or splits) stays under
        MAX_ENGINE_REGIONS; the exact count is only asked for near the cap (it costs O(n))."""
        self._engine_regions += added
        if self._engine_regions > MAX_ENGINE_REGIONS:
            self._engine_regions = sum(1 for _ in self.uc.mem_regions()) + added
            if self._engine_regions > MAX_ENGINE_REGIONS:
                self._engine_regions -= added
                raise OutOfMemory(f"more than {MAX_ENGINE_REGIONS} separately mapped ranges")

    def _remnants(self, first: int, last: int, start: int, end: int) -> int:
        """How many of mappings[first:last] stick out of [start, end) (they split, 0-2)."""
        if first == last:
            return 0
        return (self.mappings[first].start < start) + (self.mappings[last - 1].end > end)

    def _check_count(self, first: int, last: int, added: int) -> None:
        """A change that replaces mappings[first:last] by up to `added` pieces stays under
        MAX_MAP_COUNT (Linux: -ENOMEM)."""
        if len(self.mappings) - (last - first) + added > MAX_MAP_COUNT:
            raise OutOfMemory(f"more than {MAX_MAP_COUNT} mappings")

    def _replace(self, first: int, last: int, pieces: list[Mapping]) -> None:
        """mappings[first:last] = pieces (sorted), keeping the totals, then merge at the seams."""
        self.mapped_bytes += sum(p.backed_size for p in pieces) - sum(
            m.backed_size for m in self.mappings[first:last]
        )
        self.mappings[first:last] = pieces
        self._starts[first:last] = [p.start for p in pieces]
        low, high = max(first - 1, 0), min(first + len(pieces), len(self.mappings) - 1)
        index = low
        while index < high:
            left, right = self.mappings[index], self.mappings[index + 1]
            if left.joins(right):
                left.end = right.end
                del self.mappings[index + 1], self._starts[index + 1]
                high -= 1
            else:
                index += 1

    # ---- bytes -------------------------------------------------------------------

    def read(self, address: int, size: int) -> bytes:
        if self.before_host_access is not None:
            self.before_host_access()
        return bytes(self.uc.mem_read(address, size))

    def write(self, address: int, data: bytes) -> None:
        if self.before_host_access is not None:
            self.before_host_access()
        self.uc.mem_write(address, bytes(data))

    def read_cstring(self, address: int, limit: int = 4096) -> bytes:
        out = bytearray()
        while len(out) < limit:
            chunk = self.read(address + len(out), 1)
            if chunk == b"\0":
                break
            out += chunk
        return bytes(out)
