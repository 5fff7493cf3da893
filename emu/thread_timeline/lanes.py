"""The recorder's events drawn as per-thread lanes: a self-contained SVG (or an HTML page holding
it) that any browser shows without a trace viewer.

Each thread is one lane; running slices, blocked intervals, runtime calls and GC phases are bars
(GC over the runtime call it ran in), syscalls are ticks above the bar and signal deliveries
triangles. Hovering any mark shows what it is (SVG <title>). Marks closer together than a pixel
are drawn as one, so the file stays small for a run of millions of events.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from emu.thread_timeline.recorder import (
    BLOCKED,
    GC,
    RUNNING,
    RUNTIME,
    SIGNAL,
    SYSCALL,
    Span,
    TimelineRecorder,
)

WIDTH = 1200  # pixels of the time axis
LABEL = 170  # pixels left of it for the lane names
LANE = 34
TOP = 40  # room for the time axis
COLOURS = {
    RUNNING: "#43a047",
    BLOCKED: "#b0bec5",
    RUNTIME: "#1e88e5",
    GC: "#e53935",
    SYSCALL: "#263238",
    SIGNAL: "#fb8c00",
}
LEGEND = (
    (RUNNING, "running"),
    (BLOCKED, "blocked"),
    (RUNTIME, "runtime call"),
    (GC, "GC"),
    (SYSCALL, "syscall"),
    (SIGNAL, "signal"),
)
BARS = {RUNNING: (12, 14), BLOCKED: (16, 6), RUNTIME: (12, 14), GC: (15, 8)}  # category: (y in lane, height)


@dataclass
class Mark:
    """One drawn rectangle: possibly several events merged because they share a pixel."""

    x0: float
    x1: float
    count: int
    title: str


class Scale:
    """Virtual ns to pixels."""

    def __init__(self, first: int, last: int) -> None:
        self.first, self.span = first, max(last - first, 1)

    def x(self, ns: int) -> float:
        return LABEL + (ns - self.first) * WIDTH / self.span


def _merged(intervals: list[tuple[float, float, str]]) -> list[Mark]:
    """Intervals (pixels) merged where they touch within a pixel."""
    marks: list[Mark] = []
    for x0, x1, title in sorted(intervals):
        if marks and x0 - marks[-1].x1 < 1:
            last = marks[-1]
            last.x1, last.count = max(last.x1, x1), last.count + 1
            continue
        marks.append(Mark(x0, x1, 1, title))
    return marks


def _label(mark: Mark, what: str) -> str:
    return escape(mark.title if mark.count == 1 else f"{mark.count} {what} events")


def _tick_step(span_ns: int) -> int:
    """The 1-2-5 step (ns) giving at most ten ticks across."""
    for exponent in range(19):
        for mantissa in (1, 2, 5):
            if span_ns / (mantissa * 10**exponent) <= 10:
                return mantissa * 10**exponent
    return 10**19


def _time_text(ns: int, step: int) -> str:
    for unit, size in (("s", 10**9), ("ms", 10**6), ("µs", 10**3)):
        if step >= size:
            return f"{ns / size:g} {unit}"
    return f"{ns} ns"


def _axis(scale: Scale, height: int) -> list[str]:
    """Grid lines and times (since the first event) at round virtual times."""
    step = _tick_step(scale.span)
    parts = []
    for offset in range(0, scale.span + 1, step):
        x = scale.x(scale.first + offset)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height}" class="grid"/>')
        parts.append(f'<text x="{x:.1f}" y="{TOP - 10}" class="tick">{_time_text(offset, step)}</text>')
    return parts


def _when(scale: Scale, start: int, end: int | None = None) -> str:
    """`12.345 µs` (since the first event), or `12.345-12.400 µs (55 ns)` for an interval."""
    if end is None:
        return f"at {(start - scale.first) / 1000:.3f} µs"
    return f"{(start - scale.first) / 1000:.3f}-{(end - scale.first) / 1000:.3f} µs ({end - start} ns)"


def _lane(recorder: TimelineRecorder, spans: list[Span], tid: int, top: int, scale: Scale) -> list[str]:
    parts = [f'<text x="6" y="{top + 22}" class="lane">{escape(recorder.thread_name(tid))}</text>']
    spans = [s for s in spans if s.tid == tid]
    for category, (y, height) in BARS.items():
        intervals = [
            (
                scale.x(s.start),
                max(scale.x(s.end), scale.x(s.start) + 0.5),
                f"{s.name}: {_when(scale, s.start, s.end)}",
            )
            for s in spans
            if s.category == category
        ]
        for mark in _merged(intervals):
            parts.append(
                f'<rect x="{mark.x0:.2f}" y="{top + y}" width="{max(mark.x1 - mark.x0, 0.5):.2f}" '
                f'height="{height}" fill="{COLOURS[category]}"><title>{_label(mark, category)}</title></rect>'
            )
    ticks = [
        (scale.x(s.start), scale.x(s.start) + 0.5, f"{s.name} {_when(scale, s.start)}")
        for s in spans
        if s.category == SYSCALL
    ]
    for mark in _merged(ticks):
        parts.append(
            f'<rect x="{mark.x0:.2f}" y="{top + 4}" width="{max(mark.x1 - mark.x0, 1):.2f}" height="7" '
            f'fill="{COLOURS[SYSCALL]}"><title>{_label(mark, "syscall")}</title></rect>'
        )
    for instant in recorder.instants:
        if instant.tid == tid and instant.category == SIGNAL:
            x = scale.x(instant.at)
            parts.append(
                f'<path d="M{x:.2f},{top + 2} l4,8 l-8,0 z" fill="{COLOURS[SIGNAL]}">'
                f"<title>{escape(instant.name)} delivered {_when(scale, instant.at)}</title></path>"
            )
    return parts


def svg(recorder: TimelineRecorder, title: str) -> str:
    """The whole picture as one <svg> element."""
    first, last = recorder.bounds
    scale = Scale(first, last)
    height = TOP + LANE * max(len(recorder.tids), 1) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{LABEL + WIDTH + 20}" height="{height}" '
        f'viewBox="0 0 {LABEL + WIDTH + 20} {height}" font-family="sans-serif" font-size="11">',
        "<style>.grid{stroke:#eceff1}.tick{fill:#546e7a;text-anchor:middle}.lane{fill:#263238}</style>",
        f"<title>{escape(title)}</title>",
        *_axis(scale, height - 30),
    ]
    spans = recorder.spans()
    for index, tid in enumerate(recorder.tids):
        parts += _lane(recorder, spans, tid, TOP + index * LANE, scale)
    x = LABEL
    for category, name in LEGEND:
        parts.append(f'<rect x="{x}" y="{height - 18}" width="10" height="10" fill="{COLOURS[category]}"/>')
        parts.append(f'<text x="{x + 14}" y="{height - 9}">{name}</text>')
        x += 110
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def html(recorder: TimelineRecorder, title: str, note: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        "<style>body{font-family:sans-serif;margin:1em}p{color:#546e7a}</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n<p>{escape(note)}. Hover a mark for details.</p>\n"
        f"{svg(recorder, title)}</body>\n</html>\n"
    )


def write_lanes(recorder: TimelineRecorder, path: Path, title: str, note: str) -> None:
    text = html(recorder, title, note) if path.suffix.lower() in (".html", ".htm") else svg(recorder, title)
    path.write_text(text, encoding="utf-8")
