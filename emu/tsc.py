"""A time-stamp counter that reads the virtual clock (x86 `rdtsc`/`rdtscp`).

Unicorn answers `rdtsc` from the host's TSC, so a guest that mixes it into a random seed (Go's
cputicks() seeds each M's fastrand) diverges between two runs with the same --seed. unicorn 2.1
can hook the instruction (UC_HOOK_INSN with UC_X86_INS_RDTSC / RDTSCP; a hook returning 1 skips
unicorn's own helper); its Python binding does not list those two, so the hook is registered here
through the binding's own ctypes path. The counter ticks once per virtual nanosecond (emu's clock
is a 1 GHz IPC-1 machine), so it moves with the guest's instructions and syscalls, never with the
host. Which instructions and registers are used is arch data (`timestamp_counter` in `[linux]`).
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING

import unicorn
from unicorn.unicorn_py3 import unicorn as uc_binding

from emu.cpu import engine_constant

if TYPE_CHECKING:
    from emu.machine import Machine

_COUNTER_HOOK = ctypes.CFUNCTYPE(ctypes.c_uint32, uc_binding.uc_engine, ctypes.c_void_p)


def install(machine: Machine) -> None:
    """Hook the arch's time-stamp counter instructions, if it has any (see the module doc)."""
    spec = machine.arch.linux.timestamp_counter
    if not spec:
        return
    regs, low, high, aux = machine.regs, spec.low, spec.high, spec.aux

    def read_counter(_uc, _key) -> int:
        ticks = machine.now()
        regs[low] = ticks & 0xFFFFFFFF
        regs[high] = ticks >> 32 & 0xFFFFFFFF
        if aux:
            regs[aux] = 0  # rdtscp: IA32_TSC_AUX, the CPU number (always 0 here)
        return 1  # skip unicorn's helper, which reads the host TSC

    callback = _COUNTER_HOOK(read_counter)
    for name in spec.instructions:
        instruction = engine_constant(machine.arch, name)
        # The binding's name-mangled private method (see the module doc); it keeps `callback` alive.
        add_hook = machine.uc._Uc__do_hook_add  # type: ignore[attr-defined]
        add_hook(unicorn.UC_HOOK_INSN, callback, 1, 0, ctypes.c_int(instruction))
