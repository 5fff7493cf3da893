"""Running a litmus test many times under a memory model, each run replayable from its seed.

The threads' columns become one assembly program (a label per thread, its end, the test's
locations in .data); one engine runs every thread, switching between them after a seeded
random number of instructions, with the storage subsystem (emu/memmodel) between the threads
and the locations. A run's seed fixes the interleaving, every propagation and every choice of
which write a load reads, so `--replay SEED` shows the same final state again.
"""

from __future__ import annotations

import functools
import random
import re
from collections import Counter
from dataclasses import dataclass, field

import unicorn
from unicorn.unicorn_py3.unicorn import UcContext

from emu import arch as arches
from emu import cpu, loader
from emu.arch import Arch
from emu.asm import assemble_text
from emu.campaign import chunks, run_chunks
from emu.errors import EmuError, UsageError
from emu.image import Image
from emu.litmus.parse import LitmusTest
from emu.memmodel.observer import WeakMemory
from emu.memmodel.storage import new_storage
from emu.memory import DEFAULT_MEM_LIMIT, AddressSpace

SLOT = 16  # bytes per location: every location in its own aligned slot
MAX_STEPS = 20_000  # instructions per run before a run is called stuck (a test that loops)


class Unsupported(EmuError):
    """The test uses an instruction or construct emu cannot run: reported, never 'Never'."""


@dataclass(frozen=True)
class Outcome:
    """A final state: the shown locations' values, in the test's order."""

    values: tuple[tuple[str, int], ...]

    def __str__(self) -> str:
        return " ".join(f"{loc}={value};" for loc, value in self.values)


@dataclass
class Campaign:
    """What many runs of one test on one arch under one model gave."""

    test: LitmusTest
    arch: str
    model: str
    runs: int = 0
    histogram: Counter[Outcome] = field(default_factory=Counter)
    first_seed: dict[Outcome, int] = field(default_factory=dict)
    positive: int = 0  # runs whose final state satisfies the proposition

    @property
    def negative(self) -> int:
        return self.runs - self.positive

    @property
    def exists_witnesses(self) -> int:
        """Runs showing the test's condition in its `exists` form (`forall P` = `~exists ~P`):
        what herd's model verdict (Ok = allowed, No = forbidden) speaks of."""
        return self.negative if self.test.quantifier == "forall" else self.positive

    def add(self, seed: int, outcome: Outcome, satisfied: bool) -> None:
        self.runs += 1
        self.histogram[outcome] += 1
        self.first_seed.setdefault(outcome, seed)
        self.positive += satisfied


