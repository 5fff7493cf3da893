"""A Machine: one guest process — engine, address space, kernel, threads — and its run loop.

The loop runs guest threads in slices of about `quantum` instructions on one
unicorn engine, switching CPU contexts between slices (emu/sched.py decides who
runs and for how long). Syscalls are answered inside the trap hook; anything
that must leave the engine (exit, a fault, a thread blocking in a futex, a
yield) is recorded and the engine stopped, never raised through unicorn. A
blocked syscall's result is written into the thread's registers when it is
resumed.
"""

from __future__ import annotations

import functools
import os
import time
import traceback
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import unicorn
from unicorn import UcError
from unicorn.unicorn_py3.unicorn import UcContext

from emu import cpu, loader, tsc
from emu.arch import Arch
from emu.errors import EmuError, EngineError, GuestError
from emu.events import RunEvents
from emu.faults import FaultRules, UserSpaceLimit, Verdict
from emu.image import Image
from emu.kernel import Blocked, Kernel, ProcessExit, SyscallTable, ThreadExit, linux_table
from emu.kernel.abi import Signal
from emu.memory import AddressSpace, OutOfMemory
from emu.native import BlockCounter
from emu.native.blocks import FirstSight
from emu.options import RunOptions
from emu.sched import NS_PER_INSTRUCTION, Deadlock, Scheduler, Thread, Wait

if TYPE_CHECKING:
    from emu.memmodel.attach import MachineMemory
    from emu.runtime.runtime import Runtime

__all__ = ["Machine", "Thread", "Fault", "StopReason", "Attachment", "CallHolder"]

UC_FAULTS = {
    unicorn.UC_ERR_READ_UNMAPPED: ("SIGSEGV", "read of unmapped address"),
    unicorn.UC_ERR_WRITE_UNMAPPED: ("SIGSEGV", "write to unmapped address"),
    unicorn.UC_ERR_FETCH_UNMAPPED: ("SIGSEGV", "execution of unmapped address"),
    unicorn.UC_ERR_READ_PROT: ("SIGSEGV", "read of protected address"),
    unicorn.UC_ERR_WRITE_PROT: ("SIGSEGV", "write to read-only address"),
    unicorn.UC_ERR_FETCH_PROT: ("SIGSEGV", "execution of non-executable address"),
    unicorn.UC_ERR_INSN_INVALID: ("SIGILL", "invalid instruction"),
    unicorn.UC_ERR_READ_UNALIGNED: ("SIGBUS", "unaligned read"),
    unicorn.UC_ERR_WRITE_UNALIGNED: ("SIGBUS", "unaligned write"),
    unicorn.UC_ERR_FETCH_UNALIGNED: ("SIGBUS", "unaligned fetch"),
    unicorn.UC_ERR_EXCEPTION: ("SIGILL", "unhandled CPU exception"),
}


class Attachment(Protocol):
    """A debugger (emu/debug) or the toy runtime: told when each slice ends, before faults are
    raised, so it can inspect or serve the stopped thread."""

    def after_slice(self, thread: Thread) -> None: ...


@runtime_checkable
class CallHolder(Protocol):
    """An attachment that can stop the engine inside a run to an address (a stub or runtime call):
    the gdb stub. `held_in_call` reports that stop and serves its user until they resume; True
    when the stop was its own (the run then goes on)."""

    def held_in_call(self, thread: Thread) -> bool: ...


@functools.cache
def process_syscalls() -> SyscallTable:
    """A guest process's syscall table: Linux's, plus the toy runtime's hypercall numbers (which
    answer -ENOSYS to a program not linked with the runtime, so every process gets the same table)."""
    from emu.runtime.hypercalls import hypercall_table

    return MappingProxyType({**linux_table(), **hypercall_table()})


@dataclass
class Fault:
    signal_name: str
    reason: str
    pc: int
    address: int | None = None


@dataclass
class StopReason:
    """Why the engine stopped inside a slice (set by hooks)."""

    exit_status: int | None = None
    thread_exit: bool = False
    fault: Fault | None = None
    error: BaseException | None = None


