"""The differential check of the whole project: every program in the repository gives the
same stdout and exit status under qemu-user as under emu.

Each program is assembled with GNU as + `ld -static` for the target and run by
qemu-<arch> (with the arch's page size, `-p 65536` on ppc64), then run by emu
from the same source. Programs are discovered, not listed: a new example or
test program is checked as soon as it exists. The few that cannot be compared
are named in NOT_COMPARABLE with the reason. Locally a missing tool skips; in
CI (CI=true) it fails, because CI installs them with `make tools`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from archdata import input_path
from conftest import ARCHES, ROOT, require_tool, run_emu

from emu import arch as arches
from emu.asm import gnu_backend
from emu.runtime.link import uses_runtime

PROGRAM_FOLDERS = ("examples", "tests/programs")  # inside each arch folder
# Programs a real kernel cannot be compared on, and why (by file name).
NOT_COMPARABLE = {
    "deadlock.s": "deadlocks on purpose: a real kernel waits forever, emu reports it (exit 2)",
    "race.s": "prints its thread interleaving, which differs run to run on a real kernel",
    "linux.s": "checks Linux answers qemu 7.2 gets wrong (unaligned mincore, 64 KiB-page mprotect)",
    "tsc.s": "checks that rdtsc reads emu's virtual clock (1 s after boot, a tick per instruction); "
    "a real CPU's TSC is the host's",
}


def programs() -> list[tuple[str, str]]:
    """(program, arch) for every program an arch folder holds or inherits from its base:
    examples/ and tests/programs/ (found through the arch record's lookup)."""
    found = []
    for name in ARCHES:
        arch = arches.get(name)
        for folder in PROGRAM_FOLDERS:
            for path in arch.tree(folder).values():
                if path.suffix != ".s" or path.name in NOT_COMPARABLE or uses_runtime(path):
                    continue  # the toy runtime's hypercalls exist only in emu
                found.append((path.relative_to(ROOT).as_posix(), name))
    return found


def build_with_gnu(arch_name: str, src: str, out: Path) -> Path:
    """A static executable from `src` built by GNU as + ld for `arch_name`."""
    arch = arches.get(arch_name)
    if not gnu_backend.available(arch):
        require_tool(arch.gnu.prefix + "as", arch.gnu.prefix + "ld")
    return gnu_backend.link_executable((ROOT / src).read_text(), arch, str(ROOT / src), out / "prog")


def run_qemu(arch_name: str, executable: Path) -> tuple[int, str]:
    """(exit status as a shell reports it, stdout) of `executable` under qemu-user."""
    arch = arches.get(arch_name)
    require_tool(arch.gnu.qemu)
    result = subprocess.run(
        [arch.gnu.qemu, "-p", str(arch.page_size), str(executable)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    status = 128 - result.returncode if result.returncode < 0 else result.returncode
    return status, result.stdout


@pytest.mark.parametrize("program,arch", programs())
def test_same_stdout_and_status_as_qemu(tmp_path: Path, program: str, arch: str) -> None:
    expected = run_qemu(arch, build_with_gnu(arch, program, tmp_path))
    result = run_emu("run", program, "--arch", arch)
    assert (result.returncode, result.stdout) == expected, result.stderr


def test_every_arch_and_the_kernel_programs_are_covered() -> None:
    covered = programs()
    assert {arch for _, arch in covered} == set(ARCHES)
    for name in ("mm", "futex", "clone"):
        for arch in ARCHES:
            assert (input_path(arch, f"tests/programs/{name}.s"), arch) in covered