class LitmusMachine:
    """One test assembled for one arch, with an engine that runs it again and again."""

    def __init__(self, test: LitmusTest, arch: Arch) -> None:
        if arch.memory_model is None or arch.memory_model.litmus != test.family:
            raise UsageError(f"{test.path}: a {test.family} test cannot run on {arch.name}")
        self.test, self.arch = test, arch
        self.facts = arch.memory_model
        self.variables = list(
            dict.fromkeys(test.variables + test.named_in_code(self.facts.litmus_memory_operand))
        )
        self.symbolic = self._allocate_symbolic()
        self.image = self._assemble()
        self.uc = cpu.new_engine(arch)
        self.registers = cpu.Registers(self.uc, arch)
        self._map()
        self.locations = {name: self.image.symbols[f"litmus_{name}"] for name in self.variables}
        self.data = (min(self.locations.values()), max(self.locations.values()) + SLOT)
        self.initial_data = bytes(self.uc.mem_read(self.data[0], self.data[1] - self.data[0]))
        self.starts = [self.image.symbols[f"P{i}"] for i in range(len(test.threads))]
        self.ends = [self.image.symbols[f"P{i}_end"] for i in range(len(test.threads))]
        self.contexts = [self._initial_context(i) for i in range(len(test.threads))]
        code = (min(self.starts), max(self.ends) + 4)
        self.observer = WeakMemory(
            self.uc, arch, new_storage("sc", 1, random.Random(0), self._initial_byte), [self.data], [code]
        )

    # ---- building the program -----------------------------------------------------------------

    def _allocate_symbolic(self) -> dict[tuple[str, str], str]:
        """(thread, herd's symbolic register (%x0)) -> a register the thread's code does not use."""
        mapping: dict[tuple[str, str], str] = {}
        for thread, lines in enumerate(self.test.threads):
            text = " ".join(lines).lower()
            free = [r for r in self.facts.litmus_registers if not re.search(rf"\b{r}\b", text)]
            for name in dict.fromkeys(re.findall(r"%\w+", " ".join(lines))):
                if not free:
                    raise Unsupported(f"{self.test.path}: no free register for {name} in P{thread}")
                mapping[(str(thread), name)] = free.pop(0)
        return mapping

    def _thread_source(self, thread: int, lines: list[str]) -> list[str]:
        labels = {m for line in lines for m in re.findall(r"^(\w+):", line.strip())}
        out = [f"P{thread}:"]
        for line in lines:
            for label in labels:
                line = re.sub(rf"\b{label}\b", f"P{thread}_{label}", line)
            for name in re.findall(r"%\w+", line):
                line = line.replace(name, self.symbolic[(str(thread), name)])
            for pattern, replacement in self.facts.litmus_rewrites:
                line = re.sub(pattern, replacement, line)
            if self.facts.litmus_memory_operand:
                line = re.sub(
                    self.facts.litmus_memory_operand, lambda m: m[0].replace(m[1], f"litmus_{m[1]}"), line
                )
            out.append(f"    {line}" if not line.endswith(":") else line)
        return [*out, f"P{thread}_end:", "    nop"]

    def _assemble(self) -> Image:
        lines = [".text"]
        for thread, code in enumerate(self.test.threads):
            lines += self._thread_source(thread, code)
        lines += [".data", f".balign {SLOT}"]
        for name in self.variables:
            value = self.test.memory.get(name, 0)
            lines += [f"litmus_{name}:", f"    .long {value}", f"    .balign {SLOT}"]
        try:
            return assemble_text("\n".join(lines) + "\n", self.arch, self.test.path)
        except EmuError as err:
            raise Unsupported(
                f"{self.test.path}: emu cannot assemble this test for {self.arch.name}: {err}"
            ) from None

    def _map(self) -> None:
        """The program's segments, with their protections, as `emu bench` maps them."""
        loader.map_image(AddressSpace(self.uc, self.arch.page_size, DEFAULT_MEM_LIMIT), self.image)

    def _initial_context(self, thread: int) -> UcContext:
        for name in self.arch.registers.general:
            if name != self.arch.pc and name not in self.arch.registers.machine_state:
                self.registers[name] = 0
        for register, value in self.test.registers.get(thread, {}).items():
            self.registers[self._register(register)] = self._value(value)
        for (owner, name), register in self.symbolic.items():
            if owner == str(thread):
                self.registers[register] = self._value(self.test.symbolic[name])
        self.registers[self.arch.pc] = self.starts[thread]
        return self.uc.context_save()

    def _register(self, name: str) -> str:
        """A litmus register name as the arch data spells it (R0 -> r0, EAX -> eax)."""
        return name.lower()

    def _value(self, text: str) -> int:
        if re.fullmatch(r"-?(0x[0-9a-fA-F]+|\d+)", text):
            return int(text, 0)
        if text not in self.image.symbols and f"litmus_{text}" not in self.image.symbols:
            raise Unsupported(f"{self.test.path}: unknown location '{text}'")
        return self.image.symbols[f"litmus_{text}"]

    def _initial_byte(self, address: int) -> int:
        return self.initial_data[address - self.data[0]]

    # ---- running -------------------------------------------------------------------------------

    def run(self, model: str, seed: int) -> dict[str, int]:
        """One run; the final value of every shown location."""
        rng = random.Random(seed)
        nthreads = len(self.test.threads)
        storage = new_storage(model, nthreads, rng, self._initial_byte)
        self.observer.storage, self.observer.taint = storage, {}
        self.uc.mem_write(self.data[0], self.initial_data)
        contexts = [self.uc.context_save() for _ in range(nthreads)]
        for thread, context in enumerate(contexts):
            self.uc.context_restore(self.contexts[thread])
            self.uc.context_update(context)
        pcs, steps = list(self.starts), 0
        finals: dict[int, dict[str, int]] = {}
        speed = [rng.choice((1, 3, 10)) for _ in range(nthreads)]  # some threads run far ahead
        eagerness = rng.choice((1, 3, 8))  # storage moves between two bursts, at most
        while len(finals) < nthreads:
            running = [t for t in range(nthreads) if t not in finals]
            thread = rng.choices(running, [speed[t] for t in running])[0]
            self.observer.tid = thread
            self.uc.context_restore(contexts[thread])
            burst = rng.randint(1, 4)
            try:
                self.uc.emu_start(pcs[thread], self.ends[thread], count=burst)
            except unicorn.UcError as err:
                raise Unsupported(
                    f"{self.test.path}: P{thread} faulted at {self.registers[self.arch.pc]:#x} ({err})"
                ) from None
            self.uc.context_update(contexts[thread])
            pcs[thread] = self.registers[self.arch.pc]
            steps += burst
            if pcs[thread] == self.ends[thread]:
                finals[thread] = self._thread_registers(thread)
            for _ in range(rng.randint(0, eagerness)):
                storage.step()
            if steps > MAX_STEPS:
                raise Unsupported(f"{self.test.path}: a run did not finish in {MAX_STEPS} instructions")
        storage.settle()
        return self._state(storage, finals)

    def _thread_registers(self, thread: int) -> dict[str, int]:
        wanted = [loc.split(":")[1] for loc in self.test.shown if loc.startswith(f"{thread}:")]
        return {name: self.registers[self._register(name)] for name in wanted}

    def _state(self, storage, finals: dict[int, dict[str, int]]) -> dict[str, int]:
        state = {}
        for loc in self.test.shown:
            if ":" in loc:
                thread, name = loc.split(":")
                state[loc] = _signed(finals[int(thread)][name])
            else:
                state[loc] = _signed(self.arch.unpack(storage.final(self.locations[loc], 4)))
        return state


