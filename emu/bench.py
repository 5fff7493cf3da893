"""`emu bench` / `make bench`: guest instructions per second, measured side by side.

For each program in an arch folder's bench/ (1 MiB copy and clear loops, an atomic
increment loop, a 4-thread atomic contention loop, a syscall loop; amd64, arm,
ppc64le) and the toy runtime's GC example, it times, in one run:
emu with cycles off, emu with --cycles, bare unicorn on the same code (no
hooks: the ceiling, up to the final exit trap), and qemu-user when installed.
Ratios are only meaningful within one run (the machines here are noisy).
Qiling (its own venv, .venv-qiling, made by `make bench`) runs the programs of arches whose [bench] says qiling = true.

A second table prices the weak memory models (docs/memory-models.md): two bench programs under
`sc` and under the arch's own model, and the litmus tests of the bench/ folders, runs per second.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from emu import arch as arches
from emu import cpu, loader
from emu.errors import GuestError, UsageError
from emu.memory import AddressSpace
from emu.options import RunOptions
from emu.progress import progress

SYSCALLS = 20000  # gettid calls in each *_syscall.s program
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    program: str
    instructions: int
    seconds: dict[str, float]

    def rate(self, method: str) -> float | None:
        seconds = self.seconds.get(method)
        return self.instructions / seconds / 1e6 if seconds else None


def _load(path: Path, arch_name: str):
    """(image, arch); programs marked `emu:runtime` are linked with the toy runtime."""
    from emu.program import load_program
    from emu.runtime import link

    if link.uses_runtime(path):
        arch = arches.get(arch_name)
        return link.link(path, arch, None, None), arch
    return load_program(str(path), arch_name)


def _emu(
    path: Path, arch_name: str, cycles: bool, memory_model: str = "sc", max_insns: int | None = None
) -> tuple[int, float]:
    """(guest instructions, seconds) of one run; with `max_insns`, of its first instructions."""
    from emu.machine import Machine
    from emu.timing.model import model_for
    from emu.timing.profile import Profiler

    image, arch = _load(path, arch_name)
    machine = Machine(arch, image, RunOptions(memory_model=memory_model, max_insns=max_insns))
    start = time.perf_counter()
    profiler = Profiler(machine.counter, arch, model_for(arch.name, None)) if cycles else None
    try:
        machine.run()
    except GuestError:
        if max_insns is None or machine.total_instructions < max_insns:
            raise
    if profiler is not None:
        profiler.report(image)
    return machine.total_instructions, time.perf_counter() - start


def _bare(path: Path, arch_name: str) -> float | None:
    """Unicorn with no hooks from the entry to the `done` label (the ceiling); None for syscall loops."""
    from emu.program import load_program

    if not _self_contained(path):
        return None
    image, arch = load_program(str(path), arch_name)
    uc = cpu.new_engine(arch)
    memory = AddressSpace(uc, arch.page_size, 1 << 30)
    loader.map_image(memory, image)
    uc.reg_write(cpu.register_id(arch, arch.sp), loader.build_stack(memory, arch, image, ["b"], [], 0))
    start = time.perf_counter()
    uc.emu_start(image.entry, image.symbols["done"])
    return time.perf_counter() - start


def _gnu_executable(path: Path, arch_name: str, directory: Path) -> Path | None:
    """The bench program built by GNU as + ld -static (None when the tools are missing)."""
    from emu.asm import gnu_backend

    arch = arches.get(arch_name)
    if not gnu_backend.available(arch):
        return None
    return gnu_backend.link_executable(path.read_text(), arch, str(path), directory / "p")


def _self_contained(path: Path) -> bool:
    """Bare unicorn has no kernel: only single-threaded loops without syscalls can run on it."""
    text = path.read_text()
    return not any(word in path.stem for word in ("syscall", "xadd4")) and "emu:runtime" not in text


def _qemu(path: Path, arch_name: str) -> float | None:
    """qemu-user on the GNU-built executable (None when the tools are missing); includes start-up."""

    arch = arches.get(arch_name)
    qemu = shutil.which(arch.gnu.qemu)
    if "emu:runtime" in path.read_text():
        return None  # the toy runtime answers hypercalls only emu knows
    with tempfile.TemporaryDirectory() as tmp:
        exe = _gnu_executable(path, arch_name, Path(tmp))
        if not (qemu and exe):
            return None
        start = time.perf_counter()
        subprocess.run([qemu, "-p", str(arch.page_size), str(exe)], check=True, capture_output=True)
        return time.perf_counter() - start


QILING_SCRIPT = """
import sys, tempfile, time
from qiling import Qiling
from qiling.const import QL_VERBOSE
ql = Qiling([sys.argv[1]], tempfile.mkdtemp(), verbose=QL_VERBOSE.DISABLED)
start = time.perf_counter()
ql.run()
print(time.perf_counter() - start)
"""


def qiling_python() -> Path | None:
    """Qiling lives in its own venv (`make bench` creates .venv-qiling): it pins its own unicorn."""
    candidate = Path(os.environ.get("EMU_QILING_PYTHON", ROOT / ".venv-qiling" / "bin" / "python"))
    return candidate if candidate.exists() else None


def _qiling(path: Path, arch_name: str) -> float | None:
    """Qiling's ql.run() on the GNU-built executable (start-up excluded, in Qiling's favour)."""
    python = qiling_python()
    if python is None or not _qiling_runs(arch_name) or "emu:runtime" in path.read_text():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        exe = _gnu_executable(path, arch_name, Path(tmp))
        if exe is None:
            return None
        done = subprocess.run(
            [str(python), "-c", QILING_SCRIPT, str(exe)],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        lines = done.stdout.strip().splitlines()
        return float(lines[-1]) if done.returncode == 0 and lines else None


def measure(name: str, path: Path, arch_name: str) -> Result:
    instructions, off = _emu(path, arch_name, False)
    _, on = _emu(path, arch_name, True)
    seconds = {
        "emu": off,
        "emu --cycles": on,
        "unicorn": _bare(path, arch_name),
        "qemu-user": _qemu(path, arch_name),
        "qiling": _qiling(path, arch_name),
    }
    return Result(name, instructions, {k: v for k, v in seconds.items() if v})


def table(results: list[Result]) -> str:
    methods = ["emu", "emu --cycles", "unicorn", "qemu-user", "qiling"]
    lines = [
        "| program | guest insns | "
        + " | ".join(f"{m} M/s" for m in methods)
        + " | emu / unicorn | --cycles / unicorn | µs/syscall emu | µs/syscall qiling |",
        "|---|---:|" + "---:|" * (len(methods) + 4),
    ]
    for r in results:
        cells = [f"{x:.1f}" if x else "-" for x in (r.rate(m) for m in methods)]
        bare, plain, cycles = r.rate("unicorn"), r.rate("emu"), r.rate("emu --cycles")
        ratio = f"{plain / bare:.2f}" if bare and plain else "-"
        ratio_c = f"{cycles / bare:.2f}" if bare and cycles else "-"
        per_call = [_per_syscall(r, m) for m in ("emu", "qiling")]
        lines.append(
            f"| {r.program} | {r.instructions} | "
            + " | ".join(cells)
            + f" | {ratio} | {ratio_c} | "
            + " | ".join(per_call)
            + " |"
        )
    return "\n".join(lines)


def _per_syscall(result: Result, method: str) -> str:
    seconds = result.seconds.get(method)
    if "syscall" not in result.program or not seconds:
        return "-"
    return f"{seconds / SYSCALLS * 1e6:.1f}"


def machine_note() -> str:
    model = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    return f"{platform.node()}: {model}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def bench_cases() -> list[tuple[str, Path, str]]:
    """(name, program, arch) for every arch with a [bench] table: its bench/*.s, then its GC loop."""
    cases = []
    for arch in arches.all_arches().values():
        if arch.bench is None:
            continue
        own = sorted((arch.folders[0] / "bench").glob("*.s"))
        cases += [(f"{arch.name}_{path.stem}", path, arch.name) for path in own]
        cases.append((f"{arch.name}_gcloop", arch.file(arch.bench.gcloop), arch.name))
    return cases


def _qiling_runs(arch_name: str) -> bool:
    """Qiling 1.4.6 runs Linux programs of this arch (`[bench] qiling`; it has no ppc64 Linux)."""
    bench = arches.get(arch_name).bench
    return bench is not None and bench.qiling


# ---- the memory models' cost --------------------------------------------------------------------

# The first MODEL_INSNS instructions of two bench programs: 4 threads contending on one counter
# (xadd4) and one thread copying 1 MiB (memmove: a load and a store every few instructions).
MODEL_PROGRAMS = ("xadd4", "memmove")
MODEL_INSNS = 200_000
LITMUS_RUNS = 400


@dataclass
class ModelResult:
    program: str
    arch: str
    model: str
    instructions: int
    sc_seconds: float
    model_seconds: float


def measure_model(program: str, path: Path, arch_name: str) -> ModelResult:
    """A bench program's first MODEL_INSNS instructions under sc, then under the arch's own model."""
    model = arches.get(arch_name).memory_model.default
    instructions, sc_seconds = _emu(path, arch_name, False, "sc", MODEL_INSNS)
    _, model_seconds = _emu(path, arch_name, False, model, MODEL_INSNS)
    return ModelResult(program, arch_name, model, instructions, sc_seconds, model_seconds)


def measure_litmus(path: Path, arch_name: str) -> tuple[str, str, str, float]:
    """(test, arch, model, runs per second) of a litmus campaign under the arch's own model."""
    from emu.litmus.parse import parse
    from emu.litmus.runner import campaign

    test = parse(path)
    start = time.perf_counter()
    result = campaign(test, arch_name, None, LITMUS_RUNS, jobs=1)
    return test.name, arch_name, result.model, LITMUS_RUNS / (time.perf_counter() - start)


def model_table(results: list[ModelResult], litmus: list[tuple[str, str, str, float]]) -> str:
    lines = []
    if results:
        lines += [
            "| program | arch | model | guest insns | sc M/s | model M/s | model / sc |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
    for r in results:
        sc_rate, model_rate = r.instructions / r.sc_seconds / 1e6, r.instructions / r.model_seconds / 1e6
        lines.append(
            f"| {r.program} | {r.arch} | {r.model} | {r.instructions} | {sc_rate:.2f} | {model_rate:.3f} "
            f"| 1/{r.model_seconds / r.sc_seconds:.0f} |"
        )
    if litmus:
        lines += ["", "| litmus test | arch | model | runs/s |", "|---|---|---|---:|"]
        lines += [f"| {name} | {arch} | {model} | {rate:.0f} |" for name, arch, model, rate in litmus]
    return "\n".join(lines).strip()


def model_cases(only: str | None) -> tuple[list[tuple[str, Path, str]], list[tuple[Path, str]]]:
    """The memory-model table's rows (named memmodel_<arch>_<program>, litmus_<arch>_<test>):
    programs from the bench/ folders, and their litmus tests."""
    programs, tests = [], []
    for arch in arches.all_arches().values():
        if arch.bench is None or arch.memory_model is None:
            continue
        folder = arch.folders[0] / "bench"
        programs += [
            (name, folder / f"{name}.s", arch.name)
            for name in MODEL_PROGRAMS
            if (folder / f"{name}.s").exists() and (not only or only in f"memmodel_{arch.name}_{name}")
        ]
        tests += [
            (path, arch.name)
            for path in sorted(folder.glob("*.litmus"))
            if not only or only in f"litmus_{arch.name}_{path.stem}"
        ]
    return programs, tests


def command_bench(args: argparse.Namespace) -> int:
    cases = bench_cases()
    programs, tests = model_cases(args.only)
    if args.only:
        cases = [case for case in cases if args.only in case[0]]
        if not cases and not programs and not tests:  # an empty table exiting 0 would look like one
            raise UsageError(f"--only {args.only!r}: no benchmark program's name contains it")
    results = []
    with progress("emu bench", len(cases) + len(programs) + len(tests)) as bar:
        for case in cases:
            bar.advance(0, now=case[0])
            results.append(measure(*case))
            bar.advance()
        model_results = []
        for program in programs:
            bar.advance(0, now=f"memmodel_{program[2]}_{program[0]}")
            model_results.append(measure_model(*program))
            bar.advance()
        litmus = []
        for test in tests:
            bar.advance(0, now=f"litmus_{test[1]}_{test[0].stem}")
            litmus.append(measure_litmus(*test))
            bar.advance()
    print(f"machine: {machine_note()}\n")
    if cases:
        print(table(results))
    if programs or tests:
        print(f"\nmemory models (docs/memory-models.md):\n\n{model_table(model_results, litmus)}")
    return 0


def add_bench_command(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser(
        "bench", help="measure emulator speed (guest instructions/s) against bare unicorn and qemu-user"
    )
    bench.add_argument("--only", metavar="TEXT", help="run only programs whose name contains TEXT")
    bench.set_defaults(handler=command_bench)
