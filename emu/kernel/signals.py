"""Signals: rt_sigaction, rt_sigprocmask, sigaltstack, tgkill/tkill/kill, and delivery.

A handler installed with rt_sigaction really runs: for a CPU fault in the
thread (a nil dereference: SIGSEGV) or for a signal sent with tgkill (Go's
SIGURG preemption). Delivery writes the arch's Linux signal frame
(emu/kernel/sigframe.py, layouts from `[signals]` in arch/*/arch.toml) on the
sigaltstack when SA_ONSTACK asks for it, enters the handler, and rt_sigreturn
puts back whatever the handler left in the frame's ucontext — which is how Go
redirects a faulting thread to sigpanic or injects asyncPreempt.

Signals sent to a thread wait in `thread.signals` and are delivered when it
next resumes (emu/machine.py calls `Kernel.on_resume`); a blocked syscall of
the target ends with -EINTR first, as on Linux.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emu.errors import GuestError
from emu.kernel import KEEP_REGISTERS, Keep, Kernel, sigframe, syscall
from emu.kernel.abi import NSIG, SIGRTMIN, Errno, Signal
from emu.kernel.process import RLIMIT_SIGPENDING, soft_limit
from emu.kernel.sigframe import SigInfo

if TYPE_CHECKING:
    from emu.sched import Thread

SIGKILL, SIGPIPE, SIGSTOP = Signal.SIGKILL, Signal.SIGPIPE, Signal.SIGSTOP
SIGSET_SIZE = 8
SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK = 0, 1, 2
UNBLOCKABLE = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1))
SS_ONSTACK, SS_DISABLE, SS_AUTODISARM = 1, 2, 1 << 31
SIG_DFL, SIG_IGN = 0, 1
SA_NODEFER, SA_RESETHAND = 0x40000000, 0x80000000
SI_USER, SI_TKILL = 0, -6
SEGV_MAPERR, SEGV_ACCERR, FAULT_CODE = 1, 2, 1  # FAULT_CODE: ILL_ILLOPC, BUS_ADRALN, TRAP_BRKPT
DEFAULT_IGNORED = {Signal.SIGCHLD, Signal.SIGCONT, Signal.SIGURG, Signal.SIGWINCH}
DEFAULT_STOPS = {Signal.SIGSTOP, Signal.SIGTSTP, Signal.SIGTTIN, Signal.SIGTTOU}
# Every other signal 1..64, real-time ones included, terminates (or dumps core: emu writes none).
SYNCHRONOUS = {
    s.name: s for s in (Signal.SIGSEGV, Signal.SIGILL, Signal.SIGBUS, Signal.SIGTRAP, Signal.SIGFPE)
}


def _bit(signal: int) -> int:
    return 1 << (signal - 1)


def _sigaction_size(kernel: Kernel) -> int:
    """Kernel struct sigaction: handler, flags, restorer (native words), then a 64-bit mask."""
    return 3 * kernel.arch.word_size + SIGSET_SIZE


def action(kernel: Kernel, signal: int) -> tuple[int, int, int, int]:
    """(handler, flags, restorer, mask) installed for `signal` (all zero: SIG_DFL)."""
    raw = kernel.sigactions.get(signal, bytes(_sigaction_size(kernel)))
    word = kernel.arch.word_size
    fields = [kernel.arch.unpack(raw[i * word : (i + 1) * word]) for i in range(3)]
    return fields[0], fields[1], fields[2], kernel.arch.unpack(raw[3 * word :])


@syscall("rt_sigaction")
def sys_rt_sigaction(kernel: Kernel, thread, signal, new_action, old_action, setsize, *_) -> int:
    if setsize != SIGSET_SIZE or not 1 <= signal <= NSIG:
        return -Errno.EINVAL
    if new_action and signal in (SIGKILL, SIGSTOP):
        return -Errno.EINVAL
    size = _sigaction_size(kernel)
    previous = kernel.sigactions.get(signal, bytes(size))
    new = kernel.process.memory.read(new_action, size) if new_action else None
    if old_action:
        kernel.process.memory.write(old_action, previous)
    if new is not None:
        kernel.sigactions[signal] = new
    return 0


@syscall("rt_sigprocmask")
def sys_rt_sigprocmask(kernel: Kernel, thread, how, new_set, old_set, setsize, *_) -> int:
    if setsize != SIGSET_SIZE:
        return -Errno.EINVAL
    previous = thread.sigmask
    if new_set:
        if how not in (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK):
            return -Errno.EINVAL
        value = kernel.load(new_set, SIGSET_SIZE)
        mask = {SIG_BLOCK: previous | value, SIG_UNBLOCK: previous & ~value, SIG_SETMASK: value}[how]
        thread.sigmask = mask & ~UNBLOCKABLE
    if old_set:
        kernel.store(old_set, previous, SIGSET_SIZE)
    if deliverable(thread):
        kernel.process.preempt()  # a pending signal was unblocked: deliver it before going on
    return 0


def _on_altstack(thread, sp: int) -> bool:
    base, flags, size = thread.altstack
    return not flags & SS_DISABLE and base < sp <= base + size


@syscall("sigaltstack")
def sys_sigaltstack(kernel: Kernel, thread, new_stack, old_stack, *_) -> int:
    """stack_t is {void *ss_sp; int ss_flags; size_t ss_size}: three native-word slots."""
    word = kernel.arch.word_size
    on_stack = _on_altstack(thread, kernel.process.regs[kernel.arch.sp])
    if new_stack:
        sp, flags, size = (
            kernel.load(new_stack, word),
            kernel.load(new_stack + word, 4),
            kernel.load(new_stack + 2 * word, word),
        )
        if flags & ~(SS_DISABLE | SS_AUTODISARM):
            return -Errno.EINVAL
        if on_stack:
            return -Errno.EPERM
    previous = thread.altstack
    if old_stack:
        kernel.store(old_stack, previous[0], word)
        kernel.store(old_stack + word, SS_ONSTACK if on_stack else previous[1], 4)
        kernel.store(old_stack + 2 * word, previous[2], word)
    if new_stack:
        thread.altstack = (0, SS_DISABLE, 0) if flags & SS_DISABLE else (sp, flags, size)
    return 0


# ---- sending ------------------------------------------------------------------------------


def _ignored(kernel: Kernel, signal: int) -> bool:
    handler = action(kernel, signal)[0]
    return handler == SIG_IGN or (handler == SIG_DFL and signal in DEFAULT_IGNORED)


def send(kernel: Kernel, target, info: SigInfo) -> int:
    """Queue a signal for `target`; interrupt its sleep if it will be delivered now.
    0, or -EAGAIN when RLIMIT_SIGPENDING signals are already queued (real-time ones queue)."""
    if _ignored(kernel, info.signo):
        return 0  # Linux discards an ignored signal when it is sent
    if info.signo < SIGRTMIN and any(p.signo == info.signo for p in target.signals):
        return 0  # a standard signal is pending at most once (real-time ones queue)
    if sum(len(t.signals) for t in kernel.process.threads) >= soft_limit(kernel, RLIMIT_SIGPENDING):
        return -Errno.EAGAIN
    target.signals.append(info)
    if target is kernel.process.current:
        kernel.process.preempt()  # delivered as the syscall returns (next resume)
    elif not target.sigmask & _bit(info.signo):
        kernel.process.scheduler.interrupt(target, -Errno.EINTR)
    return 0


def _find_thread(kernel: Kernel, tid: int):
    return next((t for t in kernel.process.threads if t.alive and t.tid == tid), None)


def _send_to(kernel: Kernel, target, signal: int, code: int) -> int:
    if target is None:
        return -Errno.ESRCH
    if not 0 <= signal <= NSIG:
        return -Errno.EINVAL
    if signal:
        return send(kernel, target, SigInfo(signal, code, pid=kernel.process.pid))
    return 0


@syscall("tgkill")
def sys_tgkill(kernel: Kernel, thread, tgid: int, tid: int, signal: int, *_) -> int:
    if tgid != kernel.process.pid:
        return -Errno.ESRCH
    return _send_to(kernel, _find_thread(kernel, tid), signal, SI_TKILL)


@syscall("tkill")
def sys_tkill(kernel: Kernel, thread, tid: int, signal: int, *_) -> int:
    return _send_to(kernel, _find_thread(kernel, tid), signal, SI_TKILL)


@syscall("kill")
def sys_kill(kernel: Kernel, thread, pid: int, signal: int, *_) -> int:
    """Only our own process exists; a process-directed signal goes to the calling thread."""
    if pid not in (0, kernel.process.pid) and pid & kernel.arch.word_mask != kernel.arch.word_mask:
        return -Errno.ESRCH
    return _send_to(kernel, thread, signal, SI_USER)


# ---- delivery -----------------------------------------------------------------------------


def _enter(kernel: Kernel, thread, info: SigInfo) -> bool:
    """Push the frame and enter the handler; block the signal (and sa_mask) meanwhile."""
    handler, flags, restorer, mask = action(kernel, info.signo)
    if not sigframe.push(kernel, thread, info, handler, flags, restorer):
        return False
    if not flags & SA_NODEFER:
        mask |= _bit(info.signo)
    thread.sigmask = (thread.sigmask | mask) & ~UNBLOCKABLE
    if flags & SA_RESETHAND:
        kernel.sigactions.pop(info.signo, None)
    kernel.process.events.signal_delivered(
        thread.tid, info.signo, signal_name(info.signo), kernel.process.now()
    )
    return True


def signal_name(signo: int) -> str:
    """`SIGSEGV` for a standard signal; `signal 40` for a real-time one."""
    return Signal.name_of(signo) or f"signal {signo}"


def _death(signo: int, what: str) -> GuestError:
    """The default action of a fatal signal: the process ends as a shell reports it (128 + N).

    A stop signal ends the run too: no other process exists that could send SIGCONT."""
    name = signal_name(signo)
    if signo in DEFAULT_STOPS:
        return GuestError(f"emu: stopped by {name} ({what}; nothing can continue it)", 128 + signo)
    return GuestError(f"emu: killed by {name} ({what})", 128 + signo)


def deliver_pending(kernel: Kernel, thread) -> None:
    """Run handlers for the thread's unblocked pending signals (each nests a frame)."""
    for info in list(thread.signals):
        if thread.sigmask & _bit(info.signo):
            continue
        thread.signals.remove(info)
        kernel.trace_signal(info.signo, info.code, info.address, info.pid, info.uid)
        handler = action(kernel, info.signo)[0]
        if _ignored(kernel, info.signo):
            continue
        if handler == SIG_DFL:
            sender = "the guest" if info.pid else "the kernel"  # SIGPIPE has no sending process
            raise _death(info.signo, f"sent by {sender} to thread {thread.tid}")
        if not _enter(kernel, thread, info):
            raise _death(11, "its signal frame could not be written")


