"""Shared test helpers: the arch list, running `emu` as a user would, tool checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Fuzz campaigns (tests/fuzz/): `make test` runs a short deterministic one (the "quick" profile),
# `make fuzz` a long one (EMU_FUZZ_PROFILE=long). Fuzz tests use @settings only for what differs.
settings.register_profile(
    "quick", derandomize=True, deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long",
    derandomize=False,
    deadline=None,
    max_examples=int(os.environ.get("EMU_FUZZ_EXAMPLES", "1000")),
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("EMU_FUZZ_PROFILE", "quick"))

ROOT = Path(__file__).resolve().parent.parent
ARCHES = ("amd64", "arm", "ppc64", "ppc64le")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def source_dir(arch: str) -> str:
    """Programs shared by both ppc64 byte orders live under the name ppc64x."""
    return "ppc64x" if arch.startswith("ppc64") else arch


def or8_program(arch: str) -> str:
    """The small atomicor8 guest the trace, watch and gdb tests run (one source per family)."""
    return f"tests/fixtures/explain/or8_{source_dir(arch)}.s"


def run_emu(*args: str, timeout: float = 120, input: bytes | None = None) -> subprocess.CompletedProcess:
    """`emu ARGS` in a subprocess (text output), exactly as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "emu", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
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


def spawn_limited(
    argv: list[str], address_space: int, cpu_seconds: int = 600, **popen: object
) -> subprocess.Popen:
    """Start ARGV under an address-space and a CPU-time limit, for a peak-RSS measurement.

    The limits are set by a shell (`ulimit -v/-t; exec ...`), never by `preexec_fn`: that forces
    a fork of this (possibly large) test process, and the child's peak RSS from wait4 would then
    count the parent's pages it shared until exec — a pytest process grown by a long fuzz
    campaign made a 60 MB child look like 940 MB.
    """
    script = f'ulimit -v {address_space // 1024}; ulimit -t {cpu_seconds}; exec "$@"'
    return subprocess.Popen(["bash", "-c", script, "bash", *argv], **popen)
