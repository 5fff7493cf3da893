"""Run `emu ...` in-process, as the fuzz harnesses do, with a watchdog against hangs.

In-process keeps a campaign fast (no interpreter start per case) and makes an
escaped exception a test failure with its traceback, which a subprocess would
only show as exit 70.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

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


@contextlib.contextmanager
def _captured_fds() -> Iterator[tuple[IO[bytes], IO[bytes]]]:
    """fds 1 and 2 (the guest writes to them with os.write) and sys.stdout/err, into two temp files."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115 - closed by _contents
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    streams = [open(fd, "w", encoding="utf-8", errors="replace", closefd=False) for fd in (1, 2)]  # noqa: SIM115
    try:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        with contextlib.redirect_stdout(streams[0]), contextlib.redirect_stderr(streams[1]):
            yield out, err
    finally:
        for stream in streams:
            stream.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def _on_alarm(_signum, _frame) -> None:
    raise Hang


def run_cli(argv: list[str], watchdog: float = 60.0) -> Outcome:
    """`emu ARGV` in this process: exit status (argparse's SystemExit included) and its output."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, watchdog)
    try:
        with _captured_fds() as (out, err):
            try:
                status = main(argv)
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return Outcome(status, _contents(out), _contents(err))


def _contents(stream: IO[bytes]) -> str:
    stream.seek(0)
    text = stream.read().decode("utf-8", "replace")
    stream.close()
    return text


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
