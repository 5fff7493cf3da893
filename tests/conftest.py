"""Shared test helpers: the arch list, running `emu` as a user would, tool checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from archdata import input_path
from hypothesis import HealthCheck, settings

from emu import arch as arches
from emu import cpu
from emu.asm import assemble_text

# Fuzz campaigns (tests/fuzz/): `make test` runs a short deterministic one (the "quick" profile),
# `make fuzz` a long one (EMU_FUZZ_PROFILE=long). Fuzz tests use @settings only for what differs.
settings.register_profile(
    "quick", derandomize=True, deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow]
)
# The long profile is derandomized too, so CI's verdict is reproducible; EMU_FUZZ_RANDOM=1 draws
# fresh cases (an exploratory campaign: minimise what it finds into a regression test).
settings.register_profile(
    "long",
    derandomize=not os.environ.get("EMU_FUZZ_RANDOM"),
    deadline=None,
    max_examples=int(os.environ.get("EMU_FUZZ_EXAMPLES", "1000")),
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("EMU_FUZZ_PROFILE", "quick"))

ROOT = Path(__file__).resolve().parent.parent
ARCHES = tuple(arches.names())  # every arch folder found: a new arch is tested without editing a list
# The arches emu assembles itself (keystone + its layout engine) by default: the ones whose bytes are
# compared with GNU as's. The others (riscv64) assemble with GNU as, so that comparison is moot there.
KEYSTONE_ARCHES = tuple(name for name in ARCHES if "keystone" in arches.get(name).asm.backends)


def machine_code(arch: arches.Arch, text: str, address: int) -> bytes:
    """The bytes of `text` (`;`-separated instructions) for `address`: keystone's where it can,
    else the arch's own assembler (GNU as), whose output is cut from its image at `_start` — so
    only code whose bytes do not depend on where it is (relative branches, no absolute symbols)."""
    if arch.keystone is not None:
        code, _ = cpu.new_assembler(arch).asm(text, address)
        return bytes(code)
    source = text.replace(";", "\n")
    image = assemble_text(f".text\n.globl _start\n_start:\n{source}\n", arch)
    start = image.symbols["_start"]
    segment = next(s for s in image.segments if s.executable and s.address <= start < s.end)
    return segment.data[start - segment.address :]


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def or8_program(arch: str) -> str:
    """The small atomicor8 guest the trace, watch and gdb tests run (tests/fixtures/or8.s of the arch)."""
    return input_path(arch, "tests/fixtures/or8.s")


def run_emu(
    *args: str | Path, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`emu ARGS` in a subprocess (text output), exactly as a user runs it (`env`: instead of ours)."""
    return subprocess.run(
        [sys.executable, "-m", "emu", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
        check=False,
    )


def require_tool(*names: str) -> None:
    """Skip locally when a Debian tool is missing, but FAIL in CI (which installs it)."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    message = f"missing tools: {', '.join(missing)} (install with `make tools`)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(params=ARCHES)
def arch_name(request: pytest.FixtureRequest) -> str:
    return request.param


# Run by `run_limited`: fork, limit, exec ARGV; report the child's status and peak RSS.
_LAUNCHER = """
import os, resource, sys
address_space, cpu_seconds, report = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    os.execvp(sys.argv[4], sys.argv[4:])
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024}")
"""


def run_limited(argv: list[str], address_space: int, cpu_seconds: int = 600, **popen: Any) -> tuple[int, int]:
    """Run ARGV under an address-space and a CPU-time limit: (exit status, peak RSS in bytes).

    A child's peak RSS from wait4 is only its own when its process started small: Linux keeps
    the high-water mark across exec, so a child forked (or vforked) straight from this test
    process — 900 MB after a long fuzz campaign — inherits this process's peak. A small launcher
    forks the measured child instead and reports what wait4 says of it.
    """
    with tempfile.TemporaryDirectory(prefix="emu-limited-") as scratch:
        report = Path(scratch) / "report"
        command = [sys.executable, "-c", _LAUNCHER, str(address_space), str(cpu_seconds), str(report), *argv]
        subprocess.run(command, check=False, **popen)
        status, peak = report.read_text().split()
    return int(status), int(peak)