class Machine:
    def __init__(self, arch: Arch, image: Image, options: RunOptions | None = None) -> None:
        self.arch, self.image = arch, image
        self.options = options or RunOptions()
        self.uc = cpu.new_engine(arch)
        self.counter = BlockCounter(self.uc, arch)  # exact counts; ends slices without count= (emu/native)
        self.regs = cpu.Registers(self.uc, arch)
        self.memory = AddressSpace(self.uc, arch.page_size, self.options.mem_limit)
        self.pid = 1000
        self.scheduler = Scheduler(
            self.options.quantum, self.options.seed, self._on_wake, self.options.schedule
        )
        self.kernel = Kernel(self, process_syscalls())
        self.current: Thread | None = None
        self.stop = StopReason()
        self.total_instructions = 0
        self.charged_executed = 0  # the block counter's count when the clock was last charged
        self.events = RunEvents()  # observers of threads, syscalls, waits, signals, GC (emu/events.py)
        self._last_access: int | None = None
        self._hooks: list[int] = []
        self.attachments: list[Attachment] = []  # debuggers (emu/debug) and the runtime
        self.runtime: Runtime | None = None  # the toy runtime, once a hypercall attaches it (emu/runtime)
        self.deadline: float | None = None  # time.monotonic() at which --timeout ends the run
        self.fault_rules = FaultRules(arch)
        self._forbidden: set[int] = set()  # addresses with a fault hook (emu/faults.py)
        self._install_hooks()
        self.weak_memory = self._attach_memory_model()

    def _attach_memory_model(self) -> MachineMemory | None:
        """--memory-model other than sc: a storage subsystem between the threads and memory."""
        if self.options.memory_model == "sc":
            return None
        from emu.memmodel.attach import MachineMemory

        return MachineMemory(self, self.options.memory_model)

    # ---- set-up ------------------------------------------------------------------

    def load(self) -> Thread:
        """Map the image and the start-up stack; create the main thread at the entry."""
        argv = self.options.argv or [self.image.path or "prog"]
        try:
            brk = loader.map_image(self.memory, self.image)
            sp = loader.build_stack(
                self.memory, self.arch, self.image, argv, self.options.env, self.options.seed
            )
        except OutOfMemory as err:
            raise EmuError(f"emu: {self.image.path or 'the program'} does not fit in memory: {err}") from None
        self.regs[self.arch.sp] = sp
        if self.arch.call.entry_reg:
            self.regs[self.arch.call.entry_reg] = self.image.entry
        for name, value in self.image.initial_registers.items():
            self.regs[name] = value
        self._set_pc(self.image.entry)
        self.kernel.brk_start = self.kernel.brk = brk
        thread = Thread(self.uc.context_save(), tid=self.pid)
        self.scheduler.add(thread)
        return thread

    @property
    def threads(self) -> list[Thread]:
        return self.scheduler.threads

    def _install_hooks(self) -> None:
        abi = self.arch.syscall
        if abi.hook == "insn":
            self._hooks.append(
                self.uc.hook_add(
                    unicorn.UC_HOOK_INSN,
                    self._on_syscall_insn,
                    None,
                    1,
                    0,
                    cpu.engine_constant(self.arch, abi.insn or ""),
                )
            )
        tsc.install(self)  # rdtsc reads the virtual clock
        self._hooks.append(self.uc.hook_add(unicorn.UC_HOOK_INTR, self._on_interrupt))
        self._hooks.append(self.uc.hook_add(unicorn.UC_HOOK_MEM_INVALID, self._on_bad_access))
        if self.fault_rules.checks_blocks:
            self.counter.table.inspectors.append(self._on_new_block)
        limit = self.fault_rules.user_address_limit
        self.user_space = UserSpaceLimit(self.uc, limit, self.arch.page_size) if limit is not None else None

    # ---- hooks (must never raise) ------------------------------------------------------

    def _on_syscall_insn(self, uc, _user) -> None:
        self._syscall()

    def _on_interrupt(self, uc, intno: int, _user) -> None:
        if intno == self.arch.syscall.intno:
            self._syscall()
            return
        if tsc.emulate_read(self, intno, self.memory.read):
            return
        verdict = self.fault_rules.interrupt(intno, self._pc(), self.memory.read)
        self.stop.fault = Fault(verdict.signal_name, verdict.reason, verdict.pc)
        uc.emu_stop()

    def _on_new_block(self, block: FirstSight) -> None:
        """First sight of a block: if it holds an instruction Linux would not run (a privileged
        one), hook exactly that address and have the block translated again.

        The engine stops before the block runs (it is counted once more when it does); the
        hook costs nothing elsewhere, since unicorn emits code hooks only inside their range."""
        verdict = self.fault_rules.forbidden_in(block)
        if verdict is None or verdict.pc in self._forbidden:
            return
        self._forbidden.add(verdict.pc)
        self._hooks.append(
            self.uc.hook_add(unicorn.UC_HOOK_CODE, self._on_forbidden, verdict, verdict.pc, verdict.pc)
        )
        self.uc.ctl_remove_cache(block.address, block.address + max(1, block.size))
        self.uc.emu_stop()

    def _on_forbidden(self, uc, address: int, size: int, verdict: Verdict) -> None:
        self.stop.fault = Fault(verdict.signal_name, verdict.reason, verdict.pc)
        uc.emu_stop()

    def _on_bad_access(self, uc, access, address, size, value, _user) -> bool:
        self._last_access = self.user_space.guest_address(address) if self.user_space else address
        return False

    def _syscall(self) -> None:
        if self.weak_memory is not None:
            self.weak_memory.flush()  # the kernel reads what every thread would see
        try:
            self.kernel.dispatch(self.running)
        except Blocked:
            self.uc.emu_stop()
        except ProcessExit as end:
            self.stop.exit_status = end.status
            self.uc.emu_stop()
        except ThreadExit as end:
            self.stop.thread_exit = True
            self.stop.exit_status = end.status
            self.uc.emu_stop()
        except BaseException as err:  # noqa: BLE001 - surfaced after emu_start returns
            self.stop.error = err
            self.uc.emu_stop()
        finally:
            if self.weak_memory is not None:
                self.weak_memory.flush()  # what the kernel wrote, and the threads it made

    def preempt(self) -> None:
        """End the current slice after this syscall (sched_yield, a wake-up)."""
        self.uc.emu_stop()

    def out_of_time(self) -> bool:
        """True once --timeout has passed: long syscalls stop early and the slice ends."""
        return self.deadline is not None and time.monotonic() > self.deadline

    def trap_pc(self) -> int:
        """The address of the syscall instruction being handled (for reports)."""
        linux = self.arch.linux
        return self._pc() + linux.trap_pc_adjust - linux.trap_size

    def save_context(self) -> UcContext:
        """The engine's CPU state (the current thread's), for a clone or a signal frame."""
        return self.uc.context_save()

    def restore_context(self, context: UcContext) -> None:
        self.uc.context_restore(context)

    def resume_pc(self) -> int:
        """Where the current thread continues after the syscall being handled."""
        return self._pc() + self.arch.linux.trap_pc_adjust

    def _on_wake(self, thread: Thread, result: int, wait: Wait | None) -> None:
        self.kernel.complete(thread, result, wait)

    # ---- the virtual clock ------------------------------------------------------------

    def now(self) -> int:
        """Virtual ns now, also inside a slice or a runtime stub call: the scheduler's clock plus
        the instructions run since it was last charged (counted at each block start)."""
        uncharged = self.counter.executed - self.charged_executed
        return self.scheduler.clock.monotonic() + uncharged * NS_PER_INSTRUCTION

    def charge(self, thread: Thread, instructions: int) -> None:
        """Charge `thread` for instructions run on its behalf; the clock moves with them."""
        self.scheduler.charge(thread, instructions)
        self.charged_executed = self.counter.executed

    # ---- registers -------------------------------------------------------------------

    @property
    def running(self) -> Thread:
        """The thread on the CPU: hooks, syscalls and attachments' slice callbacks run inside one."""
        if self.current is None:
            raise EngineError("emu: internal error: no thread is on the CPU")
        return self.current

    def _pc(self) -> int:
        return self.regs[self.arch.pc]

    def in_alt_mode(self) -> bool:
        """True while the core runs its alternate instruction set (ARM's Thumb; arch data)."""
        state = self.arch.interworking
        return state is not None and bool(self.regs[state.state_register] & state.state_bit)

    def _set_pc(self, value: int) -> None:
        state = self.arch.interworking
        if (
            state and value & 1
        ):  # an odd code address enters the alternate state (interworking data), as ARM `bx` does
            self.regs[state.state_register] = self.regs[state.state_register] | state.state_bit
            value &= ~1
        self.regs[self.arch.pc] = value

    def _start_address(self) -> int:
        pc = self._pc()
        return pc | 1 if self.in_alt_mode() else pc

    # ---- run loop ---------------------------------------------------------------------

    def run(self) -> int:
        """Run until the guest exits; return its exit status (raise GuestError on death)."""
        try:
            return self._run()
        finally:
            self.kernel.close_trace()  # a call blocked forever ends its --strace line before any report

    def _run(self) -> int:
        if not self.threads:
            self.load()
        self.deadline = time.monotonic() + self.options.timeout if self.options.timeout else None
        try:
            return self._run_loop()
        finally:
            if self.weak_memory is not None:
                self.weak_memory.flush()  # the memory a caller (or a post-mortem) reads is coherent

    def _run_loop(self) -> int:
        while True:
            try:
                thread = self.scheduler.pick()
            except Deadlock as stuck:
                raise self._deadlock_error(stuck.waits) from None
            if thread is None:
                return self.stop.exit_status or 0
            status = self._run_slice(thread)
            if status is not None:
                return status
            if self.options.max_insns is not None and self.total_instructions >= self.options.max_insns:
                raise self._budget_error(thread, f"instruction limit of {self.options.max_insns} reached")
            if self.out_of_time():
                raise self._budget_error(thread, f"timeout of {self.options.timeout} s reached")

    def _resume(self, thread: Thread) -> None:
        """Load a thread's CPU state, plus what the kernel decided while it was off-CPU."""
        self.current = thread
        if self.weak_memory is not None:
            self.weak_memory.resume(thread)
        self.uc.context_restore(thread.context)
        for name, value in thread.pending_regs.items():
            if name == self.arch.pc:
                self._set_pc(value)
            else:
                self.regs[name] = value
        thread.pending_regs = {}
        if thread.pending_result is not None:
            self.kernel.set_result(thread.pending_result)
            thread.pending_result = None
        self.kernel.on_resume(thread)  # rt_sigreturn, pending signals (emu/kernel/signals.py)

    def _run_slice(self, thread: Thread) -> int | None:
        """Run one slice of `thread`, charged exactly (run_until ends it on the budgeted
        instruction)."""
        self._resume(thread)
        started = self.now()
        count = self.scheduler.slice_length()
        if self.options.max_insns is not None:
            count = max(1, min(count, self.options.max_insns - self.total_instructions))
        count = self.run_until(thread, None, count)
        self.total_instructions += count
        self.charge(thread, count)
        if self.events.active:
            self.events.slice_ran(thread.tid, started, self.now(), count)
        thread.context = self.uc.context_save()
        if self.weak_memory is not None:
            self.weak_memory.after_slice()
        for attachment in self.attachments:  # before faults are raised: a debugger may inspect them
            attachment.after_slice(thread)
        if self.stop.error is not None:
            raise self._internal_error(self.stop.error)
        if self.stop.fault is not None:
            if not self.kernel.deliver_fault(thread, self.stop.fault):  # a guest handler runs instead
                raise self._fault_error(thread, self.stop.fault)
            thread.context = self.uc.context_save()
        if self.stop.thread_exit:
            thread.alive = False
            self.events.thread_exited(thread.tid, self.now())
            self.kernel.retire(thread)
            return None if self.scheduler.live() else self.stop.exit_status
        return self.stop.exit_status

    def run_until(self, thread: Thread, stop_at: int | None, budget: int) -> int:
        """Run `thread`, whose state is on the CPU, from its pc until pc reaches `stop_at`, `budget`
        instructions have run, or a hook stops the engine; return the instructions run, exact.

        The one place the engine is started (a slice, a stub call, a runtime call all come here).
        The block counter (emu/native) ends the run on the budgeted instruction without unicorn's
        slow per-instruction `count=` mode. Why it stopped is left in `self.stop` (an engine error
        becomes `stop.fault`). With `stop_at` None this is a slice: it ends at any stop. A run to
        an address goes on after a debugger's own stop inside it (`CallHolder`), and the budget
        counts executed instructions only, so the time a user spends stopped never uses it up."""
        self.current, self.stop = thread, StopReason()
        until = self._unreached_end() if stop_at is None else stop_at
        self.counter.set_thread(thread.tid)
        before = self.counter.executed
        self.counter.set_budget(before + budget)
        try:
            while True:
                self._start_engine(until)
                if stop_at is None or not self._held_by_debugger(thread) or self._pc() == stop_at:
                    break
        finally:
            self.counter.set_budget(None)
        return self.counter.executed - before

    def _start_engine(self, until: int) -> None:
        """One emu_start through the block counter; an engine error is recorded as the stop's fault."""
        try:
            self.counter.run(self._start_address, until)
        except UcError as err:
            if err.errno == unicorn.UC_ERR_NOMEM:  # the host, not the guest, ran out
                raise EmuError(
                    f"emu: the CPU engine ran out of host memory ({err}); lower --mem-limit"
                ) from None
            if not self._is_hint(err):
                self.stop.fault = self.stop.fault or self._fault_from(err)
        self.counter.check()

    def _held_by_debugger(self, thread: Thread) -> bool:
        """Did a debugger stop the engine (and serve its user while it was stopped)? Every holder
        is asked, so each one's own stop is reported."""
        holders = [a for a in self.attachments if isinstance(a, CallHolder)]
        return any([holder.held_in_call(thread) for holder in holders])

    def _unreached_end(self) -> int:
        """The `until` address for emu_start: the top of the address space, never a place code
        runs from — unless the thread is about to fetch there (a jump, handler or entry of -1).
        Unicorn then runs nothing at all (pc == until), so the slice would make no progress
        forever; a nearby end lets the fetch at the top fault (SIGSEGV) as on Linux. The
        translation cached for the top (a bare "until reached" stop) goes too: it would run
        instead of the fetch."""
        top = self.arch.word_mask
        if self._start_address() | 1 != top:
            return top
        self.uc.ctl_flush_tb()  # rare (only a broken program gets here): the simplest sure drop
        return top - 3

    def _is_hint(self, err: UcError) -> bool:
        """A hint instruction unicorn rejects (ARM YIELD/WFE, pc already past it): a yield, not SIGILL."""
        hints = self.arch.linux.hint_words
        if not hints or err.errno != unicorn.UC_ERR_INSN_INVALID:
            return False
        try:
            word = self.arch.unpack(self.memory.read(self._pc() - 4, 4))
        except UcError:
            return False
        return word in hints

    # ---- reports ------------------------------------------------------------------------

    def _fault_from(self, err: UcError) -> Fault:
        if err.errno == unicorn.UC_ERR_INSN_INVALID:
            verdict = self.fault_rules.invalid_instruction(self._pc(), self.in_alt_mode(), self.memory.read)
            return Fault(verdict.signal_name, verdict.reason, verdict.pc)
        signal_name, reason = UC_FAULTS.get(err.errno, ("SIGILL", str(err)))
        address = self._last_access if "address" in reason else None
        if address is not None and "unmapped" in reason and self.memory.find(address):
            reason = reason.replace("unmapped", "PROT_NONE")  # a reservation unicorn never saw
        return Fault(signal_name, reason, self._pc(), address)

    def describe_pc(self, pc: int) -> str:
        """`0x400010 <_start+0x10> (hello.s:12) mov qword ptr [rax], 1`."""
        symbol = self.image.symbolize(pc)
        text = f"{pc:#x}" if symbol.startswith("0x") else f"{pc:#x} <{symbol}>"
        where = self.image.where(pc)
        if where:
            text += f" ({where})"
        disassembly = self.disassemble_at(pc)
        return f"{text} {disassembly}" if disassembly else text

    def disassemble_at(self, pc: int) -> str:
        alt = self.in_alt_mode()
        try:
            code = self.memory.read(pc, 16)
        except UcError:
            return ""
        cs = cpu.new_disassembler(self.arch, self.arch.alt_mode(alt))
        for insn in cs.disasm(code, pc, 1):
            return f"`{insn.mnemonic} {insn.op_str}`".replace(" `", "`")
        return "`(undecodable: " + code[:4].hex() + ")`"

    def _fault_error(self, thread: Thread, fault: Fault) -> GuestError:
        number = Signal[fault.signal_name]
        message = f"emu: {fault.signal_name} ({number.description}), {fault.reason}"
        if fault.address is not None:
            message += f" {fault.address:#x}"
        message += f", thread {thread.tid}, pc {self.describe_pc(fault.pc)}"
        return GuestError(message, 128 + number)

    def _deadlock_error(self, waits: list[tuple[Thread, Wait]]) -> GuestError:
        """Every live thread blocked forever: say who waits where (exit status 2)."""
        lines = [f"emu: deadlock: all {len(waits)} live thread(s) are blocked with no timeout pending"]
        for thread, wait in waits:
            what = (
                f"futex {wait.address:#x} (expecting {wait.value})" if wait.address is not None else "sleep"
            )
            lines.append(f"  thread {thread.tid}: waiting on {what} at pc {self.describe_pc(wait.pc)}")
        return GuestError("\n".join(lines), 2)

    def _internal_error(self, err: BaseException) -> EmuError:
        """A bug in emu's own syscall code: one line (the traceback with EMU_DEBUG=1)."""
        if isinstance(err, EmuError):
            return err
        if os.environ.get("EMU_DEBUG"):
            traceback.print_exception(err)
        return EngineError(
            f"emu: internal error in the syscall layer: {type(err).__name__}: {err} "
            "(set EMU_DEBUG=1 for a traceback)"
        )

    def _budget_error(self, thread: Thread, what: str) -> GuestError:
        pc = self._pc()
        return GuestError(
            f"emu: {what} after {self.total_instructions} instructions, thread {thread.tid}, pc {self.describe_pc(pc)}",
            124,
        )
