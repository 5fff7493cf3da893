"""The recorder's events as a Chrome / Perfetto trace (the Trace Event Format's JSON object form).

One process (the guest, pid = its Linux pid), one track per guest thread named by `thread_name`
metadata; complete events ("X") for slices, syscalls, blocked intervals, runtime calls and GC
phases, thread-scoped instant events ("i") for signal deliveries and thread exits. `ts` and `dur`
are microseconds, as the format requires, of emu's virtual clock (fractions keep nanoseconds).
Open the file at ui.perfetto.dev or chrome://tracing.
"""

from __future__ import annotations

import json
from pathlib import Path

from emu.thread_timeline.recorder import TimelineRecorder

CLOCK_NOTE = "emu virtual clock: 1 guest instruction = 1 ns, 1 syscall = 50 ns (emu/sched.py)"


def _us(ns: int) -> float | int:
    """Nanoseconds as the format's microseconds (an int when whole, to keep the file short)."""
    return ns // 1000 if ns % 1000 == 0 else ns / 1000


def trace_events(recorder: TimelineRecorder, pid: int, process_name: str) -> list[dict]:
    """Metadata first, then every event in timestamp order."""
    events: list[dict] = [
        {"name": "process_name", "ph": "M", "pid": pid, "tid": pid, "args": {"name": process_name}}
    ]
    for index, tid in enumerate(recorder.tids):
        events.append(
            {
                "name": "thread_name",
                "ph": "M",
                "pid": pid,
                "tid": tid,
                "args": {"name": recorder.thread_name(tid)},
            }
        )
        events.append(
            {"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": tid, "args": {"sort_index": index}}
        )
    timed: list[tuple[int, int, int, dict]] = []  # (start, -duration, arrival, event): parents first
    for span in recorder.spans():
        event: dict[str, object] = {
            "name": span.name,
            "cat": span.category,
            "ph": "X",
            "ts": _us(span.start),
            "dur": _us(span.end - span.start),
            "pid": pid,
            "tid": span.tid,
        }
        if span.args:
            event["args"] = span.args
        timed.append((span.start, span.start - span.end, len(timed), event))
    for instant in recorder.instants:
        event = {
            "name": instant.name,
            "cat": instant.category,
            "ph": "i",
            "s": "t",
            "ts": _us(instant.at),
            "pid": pid,
            "tid": instant.tid,
        }
        if instant.args:
            event["args"] = instant.args
        timed.append((instant.at, 1, len(timed), event))
    timed.sort(key=lambda entry: entry[:3])
    return events + [entry[3] for entry in timed]


def write_trace(recorder: TimelineRecorder, path: Path, pid: int, process_name: str) -> None:
    document = {
        "traceEvents": trace_events(recorder, pid, process_name),
        "displayTimeUnit": "ns",
        "otherData": {"clock": CLOCK_NOTE, "program": process_name},
    }
    path.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
