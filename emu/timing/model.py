"""CPU timing models: `emu/data/arch/<name>/timing/<model>.toml` loaded into frozen dataclasses.

Every number (widths, latencies, throughputs, penalties) is data with its source
beside it; this module only reads and checks it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from emu import arch as arches
from emu.errors import UsageError


@dataclass(frozen=True)
class ClassCost:
    """What one instruction of a class costs: result latency, reciprocal throughput on its port."""

    latency: float
    rthroughput: float
    port: str
    serialize: bool = False  # waits for everything before it; nothing after starts before it ends
    update_latency: float | None = None  # update forms (ldu, stdu): when the new base is ready
    read_advance: float = 0.0  # accumulators are read this many cycles after the start (mla, add r,[m])
    # A bypass: consumers of these classes get the result this many cycles early (A9: an ALU op
    # reads a loaded value one cycle before the load's latency, LLVM's A9ReadALU / A9_LdBypass).
    bypass: dict[str, float] = field(default_factory=dict)
    # A store split into address and data uops: it issues when its address is ready and its data
    # may come later (it completes when both are there), so a push or post-indexed store updates
    # its base without waiting for the value it stores.
    data_late: bool = False
    # Dispatch slots: micro-ops the model's dispatch counts for the plain form, and for an update
    # form on a model that cracks them (default: the access plus one address uop). A57's AArch64
    # `ldr x3, [x4, x3]` is 2 uops (I + L), `str x3, [x0], #8` 3 (LLVM's -instruction-info #uOps).
    uops: int = 1
    update_uops: int | None = None
    source: str = "LLVM"
    ref: str = ""


@dataclass(frozen=True)
class CpuModel:
    name: str
    description: str
    issue_width: int
    in_order: bool
    mispredict_penalty: int
    unclassified: ClassCost
    classes: dict[str, ClassCost]
    cache_latency: dict[str, int] = field(default_factory=dict)
    llvm_mca_cpu: str | None = None  # llvm-mca's -mcpu for this model (emu/timing/llvm_mca.py)
    llvm_mca_tool: str = "llvm-mca"  # the llvm-mca binary that can schedule it (power8: llvm-mca-19)
    llvm_mca_skip: str = ""  # why llvm-mca cannot check this model (then it names no llvm_mca_cpu)
    # Ports with a reservation buffer of 1 (LLVM's BufferSize = 1, Cortex-A9's address unit): while
    # one instruction waits there for its operands, the next one for the port cannot dispatch, and
    # dispatch is in order, so nothing after it dispatches either.
    single_buffer_ports: tuple[str, ...] = ()
    address_port: str = ""  # the port an update form's base write-back goes through, when it matters
    # An update form (ldu, ldr r3, [r1], #4, pop) is cracked into the access and an address uop
    # that takes its own dispatch slot; false where the address unit writes the base for free.
    cracked_updates: bool = True

    def cost(self, cls: str) -> ClassCost:
        """The price of a class (the explicit `unclassified` price for unknown ones)."""
        return self.classes.get(cls, self.unclassified)


def model_files() -> dict[str, Path]:
    """Every CPU model file, by model name: timing/<model>.toml in the arch folders."""
    return {
        model: arch.file(f"timing/{model}.toml")
        for arch in arches.all_arches().values()
        for model in arch.cpus
    }


@functools.cache
def load_model(name: str) -> CpuModel:
    """The model named `name` (checked against CpuModel: a wrong key names the file)."""
    files = model_files()
    if name not in files:
        raise UsageError(f"unknown CPU model '{name}' (known: {', '.join(sorted(files))})")
    return arches.load_record(CpuModel, files[name])


def all_models() -> list[str]:
    return sorted(model_files())


def model_for(arch_name: str, cpu: str | None) -> CpuModel:
    """`cpu` (or the arch's default), checked to be a model of that arch."""
    arch = arches.get(arch_name)
    name = (cpu or arch.timing.default_cpu).lower()
    if name not in arch.cpus:
        raise UsageError(f"CPU model '{name}' does not fit {arch.name} (choose: {', '.join(arch.cpus)})")
    return load_model(name)
