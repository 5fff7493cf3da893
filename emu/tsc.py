"""A time-stamp counter that reads the virtual clock (x86 `rdtsc`/`rdtscp`, RISC-V `rdtime`).

Unicorn answers `rdtsc` from the host's TSC, so a guest that mixes it into a random seed (Go's
cputicks() seeds each M's fastrand) diverges between two runs with the same --seed. unicorn 2.1
can hook the instruction (UC_HOOK_INSN with UC_X86_INS_RDTSC / RDTSCP; a hook returning 1 skips
unicorn's own helper); its Python binding does not list those two, so the hook is registered here
through the binding's own ctypes path. The counter ticks once per virtual nanosecond (emu's clock
is a 1 GHz IPC-1 machine), so it moves with the guest's instructions and syscalls, never with the
host. Which instructions and registers are used is arch data (`timestamp_counter` in `[linux]`).

Some counters unicorn does not run at all: RISC-V's `time` CSR has no timer behind it, so
`rdtime` (Go's cputicks) raises an illegal instruction that Linux would not. Those are
`[linux.counter_reads]`: at that interrupt, the instruction's destination register gets the same
virtual clock and the thread goes on (unicorn reports the pc already past it).
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING

import unicorn
from unicorn.unicorn_py3 import unicorn as uc_binding

from emu.cpu import engine_constant

if TYPE_CHECKING:
    from collections.abc import Callable

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


def emulate_read(machine: Machine, intno: int, read: Callable[[int, int], bytes]) -> bool:
    """Answer a counter read the engine refused (see the module doc); False if it was not one."""
    spec = machine.arch.linux.counter_reads
    if spec is None or intno != spec.interrupt:
        return False
    info = machine.arch.interrupts.get(intno)
    pc = machine.regs[machine.arch.pc] + (info.pc_adjust if info else 0)
    try:
        word = machine.arch.unpack(read(pc, 4))
    except unicorn.UcError:
        return False
    if not any(word & rule.mask == rule.match for rule in spec.instructions):
        return False
    destination = spec.destinations[(word >> spec.destination_shift) & 31]
    if destination != spec.destinations[0]:  # x0 / zero: the read is discarded
        machine.regs[destination] = machine.now()
    return True