def run_seeds(test: LitmusTest, arch_name: str, model: str, seeds: range) -> list[dict[str, int]]:
    """The final state of each seed's run (one chunk of a campaign, in any worker process)."""
    machine = LitmusMachine(test, arches.get(arch_name))
    return [machine.run(model, seed) for seed in seeds]


def campaign(
    test: LitmusTest,
    arch_name: str,
    model: str | None,
    runs: int,
    first_seed: int = 0,
    cluster: str | None = None,
    jobs: int | None = 1,
) -> Campaign:
    """`runs` runs with seeds first_seed, first_seed+1, ... (locally, in processes or on Dask:
    the histogram is the same, seed by seed)."""
    arch = arches.get(arch_name)
    LitmusMachine(test, arch)  # an unrunnable test fails here, once, before any worker starts
    chosen = model or arch.memory_model.default
    result = Campaign(test, arch.name, chosen)
    task = functools.partial(run_seeds, test, arch.name, chosen)
    parts = chunks(first_seed, runs)
    for part, states in zip(
        parts, run_chunks(task, parts, cluster=cluster, jobs=jobs, label=test.name), strict=True
    ):
        for seed, state in zip(part, states, strict=True):
            outcome = Outcome(tuple((loc, state[loc]) for loc in test.shown))
            result.add(seed, outcome, test.condition.holds(state))
    return result


def _signed(value: int) -> int:
    """Registers hold -1 as all ones; litmus conditions write -1."""
    for bits in (32, 64):
        if value >> (bits - 1) == 1 and value < 1 << bits:
            return value - (1 << bits)
    return value
