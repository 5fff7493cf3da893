"""Weak memory models (docs/memory-models.md): storage subsystems and their unicorn observer."""

from __future__ import annotations

from emu.arch import Arch, MemoryModelFacts
from emu.errors import UsageError


def facts_of(arch: Arch) -> MemoryModelFacts:
    """The arch's `[memory_model]` facts (its model, barriers, atomics); an error if it has none."""
    if arch.memory_model is None:
        raise UsageError(f"{arch.name} has no [memory_model] in its arch data: emu cannot model its memory")
    return arch.memory_model