def deliver_fault(kernel: Kernel, thread, fault) -> bool:
    """A CPU fault becomes a signal to the faulting thread, if it has a handler for it.

    Like Linux's force_sig: no handler, an ignored or a blocked fault signal kills."""
    signo = SYNCHRONOUS.get(fault.signal_name)
    if signo is None:
        return False
    code = FAULT_CODE
    if signo == SYNCHRONOUS["SIGSEGV"]:
        code = SEGV_MAPERR if "unmapped" in fault.reason else SEGV_ACCERR
    address = fault.address if fault.address is not None else fault.pc
    kernel.trace_signal(signo, code, address)  # taken, whether a handler runs or it kills
    handler = action(kernel, signo)[0]
    if handler in (SIG_DFL, SIG_IGN) or thread.sigmask & _bit(signo):
        return False
    sigframe.set_pc(kernel, fault.pc)
    return _enter(kernel, thread, SigInfo(signo, code, address=address))


def deliverable(thread) -> bool:
    """True if a pending signal of the thread is not blocked by its mask."""
    return any(not thread.sigmask & _bit(info.signo) for info in thread.signals)


def on_resume(kernel: Kernel, thread) -> None:
    """Machine hook: finish a pending rt_sigreturn, then deliver what is pending.

    A thread that has just returned from a handler runs one slice of its own before the next
    signal is delivered to it: otherwise a sender that keeps signalling it (Go's GC sending SIGURG
    to a thread it waits on) could have every resume spent in a new handler, a livelock in which the
    thread never makes progress. Linux gives the same guarantee through the time the sender spends
    off-CPU; a signal still pending when the thread blocks ends that wait at once (`interrupt_wait`)."""
    if thread.sigreturn is not None:
        uc, thread.sigreturn = thread.sigreturn, None
        mask = sigframe.restore(kernel, thread, uc)
        if mask is None:
            raise _death(11, "rt_sigreturn found no readable signal frame")
        thread.sigmask = mask & ~UNBLOCKABLE
        return
    if thread.signals:
        deliver_pending(kernel, thread)


def interrupt_wait(kernel: Kernel, thread) -> None:
    """The thread just went to sleep: with a deliverable signal pending, it wakes with -EINTR
    (as Linux's signal_pending check before sleeping), so the signal is delivered on resume."""
    if deliverable(thread):
        kernel.process.scheduler.interrupt(thread, -Errno.EINTR)


@syscall("rt_sigreturn")
def sys_rt_sigreturn(kernel: Kernel, thread: Thread, *_: int) -> Keep:
    """The handler returned: its frame is restored as the thread resumes (outside the engine's
    syscall hook, where writing every register, pc included, is safe on all arches)."""
    thread.sigreturn = sigframe.ucontext_at_sigreturn(kernel)
    kernel.process.preempt()
    return KEEP_REGISTERS
