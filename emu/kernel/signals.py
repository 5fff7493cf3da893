"""Signal bookkeeping a runtime needs at start-up: rt_sigaction, rt_sigprocmask, sigaltstack.

Nothing is delivered yet (a guest fault still ends the process); what the guest
installs is recorded byte for byte and handed back unchanged, so a runtime that
reads its handlers or masks back sees a consistent answer.
"""

from __future__ import annotations

import errno

from emu.kernel import Kernel, syscall

SIGKILL, SIGSTOP, NSIG = 9, 19, 64
SIGSET_SIZE = 8
SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK = 0, 1, 2
UNBLOCKABLE = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1))
SS_ONSTACK, SS_DISABLE, SS_AUTODISARM = 1, 2, 1 << 31


def _sigaction_size(kernel: Kernel) -> int:
    """Kernel struct sigaction: handler, flags, restorer (native words), then a 64-bit mask."""
    return 3 * kernel.arch.word_size + SIGSET_SIZE


@syscall("rt_sigaction")
def sys_rt_sigaction(kernel: Kernel, thread, signal, action, old_action, setsize, *_) -> int:
    if setsize != SIGSET_SIZE or not 1 <= signal <= NSIG:
        return -errno.EINVAL
    if action and signal in (SIGKILL, SIGSTOP):
        return -errno.EINVAL
    size = _sigaction_size(kernel)
    previous = kernel.sigactions.get(signal, bytes(size))
    new = kernel.machine.memory.read(action, size) if action else None
    if old_action:
        kernel.machine.memory.write(old_action, previous)
    if new is not None:
        kernel.sigactions[signal] = new
    return 0


@syscall("rt_sigprocmask")
def sys_rt_sigprocmask(kernel: Kernel, thread, how, new_set, old_set, setsize, *_) -> int:
    if setsize != SIGSET_SIZE:
        return -errno.EINVAL
    previous = thread.sigmask
    if new_set:
        if how not in (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK):
            return -errno.EINVAL
        value = kernel.load(new_set, SIGSET_SIZE)
        mask = {SIG_BLOCK: previous | value, SIG_UNBLOCK: previous & ~value, SIG_SETMASK: value}[how]
        thread.sigmask = mask & ~UNBLOCKABLE
    if old_set:
        kernel.store(old_set, previous, SIGSET_SIZE)
    return 0


@syscall("sigaltstack")
def sys_sigaltstack(kernel: Kernel, thread, new_stack, old_stack, *_) -> int:
    """stack_t is {void *ss_sp; int ss_flags; size_t ss_size}: three native-word slots."""
    word = kernel.arch.word_size
    if new_stack:
        sp, flags, size = (
            kernel.load(new_stack, word),
            kernel.load(new_stack + word, 4),
            kernel.load(new_stack + 2 * word, word),
        )
        if flags & ~(SS_DISABLE | SS_AUTODISARM):
            return -errno.EINVAL
    previous = thread.altstack
    if old_stack:
        kernel.store(old_stack, previous[0], word)
        kernel.store(old_stack + word, previous[1], 4)
        kernel.store(old_stack + 2 * word, previous[2], word)
    if new_stack:
        thread.altstack = (0, SS_DISABLE, 0) if flags & SS_DISABLE else (sp, flags, size)
    return 0
