"""The Linux signal frame, laid out from the arch's `[signals]` data (no per-arch code).

What differs between arches is data in arch/*/arch.toml, taken from the kernel's
`struct rt_sigframe` for each (and QEMU linux-user's <target>/signal.c):
where the ucontext and siginfo sit in the frame, the register slots of the
mcontext, where the return address goes (pushed on x86-64, in lr elsewhere),
the red zone, ppc64's back-chained call frame below the signal frame.

Only the registers in the mcontext live in guest memory; the rest of the CPU
state (FP/vector registers, ppc64 MSR, TLS bases) is kept as an engine context
with the frame and put back by rt_sigreturn, so a handler that uses the FPU
does not corrupt the interrupted code. The handler may change any mcontext
slot (Go moves pc to sigpanic or asyncPreempt): rt_sigreturn reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass

import unicorn

from emu.arch import SignalFrame
from emu.kernel import Kernel
from emu.memory import PROT_EXEC, PROT_READ, OutOfMemory

SA_SIGINFO, SA_ONSTACK, SA_RESTORER = 4, 0x08000000, 0x04000000
SS_ONSTACK, SS_DISABLE = 1, 2


@dataclass
class SigInfo:
    """The part of siginfo_t a signal carries: a fault address, or the sender's pid/uid."""

    signo: int
    code: int
    address: int = 0
    pid: int = 0
    uid: int = 0


def layout(kernel: Kernel) -> SignalFrame:
    return kernel.arch.signals


def set_pc(kernel: Kernel, value: int) -> None:
    """Write pc without changing the instruction-set state (ARM: the T bit lives in cpsr)."""
    regs, mode = kernel.process.regs, layout(kernel).mode_register
    if not mode:
        regs[kernel.arch.pc] = value
        return
    saved = regs[mode]
    regs[kernel.arch.pc] = value
    regs[mode] = saved


def trampoline(kernel: Kernel) -> int:
    """The kernel-provided `rt_sigreturn` stub (a vdso/sigpage stand-in), mapped on first use."""
    data = layout(kernel)
    address = data.trampoline
    memory = kernel.process.memory
    if memory.find(address) is None:
        memory.map(address, memory.round_up(1), PROT_READ | PROT_EXEC, "[sigpage]")
        memory.write(address, bytes.fromhex(data.trampoline_code))
    return address


def _siginfo(kernel: Kernel, info: SigInfo) -> bytes:
    arch, fields = kernel.arch, layout(kernel).siginfo_fields
    head = arch.pack(info.signo, 4) + arch.pack(0, 4) + arch.pack(info.code, 4)
    body = arch.pack(info.address) if info.address else arch.pack(info.pid, 4) + arch.pack(info.uid, 4)
    record = head.ljust(fields, b"\0") + body
    return record.ljust(128, b"\0")


def _frame_address(kernel: Kernel, thread, sp: int, flags: int) -> tuple[int, bool]:
    """Where the frame goes: the top of the sigaltstack, or below the red zone."""
    data = layout(kernel)
    base, stack_flags, size = thread.altstack
    enabled = not stack_flags & SS_DISABLE
    on_alt = enabled and base < sp <= base + size
    if flags & SA_ONSTACK and enabled and not on_alt:
        sp, on_alt = base + size, True
    else:
        sp -= data.redzone
    frame = ((sp - data.frame_size) & -data.align) - data.bias
    return frame, on_alt


def _ucontext(kernel: Kernel, thread, uc: int, info: SigInfo, on_alt: bool) -> bytes:
    """The ucontext image: uc_stack, the mcontext register slots, the saved mask."""
    arch, data, regs = kernel.arch, layout(kernel), kernel.process.regs
    word = arch.word_size
    image = bytearray(data.ucontext_size)

    def put(offset: int, value: int, size: int = word) -> None:
        image[offset : offset + size] = arch.pack(value, size)

    base, stack_flags, size = thread.altstack
    put(data.uc_stack, base)
    put(data.uc_stack + word, SS_ONSTACK if on_alt else stack_flags, 4)
    put(data.uc_stack + 2 * word, size)
    for slot, name in enumerate(data.registers):
        if name:
            put(data.uc_registers + slot * word, regs[name])
    if data.fault_address_slot is not None:
        put(data.uc_registers + data.fault_address_slot * word, info.address)
    put(data.uc_sigmask, thread.sigmask, 8)
    if data.uc_registers_pointer is not None:
        put(data.uc_registers_pointer, uc + data.uc_registers)
    return bytes(image)


