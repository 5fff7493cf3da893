"""Architecture descriptions: `arch/<name>.toml` loaded into frozen dataclasses.

Every per-arch fact (modes, registers, syscall ABI and numbers, page size, byte
order) lives in those data files; this module only reads them and resolves the
names users type (`x86_64`, `armhf`, `power64le`...).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emu.errors import MissingDataError, UsageError
from emu.resources import data_dir


@dataclass(frozen=True)
class SyscallAbi:
    """How a guest asks the kernel for something, and how the answer comes back."""

    trap: str
    hook: str  # "insn" (x86 syscall instruction hook) or "intr" (interrupt number)
    number: str
    args: tuple[str, ...]
    result: str
    errors: str  # "negative" (-errno) or "cr0so" (PPC: CR0.SO + positive errno)
    intno: int | None = None
    clobbers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CallAbi:
    """How emu calls a stub: registers for arguments and results."""

    args: tuple[str, ...]
    result: str
    return_via: str  # "stack" (x86 pushes the return address) or "lr"
    result_hi: str | None = None  # 32-bit arches return 64-bit values in a pair
    entry_reg: str | None = None  # ELFv2 wants the function address in r12


@dataclass(frozen=True)
class MemoryModelFacts:
    """What emu/memmodel needs of an arch: its model, its barrier and atomic instructions."""

    default: str  # sc, tso, power or arm
    litmus: str  # the herd/litmus7 family of its litmus tests (PPC, ARM, X86)
    barriers: dict[str, str]  # "mnemonic" or "mnemonic operands" -> full, lw, ww or isync
    locked: tuple[str, ...]  # x86: a lock prefix or xchg with memory drains the store buffer
    load_reserve: tuple[str, ...]
    store_conditional: tuple[str, ...]
    litmus_registers: tuple[str, ...]  # free registers for herd's symbolic ones (%x0)
    litmus_rewrites: tuple[tuple[str, str], ...] = ()  # regex -> replacement: litmus7 syntax to ours

    def __post_init__(self) -> None:
        from emu.memmodel.storage import BARRIERS, MODELS

        if self.default not in MODELS:
            raise MissingDataError(f"[memory_model] default '{self.default}' is not one of {MODELS}")
        for name, kind in self.barriers.items():
            if kind not in BARRIERS:
                raise MissingDataError(f"[memory_model] barrier '{name}' has unknown kind '{kind}'")


@dataclass(frozen=True)
class Arch:
    """One target architecture, as described by its data file."""

    name: str
    description: str
    aliases: tuple[str, ...]
    bits: int
    endian: str
    page_size: int
    comment: str
    separator: str
    text_base: int
    stack_top: int
    stack_size: int
    elf_machine: str
    unicorn: dict[str, Any]
    keystone: dict[str, Any]
    capstone: dict[str, Any]
    gnu: dict[str, Any]
    registers: dict[str, Any]
    call: CallAbi
    syscall: SyscallAbi
    syscalls: dict[str, int]
    interrupts: dict[int, dict[str, Any]] = field(default_factory=dict)
    padding: dict[str, Any] = field(default_factory=dict)
    asm: dict[str, Any] = field(default_factory=dict)  # how GNU as reads this target (emu/asm)
    auxv: dict[str, int] = field(default_factory=dict)
    interworking: dict[str, Any] = field(
        default_factory=dict
    )  # arm: Thumb state register/bit  # hwcap/hwcap2 the kernel advertises
    quirk: str | None = None
    linux: dict[str, Any] = field(default_factory=dict)  # kernel-layer facts: clone order, TLS, mmap
    signals: dict[str, Any] = field(default_factory=dict)  # signal frame layout (emu/kernel/sigframe.py)
    memory_model: MemoryModelFacts | None = None
    faults: dict[str, Any] = field(default_factory=dict)  # Linux fault rules unicorn lacks (emu/faults.py)

    @property
    def word_size(self) -> int:
        return self.bits // 8

    @property
    def big_endian(self) -> bool:
        return self.endian == "big"

    @property
    def byteorder(self) -> str:
        """For int.from_bytes / int.to_bytes."""
        return self.endian

    @property
    def word_mask(self) -> int:
        return (1 << self.bits) - 1

    @property
    def syscall_names(self) -> dict[int, str]:
        return {number: name for name, number in self.syscalls.items()}

    @property
    def pc(self) -> str:
        return self.registers["pc"]

    @property
    def sp(self) -> str:
        return self.registers["sp"]

    @property
    def lr(self) -> str | None:
        return self.registers.get("lr")

    def pack(self, value: int, size: int | None = None) -> bytes:
        """An integer as this arch stores it in memory (a word by default)."""
        size = size or self.word_size
        return (value & ((1 << (8 * size)) - 1)).to_bytes(size, self.endian)

    def unpack(self, data: bytes, signed: bool = False) -> int:
        return int.from_bytes(data, self.endian, signed=signed)


def _read_syscall_table(path: Path) -> dict[str, int]:
    table = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, number = line.split("\t")
            table[name] = int(number)
    return table


def _from_file(path: Path) -> Arch:
    data = tomllib.loads(path.read_text())
    syscall = dict(data.pop("syscall"))
    syscall["args"] = tuple(syscall["args"])
    call = dict(data.pop("call"))
    call["args"] = tuple(call["args"])
    table = _read_syscall_table(data_dir("arch") / data.pop("syscall_table"))
    data["aliases"] = tuple(data["aliases"])
    data["interrupts"] = {int(k): v for k, v in data.get("interrupts", {}).items()}
    if "memory_model" in data:
        facts = data.pop("memory_model")
        lists = ("locked", "load_reserve", "store_conditional", "litmus_registers")
        facts["litmus_rewrites"] = tuple(tuple(pair) for pair in facts.get("litmus_rewrites", ()))
        data["memory_model"] = MemoryModelFacts(
            **{k: tuple(v) if k in lists else v for k, v in facts.items()}
        )
    return Arch(**data, call=CallAbi(**call), syscall=SyscallAbi(**syscall), syscalls=table)


@functools.cache
def all_arches() -> dict[str, Arch]:
    """Every architecture with a data file, by canonical name."""
    files = sorted(data_dir("arch").glob("*.toml"))
    if not files:
        raise MissingDataError(f"no architecture files (*.toml) in {data_dir('arch')}: reinstall emu")
    return {arch.name: arch for arch in map(_from_file, files)}


def resolve_name(name: str) -> str:
    """The canonical name for what a user typed, or a UsageError listing the choices."""
    wanted = name.strip().lower()
    for arch in all_arches().values():
        if wanted == arch.name or wanted in arch.aliases:
            return arch.name
    choices = ", ".join(sorted(all_arches()))
    raise UsageError(f"unknown architecture '{name}' (known: {choices}; see `emu arches`)")


def get(name: str) -> Arch:
    return all_arches()[resolve_name(name)]
