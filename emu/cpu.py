"""Unicorn, capstone and keystone handles for an Arch, and register access by name.

Everything that turns arch data into engine constants happens here, so the rest
of emu speaks in register names from `arch/*/arch.toml` ("rax", "r3", "lr").
"""

from __future__ import annotations

import ctypes
import functools
import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import capstone
import keystone
import unicorn
from unicorn.unicorn_py3.unicorn import uclib

from emu import quirks
from emu.errors import MissingDataError, UsageError

if TYPE_CHECKING:
    from emu.arch import Arch, EngineSpec


def _flags(module: object, prefix: str, names: Iterable[str]) -> int:
    value = 0
    for name in names:
        value |= getattr(module, f"{prefix}{name}")
    return value


def new_engine(arch: Arch) -> unicorn.Uc:
    """A fresh unicorn engine configured for `arch` (quirks applied, self-tested)."""
    spec = arch.unicorn
    uc = unicorn.Uc(getattr(unicorn, f"UC_ARCH_{spec.arch}"), _flags(unicorn, "UC_MODE_", spec.mode))
    if spec.cpu:
        uc.ctl_set_cpu_model(getattr(_const_module(arch), spec.cpu))
    quirks.apply(uc, arch)
    return uc


def new_disassembler(arch: Arch, alt: str | None = None) -> capstone.Cs:
    spec = arch.capstone
    mode = spec.mode if alt is None else spec.modes_alt[alt]
    cs = capstone.Cs(getattr(capstone, f"CS_ARCH_{spec.arch}"), _flags(capstone, "CS_MODE_", mode))
    cs.detail = True
    return cs


def new_assembler(arch: Arch, alt: str | None = None) -> keystone.Ks:
    """Keystone for the arch's main mode, or an alternate one (e.g. "thumb")."""
    spec = keystone_spec(arch)
    mode = spec.mode if alt is None else spec.modes_alt[alt]
    return keystone.Ks(getattr(keystone, f"KS_ARCH_{spec.arch}"), _flags(keystone, "KS_MODE_", mode))


def keystone_spec(arch: Arch) -> EngineSpec:
    """The arch's `[keystone]` table, or a UsageError for an arch keystone cannot assemble."""
    if arch.keystone is None:
        raise UsageError(
            f"keystone cannot assemble {arch.name} (its assemblers: {', '.join(arch.asm.backends)})"
        )
    return arch.keystone


@functools.cache
def _const_module_by_name(family: str) -> object:
    """unicorn's constants module of an engine family: X86 -> unicorn.x86_const, ARM64 -> arm64_const."""
    return importlib.import_module(f"unicorn.{family.lower()}_const")


def _const_module(arch: Arch) -> object:
    return _const_module_by_name(arch.unicorn.arch)


def engine_constant(arch: Arch, name: str) -> int:
    """A constant of unicorn's module for this arch's engine family, named by arch data
    (`UC_X86_INS_SYSCALL`): generic code never imports one family's constants itself."""
    value = getattr(_const_module(arch), name, None)
    if not isinstance(value, int):
        raise MissingDataError(f"{arch.name}: unicorn has no constant {name} for engine {arch.unicorn.arch}")
    return value


@functools.cache
def _register_ids(arch_name: str) -> dict[str, int]:
    from emu.arch import get

    arch = get(arch_name)
    module = _const_module(arch)
    prefix = arch.registers.const_prefix
    aliases = arch.registers.aliases
    ids = {}
    names = set(arch.registers.general) | set(arch.call.args) | set(arch.syscall.args)
    names |= {arch.call.result, arch.syscall.number, arch.syscall.result, arch.pc, arch.sp}
    names |= {n for n in (arch.lr, arch.call.result_hi, arch.call.entry_reg) if n}
    for name in names:
        ids[name] = getattr(module, prefix + aliases.get(name, name).upper())
    return ids


def register_id(arch: Arch, name: str) -> int:
    """The unicorn constant for register `name` of `arch` (names from the arch file)."""
    ids = _register_ids(arch.name)
    if name not in ids:
        module = _const_module(arch)
        alias = arch.registers.aliases.get(name, name)
        ids[name] = getattr(module, arch.registers.const_prefix + alias.upper())
    return ids[name]


class _Batch:
    """ctypes arrays for one uc_reg_read_batch call, built once per register list."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = (ctypes.c_int * len(ids))(*ids)
        self.values = [ctypes.c_uint64() for _ in ids]
        self.pointers = (ctypes.c_void_p * len(ids))(*(ctypes.addressof(v) for v in self.values))


class Registers:
    """Read and write a live engine's registers by arch-file name.

    Integer registers go straight to the C library (`uc_reg_read` into one
    reused 64-bit buffer): the binding's generic path costs ~6 µs per read,
    which made a syscall (number + six arguments) cost more than the emulation
    around it. Registers are at most one word here, so a zeroed uint64 holds
    any of them (little-endian host: a 4-byte write fills the low half).
    """

    def __init__(self, uc: unicorn.Uc, arch: Arch) -> None:
        self.uc, self.arch = uc, arch
        self._ids = _register_ids(arch.name)
        self._handle = uc._uch
        self._buffer = ctypes.c_uint64()
        self._pointer = ctypes.byref(self._buffer)
        self._batches: dict[tuple[str, ...], _Batch] = {}

    def _id(self, name: str) -> int:
        return self._ids.get(name) or register_id(self.arch, name)

    def __getitem__(self, name: str) -> int:
        self._buffer.value = 0
        status = uclib.uc_reg_read(self._handle, self._id(name), self._pointer)
        if status != unicorn.UC_ERR_OK:
            raise unicorn.UcError(status)
        return self._buffer.value

    def __setitem__(self, name: str, value: int) -> None:
        self._buffer.value = value & 0xFFFFFFFFFFFFFFFF
        status = uclib.uc_reg_write(self._handle, self._id(name), self._pointer)
        if status != unicorn.UC_ERR_OK:
            raise unicorn.UcError(status)

    def read_many(self, names: tuple[str, ...]) -> list[int]:
        """Several registers in one C call (a syscall's number and arguments)."""
        batch = self._batches.get(names)
        if batch is None:
            batch = self._batches[names] = _Batch([self._id(name) for name in names])
        for value in batch.values:
            value.value = 0
        status = uclib.uc_reg_read_batch(self._handle, batch.ids, batch.pointers, len(names))
        if status != unicorn.UC_ERR_OK:
            raise unicorn.UcError(status)
        return [value.value for value in batch.values]

    def dump(self) -> dict[str, int]:
        return {name: self[name] for name in self.arch.registers.general}
