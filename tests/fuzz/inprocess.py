"""Run `emu ...` in-process, as the fuzz harnesses do, with a watchdog against hangs.

In-process keeps a campaign fast (no interpreter start per case) and makes an
escaped exception a test failure with its traceback, which a subprocess would
only show as exit 70.
"""

from __future__ import annotations

import contextlib
import io
import signal
from dataclasses import dataclass

from emu.cli import main

INTERNAL_ERROR = 70


class Hang(BaseException):
    """The watchdog fired: the case ran past its wall-clock allowance (a BaseException, so emu's
    `except Exception` cannot turn it into an ordinary error)."""


@dataclass
class Outcome:
    status: int
    stdout: str
    stderr: str


def _text_stream() -> io.TextIOWrapper:
    """A text stream with a .buffer, as the guest's stdout/stderr writes go to sys.stdout.buffer."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace", write_through=True)


def _on_alarm(_signum, _frame) -> None:
    raise Hang


def run_cli(argv: list[str], watchdog: float = 60.0) -> Outcome:
    """`emu ARGV` in this process: exit status (argparse's SystemExit included) and its output."""
    out, err = _text_stream(), _text_stream()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, watchdog)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(argv)
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return Outcome(status, _contents(out), _contents(err))


def _contents(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8", "replace")


def ledger_word(outcome: Outcome) -> str:
    """The fuzz ledger's word for a documented outcome (tests/fuzz/conftest.py)."""
    if outcome.status == 2:
        return "error"
    if outcome.status == 124:
        return "limit"
    return "signal" if outcome.status > 128 else "ok"


def assert_documented_outcome(outcome: Outcome, argv: list[str]) -> None:
    """A normal exit, a usage error (2), a budget (124) or death by a signal — never an internal error."""
    assert outcome.status != INTERNAL_ERROR, (argv, outcome.stderr)
    assert "internal error" not in outcome.stderr, (argv, outcome.stderr)
    assert "Traceback" not in outcome.stderr, (argv, outcome.stderr)
    if outcome.status == 2:
        lines = outcome.stderr.strip().splitlines()
        assert lines, (argv, "exit 2 without a message")
