"""Run options shared by the CLI, the Machine and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from emu.memory import DEFAULT_MEM_LIMIT


@dataclass
class RunOptions:
    max_insns: int | None = None  # stop after this many guest instructions
    timeout: float | None = None  # wall-clock seconds
    quantum: int = 100_000  # instructions per scheduling slice
    seed: int = 0
    schedule: str = "random"  # how the next thread is chosen: "random" or "pct" (emu/sched.py)
    ncpu: int = 4
    mem_limit: int = DEFAULT_MEM_LIMIT  # guest memory and emu's records for it (emu/memory.py)
    argv: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    strace_stream: TextIO | None = None
    mounts: list[tuple[str, str]] = field(default_factory=list)  # (host dir, guest dir), read-only
    cwd: str = "/"  # the guest's working directory
    memory_model: str = "sc"  # sc (one memory, no hooks), tso, power or arm (emu/memmodel/attach.py)
