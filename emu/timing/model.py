"""CPU timing models: `arch/timing/<model>.toml` loaded into frozen dataclasses.

Every number (widths, latencies, throughputs, penalties) is data with its source
beside it; this module only reads and checks it.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emu.errors import UsageError
from emu.native.blocks import arch_settings
from emu.resources import data_dir


def timing_dir() -> Path:
    """arch/timing/: the CPU models, the instruction classes and per-arch settings."""
    return data_dir("arch", "timing")


@dataclass(frozen=True)
class ClassCost:
    """What one instruction of a class costs: result latency, reciprocal throughput on its port."""

    latency: float
    rthroughput: float
    port: str
    serialize: bool = False  # waits for everything before it; nothing after starts before it ends
    update_latency: float | None = None  # update forms (ldu, stdu): when the new base is ready
    source: str = "LLVM"
    ref: str = ""


@dataclass(frozen=True)
class CpuModel:
    name: str
    description: str
    arches: tuple[str, ...]
    issue_width: int
    in_order: bool
    mispredict_penalty: int
    unclassified: ClassCost
    classes: dict[str, ClassCost]
    cache_latency: dict[str, int] = field(default_factory=dict)

    def cost(self, cls: str) -> ClassCost:
        """The price of a class (the explicit `unclassified` price for unknown ones)."""
        return self.classes.get(cls, self.unclassified)


def _cost(data: dict[str, Any]) -> ClassCost:
    return ClassCost(**data)


@functools.cache
def load_model(name: str) -> CpuModel:
    """The model named `name` (file arch/timing/<name>.toml)."""
    path = timing_dir() / f"{name}.toml"
    if not path.exists():
        known = ", ".join(sorted(all_models()))
        raise UsageError(f"unknown CPU model '{name}' (known: {known})")
    data = tomllib.loads(path.read_text())
    data["arches"] = tuple(data["arches"])
    data["unclassified"] = _cost(data["unclassified"])
    data["classes"] = {k: _cost(v) for k, v in data["classes"].items()}
    return CpuModel(**data)


def all_models() -> list[str]:
    return sorted(p.stem for p in timing_dir().glob("*.toml") if p.stem != "arches")


def model_for(arch_name: str, cpu: str | None) -> CpuModel:
    """`cpu` (or the arch's default), checked to be a model of that arch."""
    settings = arch_settings(arch_name)
    name = (cpu or settings["default_cpu"]).lower()
    if name not in settings["cpus"]:
        choices = ", ".join(settings["cpus"])
        raise UsageError(f"CPU model '{name}' does not fit {arch_name} (choose: {choices})")
    return load_model(name)
