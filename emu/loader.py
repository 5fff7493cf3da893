"""Put an Image into a fresh address space with a Linux process start-up stack.

The stack holds argc, argv, envp and an auxiliary vector (AT_PAGESZ, AT_RANDOM,
AT_ENTRY...) exactly as the kernel lays them out, so real start-up code (a Go
binary's rt0) finds what it expects.
"""

from __future__ import annotations

import random

from emu.arch import Arch
from emu.image import Image
from emu.memory import PROT_EXEC, PROT_READ, PROT_WRITE, AddressSpace

AT_NULL, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY = 0, 3, 4, 5, 6, 9
AT_UID, AT_EUID, AT_GID, AT_EGID, AT_HWCAP, AT_CLKTCK, AT_SECURE, AT_RANDOM = 11, 12, 13, 14, 16, 17, 23, 25
AT_HWCAP2, AT_EXECFN = 26, 31


def map_image(memory: AddressSpace, image: Image) -> None:
    for segment in image.segments:
        prot = (PROT_READ if segment.readable else 0) | (PROT_WRITE if segment.writable else 0)
        prot |= PROT_EXEC if segment.executable else 0
        start = memory.round_down(segment.address)
        end = memory.round_up(segment.address + segment.size)
        # Segments may share a page (ELF files): widen protection rather than lose data.
        existing = memory.find(start)
        if existing and existing.end >= end:
            memory.protect(start, end - start, existing.prot | prot)
        else:
            memory.map(start, end - start, prot, segment.name)
        memory.write(segment.address, segment.data)
    brk = max((s.end for s in image.segments), default=0)
    image.brk = memory.round_up(brk)


def build_stack(
    memory: AddressSpace, arch: Arch, image: Image, argv: list[str], env: list[str], seed: int
) -> int:
    """Map the stack and write the start-up block; returns the initial sp."""
    top = arch.stack_top
    memory.map(top - arch.stack_size, arch.stack_size, PROT_READ | PROT_WRITE, "[stack]")
    cursor = top
    strings = []
    for text in [*argv, *env]:
        data = text.encode() + b"\0"
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
        (AT_HWCAP, arch.auxv.get("hwcap", 0)),
        (AT_HWCAP2, arch.auxv.get("hwcap2", 0)),
        (AT_EXECFN, strings[0] if strings else 0),
    ]
    auxv += getattr(image, "program_headers", [])
    auxv.append((AT_NULL, 0))
    argv_ptrs, env_ptrs = strings[: len(argv)], strings[len(argv) :]
    words = [len(argv), *argv_ptrs, 0, *env_ptrs, 0]
    for key, value in auxv:
        words += [key, value]
    block = b"".join(arch.pack(w) for w in words)
    cursor = (cursor - len(block)) & ~0xF
    memory.write(cursor, block)
    return cursor
