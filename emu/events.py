"""What happens during a run, told to observers: the one door through which run events leave.

The run loop (emu/machine.py), the syscall layer (emu/kernel), signal delivery and the toy
runtime each tell `machine.events` what they did, with times on emu's virtual clock
(`Machine.now()`, nanoseconds); an observer such as the `--timeline` recorder
(emu/thread_timeline) subscribes with `machine.events.attach(observer)`. Nothing is computed for
the events while no observer is attached: the callers check `machine.events.active` first where
an argument costs anything to build.
"""

from __future__ import annotations

from collections.abc import Sequence


class RunObserver:
    """Every run event, as a no-op: an observer overrides the ones it records."""

    def slice_ran(self, tid: int, start_ns: int, end_ns: int, instructions: int) -> None:
        """A scheduler slice of thread `tid` ran `instructions` guest instructions."""

    def syscall(self, tid: int, name: str, args: Sequence[int], start_ns: int, result: int | None) -> None:
        """A syscall was answered (result None: it blocked, or it ended the thread or process)."""

    def waited(self, tid: int, what: str, start_ns: int, end_ns: int, result: int) -> None:
        """A blocked syscall (futex wait, sleep, epoll_wait) ended with `result` at `end_ns`."""

    def signal_delivered(self, tid: int, signal: int, name: str, at_ns: int) -> None:
        """A guest signal handler was entered on thread `tid`."""

    def runtime_call(self, tid: int, name: str, start_ns: int, end_ns: int) -> None:
        """The toy runtime served hypercall `name` for thread `tid` (its stub calls' time)."""

    def gc_phase(self, tid: int, phase: str, start_ns: int, end_ns: int) -> None:
        """One phase of a toy-runtime collection (`gc N`, then `mark`, `checkmark`, `sweep`)."""

    def thread_exited(self, tid: int, at_ns: int) -> None:
        """Thread `tid` ended."""


class RunEvents(RunObserver):
    """The machine's fan-out: each event goes to every attached observer, in attach order."""

    def __init__(self) -> None:
        self.observers: list[RunObserver] = []

    @property
    def active(self) -> bool:
        return bool(self.observers)

    def attach(self, observer: RunObserver) -> None:
        self.observers.append(observer)

    def slice_ran(self, tid: int, start_ns: int, end_ns: int, instructions: int) -> None:
        for observer in self.observers:
            observer.slice_ran(tid, start_ns, end_ns, instructions)

    def syscall(self, tid: int, name: str, args: Sequence[int], start_ns: int, result: int | None) -> None:
        for observer in self.observers:
            observer.syscall(tid, name, args, start_ns, result)

    def waited(self, tid: int, what: str, start_ns: int, end_ns: int, result: int) -> None:
        for observer in self.observers:
            observer.waited(tid, what, start_ns, end_ns, result)

    def signal_delivered(self, tid: int, signal: int, name: str, at_ns: int) -> None:
        for observer in self.observers:
            observer.signal_delivered(tid, signal, name, at_ns)

    def runtime_call(self, tid: int, name: str, start_ns: int, end_ns: int) -> None:
        for observer in self.observers:
            observer.runtime_call(tid, name, start_ns, end_ns)

    def gc_phase(self, tid: int, phase: str, start_ns: int, end_ns: int) -> None:
        for observer in self.observers:
            observer.gc_phase(tid, phase, start_ns, end_ns)

    def thread_exited(self, tid: int, at_ns: int) -> None:
        for observer in self.observers:
            observer.thread_exited(tid, at_ns)
