"""Static ELF executables -> Images (pyelftools), with the arch read from the header.

Every field that decides what gets mapped is checked before anything is mapped,
so a malformed file is one line, `FILE: bad ELF: <what>` (exit 2), never an
exception from pyelftools, unicorn or the host allocator. The checks follow what
Linux's load_elf_binary refuses (it kills the process with SIGSEGV once past the
point of no return; emu says why instead). The one case Linux runs and emu runs
too is an entry point in user space outside any executable segment: the first
instruction fetch faults (SIGSEGV, 139), as under Linux and qemu-user.
"""

from __future__ import annotations

import struct
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.common.utils import struct_parse
from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_ST_INFO_TYPE, ENUM_ST_SHNDX

from emu import arch as arches
from emu.arch import Arch
from emu.errors import GuestError, UsageError
from emu.image import Image, Segment
from emu.kernel.abi import Signal
from emu.loader import AT_PHDR, AT_PHENT, AT_PHNUM

ELF_MAGIC = b"\x7fELF"
MAX_PHDR_BYTES = 65536  # Linux's load_elf_phdrs refuses a larger program header table
SIGSEGV_STATUS = 128 + Signal.SIGSEGV
PF_X, PF_W, PF_R = 1, 2, 4


class BadElf(UsageError):
    """A malformed ELF file: `FILE: bad ELF: <what>` (exit 2)."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(f"{path}: bad ELF: {what}")


def is_elf(path: str | Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == ELF_MAGIC
    except OSError:
        return False


def detect_arch(elf: ELFFile, path: str) -> str:
    """The canonical arch name of an ELF file, from e_machine, class and byte order."""
    machine = elf["e_machine"]
    for candidate in arches.all_arches().values():
        if candidate.elf_machine != machine or candidate.bits != elf.elfclass:
            continue
        if (candidate.endian == "little") == elf.little_endian:
            return candidate.name
    order = "little" if elf.little_endian else "big"
    raise UsageError(f"{path}: unsupported ELF: {machine}, {elf.elfclass}-bit, {order}-endian")


def load_elf(path: str | Path, wanted_arch: str | None = None) -> Image:
    """The Image of a static executable; BadElf for a malformed file, UsageError for an unsupported one."""
    try:
        with open(path, "rb") as handle:
            elf = ELFFile(handle)
            name = detect_arch(elf, str(path))
            if wanted_arch and arches.resolve_name(wanted_arch) != name:
                raise UsageError(f"{path}: this ELF is for {name}, not {arches.resolve_name(wanted_arch)}")
            if elf["e_type"] != "ET_EXEC":
                raise UsageError(f"{path}: only static executables are supported (e_type {elf['e_type']})")
            arch = arches.get(name)
            headers = _program_headers(elf, arch, str(path))
            if any(seg["p_type"] == "PT_INTERP" for seg in headers):
                raise UsageError(
                    f"{path}: dynamically linked executables are not supported (link with -static)"
                )
            return _image(elf, arch, headers, str(path))
    except ELFError as err:
        raise BadElf(str(path), str(err) or type(err).__name__) from None


def _program_headers(elf: ELFFile, arch: Arch, path: str) -> list:
    """The program header table, after the checks Linux makes before reading it."""
    entry_size = elf.structs.Elf_Phdr.sizeof()
    count, offset = elf["e_phnum"], elf["e_phoff"]
    if elf["e_phentsize"] != entry_size:
        raise BadElf(path, f"e_phentsize is {elf['e_phentsize']}, not {entry_size}")
    if count == 0:
        raise BadElf(path, "no program headers")
    table_size = count * entry_size
    if table_size > min(MAX_PHDR_BYTES, arch.page_size):
        raise BadElf(path, f"{count} program headers ({table_size} bytes) is more than Linux reads")
    if offset + table_size > elf.stream_len:
        raise BadElf(
            path, f"the program headers at {offset:#x} end past the end of the file ({elf.stream_len} bytes)"
        )
    headers = [elf.get_segment(index) for index in range(count)]
    loads = [(index, seg) for index, seg in enumerate(headers) if seg["p_type"] == "PT_LOAD"]
    if not loads:
        raise BadElf(path, "no PT_LOAD segment")
    for index, seg in loads:
        _check_load_segment(seg.header, index, elf.stream_len, arch, path)
    _check_overlaps(loads, path)
    return headers


def _check_load_segment(header, index: int, file_size: int, arch: Arch, path: str) -> None:
    """One PT_LOAD: its file bytes inside the file, its memory inside user space, sane alignment."""
    vaddr, memsz, filesz, offset = (
        header["p_vaddr"],
        header["p_memsz"],
        header["p_filesz"],
        header["p_offset"],
    )
    align, task_size = header["p_align"], arch.linux.task_size
    where = f"segment {index} (PT_LOAD at {vaddr:#x})"
    if filesz > memsz:
        raise BadElf(path, f"{where}: p_filesz {filesz:#x} is larger than p_memsz {memsz:#x}")
    if offset + filesz > file_size:
        raise BadElf(
            path,
            f"{where}: file bytes {offset:#x}..{offset + filesz:#x} lie past the end of the file ({file_size} bytes)",
        )
    if vaddr >= task_size or memsz > task_size - vaddr:
        raise BadElf(
            path,
            f"{where}: {vaddr:#x}..{vaddr + memsz:#x} is outside the {arch.name} user address space (below {task_size:#x})",
        )
    if align > 1 and (align & (align - 1) or vaddr % align != offset % align):
        raise BadElf(path, f"{where}: p_align {align:#x} is not a power of two dividing p_vaddr - p_offset")


def _check_overlaps(loads: list, path: str) -> None:
    """PT_LOAD byte ranges may share a page but not a byte (Linux would map one over the other)."""
    spans = sorted(
        (seg["p_vaddr"], seg["p_vaddr"] + seg["p_memsz"], index) for index, seg in loads if seg["p_memsz"]
    )
    for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise BadElf(path, f"segments {first} and {second} overlap at {start:#x}")


def _image(elf: ELFFile, arch: Arch, headers: list, path: str) -> Image:
    segments, phdr = [], 0
    for index, seg in enumerate(headers):
        if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
            continue
        flags = seg["p_flags"]
        if seg["p_offset"] == 0:
            phdr = seg["p_vaddr"] + elf["e_phoff"]
        segments.append(
            Segment(
                f"LOAD{index}",
                seg["p_vaddr"],
                seg.data(),
                seg["p_memsz"],
                bool(flags & PF_R),
                bool(flags & PF_W),
                bool(flags & PF_X),
            )
        )
    symbols, alt_mode = _symbols(elf, arch, path)
    entry, registers = _entry(elf, arch, segments, path)
    _check_entry(entry, arch, path)
    image = Image(arch.name, segments, symbols, entry, {}, alt_mode, path)
    image.initial_registers = registers
    image.function_descriptors = _uses_descriptors(elf, arch)
    image.program_headers = [(AT_PHDR, phdr), (AT_PHENT, elf["e_phentsize"]), (AT_PHNUM, elf["e_phnum"])]
    return image


# Elf32_Sym / Elf64_Sym as struct formats, field order of each (the ELF spec's layouts)
_SYMBOL_LAYOUTS = {
    32: ("IIIBBH", ("st_name", "st_value", "st_size", "st_info", "st_other", "st_shndx")),
    64: ("IBBHQQ", ("st_name", "st_info", "st_other", "st_shndx", "st_value", "st_size")),
}
_DEFINED_KINDS = frozenset(
    number for name, number in ENUM_ST_INFO_TYPE.items() if name in ("STT_FUNC", "STT_NOTYPE", "STT_OBJECT")
)
_STT_FUNC = ENUM_ST_INFO_TYPE["STT_FUNC"]


def _symbols(elf: ELFFile, arch: Arch, path: str) -> tuple[dict[str, int], set[str]]:
    """Defined symbols by address; on arm, Thumb functions (odd st_value) are listed apart."""
    symbols: dict[str, int] = {}
    alt_mode: set[str] = set()
    for name, symbol in _symbol_table(elf, path):
        kind = symbol["st_info"] & 0xF
        defined = kind in _DEFINED_KINDS and symbol["st_shndx"] != ENUM_ST_SHNDX["SHN_UNDEF"]
        if not name or not defined or name.startswith("$"):
            continue
        value = symbol["st_value"]
        if arch.interworking and kind == _STT_FUNC and value & 1:
            alt_mode.add(name)
            value &= ~1
        symbols[name] = value
    return symbols, alt_mode


def _symbol_table(elf: ELFFile, path: str) -> list[tuple[str, dict[str, int]]]:
    """(name, raw Elf_Sym fields) for every entry of the first SHT_SYMTAB, read with bounds checks.

    Linux never reads section headers, so emu reads only what it needs, itself:
    pyelftools' section objects seek and decompress wherever a corrupt header
    points. Every offset is checked against the file first. The entries are unpacked
    with `struct` in one pass (pyelftools' per-entry parse took 0.2 s of every run of a
    Go binary's 4,000-symbol table).
    """
    headers = _section_headers(elf, path)
    table = next((header for header in headers if header["sh_type"] == "SHT_SYMTAB"), None)
    if table is None:
        return []
    if table["sh_link"] >= len(headers):
        raise BadElf(path, f".symtab sh_link {table['sh_link']} is not a section")
    strings = headers[table["sh_link"]]
    for header in (table, strings):
        if header["sh_offset"] + header["sh_size"] > elf.stream_len:
            raise BadElf(path, "the symbol table or its string table lies past the end of the file")
    entry_size = elf.structs.Elf_Sym.sizeof()
    if table["sh_entsize"] != entry_size:
        raise BadElf(path, f".symtab sh_entsize is {table['sh_entsize']}, not {entry_size}")
    elf.stream.seek(strings["sh_offset"])
    names = elf.stream.read(strings["sh_size"])
    elf.stream.seek(table["sh_offset"])
    raw = elf.stream.read(table["sh_size"] // entry_size * entry_size)
    layout, fields = _SYMBOL_LAYOUTS[elf.elfclass]
    entries = []
    for values in struct.iter_unpack(("<" if elf.little_endian else ">") + layout, raw):
        symbol = dict(zip(fields, values, strict=True))
        start = symbol["st_name"]
        end = names.find(b"\0", start)
        name = names[start : end if end >= 0 else len(names)].decode("utf-8", "replace")
        entries.append((name, symbol))
    return entries


def _section_headers(elf: ELFFile, path: str) -> list:
    """The section header table (none if e_shoff or e_shnum is 0), inside the file or BadElf."""
    count, offset, entry_size = elf["e_shnum"], elf["e_shoff"], elf["e_shentsize"]
    if count == 0 or offset == 0:
        return []
    expected = elf.structs.Elf_Shdr.sizeof()
    if entry_size != expected:
        raise BadElf(path, f"e_shentsize is {entry_size}, not {expected}")
    if offset + count * entry_size > elf.stream_len:
        raise BadElf(path, f"the section headers at {offset:#x} end past the end of the file")
    return [
        struct_parse(elf.structs.Elf_Shdr, elf.stream, offset + index * entry_size) for index in range(count)
    ]


def _uses_descriptors(elf: ELFFile, arch: Arch) -> bool:
    """Code pointers are function descriptors (ppc64 ELFv1, Go's big-endian binaries: arch data)."""
    rule = arch.call.descriptors
    return rule is not None and elf["e_flags"] & rule.e_flags_mask == rule.e_flags


def _entry(elf: ELFFile, arch: Arch, segments: list[Segment], path: str) -> tuple[int, dict[str, int]]:
    """The first instruction to run, and registers the ABI sets up for it.

    An executable whose code pointers are function descriptors gives the address of
    one, not of code: {code address, TOC}.
    """
    entry, word = elf["e_entry"], arch.word_size
    rule = arch.call.descriptors
    if rule is None or not _uses_descriptors(elf, arch):
        return entry, {}
    for segment in segments:
        if segment.address <= entry and entry + 2 * word <= segment.address + len(segment.data):
            offset = entry - segment.address
            code = arch.unpack(segment.data[offset : offset + word])
            toc = arch.unpack(segment.data[offset + word : offset + 2 * word])
            return code, {rule.toc_reg: toc}
    raise BadElf(path, f"the ELFv1 entry descriptor at {entry:#x} is outside the loaded segments' file bytes")


def _check_entry(entry: int, arch: Arch, path: str) -> None:
    """A non-canonical entry is no address (bad ELF); one above user space dies at exec.

    Linux's load_elf_binary refuses an entry at or above TASK_SIZE after the point
    of no return, so the process is killed by SIGSEGV: emu reports the same
    death (139) without starting the CPU there.
    """
    bits = arch.linux.canonical_bits
    if bits is not None and entry >> (bits - 1) not in (0, (1 << (arch.bits - bits + 1)) - 1):
        raise BadElf(path, f"entry point {entry:#x} is not a canonical {arch.name} address")
    if entry >= arch.linux.task_size:
        raise GuestError(
            f"emu: SIGSEGV (segmentation fault) at exec, pc {entry:#x}: {path}: the entry point is above "
            f"the {arch.name} user address space ({arch.linux.task_size:#x}), so Linux kills the process",
            SIGSEGV_STATUS,
        )
