"""The `--timeline` recorder: run events (emu/events.py) kept as per-thread spans and instants.

Times are emu's virtual nanoseconds (`Machine.now()`): one guest instruction is 1 ns and a
syscall 50 ns (emu/sched.py), so a trace of the same program with the same --seed is the same
file on every host. `spans()` hands the writers a well-nested list per thread: a viewer draws
children inside their parent only if no span crosses its parent's end.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from emu.events import RunObserver
from emu.sched import SYSCALL_NS

# Categories (the Trace Event Format's `cat`); the lane renderer colours by them.
RUNNING, SYSCALL, BLOCKED, RUNTIME, GC, SIGNAL, THREAD = (
    "running",
    "syscall",
    "blocked",
    "runtime",
    "gc",
    "signal",
    "thread",
)
MAX_ARGS_SHOWN = 6  # syscall argument words kept per event (every Linux syscall has at most 6)


@dataclass
class Span:
    """Something a thread did from `start` to `end` (virtual ns)."""

    tid: int
    name: str
    category: str
    start: int
    end: int
    args: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Instant:
    """Something that happened to a thread at one moment (a signal delivery, its exit)."""

    tid: int
    name: str
    category: str
    at: int
    args: dict[str, object] = field(default_factory=dict)


class TimelineRecorder(RunObserver):
    """Keeps every run event of one machine for the trace and lane writers."""

    def __init__(self, main_tid: int) -> None:
        self.main_tid = main_tid
        self.tids: dict[int, None] = {}  # in order of first appearance: the tracks' order
        self._spans: list[Span] = []
        self.instants: list[Instant] = []

    def _seen(self, tid: int) -> None:
        self.tids.setdefault(tid)

    def _span(self, tid: int, name: str, category: str, start: int, end: int, **args: object) -> None:
        self._seen(tid)
        self._spans.append(Span(tid, name, category, start, max(start, end), args))

    # ---- RunObserver --------------------------------------------------------------------------

    def slice_ran(self, tid: int, start_ns: int, end_ns: int, instructions: int) -> None:
        self._span(tid, "running", RUNNING, start_ns, end_ns, instructions=instructions)

    def syscall(self, tid: int, name: str, args: Sequence[int], start_ns: int, result: int | None) -> None:
        shown = [f"{word:#x}" for word in args[:MAX_ARGS_SHOWN]]
        outcome = result if result is not None else "no return (blocked or exited)"
        self._span(tid, name, SYSCALL, start_ns, start_ns + SYSCALL_NS, args=shown, result=outcome)

    def waited(self, tid: int, what: str, start_ns: int, end_ns: int, result: int) -> None:
        self._span(tid, what, BLOCKED, start_ns, end_ns, result=result)

    def signal_delivered(self, tid: int, signal: int, name: str, at_ns: int) -> None:
        self._seen(tid)
        self.instants.append(Instant(tid, name, SIGNAL, at_ns, {"signal": signal}))

    def runtime_call(self, tid: int, name: str, start_ns: int, end_ns: int) -> None:
        self._span(tid, name, RUNTIME, start_ns, end_ns)

    def gc_phase(self, tid: int, phase: str, start_ns: int, end_ns: int) -> None:
        self._span(tid, phase, GC, start_ns, end_ns)

    def thread_exited(self, tid: int, at_ns: int) -> None:
        self._seen(tid)
        self.instants.append(Instant(tid, "thread exit", THREAD, at_ns))

    # ---- for the writers ----------------------------------------------------------------------

    def thread_name(self, tid: int) -> str:
        return f"thread {tid} (main)" if tid == self.main_tid else f"thread {tid}"

    @property
    def bounds(self) -> tuple[int, int]:
        """(first, last) virtual ns of anything recorded; (0, 0) for an empty run."""
        times = [s.start for s in self._spans] + [s.end for s in self._spans] + [i.at for i in self.instants]
        return (min(times), max(times)) if times else (0, 0)

    def spans(self) -> list[Span]:
        """Every span, thread by thread, each thread's properly nested and sorted by (start,
        longest first). The adjustments are made on the recorded spans (doing them again
        changes nothing): a long run's millions of syscalls are not copied."""
        by_thread: dict[int, list[Span]] = {tid: [] for tid in self.tids}
        for span in self._spans:
            by_thread[span.tid].append(span)
        nested: list[Span] = []
        for mine in by_thread.values():
            nested += _nest(_after_running(mine))
        return nested


def _after_running(spans: list[Span]) -> list[Span]:
    """A blocked interval begins when the slice that blocked ends: the syscall that blocks runs
    a few instructions before the slice is charged, and a wait must not cross its slice's end."""
    running = sorted((s for s in spans if s.category == RUNNING), key=lambda s: s.start)
    starts = [s.start for s in running]
    for span in spans:
        if span.category != BLOCKED:
            continue
        index = bisect.bisect_right(starts, span.start) - 1
        if index >= 0 and running[index].end < span.end:
            span.start = max(span.start, running[index].end)
    return spans


def _nest(spans: list[Span]) -> list[Span]:
    """Clip each span to the end of the one it starts in, so none crosses its parent's end
    (a syscall's fixed 50 ns can pass the end of a slice counted at block granularity)."""
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
    open_spans: list[Span] = []
    for span in ordered:
        while open_spans and open_spans[-1].end <= span.start and open_spans[-1] is not span:
            open_spans.pop()
        if open_spans and span.end > open_spans[-1].end:
            span.end = open_spans[-1].end
        open_spans.append(span)
    return ordered
