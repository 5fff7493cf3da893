"""mallocgc: size classes, spans per class, zeroing with memclr, type bits from GC programs.

As in the seed's malloc.go, a pointerful type carries a GC program (gc1) and a
mask buffer (gc0) whose FIRST BYTE is the "unrolled" flag. mallocgc loads the
mask word with the atomicloadp stub and tests the first byte *in memory* of that
word (the seed's big-endian fix: `word & 0xff` is the last byte on ppc64); if it
is 0, unrollgcprog writes the 4-bit-per-word mask after the flag byte and sets
the flag with the atomicor8 stub (the seed's other fix: not a word store of
"byte 0"). Objects are zeroed with the memclr stub whenever their slot was used
before (Go's needzero); fresh pages from the OS are already zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from emu.runtime import abi
from emu.runtime.mheap import BIT_BOUNDARY, PAGE, MHeap, Span

SIZE_CLASSES = (16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 2048)
MAX_SMALL = SIZE_CLASSES[-1]


class BadType(Exception):
    """A type descriptor or GC program the runtime cannot use (Go: throw)."""


@dataclass
class HeapStats:
    heap_alloc: int = 0  # bytes in allocated objects
    nmalloc: int = 0
    nfree: int = 0
    unrolls: int = 0  # GC programs unrolled (once per type when the flag byte works)
    flag_misses: int = 0  # unrolls after which the flag byte still read 0 (a wrong atomicor8)


class Allocator:
    """The mcache/mcentral/mheap path of mallocgc, one allocator for all Ps (the toy's only lock
    is the supervisor: hypercalls are answered one at a time)."""

    def __init__(self, heap: MHeap, calls, arch) -> None:
        self.heap, self.calls, self.arch = heap, calls, arch
        self.word = arch.word_size
        self.central: dict[int, list[Span]] = {size: [] for size in SIZE_CLASSES}
        self.stats = HeapStats()

    # ---- allocation -----------------------------------------------------------------------

    def mallocgc(self, size: int, typ: int) -> int:
        """A zeroed object of at least `size` bytes typed by `typ` (0: no pointers)."""
        size = max(size, self.word)
        pointer_bits = self.type_bits(typ, size)
        span = self._span_for(size)
        index = span.free.pop(0)
        base = span.base(index)
        if span.needzero:
            self.calls.call("memclr", base, span.elemsize)
        entries = [abi.BITS_DEAD << 2] * (span.elemsize // self.word)
        for i, bits in enumerate(pointer_bits[: len(entries)]):
            entries[i] = bits << 2
        entries[0] |= BIT_BOUNDARY
        self.heap.write_bits(base, entries)
        self.stats.heap_alloc += span.elemsize
        self.stats.nmalloc += 1
        return base

    def _span_for(self, size: int) -> Span:
        if size > MAX_SMALL:
            npages = -(-size // PAGE)
            span = self.heap.alloc_span(npages)
            span.elemsize, span.sizeclass, span.free = npages * PAGE, 0, [0]
            return span
        elemsize = next(c for c in SIZE_CLASSES if c >= size)
        for span in self.central[elemsize]:
            if span.free:
                return span
        span = self.heap.alloc_span(1 if elemsize <= 1024 else 2)
        span.elemsize, span.sizeclass = elemsize, SIZE_CLASSES.index(elemsize) + 1
        span.free = list(range(span.nelems))
        self.central[elemsize].append(span)
        return span

    # ---- types and GC programs ------------------------------------------------------------

    def read_word(self, address: int) -> int:
        return self.arch.unpack(self.heap.memory.read(address, self.word))

    def type_bits(self, typ: int, size: int) -> list[int]:
        """bitsPointer/bitsScalar per word of an object of type `typ`."""
        if typ == 0:
            return []
        tsize, kind, gc0, _ = (self.read_word(typ + i * self.word) for i in range(abi.TYPE_WORDS))
        if kind & abi.KIND_NO_POINTERS:
            return []
        if not kind & abi.KIND_GC_PROG:
            raise BadType(f"type {typ:#x}: pointerful types need a GC program (kind {kind:#x})")
        if size < tsize:
            raise BadType(f"mallocgc({size}) smaller than its type's size {tsize}")
        maskword = self.calls.call("atomicloadp", gc0)
        if self.arch.pack(maskword)[0] == 0:  # the first byte in memory, not `& 0xff`
            self.unrollgcprog(typ)
        return self._mask(gc0 + 1, tsize // self.word)

    def _mask(self, mask: int, words: int) -> list[int]:
        raw = self.heap.memory.read(mask, (words + 1) // 2)
        return [(raw[i // 2] >> (i % 2 * 4 + 2)) & 3 for i in range(words)]

    def unrollgcprog(self, typ: int) -> None:
        """unrollgcprog_m: the program (gc1) into the mask (gc0, after its flag byte), then the
        flag with atomicor8. The toy's lock is the supervisor, so the flag is re-read, not locked."""
        tsize, _, mask, prog = (self.read_word(typ + i * self.word) for i in range(abi.TYPE_WORDS))
        if self.heap.memory.read(mask, 1)[0] != 0:
            return
        words = self.run_gcprog(prog)
        if tsize // self.word % 2:
            words += self.run_gcprog(prog)  # repeat the program, as the seed does for odd sizes
        out = bytearray(self.heap.memory.read(mask + 1, (len(words) + 1) // 2))
        for i, bits in enumerate(words):
            out[i // 2] |= bits << (i % 2 * 4 + 2)
        self.heap.memory.write(mask + 1, bytes(out))
        self.calls.call("atomicor8", mask, 1)
        self.stats.unrolls += 1
        if self.heap.memory.read(mask, 1)[0] == 0:
            # Read back as the first byte in memory (the seed's malloc.go fix): a word-sized
            # atomicor8 with the wrong byte order set another byte of the mask instead.
            self.stats.flag_misses += 1

    def run_gcprog(self, prog: int) -> list[int]:
        """The 2-bit entries a GC program describes (insData / insArray / insEnd)."""
        words, end = self._run(prog)
        if self.heap.memory.read(end, 1)[0] != abi.INS_END:
            raise BadType(f"unrollgcprog: program at {prog:#x} does not end with insEnd")
        return words

    def _run(self, prog: int) -> tuple[list[int], int]:
        read = self.heap.memory.read
        words: list[int] = []
        while True:
            op = read(prog, 1)[0]
            if op in (abi.INS_END, abi.INS_ARRAY_END):
                return words, prog
            if op == abi.INS_DATA:
                count = read(prog + 1, 1)[0]
                data = read(prog + 2, (count * 2 + 7) // 8)
                words += [(data[i // 4] >> (i % 4 * 2)) & 3 for i in range(count)]
                prog += 2 + len(data)
            elif op == abi.INS_ARRAY:
                count = int.from_bytes(read(prog + 1, self.word), "little")  # as unrollgcprog1 reads it
                body, end = self._run(prog + 1 + self.word)
                if read(end, 1)[0] != abi.INS_ARRAY_END:
                    raise BadType("unrollgcprog: array does not end with insArrayEnd")
                words += body * count
                prog = end + 1
            else:
                raise BadType(f"unrollgcprog: unknown instruction {op} at {prog:#x}")
