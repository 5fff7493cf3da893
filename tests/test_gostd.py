"""Regressions found by running Go's standard-library test binaries under emu (issue 13).

Each defect the harness (tools/gotest.py) exposed has a small program of its own here, so that it
stays fixed without building and running a whole Go test binary.
"""

from __future__ import annotations

import errno

import pytest
from conftest import run_emu
from test_kernel_units import call, machine_for, scratch
from test_signals import install

from emu.kernel import Blocked

SIGURG = 23


def test_signal_storm_does_not_starve_its_target() -> None:
    """Go's GC sends SIGURG to a thread again and again; the target must still make progress.
    Before the fix each resume after rt_sigreturn delivered the next SIGURG at once and the
    target never ran an instruction of its own (swap/main.go hung on amd64 at GOMAXPROCS>1)."""
    result = run_emu(
        "run", "tests/programs/amd64/sigstorm.s", "--arch", "amd64", "--max-insns", "5000000", timeout=60
    )
    assert (result.returncode, result.stdout) == (0, "storm ok\n"), result.stderr


def test_thread_runs_after_sigreturn_before_the_next_signal() -> None:
    machine = machine_for("amd64")
    kernel, thread = machine.kernel, machine.threads[0]
    install(machine, SIGURG)
    assert call(machine, "tgkill", machine.pid, thread.tid, SIGURG) == 0
    kernel.on_resume(thread)
    assert thread.signal_frames and not thread.signals  # the first one is delivered
    assert call(machine, "tgkill", machine.pid, thread.tid, SIGURG) == 0
    thread.sigreturn = thread.signal_frames[-1][0]
    kernel.on_resume(thread)  # the handler returned: this resume runs the thread's own code
    assert len(thread.signals) == 1 and not thread.signal_frames
    kernel.on_resume(thread)  # the next one delivers
    assert not thread.signals and thread.signal_frames


def test_sleeping_with_a_deliverable_signal_pending_ends_with_eintr() -> None:
    """Without this, a thread that kept a pending signal over its slice could sleep on it."""
    machine = machine_for("amd64")
    thread = machine.threads[0]
    install(machine, SIGURG)
    thread.sigmask = 1 << (SIGURG - 1)
    assert call(machine, "tgkill", machine.pid, thread.tid, SIGURG) == 0
    thread.sigmask = 0
    address = scratch(machine)
    machine.kernel.store(address, 0, 4)
    with pytest.raises(Blocked):
        call(machine, "futex", address, 0, 0, 0, 0, 0)  # FUTEX_WAIT on a word that holds 0
    assert thread.wait is None and thread.pending_result == -errno.EINTR


def test_rdtsc_and_rdtscp_read_the_virtual_clock() -> None:
    """Go mixes cputicks() (rdtsc on amd64) into each M's random seed: with the host's TSC the
    same --seed gave different runs."""
    result = run_emu("run", "tests/programs/amd64/tsc.s", "--arch", "amd64", timeout=60)
    assert result.returncode == 0, result.stderr
