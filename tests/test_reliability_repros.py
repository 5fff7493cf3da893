"""Every reproduction in ../shared/repros/reliability/ gives its expected result (issue 12).

The table is the one in that folder's README.md ("expected"). Each run is a child process under
a 6 GiB address-space limit (some of them once grew emu to 22 GB) and a wall-clock limit, so a
regression fails this test instead of the machine. The helpers' own regression tests (copies of
these programs in tests/fixtures/) run in `make test`; this sweep runs the originals in the slow
stage.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARCHES, ROOT

REPROS = ROOT.parent / "shared" / "repros" / "reliability"
LIMIT_AS = 6 << 30

# file, arch (None: from the ELF), extra options, expected exit status, text stderr must hold
CASES = [
    ("D01_pc_minus1_hang_amd64.s", "amd64", ["--max-insns", "1000"], 139, "SIGSEGV"),
    ("D01b_sighandler_minus1_hang_ppc64.s", "ppc64", ["--max-insns", "1000"], 139, "SIGSEGV"),
    ("D01b_sighandler_minus1_hang_ppc64.s", "ppc64le", ["--max-insns", "1000"], 139, "SIGSEGV"),
    ("D01c_sighandler_minus1_hang_amd64.s", "amd64", ["--max-insns", "1000"], 139, "SIGSEGV"),
    *[
        ("D02_keystone_star_hang.s", a, ["--timeout", "2"], 2, "D02_keystone_star_hang.s:4: error")
        for a in ARCHES
    ],  # fmt: skip
    ("D03_getrandom_timeout_ignored_amd64.s", "amd64", ["--timeout", "5"], 124, "timeout"),
    ("D04_mincore_huge_hang_amd64.s", "amd64", ["--max-insns", "100", "--timeout", "5"], None, ""),
    ("D05_mmap_quadratic_amd64.s", "amd64", ["--max-insns", "200000"], None, ""),
    ("D06_signal_frames_memory_ppc64.s", "ppc64", ["--max-insns", "200000"], None, ""),
    ("D07_clone_bomb_memory_ppc64.s", "ppc64", ["--max-insns", "600000"], None, ""),
    (
        "D08_mmap_loop_host_segfault_amd64.s",
        "amd64",
        ["--mem-limit", "64G", "--max-insns", "50000000"],
        12,
        "",
    ),
    ("D09_rt_signal_default_internal_error_amd64.s", "amd64", [], 168, "signal 40"),
    ("D11_noncanonical_store_aliases_amd64.s", "amd64", [], 139, "SIGSEGV"),
    ("D12_noncanonical_jump_internal_error_amd64.s", "amd64", [], 139, "SIGSEGV"),
    ("D14_p2align_host_oom.s", "amd64", [], 2, "D14_p2align_host_oom.s:"),
    *[(f"D15{x}", "amd64", [], 2, f"D15{x}") for x in "abcdef"],
    ("D16_space_1g_internal_error.s", "amd64", [], 2, "--mem-limit"),
    ("D17_macro_in_macro_or_rept.s", "amd64", [], 0, ""),
    *[(f"D18{x}", None, ["--max-insns", "200000"], 2, "bad ELF") for x in "abcdeg"],
    ("D18f_elf_entry_minus1_hang_ppc64", None, ["--max-insns", "1000"], 139, "SIGSEGV"),
    ("D19_keystone_segfault_ppc64.s", "ppc64", [], 2, "D19_keystone_segfault_ppc64.s:4: error"),
    ("D19_keystone_segfault_ppc64.s", "ppc64le", [], 2, "D19_keystone_segfault_ppc64.s:4: error"),
    ("S01_include_environ_leak.s", "amd64", [], 2, "S01_include_environ_leak.s:"),
]


def _file(prefix: str) -> Path:
    if not REPROS.is_dir():
        pytest.fail(f"the reproductions are missing: {REPROS}")
    (found,) = [p for p in REPROS.iterdir() if p.name.startswith(prefix) and p.suffix != ".md"]
    return found


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_AS, LIMIT_AS))


def emu(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "emu", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPROS,
        preexec_fn=_limit,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name,arch,options,status,says", CASES, ids=lambda v: str(v))
def test_reproduction_gives_its_expected_result(
    name: str, arch: str | None, options: list[str], status: int | None, says: str
) -> None:
    path = _file(name)
    done = emu("run", path.name, *(["--arch", arch] if arch else []), *options)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr[-1500:]
    assert done.returncode not in (70, -9, -11), done.stderr[-1500:]  # no internal error, no host kill
    if status is not None:
        assert done.returncode == status, done.stderr[-1500:]
    assert says in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.startswith("emu:")]) <= 2


@pytest.mark.slow
def test_every_reproduction_is_in_the_table() -> None:
    names = {p.name for p in REPROS.iterdir() if p.suffix != ".md"}
    covered = {_file(case[0]).name for case in CASES}
    assert names - covered == {
        "D10_broken_pipe_internal_error_amd64.s",
        "D13_strace_injection_and_strace_file_crash_amd64.s",
    }


@pytest.mark.slow
def test_d10_closed_stdout_is_sigpipe() -> None:
    done = subprocess.run(
        f"{sys.executable} -m emu run D10_broken_pipe_internal_error_amd64.s --arch amd64 | head -c 4",
        shell=True, capture_output=True, text=True, cwd=REPROS, timeout=120, executable="/bin/bash",
    )  # fmt: skip
    assert "internal error" not in done.stderr
    status = subprocess.run(
        f"set -o pipefail; {sys.executable} -m emu run D10_broken_pipe_internal_error_amd64.s --arch amd64 | head -c 4 >/dev/null",
        shell=True, capture_output=True, text=True, cwd=REPROS, timeout=120, executable="/bin/bash",
    )  # fmt: skip
    assert status.returncode == 141


@pytest.mark.slow
def test_d13_strace_is_escaped_and_the_file_written(tmp_path: Path) -> None:
    name = "D13_strace_injection_and_strace_file_crash_amd64.s"
    shown = emu("run", name, "--arch", "amd64", "--strace")
    assert "\x1b" not in shown.stderr and "internal error" not in shown.stderr
    trace = tmp_path / "t.txt"
    written = emu("run", name, "--arch", "amd64", "--strace-file", str(trace))
    assert "internal error" not in written.stderr and trace.read_text()
