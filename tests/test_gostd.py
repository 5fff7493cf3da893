"""Regressions found by running Go's standard-library test binaries under emu (issue 13).

Each defect the harness (tools/gotest.py) exposed has a small program of its own here, so that it
stays fixed without building and running a whole Go test binary.
"""

from __future__ import annotations

import pytest
from archdata import arch_path
from conftest import ROOT, run_emu
from test_kernel_units import call, machine_for, scratch
from test_signals import install

from emu.kernel import Blocked
from emu.kernel.abi import Errno

SIGURG = 23


def test_signal_storm_does_not_starve_its_target() -> None:
    """Go's GC sends SIGURG to a thread again and again; the target must still make progress.
    Before the fix each resume after rt_sigreturn delivered the next SIGURG at once and the
    target never ran an instruction of its own (swap/main.go hung on amd64 at GOMAXPROCS>1)."""
    result = run_emu(
        "run",
        arch_path("amd64", "tests/programs/sigstorm.s"),
        "--arch",
        "amd64",
        "--max-insns",
        "5000000",
        timeout=60,
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
    assert thread.wait is None and thread.pending_result == -Errno.EINTR


def test_rdtsc_and_rdtscp_read_the_virtual_clock() -> None:
    """Go mixes cputicks() (rdtsc on amd64) into each M's random seed: with the host's TSC the
    same --seed gave different runs."""
    result = run_emu("run", arch_path("amd64", "tests/programs/tsc.s"), "--arch", "amd64", timeout=60)
    assert result.returncode == 0, result.stderr


def _harness():
    """tools/gotest.py as a module (it is a script, not part of the emu package)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("gotest", ROOT / "tools" / "gotest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_harness_mounts_goroot_src_at_its_own_path_and_the_packages_extra_dirs(tmp_path) -> None:
    gotest = _harness()
    (tmp_path / "real_src").mkdir()
    (tmp_path / "goroot").mkdir()
    (tmp_path / "goroot" / "src").symlink_to(tmp_path / "real_src")
    package = gotest.Package("time", {}, mounts=(str(tmp_path / "real_src"),))
    options = gotest.mounts(package, tmp_path / "goroot")
    assert options == [
        f"--mount={tmp_path / 'real_src'}:{tmp_path / 'goroot' / 'src'}",
        f"--mount={tmp_path / 'real_src'}:{tmp_path / 'real_src'}",
    ]


def test_harness_run_regex_leaves_out_by_name_and_keeps_only() -> None:
    gotest = _harness()
    package = gotest.Package("runtime", {"TestB": "why"}, only="^Test[AB]")
    assert gotest.run_regex(package, ["TestA", "TestB", "TestC", "ExampleA"]) == "^(TestA)$"


def test_harness_ci_subset_is_known_packages() -> None:
    gotest = _harness()
    known = {package.path for package in gotest.PACKAGES}
    assert gotest.CI_PACKAGES and set(gotest.CI_PACKAGES) <= known
