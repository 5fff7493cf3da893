"""A progress bar on stderr for long commands (`emu test`, `emu bench`, litmus and explore campaigns).

Shown only when stderr is a terminal, and only once the work has gone on for DELAY_SECONDS: a
short command prints exactly what it always did, and a pipe or a CI log never gets a byte of it.
The bar is transient (erased when the work ends), so what stays on the screen is the report.
EMU_PROGRESS_DELAY=SECONDS changes the delay (the tests use 0).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DELAY_SECONDS = 2.0


class Bar:
    """What the work tells the bar; all of it costs nothing when no bar is shown."""

    def advance(self, steps: int = 1, now: str | None = None) -> None:
        """`steps` more done; `now` names what comes next (shown after the label)."""

    def add_total(self, steps: int) -> None:
        """The work turned out `steps` longer (e.g. the next arch's cases)."""


class _RichBar(Bar):
    """A rich Progress on stderr, started by a timer once the delay has passed."""

    def __init__(self, label: str, total: int | None, delay: float) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self.label = label
        self.progress = Progress(console=Console(stderr=True), transient=True)
        self.task = self.progress.add_task(label, total=total)
        self._lock = threading.Lock()
        self._started = False
        self._timer = threading.Timer(delay, self._start)
        self._timer.daemon = True
        if delay <= 0:
            self._start()
        else:
            self._timer.start()

    def _start(self) -> None:
        with self._lock:
            if not self._started:
                self._started = True
                self.progress.start()

    def advance(self, steps: int = 1, now: str | None = None) -> None:
        description = f"{self.label}: {now}" if now else self.label
        self.progress.update(self.task, advance=steps, description=description)

    def add_total(self, steps: int) -> None:
        total = self.progress.tasks[0].total or 0
        self.progress.update(self.task, total=total + steps)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            if self._started:
                self.progress.stop()
            self._started = True  # a timer firing now must not start it


def _delay() -> float:
    try:
        return float(os.environ.get("EMU_PROGRESS_DELAY", DELAY_SECONDS))
    except ValueError:
        return DELAY_SECONDS


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Bar]:
    """A bar for `total` steps (None: unknown yet) while the block runs; silent off a terminal."""
    if not sys.stderr.isatty():
        yield Bar()
        return
    bar = _RichBar(label, total, _delay())
    try:
        yield bar
    finally:
        bar.close()
