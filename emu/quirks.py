"""Per-arch engine quirks: the one place where an architecture needs code, not data.

An arch data file names its quirk (`quirk = "ppc64_msr"`); `apply(name, uc, arch)`
runs it right after the engine is created.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import TYPE_CHECKING

from unicorn import Uc
from unicorn.ppc_const import UC_PPC_REG_MSR
from unicorn.unicorn_py3.unicorn import UcContext

from emu.errors import EngineError

if TYPE_CHECKING:
    from emu.arch import Arch

MSR_SF = 1 << 63  # 64-bit mode
MSR_HV = 1 << 60  # hypervisor state: without it POWER10 instruction fetch traps
MSR_EE = 1 << 15
MSR_ME = 1 << 12
MSR_LE = 1 << 0  # little-endian fetch, loads and stores
MSR_FP = 1 << 13  # floating point available (else every FP insn traps, intno 7)
MSR_VEC = 1 << 25  # Altivec/VMX available
MSR_VSX = 1 << 23  # VSX available (Go's ppc64 runtime uses it)
ARM_USER_MODE = 0x10  # CPSR.M for User mode; I, F, A clear


def _context_bytes(context: UcContext) -> bytes:
    return ctypes.string_at(context.context.value, context.size)


def _msr_offset(uc: Uc) -> int:
    """Find `env->msr` inside a saved unicorn context.

    Two contexts that differ only in MSR[EE]/MSR[ME] differ exactly where the
    MSR is stored. The layout changes between wheel versions, so it is searched
    for (at every byte offset), not hard-coded.
    """
    first_value, second_value = MSR_SF | MSR_EE, MSR_SF | MSR_ME
    uc.reg_write(UC_PPC_REG_MSR, first_value)
    first = _context_bytes(uc.context_save())
    uc.reg_write(UC_PPC_REG_MSR, second_value)
    second = _context_bytes(uc.context_save())
    a, b = first_value.to_bytes(8, "little"), second_value.to_bytes(8, "little")
    for offset in range(len(first) - 7):
        if first[offset : offset + 8] == a and second[offset : offset + 8] == b:
            return offset
    raise EngineError(
        "PPC64 start-up self-test failed: MSR not found in the unicorn context "
        "(the wheel's layout changed; see docs on the ppc64 MSR quirk)"
    )


def ppc64_msr(uc: Uc, arch: Arch) -> None:
    """Make stock unicorn run 64-bit PowerPC: set MSR[HV] (and MSR[LE] for ppc64le).

    `reg_write(MSR)` refuses to set HV, so the MSR is patched inside a saved
    context and restored; a final reg_write recomputes the cached MSR flags.
    """
    wanted = MSR_SF | MSR_HV | MSR_FP | MSR_VEC | MSR_VSX | (0 if arch.big_endian else MSR_LE)
    offset = _msr_offset(uc)
    context = uc.context_save()
    ctypes.memmove(context.context.value + offset, wanted.to_bytes(8, "little"), 8)
    uc.context_restore(context)
    uc.reg_write(UC_PPC_REG_MSR, wanted)
    actual = uc.reg_read(UC_PPC_REG_MSR)
    if actual != wanted:
        raise EngineError(
            f"PPC64 start-up self-test failed: MSR is {actual:#x}, wanted {wanted:#x} "
            "(the unicorn MSR context patch no longer works with this wheel)"
        )


def arm_user(uc: Uc, arch: Arch) -> None:
    """Switch the VFP/NEON unit on and drop to User mode, as Linux runs every ARMv7 process.

    Unicorn resets in Supervisor mode with coprocessors 10/11 disabled: the first
    `vmov.f32` (Go's runtime.check does one) would be an undefined instruction,
    while privileged cp15 writes, `mrs spsr` or `srs` would run. In User mode
    qemu's own access checks answer them as Linux does (SIGILL), `cps` is a no-op
    and `mrs cpsr` reads mode 0x10.
    """
    from unicorn.arm_const import UC_ARM_REG_C1_C0_2, UC_ARM_REG_CPSR, UC_ARM_REG_FPEXC

    uc.reg_write(UC_ARM_REG_C1_C0_2, uc.reg_read(UC_ARM_REG_C1_C0_2) | (0xF << 20))  # CPACR: cp10, cp11
    uc.reg_write(UC_ARM_REG_FPEXC, 0x40000000)  # FPEXC.EN
    uc.reg_write(UC_ARM_REG_CPSR, ARM_USER_MODE)


RISCV_MSTATUS_FS_INITIAL = 1 << 13  # mstatus.FS = Initial: the F and D instructions run
RISCV_USER_MODE = 0  # privilege level U


def riscv64_user(uc: Uc, arch: Arch) -> None:
    """Switch the FP unit on and drop to User mode, as Linux runs every RISC-V process.

    Unicorn resets in Machine mode with mstatus.FS = Off: Go's first `fmv.d.x` would be an
    illegal instruction, while `mret`, `wfi`, `sfence.vma` or `csrr mstatus` would run. In U
    mode qemu's own checks answer them as Linux does (an illegal-instruction exception,
    SIGILL); `ecall` still reaches the interrupt hook. mstatus is written before the privilege
    level, which U mode may no longer touch.
    """
    from unicorn.riscv_const import UC_RISCV_REG_MSTATUS, UC_RISCV_REG_PRIV

    uc.reg_write(UC_RISCV_REG_MSTATUS, uc.reg_read(UC_RISCV_REG_MSTATUS) | RISCV_MSTATUS_FS_INITIAL)
    uc.reg_write(UC_RISCV_REG_PRIV, RISCV_USER_MODE)
    if uc.reg_read(UC_RISCV_REG_PRIV) != RISCV_USER_MODE:
        raise EngineError("RISC-V start-up self-test failed: unicorn did not enter User mode")


QUIRKS: dict[str, Callable[[Uc, Arch], None]] = {
    "ppc64_msr": ppc64_msr,
    "arm_user": arm_user,
    "riscv64_user": riscv64_user,
}


def apply(uc: Uc, arch: Arch) -> None:
    if arch.quirk:
        QUIRKS[arch.quirk](uc, arch)
