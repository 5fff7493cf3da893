"""Progress bars (emu/progress.py): on stderr when it is a terminal (a pty here), never a byte
when it is not; stdout, the report, is the same either way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading

import pytest
from conftest import ROOT
from test_explore import LOST_UPDATE
from test_litmus import _catalogue

BAR = "━"  # rich's bar segment


def without_timings(text: str) -> str:
    """The output without the wall times in it (litmus7's `Time NAME 0.32` line, `in 1.2 s`)."""
    return re.sub(r"(Time \S+ )?\d+\.\d+( ?(s|ms)\b)?", "T", text)


def run(args: list[str], terminal: bool, delay: str = "0") -> tuple[int, str, str]:
    """(status, stdout, stderr) of `emu ARGS`, its stderr a pseudo-terminal or a pipe."""
    env = {**os.environ, "EMU_PROGRESS_DELAY": delay, "TERM": "xterm-256color", "COLUMNS": "100"}
    command = [sys.executable, "-m", "emu", *args]
    if not terminal:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False
        )
        return done.returncode, done.stdout, done.stderr
    leader, follower = os.openpty()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower, env=env, cwd=ROOT, text=True)
    os.close(follower)
    screen: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the last writer closed the terminal
                return
            if not chunk:
                return
            screen.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    assert process.stdout is not None
    stdout = process.stdout.read()
    status = process.wait(timeout=300)
    reader.join(timeout=30)
    os.close(leader)
    return status, stdout, b"".join(screen).decode("utf-8", "replace")


COMMANDS = {
    "test": (["test", "--arch", "amd64", "--stub", "cas"], "emu test"),
    "explore": (
        ["explore", LOST_UPDATE, "--arch", "amd64", "--seeds", "4", "--quantum", "10000", "-j", "1"],
        "schedules",
    ),
    "bench": (["bench", "--only", "arm_xadd4"], "emu bench"),
    "litmus": (["litmus", "LITMUS", "--arch", "ppc64", "--runs", "200", "-j", "1"], "MP"),
}


def _command(name: str) -> tuple[list[str], str]:
    args, label = COMMANDS[name]
    return [str(_catalogue() / "ppc" / "MP.litmus") if a == "LITMUS" else a for a in args], label


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_bar_on_a_terminal_and_silence_in_a_pipe(name: str) -> None:
    args, label = _command(name)
    status, stdout, screen = run(args, terminal=True)
    assert label in screen and BAR in screen, screen
    piped_status, piped_stdout, piped_stderr = run(args, terminal=False)
    assert piped_stderr == "", piped_stderr
    assert status == piped_status
    if name != "bench":  # bench's table is all timings
        assert without_timings(stdout) == without_timings(piped_stdout)


def test_a_short_run_shows_no_bar_before_the_delay() -> None:
    args, _ = _command("test")
    status, _, screen = run(args, terminal=True, delay="600")
    assert status == 0 and BAR not in screen and "emu test" not in screen, screen
