"""Block execution counters: exact instruction counts and deterministic slicing.

`BlockCounter(uc, arch)` counts every executed basic block per (thread, block)
and ends `emu_start` once an instruction budget is used up, so the run loop no
longer needs unicorn's `count=` (which installs a per-instruction hook and makes
unicorn ~10x slower). The C version (emu/native/blockcount.c) runs inside
unicorn's C hook API; `PyBlockCounter` is its pure-Python twin for machines
without a C compiler: same rules, same numbers, ~100x slower.

Rules both follow: a block is counted when it starts, with its instruction
count from first sight; at a block start, if executed >= budget the engine is
stopped and the block is not counted (it runs, and is counted, on resume). A
block that would cross the budget is stopped too; its head then runs alone,
counted instruction by instruction (`_Slicing.run`).
"""

from __future__ import annotations

import abc
import ctypes
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import unicorn
from unicorn.unicorn_py3 import unicorn as uc_binding

from emu.arch import Arch
from emu.native import build
from emu.native.blocks import BlockTable

if TYPE_CHECKING:
    from _ctypes import CFuncPtr

NO_BUDGET = (1 << 64) - 1
_NEW_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint64, ctypes.c_uint32)


@dataclass(frozen=True)
class CacheLevel:
    """One cache level: size/ways/line in bytes; `penalty` cycles charged per miss here."""

    name: str
    size: int
    ways: int
    line: int
    penalty: int


@dataclass
class BlockStats:
    """Executions of one block by one thread."""

    address: int
    tid: int
    count: int
    self_count: int  # executions that directly followed an execution of the same block
    ninsns: int
    penalty: int  # cache-miss cycles charged while it ran
    partial: int = 0  # instructions run as the head of this block when a slice ended inside it


class _Slot(ctypes.Structure):
    _fields_ = [
        ("addr", ctypes.c_uint64),
        ("count", ctypes.c_uint64),
        ("self", ctypes.c_uint64),
        ("penalty", ctypes.c_uint64),
        ("partial", ctypes.c_uint64),
        ("tid", ctypes.c_uint32),
        ("ninsns", ctypes.c_uint32),
        ("used", ctypes.c_uint32),
        ("pad", ctypes.c_uint32),
    ]


HookHandle = TypeVar("HookHandle")  # what the counter's way of adding a hook returns


class _Slicing(abc.ABC, Generic[HookHandle]):
    """`run`: emu_start up to the budget, exact to the instruction, for both counters.

    The counters differ in where the cut block's state lives (C or Python): the abstract
    methods below reach it."""

    uc: unicorn.Uc

    @abc.abstractmethod
    def _short_by(self) -> int:
        """Instructions of the cut block to run before the budget is used up (0: none cut)."""

    @abc.abstractmethod
    def _cut_block(self) -> tuple[int, int]:
        """(address, size) of the block the budget cut."""

    @abc.abstractmethod
    def _add_head_hook(self, begin: int, end: int) -> HookHandle:
        """A code hook on [begin, end] that counts the head and stops after it."""

    @abc.abstractmethod
    def _del_hook(self, handle: HookHandle) -> None: ...

    @abc.abstractmethod
    def _begin_head(self) -> None: ...

    @abc.abstractmethod
    def _end_head(self) -> None: ...

    def run(self, start_address: Callable[[], int], until: int) -> None:
        """Run from `start_address()` until the budget (or a hook) stops the engine.

        Whole blocks run at full speed; the block that would cross the budget is
        stopped at its start and only its first `short` instructions (its head) run,
        under a code hook installed on that one block, so slices end on exactly the
        budgeted instruction (preemption can land inside a block, as with `count=`).
        Only the cut block is retranslated (with the hook, then without): unicorn's
        `count=` would flush the whole translation cache twice per slice."""
        self.uc.emu_start(start_address(), until)
        if not self._short_by():
            return
        address, size = self._cut_block()
        hook = self._add_head_hook(address, address + size - 1)
        self.uc.ctl_remove_cache(address, address + size)  # its cached translation has no hook
        self._begin_head()
        try:
            self.uc.emu_start(start_address(), until)
        finally:
            self._end_head()
            self._del_hook(hook)
            self.uc.ctl_remove_cache(address, address + size)  # drop the hooked translation


