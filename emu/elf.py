"""Static ELF executables -> Images (pyelftools), with the arch read from the header."""

from __future__ import annotations

from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from emu import arch as arches
from emu.errors import UsageError
from emu.image import Image, Segment
from emu.loader import AT_PHDR, AT_PHENT, AT_PHNUM

ELF_MAGIC = b"\x7fELF"


def is_elf(path: str | Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == ELF_MAGIC
    except OSError:
        return False


def detect_arch(elf: ELFFile) -> str:
    """The canonical arch name of an ELF file, from e_machine, class and byte order."""
    machine = elf["e_machine"]
    for candidate in arches.all_arches().values():
        if candidate.elf_machine != machine or candidate.bits != elf.elfclass:
            continue
        if (candidate.endian == "little") == elf.little_endian:
            return candidate.name
    order = "little" if elf.little_endian else "big"
    raise UsageError(f"unsupported ELF: {machine}, {elf.elfclass}-bit, {order}-endian")


def load_elf(path: str | Path, wanted_arch: str | None = None) -> Image:
    try:
        with open(path, "rb") as handle:
            elf = ELFFile(handle)
            name = detect_arch(elf)
            if wanted_arch and arches.resolve_name(wanted_arch) != name:
                raise UsageError(f"{path}: this ELF is for {name}, not {arches.resolve_name(wanted_arch)}")
            if elf["e_type"] != "ET_EXEC":
                raise UsageError(f"{path}: only static executables are supported (e_type {elf['e_type']})")
            if any(seg["p_type"] == "PT_INTERP" for seg in elf.iter_segments()):
                raise UsageError(
                    f"{path}: dynamically linked executables are not supported (link with -static)"
                )
            return _image(elf, name, str(path))
    except ELFError as err:
        raise UsageError(f"{path}: not a valid ELF file ({err})") from None


def _image(elf: ELFFile, name: str, path: str) -> Image:
    segments, phdr = [], 0
    for index, seg in enumerate(elf.iter_segments()):
        if seg["p_type"] != "PT_LOAD":
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
                bool(flags & 4),
                bool(flags & 2),
                bool(flags & 1),
            )
        )
    symbols, thumb = _symbols(elf, name)
    entry, registers = _entry(elf, segments)
    image = Image(name, segments, symbols, entry, {}, thumb, path)
    image.initial_registers = registers
    image.function_descriptors = elf["e_machine"] == "EM_PPC64" and elf["e_flags"] & 3 == 1
    image.program_headers = [(AT_PHDR, phdr), (AT_PHENT, elf["e_phentsize"]), (AT_PHNUM, elf["e_phnum"])]
    return image


def _symbols(elf: ELFFile, arch_name: str) -> tuple[dict[str, int], set[str]]:
    """Defined symbols by address; on arm, Thumb functions (odd st_value) are listed apart."""
    symbols: dict[str, int] = {}
    thumb: set[str] = set()
    table = elf.get_section_by_name(".symtab")
    for symbol in table.iter_symbols() if table is not None else ():
        kind = symbol["st_info"]["type"]
        defined = kind in ("STT_FUNC", "STT_NOTYPE", "STT_OBJECT") and symbol["st_shndx"] != "SHN_UNDEF"
        if not symbol.name or not defined or symbol.name.startswith("$"):
            continue
        value = symbol["st_value"]
        if arches.get(arch_name).interworking and kind == "STT_FUNC" and value & 1:
            thumb.add(symbol.name)
            value &= ~1
        symbols[symbol.name] = value
    return symbols, thumb


def _entry(elf: ELFFile, segments: list[Segment]) -> tuple[int, dict[str, int]]:
    """The first instruction to run, and registers the ABI sets up for it.

    A ppc64 ELFv1 executable (e_flags 1: Go's big-endian binaries) gives the
    address of a function descriptor, not of code: {code address, TOC}.
    """
    entry = elf["e_entry"]
    if elf["e_machine"] != "EM_PPC64" or elf["e_flags"] & 3 != 1:
        return entry, {}
    for segment in segments:
        if segment.address <= entry < segment.address + len(segment.data) - 15:
            offset = entry - segment.address
            code = int.from_bytes(segment.data[offset : offset + 8], "big")
            toc = int.from_bytes(segment.data[offset + 8 : offset + 16], "big")
            return code, {"r2": toc}
    raise UsageError("ELFv1 entry descriptor is outside the loaded segments")