def _handler_entry(kernel: Kernel, handler: int) -> None:
    """pc (and TOC / entry register) for the handler; an ELFv1 handler is a descriptor."""
    regs, data, arch = kernel.process.regs, layout(kernel), kernel.arch
    toc = arch.call.descriptors.toc_reg if arch.call.descriptors else None
    if toc and getattr(kernel.process.image, "function_descriptors", False):
        regs[toc] = kernel.load(handler + arch.word_size, arch.word_size)
        handler = kernel.load(handler, arch.word_size)
    elif arch.call.entry_reg:
        regs[arch.call.entry_reg] = handler
    mode = data.mode_register
    if mode:
        alt_bit = data.alt_mode_bit if handler & 1 else 0
        regs[arch.pc] = handler & ~1
        regs[mode] = (regs[mode] & ~data.mode_clear) | alt_bit
    else:
        regs[arch.pc] = handler


def push(kernel: Kernel, thread, info: SigInfo, handler: int, flags: int, restorer: int) -> bool:
    """Write the frame for the live registers of `thread` and enter `handler`. False if the
    frame cannot be written (the kernel then kills with SIGSEGV)."""
    process, arch, data = kernel.process, kernel.arch, layout(kernel)
    regs = process.regs
    sp = regs[arch.sp]
    frame, on_alt = _frame_address(kernel, thread, sp, flags)
    uc, siginfo = frame + data.ucontext, frame + data.siginfo
    try:
        returns_to = restorer if flags & SA_RESTORER and restorer else trampoline(kernel)
    except OutOfMemory:
        return False
    try:
        process.memory.write(frame, bytes(data.frame_size))
        process.memory.write(siginfo, _siginfo(kernel, info))
        process.memory.write(uc, _ucontext(kernel, thread, uc, info, on_alt))
        handler_sp = frame - data.call_frame
        if data.call_frame:
            kernel.store(handler_sp, sp, arch.word_size)  # back chain to the interrupted frame
        if arch.call.return_via == "stack":
            kernel.store(frame, returns_to, arch.word_size)
    except unicorn.UcError:
        return False
    context = process.save_context()
    _drop_frames(kernel, thread, lambda address: address <= uc)  # overwritten or unwound past
    try:
        process.memory.charge(context.size)  # the state kept with the frame is host memory
    except OutOfMemory:
        return False
    thread.signal_frames.append((uc, context))
    if arch.call.return_via != "stack":
        regs[arch.link_register] = returns_to
    regs[arch.sp] = handler_sp
    for register, value in zip(arch.call.args, (info.signo, siginfo, uc), strict=False):
        regs[register] = value
    for register in data.entry_zero:
        regs[register] = 0
    _handler_entry(kernel, handler)
    return True


def _drop_frames(kernel: Kernel, thread, dead) -> None:
    """Forget the saved state of the frames whose ucontext address is `dead`, and its charge.

    The stack grows down, so a frame at or below a new one (a handler that reset its stack and
    faulted again) can never be returned to: keeping it would let a re-faulting handler grow
    emu without bound."""
    kept = [(address, context) for address, context in thread.signal_frames if not dead(address)]
    freed = sum(context.size for address, context in thread.signal_frames if dead(address))
    kernel.process.memory.release(freed)
    thread.signal_frames = kept


def ucontext_at_sigreturn(kernel: Kernel) -> int:
    """rt_sigreturn finds the frame from sp (the handler has returned into the trampoline)."""
    return kernel.process.regs[kernel.arch.sp] + layout(kernel).sigreturn_ucontext


def restore(kernel: Kernel, thread, uc: int) -> int | None:
    """Put back the state saved at `uc` (as the handler left it); returns the saved mask,
    or None if the frame is unreadable."""
    arch, data, process = kernel.arch, layout(kernel), kernel.process
    word = arch.word_size
    try:
        image = process.memory.read(uc, data.ucontext_size)
    except unicorn.UcError:
        return None
    for address, context in thread.signal_frames:
        if address == uc:
            process.restore_context(context)
            _drop_frames(kernel, thread, lambda other: other <= uc)
            break
    skip = set(data.restore_skip)
    forced = data.restore_forced  # bits user memory may not set (ARM: back to User mode)
    for slot, name in enumerate(data.registers):
        if name and name not in skip:
            offset = data.uc_registers + slot * word
            value = arch.unpack(image[offset : offset + word])
            if name in forced:
                mask, bits = forced[name]
                value = value & ~mask | bits
            process.regs[name] = value
    return arch.unpack(image[data.uc_sigmask : data.uc_sigmask + 8])
