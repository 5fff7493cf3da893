"""`emu bench` / `make bench`: guest instructions per second, measured side by side.

For each program in tests/timing/bench (1 MiB copy and clear loops, an atomic
increment loop, a syscall loop; amd64, arm, ppc64le) it times, in one run:
emu with cycles off, emu with --cycles, bare unicorn on the same code (no
hooks: the ceiling, up to the final exit trap), and qemu-user when installed.
Ratios are only meaningful within one run (the machines here are noisy).
Qiling is not measured: see docs/performance.md.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from emu import cpu, loader
from emu.memory import AddressSpace
from emu.options import RunOptions

SYSCALLS = 20000  # gettid calls in each *_syscall.s program
PROGRAMS = Path(__file__).resolve().parent.parent / "tests" / "timing" / "bench"


@dataclass
class Result:
    program: str
    instructions: int
    seconds: dict[str, float]

    def rate(self, method: str) -> float | None:
        seconds = self.seconds.get(method)
        return self.instructions / seconds / 1e6 if seconds else None


def _emu(path: Path, arch_name: str, cycles: bool) -> tuple[int, float]:
    from emu.machine import Machine
    from emu.program import load_program
    from emu.timing.model import model_for
    from emu.timing.profile import Profiler

    image, arch = load_program(str(path), arch_name)
    machine = Machine(arch, image, RunOptions())
    start = time.perf_counter()
    profiler = Profiler(machine.counter, arch, model_for(arch.name, None)) if cycles else None
    machine.run()
    if profiler is not None:
        profiler.report(image)
    return machine.total_instructions, time.perf_counter() - start


def _bare(path: Path, arch_name: str) -> float | None:
    """Unicorn with no hooks from the entry to the `done` label (the ceiling); None for syscall loops."""
    from emu.program import load_program

    image, arch = load_program(str(path), arch_name)
    if "syscall" in path.stem:
        return None
    uc = cpu.new_engine(arch)
    memory = AddressSpace(uc, arch.page_size, 1 << 30)
    loader.map_image(memory, image)
    uc.reg_write(cpu.register_id(arch, arch.sp), loader.build_stack(memory, arch, image, ["b"], [], 0))
    start = time.perf_counter()
    uc.emu_start(image.entry, image.symbols["done"])
    return time.perf_counter() - start


def _qemu(path: Path, arch_name: str) -> float | None:
    """qemu-user on the GNU-built executable (None when the tools are missing); includes start-up."""
    from emu import arch as arches
    from emu.asm.gnu_backend import tool

    arch = arches.get(arch_name)
    qemu, assembler, linker = shutil.which(arch.gnu["qemu"]), tool(arch, "as"), tool(arch, "ld")
    if not (qemu and assembler and linker):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        source, exe = Path(tmp) / "p.s", Path(tmp) / "p"
        prelude = arch.gnu.get("prelude", "")
        source.write_text(f"{prelude}\n{path.read_text()}")
        subprocess.run([assembler, *arch.gnu["as_flags"], str(source), "-o", f"{exe}.o"], check=True)
        subprocess.run([linker, *arch.gnu["ld_flags"], "-static", f"{exe}.o", "-o", str(exe)], check=True)
        start = time.perf_counter()
        subprocess.run([qemu, "-p", str(arch.page_size), str(exe)], check=True, capture_output=True)
        return time.perf_counter() - start


def measure(path: Path) -> Result:
    arch_name = path.stem.split("_")[0]
    instructions, off = _emu(path, arch_name, False)
    _, on = _emu(path, arch_name, True)
    seconds = {"emu": off, "emu --cycles": on, "unicorn": _bare(path, arch_name), "qemu-user": _qemu(path, arch_name)}
    return Result(path.stem, instructions, {k: v for k, v in seconds.items() if v})


def table(results: list[Result]) -> str:
    methods = ["emu", "emu --cycles", "unicorn", "qemu-user"]
    lines = ["| program | guest insns | " + " | ".join(f"{m} M/s" for m in methods)
             + " | emu / unicorn | --cycles / unicorn | µs per syscall (emu) |",
             "|---|---:|" + "---:|" * (len(methods) + 3)]
    for r in results:
        rates = [r.rate(m) for m in methods]
        cells = [f"{x:.1f}" if x else "-" for x in rates]
        bare = r.rate("unicorn")
        ratio = f"{r.rate('emu') / bare:.2f}" if bare else "-"
        ratio_c = f"{r.rate('emu --cycles') / bare:.2f}" if bare else "-"
        per_call = f"{r.seconds['emu'] / SYSCALLS * 1e6:.1f}" if "syscall" in r.program else "-"
        lines.append(f"| {r.program} | {r.instructions} | " + " | ".join(cells) + f" | {ratio} | {ratio_c} | {per_call} |")
    return "\n".join(lines)


def machine_note() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    import os

    return f"{platform.node()}: {model}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def command_bench(args: argparse.Namespace) -> int:
    paths = sorted(PROGRAMS.glob("*.s"))
    if args.only:
        paths = [p for p in paths if args.only in p.stem]
    results = [measure(path) for path in paths]
    print(f"machine: {machine_note()}\n")
    print(table(results))
    return 0


def add_bench_command(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser("bench", help="measure emulator speed (guest instructions/s) against bare "
                                "unicorn and qemu-user")
    bench.add_argument("--only", metavar="TEXT", help="run only programs whose name contains TEXT")
    bench.set_defaults(handler=command_bench)
