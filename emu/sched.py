"""Guest threads, the virtual clock and the deterministic scheduler.

All guest threads share one unicorn engine; each keeps its CPU context here
while another runs. The supervisor loop (emu/machine.py) asks `pick()` for the
next thread and `slice_length()` for how long to run it. Both depend only on
the seed and on what the guest did, never on host time, so the same program
with the same `--seed` replays the same interleaving (and a different seed
gives a different one: slice lengths are drawn from a seeded RNG so that
preemption lands on different instructions).

Time is virtual: the clock advances with the instructions charged to slices
(1 ns each, a 1 GHz IPC-1 machine) and a fixed cost per syscall. When every
live thread is blocked and one has a timeout, the clock jumps to that deadline
(nobody could observe the idle time); with no timeout pending it is a
deadlock, reported instead of hanging.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from unicorn.unicorn_py3.unicorn import UcContext

NS_PER_INSTRUCTION = 1
SCHEDULES = ("random", "pct")
PCT_DEPTH = 3  # bug depth PCT aims at: two priority change points
PCT_HORIZON = 64  # change points fall among the first this many scheduling decisions
SYSCALL_NS = 50
ETIMEDOUT = 110


@dataclass
class Wait:
    """Why a thread is blocked: a futex word, or a plain sleep (address None)."""

    address: int | None
    deadline: int | None  # virtual monotonic ns; None = forever
    bitset: int = 0xFFFFFFFF
    pc: int = 0  # the trap instruction, for the deadlock report
    value: int = 0  # the futex value it expected
    on_timeout: int = -ETIMEDOUT  # nanosleep times out into success
    complete: Callable[[int], int] | None = None  # computes the result on wake-up (epoll fills events)
    since: int = 0  # virtual ns when the thread blocked (for --timeline)


@dataclass(eq=False)
class Thread:
    """A guest thread: its saved CPU context while it is not running, and its kernel state."""

    context: UcContext = field(repr=False)  # the engine's registers while another thread runs
    tid: int = 0
    instructions: int = 0
    alive: bool = True
    wait: Wait | None = None
    pending_result: int | None = None  # written into the result register on resume
    pending_regs: dict[str, int] = field(default_factory=dict)  # set on first resume (clone)
    pending_call: tuple[str, list[int]] | None = None  # the blocked syscall, traced on completion
    clear_child_tid: int = 0
    sigmask: int = 0
    altstack: tuple[int, int, int] = (0, 2, 0)  # sp, flags (SS_DISABLE), size
    sequence: int = 0  # block order, so wake-ups are FIFO like Linux
    signals: list = field(default_factory=list)  # pending thread-directed signals (emu/kernel/signals.py)
    signal_frames: list = field(default_factory=list)  # (ucontext address, engine context) per live frame
    sigreturn: int | None = None  # ucontext to restore on the next resume (rt_sigreturn)
    record_bytes: int = 0  # emu memory charged to --mem-limit for this thread (emu/kernel/threads.py)

    @property
    def runnable(self) -> bool:
        return self.alive and self.wait is None


class Clock:
    """Virtual nanoseconds since boot; REALTIME is boot + a fixed epoch (deterministic)."""

    REALTIME_EPOCH_NS = 1_700_000_000 * 10**9

    def __init__(self) -> None:
        self.ns = 1_000_000_000  # "booted one second ago": monotonic time is never 0

    def monotonic(self) -> int:
        return self.ns

    def realtime(self) -> int:
        return self.REALTIME_EPOCH_NS + self.ns

    def advance(self, ns: int) -> None:
        self.ns += ns


class Deadlock(Exception):
    """Every live thread is blocked and no timeout can wake any of them."""

    def __init__(self, waits: list[tuple[Thread, Wait]]) -> None:
        super().__init__(f"{len(waits)} threads blocked")
        self.waits = waits  # each blocked thread and what it waits for


class Scheduler:
    """Seeded choice of the next runnable thread, with seeded slice lengths."""

    def __init__(
        self,
        quantum: int,
        seed: int,
        on_wake: Callable[[Thread, int, Wait | None], None],
        schedule: str = "random",
    ) -> None:
        if schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {schedule!r}")
        self.quantum, self.schedule = quantum, schedule
        self.rng = random.Random(f"emu-sched-{seed}")  # its own stream: AT_RANDOM stays seed-only
        self.clock = Clock()
        self.threads: list[Thread] = []
        self.on_wake = on_wake
        self._last: Thread | None = None
        self._sequence = 0
        self.retired_instructions = 0  # what removed (exited) threads had run
        # PCT (Burckhardt et al., ASPLOS 2010): every thread a random priority, the highest
        # runnable one runs; at PCT_DEPTH-1 seeded change points the running thread drops below
        # all others. A bug of depth d shows with probability >= 1/(n * k^(d-1)).
        self.priority: dict[int, float] = {}
        self.picks = 0
        self.change_points = sorted(self.rng.sample(range(1, PCT_HORIZON), PCT_DEPTH - 1))

    # ---- threads ---------------------------------------------------------------------

    def add(self, thread: Thread) -> None:
        self.threads.append(thread)
        self.priority[id(thread)] = 1.0 + self.rng.random()

    def remove(self, thread: Thread) -> None:
        """Forget an exited thread, so a clone loop does not keep every record it ever made;
        round-robin goes on with the thread that followed it."""
        index = self.threads.index(thread)
        del self.threads[index]
        self.retired_instructions += thread.instructions
        if self._last is thread:
            self._last = self.threads[index - 1] if index > 0 else None

    def live(self) -> list[Thread]:
        return [t for t in self.threads if t.alive]

    def pick(self) -> Thread | None:
        """The next thread to run (None when all have exited); raises Deadlock."""
        self.expire()
        while True:
            live = self.live()
            if not live:
                return None
            runnable = [t for t in live if t.runnable]
            if runnable:
                return self._by_priority(runnable) if self.schedule == "pct" else self._after_last(runnable)
            if not self._skip_idle(live):
                raise Deadlock([(t, t.wait) for t in live if t.wait is not None])  # live: all wait

    def _after_last(self, runnable: list[Thread]) -> Thread:
        """A seeded draw among the runnable threads other than the one that just ran (it runs
        again only when alone). Most switches in real programs come from blocking and waking,
        not from the quantum running out; a fixed rotation there made every seed replay the
        same interleaving, so the seed picks the successor too."""
        others = [t for t in runnable if t is not self._last] or runnable
        chosen = others[self.rng.randrange(len(others))] if len(others) > 1 else others[0]
        self._last = chosen
        return chosen

    def _by_priority(self, runnable: list[Thread]) -> Thread:
        """PCT: the highest-priority runnable thread; at a change point the last one drops."""
        self.picks += 1
        if self.change_points and self.picks >= self.change_points[0] and self._last is not None:
            self.priority[id(self._last)] = len(self.change_points) / (2 * PCT_DEPTH)
            self.change_points.pop(0)
        chosen = max(runnable, key=lambda t: self.priority.get(id(t), 0.0))
        self._last = chosen
        return chosen

    def _skip_idle(self, live: list[Thread]) -> bool:
        """All blocked: jump the clock to the earliest deadline. False if there is none."""
        deadlines = [t.wait.deadline for t in live if t.wait and t.wait.deadline is not None]
        if not deadlines:
            return False
        self.clock.ns = max(self.clock.ns, min(deadlines))
        self.expire()
        return True

    def slice_length(self) -> int:
        """Instructions for the next slice: quantum/2 .. 3*quantum/2, drawn from the seed."""
        low = max(1, self.quantum // 2)
        return self.rng.randint(low, self.quantum + self.quantum // 2)

    def charge(self, thread: Thread, instructions: int) -> None:
        thread.instructions += instructions
        self.clock.advance(instructions * NS_PER_INSTRUCTION)

    # ---- blocking ---------------------------------------------------------------------

    def block(self, thread: Thread, wait: Wait) -> None:
        self._sequence += 1
        thread.sequence = self._sequence
        thread.wait = wait

    def wake(self, address: int, count: int, bitset: int = 0xFFFFFFFF) -> int:
        """Wake up to `count` threads waiting on `address` whose bitset matches, oldest first."""
        waiters = [
            t
            for t in self.threads
            if t.alive and t.wait and t.wait.address == address and t.wait.bitset & bitset
        ]
        waiters.sort(key=lambda t: t.sequence)
        for thread in waiters[: max(0, count)]:
            self._resume(thread, 0)
        return min(len(waiters), max(0, count))

    def expire(self) -> None:
        """Resume threads whose deadline has passed on the virtual clock."""
        now = self.clock.monotonic()
        expired = [
            (t.wait.deadline, t)
            for t in self.threads
            if t.alive and t.wait and t.wait.deadline is not None and t.wait.deadline <= now
        ]
        for _, thread in sorted(expired, key=lambda pair: (pair[0], pair[1].sequence)):
            if thread.wait is not None:  # not woken by an earlier expiry's completion
                self._resume(thread, thread.wait.on_timeout)

    def interrupt(self, thread: Thread, result: int) -> None:
        """End a thread's wait early with `result` (-EINTR: a signal arrived)."""
        if thread.alive and thread.wait is not None:
            self._resume(thread, result)

    def _resume(self, thread: Thread, result: int) -> None:
        wait, thread.wait = thread.wait, None
        if wait is not None and wait.complete is not None:
            result = wait.complete(result)
        self.on_wake(thread, result, wait)
