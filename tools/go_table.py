"""Measure the Go test programs: guest instructions under emu, wall time of emu and qemu-user.

Prints the Markdown table of docs/go-programs.md. Usage (from the repository root):
    .venv/bin/python tools/go_table.py [GOMAXPROCS]
Each wall time is the best of REPEATS runs of the command a user types (`emu run`,
`qemu-<arch>`), start-up included; the instruction count is Machine.total_instructions.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests")]

from conftest import ARCHES  # noqa: E402
from gotools import build, programs  # noqa: E402

from emu import arch as arches  # noqa: E402

REPEATS = 3
COUNT = """
import os, sys
from emu.machine import Machine
from emu.options import RunOptions
from emu.program import load_program
image, arch = load_program(sys.argv[1], None)
machine = Machine(arch, image, RunOptions(env=[f"GOMAXPROCS={sys.argv[2]}"]))
devnull = os.open(os.devnull, os.O_WRONLY)
saved = os.dup(1)
os.dup2(devnull, 1)
machine.run()
sys.stdout.flush()
os.dup2(saved, 1)
print(machine.total_instructions)
"""


def best_wall(command: list[str]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return min(times)


def instructions(binary: Path, gomaxprocs: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", COUNT, str(binary), gomaxprocs],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return int(result.stdout.split()[-1])


def row(name: str, arch: str, gomaxprocs: str) -> str:
    binary = build(name, arch)
    env = f"GOMAXPROCS={gomaxprocs}"
    emu = best_wall([sys.executable, "-m", "emu", "run", str(binary), f"--env={env}"])
    qemu = best_wall(["env", "-i", env, arches.get(arch).gnu.qemu, str(binary)])
    count = instructions(binary, gomaxprocs)
    return f"| {arch} | {name} | {count / 1e6:.1f} M | {emu:.2f} s | {qemu:.2f} s |"


def main() -> None:
    gomaxprocs = sys.argv[1] if len(sys.argv) > 1 else "1"
    print(f"GOMAXPROCS={gomaxprocs}\n")
    print("| arch | program | guest instructions (emu) | emu wall | qemu-user wall |")
    print("|---|---|---:|---:|---:|")
    for arch in ARCHES:
        for name in programs():
            print(row(name, arch, gomaxprocs), flush=True)


if __name__ == "__main__":
    main()
