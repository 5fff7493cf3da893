"""The address space: PROT_NONE reservations, protections, the memory limit."""

from __future__ import annotations

import pytest
from conftest import run_emu

from emu import arch as arches
from emu import cpu
from emu.memory import PROT_NONE, PROT_READ, PROT_WRITE, AddressSpace, OutOfMemory

RW = PROT_READ | PROT_WRITE
BASE = 0x10000000


def space(limit: int = 1 << 20) -> AddressSpace:
    return AddressSpace(cpu.new_engine(arches.get("amd64")), 4096, limit)


def test_reservations_cost_nothing_until_made_accessible() -> None:
    memory = space(limit=64 << 10)
    memory.map(BASE, 512 << 20, PROT_NONE, "reserve")  # Go reserves arenas like this
    assert memory.mapped_bytes == 0 and memory.is_mapped(BASE, BASE + (512 << 20))
    memory.protect(BASE, 8192, RW)
    memory.write(BASE + 8190, b"ok")
    assert memory.read(BASE + 8190, 2) == b"ok" and memory.mapped_bytes == 8192
    with pytest.raises(OutOfMemory):
        memory.protect(BASE + 8192, 1 << 20, RW)


def test_data_survives_a_round_trip_through_prot_none() -> None:
    memory = space()
    memory.map(BASE, 4096, RW, "data")
    memory.write(BASE, b"keep")
    memory.protect(BASE, 4096, PROT_NONE)
    memory.protect(BASE, 4096, RW)
    assert memory.read(BASE, 4) == b"keep"


def test_map_fixed_over_a_reservation_and_unmap_a_hole() -> None:
    memory = space()
    memory.map(BASE, 16 << 12, PROT_NONE, "reserve")
    memory.map(BASE + 4096, 4096, RW, "heap")
    memory.unmap(BASE + 8192, 4096)
    assert memory.is_mapped(BASE, BASE + 8192)
    assert not memory.is_mapped(BASE, BASE + (16 << 12))
    heap, reserve = memory.find(BASE + 4096), memory.find(BASE)
    assert heap is not None and heap.name == "heap" and reserve is not None and reserve.name == "reserve"


def test_touching_a_reservation_is_a_segfault_that_says_so(tmp_path) -> None:
    source = tmp_path / "pn.s"
    source.write_text(
        ".text\n_start:\n mov eax, 9\n xor edi, edi\n mov esi, 65536\n xor edx, edx\n"
        " mov r10d, 0x22\n mov r8, -1\n xor r9d, r9d\n syscall\n"  # mmap(PROT_NONE)
        " mov rbx, rax\n mov eax, 10\n mov rdi, rbx\n mov esi, 4096\n mov edx, 3\n syscall\n"
        " mov dword ptr [rbx], 7\n mov dword ptr [rbx + 4096], 7\n"
    )
    result = run_emu("run", source, "--arch", "amd64")
    assert result.returncode == 139
    assert "write to PROT_NONE address" in result.stderr and "pn.s:18" in result.stderr
