"""`emu run --timeline FILE`: guest threads over time, as a trace viewer reads it or as a picture.

Not `emu timeline` (emu/timing/timeline.py), which is one block's per-instruction pipeline view:
this is the whole run's threads, scheduler slices, syscalls, futex waits, signal deliveries and
toy-runtime GC phases on emu's virtual clock, recorded through the machine's run events
(emu/events.py). FILE ending in .json (or anything else) is a Chrome/Perfetto trace
(chrome.py); .html or .svg is a self-contained drawing of the same lanes (lanes.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from emu import argtypes
from emu.errors import EmuError

if TYPE_CHECKING:
    from emu.machine import Machine
    from emu.thread_timeline.recorder import TimelineRecorder

PICTURE_SUFFIXES = (".html", ".htm", ".svg")


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "--timeline",
        type=argtypes.output_file,
        metavar="FILE",
        help="write the threads' slices, syscalls, waits, signals and GC phases on the virtual clock: "
        "a Chrome/Perfetto trace (JSON), or lanes drawn as FILE.html / FILE.svg",
    )


@contextmanager
def recording(machine: Machine, path: str | None) -> Iterator[None]:
    """Record `machine`'s run into `path` (nothing when None); written also when the guest dies."""
    if path is None:
        yield
        return
    from emu.thread_timeline.recorder import TimelineRecorder

    recorder = TimelineRecorder(machine.pid)
    machine.events.attach(recorder)
    try:
        yield
    finally:
        write(recorder, Path(path), machine)


def write(recorder: TimelineRecorder, path: Path, machine: Machine) -> None:
    """The trace, or the lanes when the file name asks for a picture."""
    from emu.thread_timeline.chrome import CLOCK_NOTE, write_trace
    from emu.thread_timeline.lanes import write_lanes

    title = f"{machine.image.path or 'program'} on {machine.arch.name}"
    try:
        if path.suffix.lower() in PICTURE_SUFFIXES:
            write_lanes(recorder, path, f"emu --timeline: {title}", CLOCK_NOTE)
        else:
            write_trace(recorder, path, machine.pid, title)
    except OSError as err:  # checked before the run; the disk can still fill up
        raise EmuError(f"emu: cannot write --timeline {path}: {err.strerror}") from None