class CBlockCounter(_Slicing[ctypes.c_size_t]):
    """The counter running as unicorn C hooks (see module docstring)."""

    native = True

    def __init__(self, uc: unicorn.Uc, arch: Arch, lib: ctypes.CDLL) -> None:
        self.uc, self.table, self._lib = uc, BlockTable(uc, arch), lib
        self._ctx = lib.bc_new()
        self._levels: list[CacheLevel] = []
        self._on_new = _NEW_FN(self._new_block)  # kept alive: the binding does not hold it
        stop = ctypes.cast(uc_binding.uclib.uc_emu_stop, ctypes.c_void_p)
        lib.bc_set_callbacks(self._ctx, ctypes.cast(self._on_new, ctypes.c_void_p), stop)
        self._hooks = [self._hook(unicorn.UC_HOOK_BLOCK, lib.bc_block_hook)]
        weakref.finalize(self, lib.bc_free, self._ctx)
        self.error: BaseException | None = None

    def _hook(self, kind: int, function: CFuncPtr, begin: int = 1, end: int = 0) -> ctypes.c_size_t:
        """Register a C hook (begin > end: everywhere)."""
        handle = ctypes.c_size_t()
        address = ctypes.cast(function, ctypes.c_void_p)
        status = uc_binding.uclib.uc_hook_add(
            self.uc._uch,
            ctypes.byref(handle),
            kind,
            address,
            self._ctx,
            ctypes.c_uint64(begin),
            ctypes.c_uint64(end),
        )
        if status != unicorn.UC_ERR_OK:
            raise unicorn.UcError(status)
        return handle

    def _new_block(self, address: int, size: int) -> int:
        try:
            return self.table.ninsns(address, size)
        except BaseException as err:  # noqa: BLE001 - must not unwind through C; re-raised by check()
            self.error = err
            return -1

    @property
    def executed(self) -> int:
        """Guest instructions executed so far, all threads."""
        return self._lib.bc_executed(self._ctx)

    def set_budget(self, budget: int | None) -> None:
        """Stop the engine at the first block start where executed >= budget (None: never)."""
        self._lib.bc_set_budget(self._ctx, NO_BUDGET if budget is None else budget)

    def set_thread(self, tid: int) -> None:
        """Attribute what runs next to thread `tid` (call before each slice)."""
        self._lib.bc_set_thread(self._ctx, tid)

    def _short_by(self) -> int:
        return self._lib.bc_short_by(self._ctx)

    def _cut_block(self) -> tuple[int, int]:
        return self._lib.bc_short_addr(self._ctx), self._lib.bc_short_size(self._ctx)

    def _add_head_hook(self, begin: int, end: int) -> ctypes.c_size_t:
        return self._hook(unicorn.UC_HOOK_CODE, self._lib.bc_code_hook, begin, end)

    def _del_hook(self, handle: ctypes.c_size_t) -> None:
        uc_binding.uclib.uc_hook_del(self.uc._uch, handle)

    def _begin_head(self) -> None:
        self._lib.bc_begin_head(self._ctx)

    def _end_head(self) -> None:
        self._lib.bc_end_head(self._ctx)

    def check(self) -> None:
        """Raise what went wrong inside the hook, if anything."""
        if self.error is not None:
            raise self.error
        if self._lib.bc_error(self._ctx):
            raise RuntimeError("emu block counter: out of memory")

    def enable_cache(self, levels: list[CacheLevel]) -> None:
        """Run the cache model on every guest load and store (slower: unicorn's memory slow path)."""
        for level in levels:
            if self._lib.bc_add_level(self._ctx, level.size, level.ways, level.line, level.penalty):
                raise ValueError(f"bad cache geometry for {level.name}")
        self._levels = list(levels)
        kinds = unicorn.UC_HOOK_MEM_READ | unicorn.UC_HOOK_MEM_WRITE
        self._hooks.append(self._hook(kinds, self._lib.bc_mem_hook))

    def cache_stats(self) -> list[tuple[CacheLevel, int, int]]:
        """(level, accesses, misses) per configured cache level."""
        stats = []
        for index, level in enumerate(self._levels):
            accesses, misses = ctypes.c_uint64(), ctypes.c_uint64()
            self._lib.bc_level_stats(self._ctx, index, ctypes.byref(accesses), ctypes.byref(misses))
            stats.append((level, accesses.value, misses.value))
        return stats

    def blocks(self) -> list[BlockStats]:
        """Every (thread, block) seen, sorted by thread then address."""
        capacity = self._lib.bc_capacity(self._ctx)
        slots = (_Slot * capacity).from_address(self._lib.bc_slots(self._ctx))
        found = [
            BlockStats(s.addr, s.tid, s.count, s.self, s.ninsns, s.penalty, s.partial)
            for s in slots
            if s.used
        ]
        return sorted(found, key=lambda b: (b.tid, b.address))


