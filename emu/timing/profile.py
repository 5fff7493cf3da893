"""The cycle profile of a run: block costs priced once, executions counted in C.

`Profiler(counter, arch, model)` classifies each block when the block table first
sees it (each distinct instruction encoding decoded by capstone once); after the run,
`report(image)` prices the blocks (as straight-line code, and as a one-block loop only
for blocks that did loop to themselves), multiplies the prices by the counter's
per-(thread, block) execution counts and attributes them to symbols. Pricing issues a
block ~50 times through the scoreboard (in C when a compiler is there): blocks of the
same shape (classes and registers) are priced once (a Go test binary runs ~16,000
distinct blocks, few of which loop).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from emu.arch import Arch
from emu.image import Image
from emu.native.blocks import FirstSight
from emu.native.counter import BlockStats, CBlockCounter, PyBlockCounter
from emu.timing.classify import Decoded, classifier_for
from emu.timing.model import CpuModel
from emu.timing.pprof import Sample
from emu.timing.scoreboard import BlockCost, block_cost

Counter = CBlockCounter | PyBlockCounter


Shape = tuple[tuple[str, frozenset[str], frozenset[str], frozenset[str], frozenset[str]], ...]


class Prices:
    """A block's prices both ways, computed on first use: repeated back to back (a loop) and
    once (straight line). Blocks of one shape share them (`costs`)."""

    def __init__(
        self, decoded: list[Decoded], model: CpuModel, costs: dict[tuple[Shape, bool], BlockCost]
    ) -> None:
        self.decoded, self.model, self.costs = decoded, model, costs
        self.shape: Shape = tuple((d.cls, d.reads, d.writes, d.address_writes, d.addresses) for d in decoded)

    def _cost(self, loops: bool) -> BlockCost:
        key = (self.shape, loops)
        cost = self.costs.get(key)
        if cost is None:
            cost = self.costs[key] = block_cost(self.decoded, self.model, loops)
        return cost

    @functools.cached_property
    def loop(self) -> BlockCost:
        return self._cost(True)

    @functools.cached_property
    def straight(self) -> BlockCost:
        return self._cost(False)


@dataclass
class Tally:
    """Instructions and cycles accumulated for a symbol, a block or a thread."""

    name: str
    address: int = 0
    calls: int = 0
    executions: int = 0
    instructions: int = 0
    cycles: float = 0.0
    unclassified: int = 0

    def add(self, other: Tally) -> None:
        self.calls += other.calls
        self.executions += other.executions
        self.instructions += other.instructions
        self.cycles += other.cycles
        self.unclassified += other.unclassified

    def as_dict(self) -> dict[str, object]:
        per_call = self.cycles / self.calls if self.calls else None
        return {
            "name": self.name,
            "address": self.address,
            "calls": self.calls,
            "instructions": self.instructions,
            "cycles": round(self.cycles, 2),
            "cycles_per_call": None if per_call is None else round(per_call, 2),
            "unclassified": self.unclassified,
        }


@dataclass
class Report:
    arch: str
    cpu: str
    threads: dict[int, list[Tally]]
    symbols: list[Tally]
    blocks: list[Tally]
    totals: Tally
    mispredict_cycles: float
    cache: list[dict[str, object]] = field(default_factory=list)
    counter: str = "c"


class Profiler:
    """Prices blocks on first sight and turns execution counts into a Report."""

    def __init__(self, counter: Counter, arch: Arch, model: CpuModel) -> None:
        self.counter, self.arch, self.model = counter, arch, model
        self.classifier = classifier_for(arch.name)
        self.prices: dict[int, Prices] = {}
        self._costs: dict[tuple[Shape, bool], BlockCost] = {}
        self._by_encoding: dict[tuple[str | None, bytes], Decoded | None] = {}
        counter.table.inspect(self._price)

    def _price(self, block: FirstSight) -> None:
        decoded = []
        for address, encoding in block.instructions():
            insn = self._decode(block.alt, address, encoding)
            if insn is None:
                break  # undecodable: the engine stops the block there too
            decoded.append(insn)
        self.prices[block.address] = Prices(decoded, self.model, self._costs)

    def _decode(self, alt: str | None, address: int, encoding: bytes) -> Decoded | None:
        """One instruction, classified once per encoding: capstone's detailed decode costs
        ~50 µs through its Python binding, and a Go binary's code is ~25% distinct encodings."""
        key = (alt, encoding)
        if key not in self._by_encoding:
            insn = next(self.counter.table.disassembler(alt).disasm(encoding, address, 1), None)
            self._by_encoding[key] = None if insn is None else self.classifier.decode(insn)
        template = self._by_encoding[key]
        if template is None or template.address == address:
            return template
        return dataclasses.replace(template, address=address)

    def block_cycles(self, stats: BlockStats) -> tuple[float, float]:
        """(cycles including mispredicts and cache misses, of which mispredicts) for one block."""
        prices = self.prices[stats.address]
        straight = stats.count - stats.self_count
        cycles = stats.self_count * prices.loop.cycles if stats.self_count else 0.0
        cycles += straight * prices.straight.cycles if straight else 0.0
        cycles += self._head_cycles(stats, prices)
        mispredicts = straight * self.model.mispredict_penalty if stats.self_count else 0
        return cycles + mispredicts + stats.penalty, mispredicts

    @staticmethod
    def _head_cycles(stats: BlockStats, prices: Prices) -> float:
        """Heads of the block run when a slice ended inside it: priced pro rata, as straight code."""
        return stats.partial * prices.straight.cycles / stats.ninsns if stats.partial else 0.0

    def _tally(self, stats: BlockStats, image: Image) -> tuple[str, Tally, float]:
        name = image.symbolize(stats.address).split("+")[0]
        cycles, mispredicts = self.block_cycles(stats)
        calls = stats.count if image.symbols.get(name) == stats.address else 0
        unclassified = stats.count * self.prices[stats.address].straight.unclassified
        instructions = stats.count * stats.ninsns + stats.partial  # heads of cut blocks count too
        tally = Tally(name, stats.address, calls, stats.count, instructions, cycles, unclassified)
        return name, tally, mispredicts

    def report(self, image: Image) -> Report:
        by_thread: dict[int, dict[str, Tally]] = {}
        blocks: dict[int, Tally] = {}
        mispredict_cycles = 0.0
        for stats in self.counter.blocks():
            name, tally, mispredicts = self._tally(stats, image)
            mispredict_cycles += mispredicts
            symbols = by_thread.setdefault(stats.tid, {})
            symbols.setdefault(name, Tally(name, image.symbols.get(name, stats.address))).add(tally)
            label = image.symbolize(stats.address)
            blocks.setdefault(stats.address, Tally(label, stats.address)).add(tally)
        return Report(
            self.arch.name,
            self.model.name,
            _sorted_threads(by_thread),
            _merge(by_thread),
            sorted(blocks.values(), key=lambda t: -t.cycles),
            _total(blocks.values()),
            mispredict_cycles,
            self._cache_stats(),
            "c" if self.counter.native else "python",
        )

    def samples(self, image: Image) -> list[Sample]:
        """One sample per (thread, block): what `--cycles-profile` writes."""
        return [
            Sample(
                stats.tid,
                stats.address,
                image.symbolize(stats.address).split("+")[0],
                self.block_cycles(stats)[0],
                stats.count * stats.ninsns,
                image.source_lines.get(stats.address),
            )
            for stats in self.counter.blocks()
        ]

    def _cache_stats(self) -> list[dict[str, object]]:
        return [
            {
                "level": lv.name,
                "size": lv.size,
                "ways": lv.ways,
                "line": lv.line,
                "accesses": acc,
                "misses": miss,
                "miss_penalty": lv.penalty,
            }
            for lv, acc, miss in self.counter.cache_stats()
        ]


def _sorted_threads(by_thread: dict[int, dict[str, Tally]]) -> dict[int, list[Tally]]:
    return {tid: sorted(s.values(), key=lambda t: -t.cycles) for tid, s in sorted(by_thread.items())}


def _merge(by_thread: dict[int, dict[str, Tally]]) -> list[Tally]:
    merged: dict[str, Tally] = {}
    for symbols in by_thread.values():
        for name, tally in symbols.items():
            merged.setdefault(name, Tally(name, tally.address)).add(tally)
    return sorted(merged.values(), key=lambda t: -t.cycles)


def _total(tallies: Iterable[Tally]) -> Tally:
    total = Tally("total")
    for tally in tallies:
        total.add(tally)
    return total
