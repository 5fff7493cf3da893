"""Memory syscalls: mmap/mmap2, munmap, mprotect, madvise, brk, mincore.

Linux semantics on the arch's page size (64 KiB on ppc64): lengths round up
to whole pages, addresses that must be aligned give -EINVAL, ranges with a
hole give -ENOMEM, and --mem-limit turns into -ENOMEM instead of exhausting
the host. The address space itself (emu/memory.py) does the bookkeeping.
"""

from __future__ import annotations

from emu.kernel import Kernel, signed, syscall
from emu.kernel.abi import (
    MAP_ANONYMOUS,
    MAP_FIXED,
    MAP_FIXED_NOREPLACE,
    MAP_SHARED_VALIDATE,
    Errno,
)
from emu.memory import PROT_EXEC, PROT_READ, PROT_WRITE, AddressSpace, OutOfMemory

MADV_DONTNEED = 4
KNOWN_ADVICE = {0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25}
MINCORE_CHUNK = 1 << 20  # vector bytes written per call to the engine
MMAP2_UNIT = 4096  # mmap2's offset is in 4096-byte units whatever the page size


def _memory(kernel: Kernel) -> AddressSpace:
    return kernel.process.memory


def _misaligned(kernel: Kernel, address: int) -> bool:
    return address % _memory(kernel).page_size != 0


def _place(kernel: Kernel, address: int, size: int, flags: int) -> int:
    """Where a new mapping goes: MAP_FIXED, a free hint, else the lowest free range."""
    memory, linux = _memory(kernel), kernel.arch.linux
    if flags & MAP_FIXED:
        return address
    hint = memory.round_down(address)
    if flags & MAP_FIXED_NOREPLACE:
        return hint if memory.is_free(hint, hint + size) else -Errno.EEXIST
    if hint and hint + size <= linux.mmap_top and memory.is_free(hint, hint + size):
        return hint
    start = memory.find_free(size, floor=linux.mmap_base, ceiling=linux.mmap_top)
    return -Errno.ENOMEM if start is None else start


def do_mmap(kernel: Kernel, address: int, length: int, prot: int, flags: int, fd: int, offset: int) -> int:
    memory = _memory(kernel)
    if length == 0 or offset % memory.page_size or flags & MAP_SHARED_VALIDATE == 0:
        return -Errno.EINVAL
    if flags & MAP_FIXED and _misaligned(kernel, address):
        return -Errno.EINVAL
    if not flags & MAP_ANONYMOUS:
        return -Errno.EBADF if signed(fd, 32) < 0 else -Errno.ENODEV  # no file mappings yet
    size = memory.round_up(length)
    if size > kernel.arch.word_mask - address:
        return -Errno.ENOMEM
    start = _place(kernel, address, size, flags)
    if start < 0:
        return start
    try:
        memory.map(start, size, prot & (PROT_READ | PROT_WRITE | PROT_EXEC), "[anon]")
    except OutOfMemory:
        return -Errno.ENOMEM
    return start


@syscall("mmap")
def sys_mmap(kernel: Kernel, thread, address, length, prot, flags, fd, offset, *_) -> int:
    return do_mmap(kernel, address, length, prot, flags, fd, offset)


@syscall("mmap2")
def sys_mmap2(kernel: Kernel, thread, address, length, prot, flags, fd, pgoffset, *_) -> int:
    return do_mmap(kernel, address, length, prot, flags, fd, pgoffset * MMAP2_UNIT)


@syscall("munmap")
def sys_munmap(kernel: Kernel, thread, address, length, *_) -> int:
    if _misaligned(kernel, address) or length == 0:
        return -Errno.EINVAL
    try:
        _memory(kernel).unmap(address, length)
    except OutOfMemory:
        return -Errno.ENOMEM  # splitting a mapping would pass the mapping count limit
    return 0


@syscall("mprotect")
def sys_mprotect(kernel: Kernel, thread, address, length, prot, *_) -> int:
    memory = _memory(kernel)
    if _misaligned(kernel, address):
        return -Errno.EINVAL
    end = address + memory.round_up(length)
    if not memory.is_mapped(address, end):
        return -Errno.ENOMEM
    try:
        memory.protect(address, end - address, prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
    except OutOfMemory:
        return -Errno.ENOMEM  # a PROT_NONE reservation made accessible beyond --mem-limit
    return 0


@syscall("madvise")
def sys_madvise(kernel: Kernel, thread, address, length, advice, *_) -> int:
    """MADV_DONTNEED really drops the pages (they read back as zero); other advice is a hint."""
    memory = _memory(kernel)
    if _misaligned(kernel, address) or advice not in KNOWN_ADVICE:
        return -Errno.EINVAL
    end = address + memory.round_up(length)
    if advice == MADV_DONTNEED:
        try:
            memory.zero(address, end - address)
        except OutOfMemory:
            return -Errno.ENOMEM
    return 0 if memory.is_mapped(address, end) else -Errno.ENOMEM


@syscall("brk")
def sys_brk(kernel: Kernel, thread, address, *_) -> int:
    """Move the program break; on failure return the old one (Linux's convention)."""
    memory = _memory(kernel)
    if address < kernel.brk_start:
        return kernel.brk
    old_end, new_end = memory.round_up(kernel.brk), memory.round_up(address)
    try:
        if new_end > old_end:
            if not memory.is_free(old_end, new_end):
                return kernel.brk
            memory.map(old_end, new_end - old_end, PROT_READ | PROT_WRITE, "[heap]")
        elif new_end < old_end:
            memory.unmap(new_end, old_end - new_end)
    except OutOfMemory:
        return kernel.brk
    kernel.brk = address
    return address


@syscall("mincore")
def sys_mincore(kernel: Kernel, thread, address, length, vector, *_) -> int:
    """One byte per page: 1 if mapped and accessible, 0 for PROT_NONE; -ENOMEM on a hole.

    Written a mapping at a time in chunks of MINCORE_CHUNK bytes, so a 64 TiB reservation costs
    its mappings, not its pages; the vector must be writable first (else -EFAULT)."""
    memory = _memory(kernel)
    if _misaligned(kernel, address):
        return -Errno.EINVAL
    end = address + memory.round_up(length)
    if end > kernel.arch.word_mask or not memory.is_mapped(address, end):
        return -Errno.ENOMEM
    pages = (end - address) // memory.page_size
    if not _writable(memory, vector, pages):
        return -Errno.EFAULT
    cursor = address
    while cursor < end:
        mapping = memory.find(cursor)
        if mapping is None:  # is_mapped said there is no hole: a bug if there is one now
            return -Errno.ENOMEM
        run_end = min(end, mapping.end)
        count = (run_end - cursor) // memory.page_size
        offset = (cursor - address) // memory.page_size
        for done in range(0, count, MINCORE_CHUNK):
            size = min(MINCORE_CHUNK, count - done)
            memory.write(vector + offset + done, (b"\1" if mapping.prot else b"\0") * size)
        cursor = run_end
    return 0


def _writable(memory: AddressSpace, address: int, size: int) -> bool:
    """True if every byte of [address, address+size) is mapped writable."""
    cursor = address
    while cursor < address + size:
        mapping = memory.find(cursor)
        if mapping is None or not mapping.prot & PROT_WRITE:
            return False
        cursor = mapping.end
    return True
