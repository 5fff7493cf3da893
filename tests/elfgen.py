"""Build and edit small ELF executables with struct, for the loader's tests and its fuzz harness.

`synthesise(arch)` writes the smallest static executable Linux runs: the ELF
header, one R+X PT_LOAD covering the whole file, and exit(0). The field editors
rewrite a header or program-header field in place, whatever its class and byte
order, so a test states the one thing it breaks.
"""

from __future__ import annotations

import struct

from archdata import expect
from elftools.elf.enums import ENUM_E_MACHINE

from emu import arch as arches

HEADER_FIELDS = {  # name: (struct code for 32-bit, for 64-bit), in file order after e_ident
    "e_type": "HH", "e_machine": "HH", "e_version": "II", "e_entry": "IQ", "e_phoff": "IQ",
    "e_shoff": "IQ", "e_flags": "II", "e_ehsize": "HH", "e_phentsize": "HH", "e_phnum": "HH",
    "e_shentsize": "HH", "e_shnum": "HH", "e_shstrndx": "HH",
}  # fmt: skip
PHDR_FIELDS = {
    32: ("p_type", "p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz", "p_flags", "p_align"),
    64: ("p_type", "p_flags", "p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz", "p_align"),
}
PHDR_CODES = {32: "IIIIIIII", 64: "IIQQQQQQ"}


def synthesise(arch_name: str) -> bytes:
    """A minimal static executable: ELF header, one R+X PT_LOAD covering the file, exit(0)."""
    arch = arches.get(arch_name)
    order = "<" if arch.endian == "little" else ">"
    bits = arch.bits
    header_size, phdr_size = (52, 32) if bits == 32 else (64, 56)
    code_offset = header_size + phdr_size
    code = bytes.fromhex(expect(arch_name, "elf.exit_zero_code"))  # exit(0) as machine code
    ident = b"\x7fELF" + bytes([bits // 32, 1 if order == "<" else 2, 1]) + bytes(9)
    word = "I" if bits == 32 else "Q"
    header = struct.pack(
        f"{order}HHI{word}{word}{word}IHHHHHH",
        2,  # ET_EXEC
        ENUM_E_MACHINE[arch.elf_machine],
        1,
        arch.text_base + code_offset,
        header_size,
        0,
        0,
        header_size,
        phdr_size,
        1,
        0,
        0,
        0,
    )
    size = code_offset + len(code)
    values = {"p_type": 1, "p_flags": 5, "p_offset": 0, "p_vaddr": arch.text_base, "p_paddr": arch.text_base}
    values |= {"p_filesz": size, "p_memsz": size, "p_align": arch.page_size}
    phdr = struct.pack(order + PHDR_CODES[bits], *(values[name] for name in PHDR_FIELDS[bits]))
    return ident + header + phdr + code


def _layout(data: bytes) -> tuple[str, int]:
    """Byte order and class of a (seed) file, from e_ident."""
    return ("<" if data[5] == 1 else ">"), (32 if data[4] == 1 else 64)


def set_header_field(data: bytearray, name: str, value: int) -> None:
    order, bits = _layout(bytes(data))
    offset = 16
    for field, codes in HEADER_FIELDS.items():
        code = codes[bits == 64]
        if field == name:
            struct.pack_into(order + code, data, offset, value % (1 << (8 * struct.calcsize(code))))
            return
        offset += struct.calcsize(code)


def set_phdr_field(data: bytearray, index: int, name: str, value: int) -> None:
    order, bits = _layout(bytes(data))
    phoff_code = HEADER_FIELDS["e_phoff"][bits == 64]
    phoff = struct.unpack_from(order + phoff_code, data, 16 + 2 + 2 + 4 + struct.calcsize(phoff_code))[0]
    entry = phoff + index * struct.calcsize(order + PHDR_CODES[bits])
    fields = PHDR_FIELDS[bits]
    offset = entry + struct.calcsize(order + PHDR_CODES[bits][: fields.index(name)])
    code = PHDR_CODES[bits][fields.index(name)]
    if offset + struct.calcsize(code) <= len(data):
        struct.pack_into(order + code, data, offset, value % (1 << (8 * struct.calcsize(code))))
