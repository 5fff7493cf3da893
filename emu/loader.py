"""Put an Image into a fresh address space with a Linux process start-up stack.

The stack holds argc, argv, envp and an auxiliary vector (AT_PAGESZ, AT_RANDOM,
AT_ENTRY...) exactly as the kernel lays them out, so real start-up code (a Go
binary's rt0) finds what it expects.
"""

from __future__ import annotations

import random

from emu.arch import Arch
from emu.errors import UsageError
from emu.image import Image
from emu.memory import PROT_EXEC, PROT_READ, PROT_WRITE, AddressSpace

AT_NULL, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY = 0, 3, 4, 5, 6, 9
AT_UID, AT_EUID, AT_GID, AT_EGID, AT_HWCAP, AT_CLKTCK, AT_SECURE, AT_RANDOM = 11, 12, 13, 14, 16, 17, 23, 25
AT_HWCAP2, AT_EXECFN = 26, 31
MAX_ARG_STRLEN_PAGES = 32  # Linux: one argv or envp string is at most 32 pages (MAX_ARG_STRLEN)


def map_image(memory: AddressSpace, image: Image) -> int:
    """Map every segment with its protection and copy its bytes in; the rest of it is zeros (bss).
    Returns the initial program break: the first page boundary after the last segment.

    A segment with no permissions is a PROT_NONE reservation: nothing can read
    its bytes, so none are copied (after an mprotect they read as zeros).
    """
    for segment in image.segments:
        prot = (PROT_READ if segment.readable else 0) | (PROT_WRITE if segment.writable else 0)
        prot |= PROT_EXEC if segment.executable else 0
        start = memory.round_down(segment.address)
        end = memory.round_up(segment.address + segment.size)
        _map_pages(memory, start, end, prot, segment.name)
        if prot:
            memory.write(segment.address, segment.data)
    return memory.round_up(max((s.end for s in image.segments), default=0))


def _map_pages(memory: AddressSpace, start: int, end: int, prot: int, name: str) -> None:
    """Map [start, end); pages another segment already mapped (segments may share a page) keep
    their bytes and get the union of both protections."""
    cursor = start
    while cursor < end:
        existing = memory.find(cursor)
        if existing:
            stop = min(end, existing.end)
            memory.protect(cursor, stop - cursor, existing.prot | prot)
        else:
            stop = min([m.start for m in memory.mappings if m.start > cursor] + [end])
            memory.map(cursor, stop - cursor, prot, name)
        cursor = stop


def build_stack(
    memory: AddressSpace, arch: Arch, image: Image, argv: list[str], env: list[str], seed: int
) -> int:
    """Map the stack and write the start-up block; returns the initial sp."""
    encoded = [text.encode("utf-8", "surrogateescape") + b"\0" for text in [*argv, *env]]
    _check_arguments_fit(arch, encoded)
    top = arch.stack_top
    memory.map(top - arch.stack_size, arch.stack_size, PROT_READ | PROT_WRITE, "[stack]")
    cursor = top
    strings = []
    for data in encoded:
        cursor -= len(data)
        memory.write(cursor, data)
        strings.append(cursor)
    cursor -= 16
    random_bytes = random.Random(seed).randbytes(16)
    memory.write(cursor, random_bytes)
    at_random = cursor
    auxv = [
        (AT_PAGESZ, arch.page_size),
        (AT_ENTRY, image.entry & ~1),
        (AT_RANDOM, at_random),
        (AT_UID, 0),
        (AT_EUID, 0),
        (AT_GID, 0),
        (AT_EGID, 0),
        (AT_CLKTCK, 100),
        (AT_SECURE, 0),
        (AT_HWCAP, arch.auxv.hwcap),
        (AT_HWCAP2, arch.auxv.hwcap2),
        (AT_EXECFN, strings[0] if strings else 0),
    ]
    auxv += image.program_headers
    auxv.append((AT_NULL, 0))
    argv_ptrs, env_ptrs = strings[: len(argv)], strings[len(argv) :]
    words = [len(argv), *argv_ptrs, 0, *env_ptrs, 0]
    for key, value in auxv:
        words += [key, value]
    block = b"".join(arch.pack(w) for w in words)
    cursor = (cursor - len(block)) & ~0xF
    memory.write(cursor, block)
    return cursor


def _check_arguments_fit(arch: Arch, strings: list[bytes]) -> None:
    """Linux's execve limits (E2BIG): one string <= 32 pages, all of them <= a quarter of the stack.

    emu's stack (arch stack_size) plays the stack rlimit, so the start-up block
    always fits in it instead of running off its bottom.
    """
    longest = max(map(len, strings), default=0)
    if longest > MAX_ARG_STRLEN_PAGES * arch.page_size:
        raise UsageError(
            f"argument list too long (E2BIG): one argument or environment string is {longest} bytes, "
            f"Linux allows {MAX_ARG_STRLEN_PAGES * arch.page_size}"
        )
    total = sum(map(len, strings)) + (len(strings) + 2) * arch.word_size
    if total > arch.stack_size // 4:
        raise UsageError(
            f"argument list too long (E2BIG): the guest's arguments and environment take {total} bytes, "
            f"more than a quarter of the {arch.stack_size}-byte stack ({arch.stack_size // 4}), as Linux counts"
        )
