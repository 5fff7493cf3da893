"""`emu run` on static ELF executables: the arch comes from the header."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from archdata import input_file
from conftest import ARCHES, ROOT, require_tool, run_emu
from elfgen import set_header_field, set_phdr_field, synthesise
from fuzz.inprocess import run_cli

from emu import arch as arches
from emu.asm import gnu_backend


def link_hello(tmp_path, arch_name: str) -> str:
    """The arch's examples/hello.s assembled and linked by GNU as + ld -static."""
    arch = arches.get(arch_name)
    if not gnu_backend.available(arch):
        require_tool(arch.gnu.prefix + "as", arch.gnu.prefix + "ld")
    source = input_file(arch_name, "examples/hello.s")
    return str(
        gnu_backend.link_executable(source.read_text(), arch, str(source), tmp_path / f"hello-{arch_name}")
    )


@pytest.mark.parametrize("arch", ARCHES)
def test_static_elf_runs_with_its_own_arch(tmp_path, arch: str) -> None:
    result = run_emu("run", link_hello(tmp_path, arch))
    assert (result.returncode, result.stdout) == (0, f"Hello from {arch}!\n"), result.stderr


def test_disagreeing_arch_is_an_error(tmp_path) -> None:
    result = run_emu("run", link_hello(tmp_path, "ppc64"), "--arch", "ppc64le")
    assert result.returncode == 2
    assert "this ELF is for ppc64, not ppc64le" in result.stderr


def test_garbage_elf_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x7fELF" + b"\0" * 8)
    result = run_emu("run", bad)
    assert result.returncode == 2 and ": bad ELF: " in result.stderr, result.stderr


# ---- malformed files (issue 12): checked before anything is mapped ------------------------------

SHT_PROGBITS, SHT_SYMTAB = 1, 2
REPROS = ROOT / "tests" / "fixtures" / "elf"  # ../shared/repros/reliability/D18*, minimal mutants
BAD_ELF_REPROS = {
    "D18a_elf_memsz_internal_error": "is outside the amd64 user address space",
    "D18b_elf_offset_internal_error": "p_filesz 0x4000000e8 is larger than p_memsz 0xe8",
    "D18c_elf_filesz_internal_error": "p_filesz 0x40000021 is larger than p_memsz 0x21",
    "D18d_elf_vaddr_internal_error": "segment 1 (PT_LOAD at 0xffffffffffffffff)",
    "D18e_elf_noncanonical_entry_internal_error": "entry point 0x40000000401000 is not a canonical amd64 address",
    "D18g_elf_filesz_memoryerror": "p_filesz 0x140000000021 is larger than p_memsz 0x21",
}


@pytest.mark.parametrize("name", sorted(BAD_ELF_REPROS))
def test_malformed_elf_repro_is_bad_elf(name: str) -> None:
    result = run_emu("run", REPROS / name, "--max-insns", "200000", timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"emu: {REPROS / name}: bad ELF: "), result.stderr
    assert BAD_ELF_REPROS[name] in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def test_entry_above_user_space_dies_at_exec_like_linux() -> None:
    """D18f: entry -1 hung emu; Linux refuses it after the point of no return, so SIGSEGV (139)."""
    result = run_emu("run", REPROS / "D18f_elf_entry_minus1_hang_ppc64", "--max-insns", "1000", timeout=60)
    assert result.returncode == 139, result.stderr
    assert "SIGSEGV" in result.stderr and "at exec, pc 0xffffffffffffffff" in result.stderr


def write_elf(tmp_path, data: bytes | bytearray) -> str:
    path = tmp_path / "a.out"
    path.write_bytes(bytes(data))
    return str(path)


def run_in_process(path: str, *options: str):
    return run_cli(["run", path, "--max-insns", "10000", *options])


def test_synthesised_executable_runs(tmp_path, arch_name: str) -> None:
    assert run_in_process(write_elf(tmp_path, synthesise(arch_name))).status == 0


@pytest.mark.parametrize(
    "field,value,expected",
    [
        ("e_phentsize", 40, "e_phentsize is 40, not 56"),
        ("e_phnum", 0xFFFF, "65535 program headers"),  # PN_XNUM: pyelftools would read sh_info as the count
        ("e_phnum", 0, "no program headers"),
        ("e_phoff", 1 << 40, "end past the end of the file"),
        ("e_shoff", 1 << 40, "the section headers at 0x10000000000 end past the end of the file"),
    ],
)
def test_bad_header_field_is_bad_elf(tmp_path, field: str, value: int, expected: str) -> None:
    data = bytearray(synthesise("amd64"))
    set_header_field(data, field, value)
    if field == "e_shoff":
        set_header_field(data, "e_shnum", 3)
        set_header_field(data, "e_shentsize", 64)
    outcome = run_in_process(write_elf(tmp_path, data))
    assert outcome.status == 2 and ": bad ELF: " in outcome.stderr and expected in outcome.stderr, (
        outcome.stderr
    )