class _PyCache:
    """The C cache model, rule for rule (set-associative, LRU, lowest way on ties)."""

    def __init__(self, levels: list[CacheLevel]) -> None:
        self.levels = levels
        self.sets = [level.size // (level.ways * level.line) for level in levels]
        self.shifts = [level.line.bit_length() - 1 for level in levels]
        self.tags = [[0] * (s * lv.ways) for s, lv in zip(self.sets, levels, strict=True)]
        self.stamps = [[0] * (s * lv.ways) for s, lv in zip(self.sets, levels, strict=True)]
        self.accesses = [0] * len(levels)
        self.misses = [0] * len(levels)
        self.clock = 0

    def _touch(self, k: int, line: int) -> bool:
        ways = self.levels[k].ways
        base = (line % self.sets[k]) * ways
        tags, stamps = self.tags[k], self.stamps[k]
        self.accesses[k] += 1
        victim = 0
        for w in range(ways):
            if stamps[base + w] and tags[base + w] == line:
                stamps[base + w] = self.clock
                return True
            if stamps[base + w] < stamps[base + victim]:
                victim = w
        self.misses[k] += 1
        tags[base + victim], stamps[base + victim] = line, self.clock
        return False

    def access(self, address: int, size: int) -> int:
        shift = self.shifts[0]
        penalty = 0
        for line in range(address >> shift, ((address + max(size - 1, 0)) >> shift) + 1):
            self.clock += 1
            for k in range(len(self.levels)):
                if self._touch(k, (line << shift) >> self.shifts[k]):
                    break
                penalty += self.levels[k].penalty
        return penalty


class PyBlockCounter(_Slicing[int]):
    """Pure-Python twin of CBlockCounter (no C compiler): identical counts, much slower."""

    native = False

    def __init__(self, uc: unicorn.Uc, arch: Arch) -> None:
        self.uc, self.table = uc, BlockTable(uc, arch)
        self.executed = 0
        self.budget = NO_BUDGET
        self.error: BaseException | None = None
        self._stats: dict[tuple[int, int], BlockStats] = {}
        self._tid = 0
        self._last: BlockStats | None = None
        self._cache: _PyCache | None = None  # enable_cache: its hook has the cache as user data
        self._short: tuple[int, BlockStats, int, int] | None = None  # (head, stats, address, size)
        self._suspended = False
        self._head_left = 0
        self._hooks = [uc.hook_add(unicorn.UC_HOOK_BLOCK, self._on_block)]

    def _on_block(self, uc: unicorn.Uc, address: int, size: int, _user: object) -> None:
        if self._suspended:
            return
        if self.executed >= self.budget or self.error is not None:
            uc.emu_stop()
            return
        stats = self._stats.get((self._tid, address))
        if stats is None:
            try:
                ninsns = self.table.ninsns(address, size)
            except BaseException as err:  # noqa: BLE001 - surfaced by check()
                self.error = err
                uc.emu_stop()
                return
            stats = self._stats[(self._tid, address)] = BlockStats(address, self._tid, 0, 0, ninsns, 0)
        if self.executed + stats.ninsns > self.budget:
            self._short = (self.budget - self.executed, stats, address, size)
            uc.emu_stop()
            return
        stats.count += 1
        if self._last is not None and self._last.address == address:
            stats.self_count += 1
        self._last = stats
        self.executed += stats.ninsns

    def _on_memory(
        self, uc: unicorn.Uc, access: int, address: int, size: int, value: int, cache: _PyCache
    ) -> None:
        penalty = cache.access(address, size)
        if self._last is not None:
            self._last.penalty += penalty

    def set_budget(self, budget: int | None) -> None:
        self.budget = NO_BUDGET if budget is None else budget
        self._short = None

    def set_thread(self, tid: int) -> None:
        self._tid, self._last = tid, None

    def _short_by(self) -> int:
        return self._short[0] if self._short else 0

    def _cut(self) -> tuple[int, BlockStats, int, int]:
        """(head, stats, address, size) of the block _on_block cut when it stopped the engine."""
        if self._short is None:
            raise RuntimeError("emu block counter: no block was cut")
        return self._short

    def _cut_block(self) -> tuple[int, int]:
        _, _, address, size = self._cut()
        return address, size

    def _add_head_hook(self, begin: int, end: int) -> int:
        return self.uc.hook_add(unicorn.UC_HOOK_CODE, self._on_head_instruction, None, begin, end)

    def _del_hook(self, handle: int) -> None:
        self.uc.hook_del(handle)

    def _on_head_instruction(self, uc: unicorn.Uc, address: int, size: int, _user: object) -> None:
        if not self._head_left:
            uc.emu_stop()
            return
        self._head_left -= 1
        self.executed += 1
        self._cut()[1].partial += 1

    def _begin_head(self) -> None:
        self._suspended = True
        self._head_left, self._last, _, _ = self._cut()

    def _end_head(self) -> None:
        self._suspended = False
        self._head_left = 0
        self._short = None
        self._last = None

    def check(self) -> None:
        if self.error is not None:
            raise self.error

    def enable_cache(self, levels: list[CacheLevel]) -> None:
        self._cache = _PyCache(list(levels))
        kinds = unicorn.UC_HOOK_MEM_READ | unicorn.UC_HOOK_MEM_WRITE
        self._hooks.append(self.uc.hook_add(kinds, self._on_memory, self._cache))

    def cache_stats(self) -> list[tuple[CacheLevel, int, int]]:
        if self._cache is None:
            return []
        c = self._cache
        return list(zip(c.levels, c.accesses, c.misses, strict=True))

    def blocks(self) -> list[BlockStats]:
        return sorted(self._stats.values(), key=lambda b: (b.tid, b.address))


def BlockCounter(uc: unicorn.Uc, arch: Arch, native: bool | None = None) -> CBlockCounter | PyBlockCounter:  # noqa: N802 - a factory that reads as the class
    """The C counter when it can be built, else the Python twin (`native=` forces one)."""
    lib = build.load() if native is not False else None
    if lib is None:
        if native:
            raise RuntimeError("emu: the C block counter is unavailable (no working C compiler)")
        return PyBlockCounter(uc, arch)
    return CBlockCounter(uc, arch, lib)
