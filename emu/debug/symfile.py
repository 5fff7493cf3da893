"""A minimal ELF holding an Image's sections and symbols, for gdb's `file` command.

emu assembles programs itself, so there is no executable on disk for gdb to
read symbols from: without one `break atomicor8` cannot work, and gdb cannot
tell ppc64 from ppc64le (a target description has no byte order). This writes
just enough ELF — section headers, .symtab, .strtab — for gdb to learn both.
Program headers are not needed: gdb never loads it, emu already runs the code.
"""

from __future__ import annotations

import struct
from pathlib import Path

from elftools.elf.enums import ENUM_E_MACHINE

from emu.arch import Arch
from emu.image import Image

SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB = 1, 2, 3
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
STB_GLOBAL, STT_OBJECT, STT_FUNC = 1, 1, 2
SHN_ABS = 0xFFF1


class _Strings:
    """A string table being built: offsets of names as they are added."""

    def __init__(self) -> None:
        self.data = bytearray(b"\0")

    def add(self, name: str) -> int:
        offset = len(self.data)
        self.data += name.encode() + b"\0"
        return offset


def _formats(arch: Arch) -> dict[str, str]:
    order = ">" if arch.big_endian else "<"
    if arch.bits == 64:
        return {"ehdr": order + "16sHHIQQQIHHHHHH", "shdr": order + "IIQQQQIIQQ", "sym": order + "IBBHQQ"}
    return {"ehdr": order + "16sHHIIIIIHHHHHH", "shdr": order + "IIIIIIIIII", "sym": order + "IIIBBH"}


def _symbol(fmt: str, bits: int, name: int, value: int, kind: int, section: int) -> bytes:
    info = (STB_GLOBAL << 4) | kind
    if bits == 64:
        return struct.pack(fmt, name, info, 0, section, value, 0)
    return struct.pack(fmt, name, value, 0, info, 0, section)


def build(image: Image, arch: Arch) -> bytes:
    """The ELF bytes: one section per image segment, then .symtab, .strtab, .shstrtab."""
    fmt = _formats(arch)
    shstr, strtab = _Strings(), _Strings()
    segments = [s for s in image.segments if s.data]
    body = bytearray()
    header_size = struct.calcsize(fmt["ehdr"])
    sections = [struct.pack(fmt["shdr"], *([0] * 10))]
    for segment in segments:
        flags = (
            SHF_ALLOC | (SHF_WRITE if segment.writable else 0) | (SHF_EXECINSTR if segment.executable else 0)
        )
        offset = header_size + len(body)
        body += segment.data
        sections.append(
            struct.pack(fmt["shdr"], shstr.add(segment.name), SHT_PROGBITS, flags, segment.address, offset,
                        len(segment.data), 0, 0, 4, 0)
        )  # fmt: skip
    symbols = [_symbol(fmt["sym"], arch.bits, 0, 0, 0, 0)]
    for name, address in sorted(image.symbols.items(), key=lambda item: item[1]):
        index = next((i + 1 for i, s in enumerate(segments) if s.address <= address < s.end), SHN_ABS)
        executable = index != SHN_ABS and segments[index - 1].executable
        value = address | (1 if name in image.alt_mode_symbols else 0)
        kind = STT_FUNC if executable else STT_OBJECT
        symbols.append(_symbol(fmt["sym"], arch.bits, strtab.add(name), value, kind, index))
    symtab_index = len(sections)
    entsize = struct.calcsize(fmt["sym"])
    for name, data, kind, link, info, ent in (
        (".symtab", b"".join(symbols), SHT_SYMTAB, symtab_index + 1, 1, entsize),
        (".strtab", bytes(strtab.data), SHT_STRTAB, 0, 0, 0),
        (".shstrtab", None, SHT_STRTAB, 0, 0, 0),
    ):
        name_offset = shstr.add(name)
        data = bytes(shstr.data) if data is None else data
        offset = header_size + len(body)
        body += data
        sections.append(
            struct.pack(fmt["shdr"], name_offset, kind, 0, 0, offset, len(data), link, info, 8, ent)
        )
    while (header_size + len(body)) % 8:
        body += b"\0"
    shoff = header_size + len(body)
    ident = b"\x7fELF" + bytes([2 if arch.bits == 64 else 1, 2 if arch.big_endian else 1, 1]) + bytes(9)
    flags = arch.gdb.elf_flags
    header = struct.pack(
        fmt["ehdr"], ident, 2, ENUM_E_MACHINE[arch.elf_machine], 1, image.entry, 0, shoff, flags, header_size,
        0, 0, struct.calcsize(fmt["shdr"]), len(sections), len(sections) - 1,
    )  # fmt: skip
    return header + bytes(body) + b"".join(sections)


def write(image: Image, arch: Arch, path: Path) -> Path:
    path.write_bytes(build(image, arch))
    return path