@pytest.mark.parametrize(
    "field,value,expected",
    [
        ("p_align", 0x1800, "p_align 0x1800 is not a power of two"),
        (
            "p_align",
            0x10,
            "p_align 0x10 is not a power of two dividing p_vaddr - p_offset",
        ),  # offset 0, vaddr odd
        ("p_offset", 0x10000, "lie past the end of the file"),
        ("p_memsz", 4, "p_filesz 0x81 is larger than p_memsz 0x4"),
    ],
)
def test_bad_segment_field_is_bad_elf(tmp_path, field: str, value: int, expected: str) -> None:
    data = bytearray(synthesise("amd64"))
    if field == "p_align" and value == 0x10:
        set_phdr_field(data, 0, "p_vaddr", 0x400008)
    set_phdr_field(data, 0, field, value)
    outcome = run_in_process(write_elf(tmp_path, data))
    assert outcome.status == 2 and expected in outcome.stderr, outcome.stderr


def test_truncated_file_is_bad_elf(tmp_path) -> None:
    outcome = run_in_process(write_elf(tmp_path, synthesise("arm")[:70]))
    assert outcome.status == 2 and ": bad ELF: " in outcome.stderr, outcome.stderr


@pytest.mark.parametrize(
    "field,value",
    [("e_entry", 0x500000), ("p_flags", 4), ("p_flags", 0)],
    ids=["entry-outside-segments", "entry-in-non-executable-segment", "segment-without-permissions"],
)
def test_entry_that_linux_runs_faults_with_sigsegv(tmp_path, field: str, value: int) -> None:
    """Linux and qemu-x86_64 run these and die by SIGSEGV at the first fetch; so does emu.

    p_flags 0 was an internal error (UcError writing the bytes of a PROT_NONE mapping), found by
    tests/fuzz/test_elf.py.
    """
    data = bytearray(synthesise("amd64"))
    if field == "e_entry":
        set_header_field(data, field, value)
    else:
        set_phdr_field(data, 0, field, value)
    outcome = run_in_process(write_elf(tmp_path, data))
    assert outcome.status == 139 and "SIGSEGV" in outcome.stderr, outcome.stderr


def test_elfv1_entry_descriptor_outside_the_file_bytes_is_bad_elf(tmp_path) -> None:
    data = bytearray(synthesise("ppc64"))
    set_header_field(data, "e_flags", 1)  # ELFv1: the entry is a function descriptor, which needs 16 bytes
    outcome = run_in_process(write_elf(tmp_path, data))
    assert outcome.status == 2 and "ELFv1 entry descriptor" in outcome.stderr, outcome.stderr


def test_segments_larger_than_mem_limit_are_a_load_error(tmp_path) -> None:
    data = bytearray(synthesise("amd64"))
    set_phdr_field(data, 0, "p_memsz", 512 << 20)
    outcome = run_in_process(write_elf(tmp_path, data), "--mem-limit", "256M")
    assert outcome.status == 2 and "does not fit in memory" in outcome.stderr, outcome.stderr


def test_unsupported_machine_names_the_file(tmp_path) -> None:
    data = bytearray(synthesise("amd64"))
    set_header_field(data, "e_machine", 2)  # EM_SPARC
    path = write_elf(tmp_path, data)
    outcome = run_in_process(path)
    assert outcome.status == 2 and f"{path}: unsupported ELF: EM_SPARC" in outcome.stderr, outcome.stderr


def test_overlapping_segments_are_bad_elf(tmp_path) -> None:
    hello = link_hello(tmp_path, "amd64")
    data = bytearray(Path(hello).read_bytes())
    set_phdr_field(data, 0, "p_memsz", 0x1010)  # segment 0 now runs 0x10 bytes into segment 1's page
    outcome = run_in_process(write_elf(tmp_path, data))
    assert outcome.status == 2 and "segments 0 and 1 overlap" in outcome.stderr, outcome.stderr


def _section_header_offset(data: bytes | bytearray, sh_type: int) -> int:
    """File offset of the first section header of type `sh_type` in a 64-bit little-endian ELF file."""
    shoff = struct.unpack_from("<Q", data, 40)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, 58)
    for index in range(shnum):
        offset = shoff + index * shentsize
        if struct.unpack_from("<I", data, offset + 4)[0] == sh_type:
            return offset
    raise AssertionError(f"no section of type {sh_type}")


def test_symbol_table_past_the_end_is_bad_elf(tmp_path) -> None:
    data = bytearray(Path(link_hello(tmp_path, "amd64")).read_bytes())
    offset = _section_header_offset(data, SHT_SYMTAB)
    struct.pack_into("<Q", data, offset + 24, 1 << 40)  # sh_offset
    outcome = run_in_process(write_elf(tmp_path, data))
    assert outcome.status == 2 and "symbol table or its string table lies past the end" in outcome.stderr


def test_corrupt_section_emu_does_not_read_is_ignored_as_linux_does(tmp_path) -> None:
    """A compressed-flagged section at a huge offset made pyelftools raise OSError (fuzz find): emu
    reads only .symtab, so the program runs, as under Linux."""
    data = bytearray(Path(link_hello(tmp_path, "amd64")).read_bytes())
    offset = _section_header_offset(data, SHT_PROGBITS)
    struct.pack_into("<Q", data, offset + 8, 0x800)  # sh_flags: SHF_COMPRESSED
    struct.pack_into("<Q", data, offset + 24, 1 << 62)  # sh_offset
    outcome = run_in_process(write_elf(tmp_path, data))
    assert (outcome.status, outcome.stdout) == (0, "Hello from amd64!\n"), outcome.stderr
