"""Signal delivery on a loaded Machine: the per-arch frame, sigaltstack, rt_sigreturn, tgkill.

The offsets checked here are the ones Go's runtime reads (runtime/defs_linux_*.go:
ucontext/sigcontext), so a wrong `[signals]` table in arch/*/arch.toml fails here
before it fails as a mysterious crash inside a Go binary (tests/test_go.py).
"""

from __future__ import annotations

import pytest
from archdata import expect
from conftest import ARCHES
from test_kernel_units import call, machine_for, scratch

from emu.kernel import KEEP_REGISTERS
from emu.kernel.abi import Errno
from emu.kernel.sigframe import SA_ONSTACK, SA_RESTORER, SA_SIGINFO
from emu.machine import Fault
from emu.sched import Wait

SIGSEGV, SIGURG, SIGUSR1 = 11, 23, 10
HANDLER = 0x12340
FAULT_PC = 0x5550
# Where Go finds the interrupted pc and the fault address, relative to the ucontext
# (runtime/defs_linux_<arch>.go): [signals] in each arch's tests/expect.toml.


def install(machine, signal: int, flags: int = SA_SIGINFO | SA_ONSTACK, restorer: int = 0) -> None:
    """rt_sigaction(signal, {HANDLER, flags, restorer, mask: all}) through the syscall."""
    kernel, base = machine.kernel, scratch(machine)
    kernel.store_words(base, [HANDLER, flags | (SA_RESTORER if restorer else 0), restorer])
    kernel.store(base + 3 * machine.arch.word_size, (1 << 64) - 1, 8)
    assert call(machine, "rt_sigaction", signal, base, 0, 8) == 0


def altstack(machine) -> tuple[int, int]:
    base, size = scratch(machine) + 0x10000, 0x8000
    machine.kernel.store_words(scratch(machine) + 512, [base, 0, size])
    assert call(machine, "sigaltstack", scratch(machine) + 512, 0) == 0
    return base, size


def sp_at_sigreturn(machine, handler_sp: int) -> int:
    """x86-64 handlers `ret` into the restorer, popping the return address; others keep sp."""
    return handler_sp + (8 if machine.arch.call.return_via == "stack" else 0)


@pytest.mark.parametrize("arch_name", ARCHES)
def test_fault_enters_handler_on_altstack_with_go_visible_frame(arch_name: str) -> None:
    machine = machine_for(arch_name)
    arch, kernel, regs, thread = machine.arch, machine.kernel, machine.regs, machine.threads[0]
    install(machine, SIGSEGV, restorer=0x4440 if arch_name == "amd64" else 0)
    base, size = altstack(machine)
    interrupted_sp = regs[arch.sp]
    fault = Fault("SIGSEGV", "read of unmapped address", FAULT_PC, 0x8)
    assert kernel.deliver_fault(thread, fault)
    assert regs[arch.pc] == HANDLER
    signo, info, uc = (regs[name] for name in arch.call.args[:3])
    assert signo == SIGSEGV and base < info < base + size and base < uc < base + size
    assert base < regs[arch.sp] < uc
    assert kernel.load(info, 4) == SIGSEGV and kernel.load(info + 8, 4) == 1  # SEGV_MAPERR
    assert kernel.load(uc + expect(arch_name, "signals.go_pc_offset"), arch.word_size) == FAULT_PC
    assert kernel.load(uc + expect(arch_name, "signals.go_fault_address_offset"), arch.word_size) == 0x8
    if arch_name.startswith("ppc64"):  # Go reads the registers through uc_mcontext.regs
        assert kernel.load(uc + 224, 8) == uc + 232
        assert kernel.load(regs["r1"], 8) == interrupted_sp  # the back chain
    assert thread.sigmask & (1 << (SIGSEGV - 1))


