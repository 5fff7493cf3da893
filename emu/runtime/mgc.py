"""The collector: stop-the-world mark from roots, mark bits set with atomicor8, sweep (mgc.go).

Roots are the program's writable data, every goroutine's stack from its sp to
stack.hi, the G structs, the saved registers of every guest thread and values
the runtime holds for goroutines (channel buffers): all scanned conservatively.
Heap objects are scanned precisely, with the pointer bits mallocgc copied into
the heap bitmap from the type's GC mask.

Marking sets bitMarked in the guest bitmap with the atomicor8 stub — the
parallel-mark path of the seed's markonly(), taken always here so the stub is
exercised. The sweep trusts ONLY those bits: an object whose bit is not set is
freed. The work queue is the collector's own; after marking, a checkmark pass
(Go's GODEBUG=gccheckmark) re-reads the bit of every object the marker reached and
throws if one is missing, so a broken atomicor8 is reported at the GC that lost
the mark, before the program can trip over a reused object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from emu.runtime import abi
from emu.runtime.malloc import Allocator
from emu.runtime.mheap import BIT_BOUNDARY, BIT_MARKED, PAGE, MHeap
from emu.runtime.proc import Throw

GOGC_DEFAULT = 100
HEAP_MINIMUM = 8 << 10  # the toy's heapminimum: small programs see several GCs (Go 1.4: 4 MiB)


class MarkLost(Exception):
    """checkmark: a reachable object's mark bit is not set in the bitmap."""


@dataclass
class Cycle:
    """What one collection did (one --gctrace line)."""

    number: int
    heap_before: int
    heap_after: int
    freed: int
    live: int
    pause: int  # emulated instructions run by the collector's stub calls
    at: int  # virtual ns when it started
    phases: tuple[tuple[str, int], ...] = ()  # (mark / checkmark / sweep, its stub instructions), in order


class Collector:
    def __init__(
        self, heap: MHeap, allocator: Allocator, calls, arch, gogc: int = GOGC_DEFAULT, checkmark: bool = True
    ) -> None:
        self.heap, self.allocator, self.calls, self.arch = heap, allocator, calls, arch
        self.word = arch.word_size
        self.gogc, self.checkmark = gogc, checkmark
        self.next_gc = HEAP_MINIMUM
        self.cycles: list[Cycle] = []
        self.on_free: Callable[[int], None] = lambda base: None

    def should_trigger(self, size: int) -> bool:
        return self.gogc >= 0 and self.allocator.stats.heap_alloc + size > self.next_gc

    # ---- a collection -------------------------------------------------------------------------

    def collect(self, roots: Iterable[int], now: int) -> Cycle:
        """Mark from `roots` (candidate pointer words), verify, sweep; the world is stopped."""
        stats = self.allocator.stats
        before_insns, heap_before = self.calls.instructions, stats.heap_alloc
        reached = self.mark(roots)
        marked = self.calls.instructions
        if self.checkmark:
            self.verify(reached)
        verified = self.calls.instructions
        freed = self.sweep()
        live = stats.heap_alloc
        self.next_gc = max(live + live * self.gogc // 100, HEAP_MINIMUM)
        cycle = Cycle(
            len(self.cycles) + 1,
            heap_before,
            live,
            freed,
            len(reached),
            self.calls.instructions - before_insns,
            now,
            (
                ("mark", marked - before_insns),
                ("checkmark", verified - marked),
                ("sweep", self.calls.instructions - verified),
            ),
        )
        self.cycles.append(cycle)
        return cycle

    def object_at(self, pointer: int) -> int | None:
        """The base of the allocated object containing `pointer` (interior pointers count)."""
        span = self.heap.span_of(pointer)
        if span is None or not span.elemsize:
            return None
        base = span.base((pointer - span.start) // span.elemsize)
        if not self.heap.read_bits(base, self.word)[0] & BIT_BOUNDARY:
            return None  # a free slot
        return base

    def mark(self, roots: Iterable[int]) -> set[int]:
        reached: set[int] = set()
        work = [base for base in map(self.object_at, roots) if base is not None]
        while work:
            base = work.pop()
            if base in reached:
                continue
            reached.add(base)
            byte, shift = self.heap.bitp(base)
            self.calls.call("atomicor8", byte, BIT_MARKED << shift)
            work += [
                b for b in map(self.object_at, self.pointers_in(base)) if b is not None and b not in reached
            ]
        return reached

    def pointers_in(self, base: int) -> list[int]:
        """Values of the words the bitmap types as bitsPointer (precise scan of one object)."""
        span = self.heap.span_of(base)
        if span is None:
            raise Throw(f"runtime: scanning {base:#x}, which is in no span")
        size = span.elemsize
        bits = self.heap.read_bits(base, size)
        slots = [i for i, entry in enumerate(bits) if (entry >> 2) & 3 == abi.BITS_POINTER]
        if not slots:
            return []
        raw = self.heap.memory.read(base, size)
        return [self.arch.unpack(raw[i * self.word : (i + 1) * self.word]) for i in slots]

    def verify(self, reached: set[int]) -> None:
        for base in sorted(reached):
            if not self.heap.read_bits(base, self.word)[0] & BIT_MARKED:
                byte, shift = self.heap.bitp(base)
                value = self.heap.memory.read(byte, 1)[0]
                raise MarkLost(
                    f"gc: live object {base:#x} is not marked after atomicor8({byte:#x}, "
                    f"{BIT_MARKED << shift:#x}): bitmap byte = {value:#04x}"
                )

    def sweep(self) -> int:
        """Free unmarked objects, clear the marks of the others (atomicand8); return the count."""
        freed = 0
        for span in self.heap.in_use_spans():
            free = set(span.free)
            bits = self.heap.read_bits(span.start, span.npages * PAGE)
            per_object = span.elemsize // self.word
            for index in range(span.nelems):
                if index in free:
                    continue
                base = span.base(index)
                if bits[index * per_object] & BIT_MARKED:
                    byte, shift = self.heap.bitp(base)
                    self.calls.call("atomicand8", byte, ~(BIT_MARKED << shift) & 0xFF)
                    continue
                self._free(span, index, base)
                freed += 1
            if span.sizeclass == 0 and span.free:
                self.heap.free_span(span)
        return freed

    def _free(self, span, index: int, base: int) -> None:
        self.heap.write_bits(base, [0] * (span.elemsize // self.word))
        span.free.append(index)
        span.free.sort()
        span.needzero = True
        self.allocator.stats.heap_alloc -= span.elemsize
        self.allocator.stats.nfree += 1
        self.on_free(base)
