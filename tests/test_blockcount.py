"""The block counter: exact instruction counts, exact slice ends, C and Python twins identical."""

from __future__ import annotations

import pytest
import unicorn
from archdata import expect
from conftest import ARCHES, machine_code, require_tool

from emu import arch as arches
from emu import cpu
from emu.native import build
from emu.native.blocks import BlockTable
from emu.native.counter import BlockCounter, CacheLevel

BASE, DATA = 0x100000, 0x200000
# [snippets] counted_loop of each arch: 3 x 300 stores to DATA, then a nop.


def engine(arch_name: str) -> tuple[unicorn.Uc, int]:
    arch = arches.get(arch_name)
    code = machine_code(arch, expect(arch_name, "snippets.counted_loop"), BASE)
    uc = cpu.new_engine(arch)
    uc.mem_map(BASE, 0x200000)
    uc.mem_write(BASE, bytes(code))
    return uc, BASE + len(code)


def code_hook_count(arch_name: str) -> int:
    uc, end = engine(arch_name)
    seen = [0]
    uc.hook_add(unicorn.UC_HOOK_CODE, lambda *_: seen.__setitem__(0, seen[0] + 1))
    uc.emu_start(BASE, end)
    return seen[0]


def sliced(arch_name: str, native: bool, budget: int | None, cache: bool = False):
    uc, end = engine(arch_name)
    arch = arches.get(arch_name)
    counter = BlockCounter(uc, arch, native=native)
    if cache:
        counter.enable_cache([CacheLevel("L1", 1024, 2, 64, 10), CacheLevel("L2", 4096, 4, 64, 100)])
    pc_reg = cpu.register_id(arch, arch.pc)
    uc.reg_write(pc_reg, BASE)
    slices: list[int] = []
    while uc.reg_read(pc_reg) != end:
        before = counter.executed
        counter.set_budget(None if budget is None else before + budget)
        counter.set_thread(len(slices) % 2)
        counter.run(lambda: uc.reg_read(pc_reg), end)
        slices.append(counter.executed - before)
    return counter, slices


natives = [False, True] if build.load() is not None else [False]


@pytest.mark.parametrize("arch_name", ARCHES)
@pytest.mark.parametrize("native", natives)
def test_counts_are_exact_and_slices_end_on_the_budget(arch_name: str, native: bool) -> None:
    expected = code_hook_count(arch_name)
    counter, slices = sliced(arch_name, native, 997)
    assert counter.executed == expected
    assert all(n == 997 for n in slices[:-1]) and 0 < slices[-1] <= 997
    blocks = counter.blocks()
    assert sum(b.count * b.ninsns + b.partial for b in blocks) == expected
    assert {b.tid for b in blocks} == {0, 1}


@pytest.mark.parametrize("arch_name", ARCHES)
def test_c_and_python_twins_give_identical_results(arch_name: str) -> None:
    if build.load() is None:
        require_tool("cc")  # skips on a laptop without a compiler, fails in CI
        pytest.fail("cc is installed but the C block counter did not build")
    c_counter, c_slices = sliced(arch_name, True, 1234, cache=True)
    py_counter, py_slices = sliced(arch_name, False, 1234, cache=True)
    assert c_slices == py_slices
    assert c_counter.blocks() == py_counter.blocks()
    assert c_counter.cache_stats() == py_counter.cache_stats()
    assert any(misses for _, _, misses in c_counter.cache_stats())


def test_without_a_compiler_the_python_twin_is_used(monkeypatch) -> None:
    monkeypatch.setenv("EMU_NO_CC", "1")
    assert build.compiler() is None
    uc, _ = engine("amd64")
    assert not BlockCounter(uc, arches.get("amd64"), native=False).native


def test_the_library_is_cached_by_source_hash() -> None:
    assert build.library_path().name.startswith("blockcount-")
    assert build.library_path() == build.library_path()


@pytest.mark.parametrize("arch_name", ARCHES)
@pytest.mark.parametrize("native", natives)
def test_slice_ends_inside_blocks_never_flush_the_translation_cache(
    arch_name: str, native: bool, monkeypatch
) -> None:
    """Issue 13: a slice ending inside a block used to flush unicorn's whole translation cache
    (twice, through `count=`), re-translating the hot code every slice. Now only the cut block
    is re-translated: neither a flush nor count mode may happen."""
    monkeypatch.setattr(unicorn.Uc, "ctl_flush_tb", lambda self: pytest.fail("translation cache flushed"))
    start = unicorn.Uc.emu_start

    def no_count_mode(self, begin, until, timeout=0, count=0):
        assert count == 0, "count mode flushes the translation cache when it ends"
        return start(self, begin, until, timeout, count)

    monkeypatch.setattr(unicorn.Uc, "emu_start", no_count_mode)
    heads = 0
    for budget in (997, 998, 999):
        counter, _ = sliced(arch_name, native, budget)
        assert counter.executed == code_hook_count(arch_name)
        heads += sum(b.partial for b in counter.blocks())
    assert heads > 0  # slices did end inside blocks


@pytest.mark.parametrize("arch_name", ARCHES)
def test_counting_without_a_full_decode_agrees_with_it(arch_name: str) -> None:
    """Blocks are counted by size (fixed-width code) or a lite decode, never a full one; the count
    is what capstone's full decode gives, for every prefix of the code."""
    arch = arches.get(arch_name)
    code = machine_code(arch, expect(arch_name, "snippets.counted_loop"), BASE)
    uc = cpu.new_engine(arch)
    uc.mem_map(BASE, 0x10000)
    uc.mem_write(BASE, bytes(code))
    full = cpu.new_disassembler(arch)
    for size in range(len(code) + 1):
        decoded = max(1, len(list(full.disasm(bytes(code[:size]), BASE))))  # an undecodable block runs as one
        assert BlockTable(uc, arch).ninsns(BASE, size) == decoded