@pytest.mark.parametrize("arch_name", ARCHES)
def test_rt_sigreturn_restores_what_the_handler_left(arch_name: str) -> None:
    """Go's preparePanic rewrites pc in the ucontext: the thread resumes there."""
    machine = machine_for(arch_name)
    arch, kernel, regs, thread = machine.arch, machine.kernel, machine.regs, machine.threads[0]
    install(machine, SIGSEGV, flags=SA_SIGINFO, restorer=0x4440 if arch_name == "amd64" else 0)
    regs[arch.call.args[3]] = 0x7777
    old_mask = thread.sigmask
    assert kernel.deliver_fault(thread, Fault("SIGSEGV", "read of unmapped address", FAULT_PC, 0))
    uc = regs[arch.call.args[2]]
    kernel.store(uc + expect(arch_name, "signals.go_pc_offset"), 0x9990, arch.word_size)
    regs[arch.call.args[3]] = 0  # clobbered by the handler
    regs[arch.sp] = sp_at_sigreturn(machine, regs[arch.sp])
    assert kernel.handlers["rt_sigreturn"](kernel, thread) is KEEP_REGISTERS  # no value: registers are final
    kernel.on_resume(thread)
    assert regs[arch.pc] == 0x9990 and regs[arch.call.args[3]] == 0x7777
    assert thread.sigmask == old_mask and thread.signal_frames == []


@pytest.mark.parametrize("arch_name", ARCHES)
def test_fault_without_handler_kills(arch_name: str) -> None:
    machine = machine_for(arch_name)
    fault = Fault("SIGSEGV", "read of unmapped address", FAULT_PC, 0)
    assert not machine.kernel.deliver_fault(machine.threads[0], fault)


@pytest.mark.parametrize("arch_name", ARCHES)
def test_tgkill_interrupts_a_sleeping_thread_and_delivers_on_resume(arch_name: str) -> None:
    machine = machine_for(arch_name)
    kernel, thread = machine.kernel, machine.threads[0]
    install(machine, SIGURG)
    machine.scheduler.block(thread, Wait(0x1000, None))
    assert call(machine, "tgkill", machine.pid, thread.tid, SIGURG) == 0
    assert thread.wait is None and thread.pending_result == -Errno.EINTR
    kernel.on_resume(thread)
    assert machine.regs[machine.arch.pc] == HANDLER and thread.signals == []
    info = machine.regs[machine.arch.call.args[1]]
    assert kernel.load(info + 8, 4, signed_value=True) == -6  # SI_TKILL


def test_default_ignored_and_unknown_targets() -> None:
    machine = machine_for("amd64")
    thread = machine.threads[0]
    assert call(machine, "tgkill", machine.pid, thread.tid, SIGURG) == 0  # SIG_DFL: ignored
    assert thread.signals == []
    assert call(machine, "tgkill", machine.pid, 4242, SIGURG) == -Errno.ESRCH
    assert call(machine, "tkill", thread.tid, 0) == 0


def test_blocked_signal_waits_for_unblock() -> None:
    machine = machine_for("arm")
    kernel, thread = machine.kernel, machine.threads[0]
    install(machine, SIGUSR1)
    thread.sigmask = 1 << (SIGUSR1 - 1)
    machine.scheduler.block(thread, Wait(0x1000, None))
    call(machine, "tgkill", machine.pid, thread.tid, SIGUSR1)
    assert thread.wait is not None  # blocked signals do not interrupt
    machine.scheduler.interrupt(thread, 0)
    kernel.on_resume(thread)
    assert machine.regs["pc"] != HANDLER and len(thread.signals) == 1
    call(machine, "tgkill", machine.pid, thread.tid, SIGUSR1)
    assert len(thread.signals) == 1  # standard signals do not queue
    kernel.store(scratch(machine), 1 << (SIGUSR1 - 1), 8)
    assert call(machine, "rt_sigprocmask", 1, scratch(machine), 0, 8) == 0  # SIG_UNBLOCK
    kernel.on_resume(thread)
    assert machine.regs["pc"] == HANDLER


def test_elfv1_handler_is_a_function_descriptor() -> None:
    """Big-endian Go binaries are ELFv1: sa_handler points at {entry, TOC}."""
    machine = machine_for("ppc64")
    machine.image.function_descriptors = True
    kernel, regs = machine.kernel, machine.regs
    descriptor = scratch(machine) + 1024
    kernel.store_words(descriptor, [0x20000, 0x30000])
    kernel.store_words(scratch(machine), [descriptor, SA_SIGINFO, 0])
    kernel.store(scratch(machine) + 24, 0, 8)
    assert call(machine, "rt_sigaction", SIGSEGV, scratch(machine), 0, 8) == 0
    assert kernel.deliver_fault(machine.threads[0], Fault("SIGSEGV", "read of unmapped address", FAULT_PC, 0))
    assert regs["pc"] == 0x20000 and regs["r2"] == 0x30000
