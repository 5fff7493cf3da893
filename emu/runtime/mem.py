"""The runtime's memory from the OS, as the seed's mem_linux.go gets it (through the sys_* stubs).

sysReserve / sysMap / sysAlloc / sysFree / sysUnused, `mmap_fixed` (mmap at a
hint, and if the kernel put it elsewhere but the hinted range is free, munmap
and retry with MAP_FIXED) and `addrspace_free`, which asks mincore about ONE
page at a time: mincore fails with ENOMEM if ANY page of the range is unmapped,
and we want to know that ALL are (golang.org/issue/7476). Sizes are rounded to
the physical page size, 64 KiB on ppc64 (the seed's `_PAGE_SIZE = _PhysPageSize`).
"""

from __future__ import annotations

from dataclasses import dataclass

from emu.kernel import signed
from emu.kernel.abi import MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, Errno, Prot

PROT_NONE, PROT_READ, PROT_WRITE = Prot.PROT_NONE, Prot.PROT_READ, Prot.PROT_WRITE
MAP_ANON = MAP_ANONYMOUS
PROBE_BYTES = 64 << 10  # sysReserve on 64-bit only checks that 64 KiB at the hint are free


class OutOfMemory(Exception):
    """The runtime could not get memory (Go: throw("runtime: out of memory"))."""


@dataclass
class MemStats:
    sys: int = 0  # bytes obtained from the OS (sysMap + sysAlloc)
    mincore_calls: int = 0
    fixed_retries: int = 0


class OSMemory:
    """mem_linux.go in miniature; `calls` is a SupervisorCalls (or any .call(stub, ...))."""

    def __init__(self, calls, page_size: int, bits: int) -> None:
        self.calls, self.page_size, self.bits = calls, page_size, bits
        self.stats = MemStats()
        self.vec = 0  # addrspace_vec: one guest byte for mincore, set by the runtime at start-up

    def round(self, n: int) -> int:
        return -(-n // self.page_size) * self.page_size

    def _result(self, value: int) -> int:
        return signed(value, self.bits)

    def mmap(self, v: int, n: int, prot: int, flags: int) -> int:
        return self._result(self.calls.call("sys_mmap", v, n, prot, flags, -1 & ((1 << self.bits) - 1), 0))

    def munmap(self, v: int, n: int) -> int:
        return self._result(self.calls.call("sys_munmap", v, n))

    def addrspace_free(self, v: int, n: int) -> bool:
        """True if no page of [v, v+n) is mapped: mincore one page at a time must say ENOMEM."""
        offset = 0
        while offset < n:
            chunk = min(self.page_size, n - offset)
            self.stats.mincore_calls += 1
            if self._result(self.calls.call("sys_mincore", v + offset, chunk, self.vec)) != -Errno.ENOMEM:
                return False
            offset += chunk
        return True

    def mmap_fixed(self, v: int, n: int, prot: int, flags: int) -> int:
        """mmap at v; if the kernel ignored the hint and [v, v+n) is free, retry with MAP_FIXED."""
        p = self.mmap(v, n, prot, flags)
        if p != v and self.addrspace_free(v, n):
            if p > 4096:
                self.munmap(p, n)
            self.stats.fixed_retries += 1
            p = self.mmap(v, n, prot, flags | MAP_FIXED)
        return p

    def sys_alloc(self, n: int) -> int:
        """Fresh zeroed read/write memory anywhere (persistent runtime data, stacks)."""
        n = self.round(n)
        p = self.mmap(0, n, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE)
        if p < 4096:
            raise OutOfMemory(f"runtime: sysAlloc({n}) failed: mmap returned {p}")
        self.stats.sys += n
        return p

    def sys_reserve(self, v: int, n: int) -> tuple[int, bool]:
        """(address, reserved). 64-bit: only probe 64 KiB at v (the real mapping happens in
        sys_map through mmap_fixed); 32-bit: reserve the whole range PROT_NONE.

        The seed guards the 64-bit branch with `ptrSize == 7`, i.e. never; the toy takes
        it on 64-bit so the mmap_fixed / addrspace_free path actually runs.
        """
        if self.bits == 64:
            probe = self.round(PROBE_BYTES)
            p = self.mmap_fixed(v, probe, PROT_NONE, MAP_ANON | MAP_PRIVATE)
            if p != v:
                if p >= 4096:
                    self.munmap(p, probe)
                return 0, False
            self.munmap(p, probe)
            return v, False
        p = self.mmap(v, self.round(n), PROT_NONE, MAP_ANON | MAP_PRIVATE)
        return (p, True) if p >= 4096 else (0, False)

    def sys_map(self, v: int, n: int, reserved: bool) -> None:
        """Make [v, v+n) read/write; a conflict or ENOMEM is fatal, as in the seed."""
        n = self.round(n)
        self.stats.sys += n
        if not reserved:
            p = self.mmap_fixed(v, n, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE)
        else:
            p = self.mmap(v, n, PROT_READ | PROT_WRITE, MAP_ANON | MAP_FIXED | MAP_PRIVATE)
        if p == -Errno.ENOMEM:
            raise OutOfMemory("runtime: out of memory")
        if p != v:
            raise OutOfMemory(f"runtime: address space conflict: map({v:#x}) = {p:#x}")
