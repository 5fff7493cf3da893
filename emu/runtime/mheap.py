"""The heap arena, its bitmap and its spans (mheap.go / mbitmap.go of Go 1.4, in miniature).

Layout, as in the seed: one reservation [bitmap | arena]. The arena grows up
from arena_start in whole pages mapped with sysMap; the heap bitmap grows DOWN
from arena_start: 4 bits per heap word (gcBits), two words per byte, the bits
for word `off` in byte `arena_start - off/2 - 1` at shift `(off % 2) * 4`:

    bit 0  bitBoundary  first word of an allocated object
    bit 1  bitMarked    set by the collector with the atomicor8 stub
    bits 2-3            bitsDead / bitsScalar / bitsPointer (from the type's GC mask)

The bitmap lives in guest memory; the span table (which pages belong to which
span, which slots are free) is the runtime's own bookkeeping.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emu.runtime.mem import OSMemory, OutOfMemory

PAGE_SHIFT = 13
PAGE = 1 << PAGE_SHIFT  # the runtime's page (Go's _PageSize), not the OS page
ARENA_BYTES = 16 << 20
ARENA_HINTS_64 = (0xC000000000, 0x1C000000000, 0x2C000000000)  # Go's 0x00c0<<32 and on
GROW_MIN = 256 << 10
BIT_BOUNDARY, BIT_MARKED = 0x1, 0x2
GC_BITS = 4


@dataclass(eq=False)
class Span:
    """Pages [start, start + npages*PAGE) holding `nelems` objects of `elemsize` bytes."""

    start: int
    npages: int
    elemsize: int = 0
    sizeclass: int = 0  # 0: one large object
    free: list[int] = field(default_factory=list)  # free slot indices, lowest first
    needzero: bool = False  # some slot was used before: allocations must memclr
    in_use: bool = False

    @property
    def nelems(self) -> int:
        return self.npages * PAGE // self.elemsize if self.elemsize else 0

    @property
    def end(self) -> int:
        return self.start + self.npages * PAGE

    def base(self, index: int) -> int:
        return self.start + index * self.elemsize


class MHeap:
    """Arena reservation and growth, the page-level span allocator and bitmap addressing."""

    def __init__(self, os_memory: OSMemory, word: int, bits: int, memory) -> None:
        self.os, self.word, self.bits, self.memory = os_memory, word, bits, memory
        self.bitmap_bytes = ARENA_BYTES // word // 2
        self.arena_start = self.arena_used = self.arena_end = 0
        self.reserved = False
        self.bitmap_mapped = 0
        self.free_spans: list[Span] = []
        self.spans: dict[int, Span] = {}  # page number -> in-use span

    # ---- the arena -------------------------------------------------------------------------

    def init(self) -> None:
        """mallocinit: reserve bitmap + arena at Go's hints (64-bit) or anywhere (32-bit)."""
        total = self.bitmap_bytes + ARENA_BYTES
        hints = ARENA_HINTS_64 if self.bits == 64 else (0,)
        for hint in hints:
            v = hint - self.bitmap_bytes if hint else 0
            p, reserved = self.os.sys_reserve(v, total)
            if p:
                self.arena_start = self.arena_used = p + self.bitmap_bytes
                self.arena_end = self.arena_start + ARENA_BYTES
                self.reserved = reserved
                return
        raise OutOfMemory("runtime: cannot reserve arena virtual address space")

    def grow(self, npages: int) -> None:
        """sysMap more arena (at least GROW_MIN, whole OS pages) and the bitmap that covers it."""
        n = self.os.round(max(npages * PAGE, GROW_MIN))
        if self.arena_used + n > self.arena_end:
            raise OutOfMemory("runtime: out of memory: arena exhausted")
        self.os.sys_map(self.arena_used, n, self.reserved)
        self._map_bits(self.arena_used + n)
        self._free(Span(self.arena_used, n // PAGE))
        self.arena_used += n

    def _map_bits(self, arena_used: int) -> None:
        """mHeap_MapBits: the bitmap below arena_start, mapped in whole OS pages."""
        need = self.os.round((arena_used - self.arena_start) // self.word // 2)
        if need > self.bitmap_mapped:
            self.os.sys_map(self.arena_start - need, need - self.bitmap_mapped, self.reserved)
            self.bitmap_mapped = need

    # ---- spans -------------------------------------------------------------------------------

    def alloc_span(self, npages: int) -> Span:
        """First fit among free spans (split), growing the arena when none fits."""
        for _ in range(2):
            for span in sorted(self.free_spans, key=lambda s: s.start):
                if span.npages >= npages:
                    return self._take(span, npages)
            self.grow(npages)
        raise OutOfMemory("runtime: out of memory")

    def _take(self, span: Span, npages: int) -> Span:
        self.free_spans.remove(span)
        if span.npages > npages:
            self.free_spans.append(
                Span(span.start + npages * PAGE, span.npages - npages, needzero=span.needzero)
            )
        taken = Span(span.start, npages, needzero=span.needzero, in_use=True)
        for page in range(npages):
            self.spans[(taken.start >> PAGE_SHIFT) + page] = taken
        return taken

    def free_span(self, span: Span) -> None:
        for page in range(span.npages):
            self.spans.pop((span.start >> PAGE_SHIFT) + page, None)
        self._free(Span(span.start, span.npages, needzero=True))

    def _free(self, span: Span) -> None:
        self.free_spans.append(span)

    def span_of(self, address: int) -> Span | None:
        if not self.arena_start <= address < self.arena_used:
            return None
        return self.spans.get(address >> PAGE_SHIFT)

    def in_use_spans(self) -> list[Span]:
        return sorted(set(self.spans.values()), key=lambda s: s.start)

    # ---- the bitmap --------------------------------------------------------------------------

    def bitp(self, address: int) -> tuple[int, int]:
        """(bitmap byte, shift) of the heap word at `address`."""
        off = (address - self.arena_start) // self.word
        return self.arena_start - off // 2 - 1, (off % 2) * GC_BITS

    def read_bits(self, base: int, size: int) -> list[int]:
        """The 4-bit entries of the words in [base, base+size), in word order (one read)."""
        words = size // self.word
        low, _ = self.bitp(base + size - self.word)
        raw = self.memory.read(low, self.bitp(base)[0] - low + 1)[::-1]  # ascending word order
        first = (base - self.arena_start) // self.word % 2
        return [(raw[(first + i) // 2] >> ((first + i) % 2 * GC_BITS)) & 0xF for i in range(words)]

    def write_bits(self, base: int, entries: list[int]) -> None:
        """Plain stores of whole bitmap bytes for an object that owns them (even word offset)."""
        padded = entries + [0] * (len(entries) % 2)
        raw = bytes(padded[i] | padded[i + 1] << GC_BITS for i in range(0, len(padded), 2))
        low, _ = self.bitp(base + (len(padded) - 1) * self.word)
        self.memory.write(low, raw[::-1])
