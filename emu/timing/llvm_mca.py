"""Comparing emu's block costs with llvm-mca on a corpus of small loops.

The corpus is each arch folder's timing/mca/<kernel>.s: the runtime stubs' loop
bodies (copied from its runtime_asm/runtime.s) and kernels for each model family
(copies, reductions, pointer chasing, dependent and independent chains,
store-to-load, branches, divides...). One text is read by both emu's assembler
front end and llvm-mca: the triple is the arch's `[timing] llvm_mca_triple`, the -mcpu each CPU
model's `llvm_mca_cpu`, run by its `llvm_mca_tool`. emu's number is what the run-time profiler would charge per iteration
in steady state: the body split into blocks where QEMU splits it (after each
branch), each block priced as a one-block loop if the body is one, else as
straight code. llvm-mca's number is Total Cycles / Iterations.

Every entry must be within TOLERANCE of llvm-mca, or be covered by an exception
in timing/mca/exceptions.toml whose `doc` label heads a paragraph of docs/timing.md
that says why (a documented difference of the model). `python -m
emu.timing.llvm_mca` prints the table kept in docs/timing.md and fails when an
entry is neither close nor explained, or an exception no longer applies.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import capstone

from emu import arch as arches
from emu import cpu
from emu.asm import assemble_text
from emu.timing.classify import Decoded, classifier_for
from emu.timing.model import load_model
from emu.timing.scoreboard import PREDICTED, block_cost

ITERATIONS = 200
TOLERANCE = 0.25  # |emu - llvm-mca| <= 25% of llvm-mca


@dataclass(frozen=True)
class Comparison:
    """One kernel on one model: emu's cycles/iteration and llvm-mca's (None with a reason)."""

    arch: str
    kernel: str
    cpu: str
    emu: float
    mca: float | None
    no_mca: str = ""  # why there is no llvm-mca number

    @property
    def ratio(self) -> float | None:
        return self.emu / self.mca if self.mca else None

    @property
    def close(self) -> bool:
        """Within TOLERANCE of llvm-mca (False when llvm-mca has no number)."""
        return self.ratio is not None and abs(self.ratio - 1.0) <= TOLERANCE + 1e-9


@dataclass(frozen=True)
class Exception_:
    """A documented difference: the (arch, kernel, cpu) entries it covers and its docs label."""

    arch: str  # the arch folder it came from
    kernels: tuple[str, ...]  # "*": every kernel of the arch
    cpus: tuple[str, ...]
    doc: str  # the bold label of the paragraph in docs/timing.md that explains it

    def covers(self, row: Comparison) -> bool:
        return (
            row.arch == self.arch
            and row.cpu in self.cpus
            and ("*" in self.kernels or row.kernel in self.kernels)
        )


def corpus_dirs() -> dict[str, Path]:
    """Each arch's corpus folder (timing/mca: its own, else its base's, like its CPU models)."""
    found = {name: arches.get(name).find("timing/mca") for name in arches.names()}
    return {name: folder for name, folder in found.items() if folder is not None}


def mca_models(arch_name: str) -> list[str]:
    """The arch's CPU models that name an llvm-mca CPU (the ones its corpus must be compared on)."""
    return [model for model in arches.get(arch_name).cpus if load_model(model).llvm_mca_cpu]


def uncovered_arches() -> list[str]:
    """Arches whose models name an llvm-mca CPU but that have no corpus to compare them on."""
    return [name for name in arches.names() if mca_models(name) and name not in corpus_dirs()]


def unaccounted_models() -> list[str]:
    """Models that name neither an llvm-mca CPU nor why llvm-mca cannot check them (or both)."""
    models = {model for name in arches.names() for model in arches.get(name).cpus}
    return sorted(m for m in models if bool(load_model(m).llvm_mca_cpu) == bool(load_model(m).llvm_mca_skip))


def case_files() -> list[tuple[str, Path]]:
    """(arch, kernel file) for every kernel of the corpus."""
    return [(name, path) for name, folder in corpus_dirs().items() for path in sorted(folder.glob("*.s"))]


def exceptions() -> list[Exception_]:
    """The documented exceptions (each corpus folder's exceptions.toml)."""
    found = []
    for name, folder in corpus_dirs().items():
        path = folder / "exceptions.toml"
        table = tomllib.loads(path.read_text()) if path.exists() else {}
        found += [
            Exception_(name, tuple(e["kernels"]), tuple(e["cpus"]), e["doc"])
            for e in table.get("exception", [])
        ]
    return found


def _decoded(arch_name: str, path: Path) -> tuple[list[Decoded], list[capstone.CsInsn]]:
    """The body assembled by emu's own front end (the one the runtime stubs go through, so the
    arch's dialect applies: arm64's LSE atomics, which keystone alone cannot encode), decoded."""
    arch = arches.get(arch_name)
    image = assemble_text(path.read_text(), arch, str(path))
    code = next(seg for seg in image.segments if seg.executable and seg.address <= image.entry < seg.end)
    body = bytes(code.data[image.entry - code.address :])  # a linked segment starts with the ELF headers
    insns = list(cpu.new_disassembler(arch).disasm(body, image.entry))
    classifier = classifier_for(arch_name)
    return [classifier.decode(insn) for insn in insns], insns


def _blocks(decoded: list[Decoded]) -> list[list[Decoded]]:
    """Split where QEMU ends a translation block: after every branch."""
    blocks: list[list[Decoded]] = []
    current: list[Decoded] = []
    for insn in decoded:
        current.append(insn)
        if insn.cls in PREDICTED:
            blocks.append(current)
            current = []
    return blocks + ([current] if current else [])


def _is_loop(arch_name: str, blocks: list[list[Decoded]], insns: list[capstone.CsInsn]) -> bool:
    """One block that branches back to its own start (or a self-looping class such as rep movs)."""
    if len(blocks) != 1:
        return False
    classifier = classifier_for(arch_name)
    targets = classifier.branch_targets(insns[len(blocks[0]) - 1])
    return insns[0].address in targets or blocks[0][-1].cls in classifier.rules.get("self_looping", [])


def emu_cycles(arch_name: str, model_name: str, path: Path) -> float:
    """Steady-state cycles per iteration emu charges for the loop body in `path`."""
    decoded, insns = _decoded(arch_name, path)
    blocks = _blocks(decoded)
    loops = _is_loop(arch_name, blocks, insns)
    model = load_model(model_name)
    return sum(block_cost(block, model, loops).cycles for block in blocks)


def mca_cycles(arch_name: str, model_name: str, path: Path) -> float:
    """llvm-mca's Total Cycles / Iterations for the body (CalledProcessError if llvm-mca refuses it)."""
    model = load_model(model_name)
    command = [
        model.llvm_mca_tool,
        f"-mtriple={arches.get(arch_name).timing.llvm_mca_triple}",
        f"-mcpu={model.llvm_mca_cpu}",
        f"-iterations={ITERATIONS}",
        str(path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"Total Cycles:\s+(\d+)", done.stdout)
    if found is None:
        raise subprocess.CalledProcessError(0, command, done.stdout, "no 'Total Cycles' in llvm-mca's output")
    return int(found.group(1)) / ITERATIONS


def mca_tools() -> list[str]:
    """Every llvm-mca binary the comparison needs."""
    return sorted({load_model(m).llvm_mca_tool for name in corpus_dirs() for m in mca_models(name)})


def _refusal(error: subprocess.CalledProcessError) -> str:
    """llvm-mca's first error line, without the file name ('llvm-mca: <what it rejected>')."""
    lines = [line for line in (error.stderr or "").splitlines() if "error:" in line]
    first = lines[0].split("error:", 1)[1].strip() if lines else f"exit status {error.returncode}"
    return f"llvm-mca: {first}"


def compare_one(arch_name: str, path: Path, model_name: str) -> Comparison:
    """One kernel on one model (llvm-mca's refusal or absence recorded as the reason)."""
    model = load_model(model_name)
    emu = emu_cycles(arch_name, model_name, path)
    if model.llvm_mca_cpu is None:
        return Comparison(arch_name, path.stem, model_name, emu, None, "the model names no llvm_mca_cpu")
    if shutil.which(model.llvm_mca_tool) is None:
        return Comparison(
            arch_name, path.stem, model_name, emu, None, f"{model.llvm_mca_tool} is not installed"
        )
    try:
        return Comparison(arch_name, path.stem, model_name, emu, mca_cycles(arch_name, model_name, path))
    except subprocess.CalledProcessError as refused:
        return Comparison(arch_name, path.stem, model_name, emu, None, _refusal(refused))


def compare() -> list[Comparison]:
    """Every kernel on every model of its arch that names an llvm-mca CPU (needs `mca_tools()`)."""
    return [compare_one(name, path, model) for name, path in case_files() for model in mca_models(name)]


def problems(rows: list[Comparison], documented: list[Exception_]) -> list[str]:
    """Entries neither close nor covered by an exception, and exceptions that cover nothing off."""
    found = [
        f"{r.arch} {r.kernel} {r.cpu}: emu {r.emu:.2f} vs {_mca_text(r)} is outside ±25% and undocumented"
        for r in rows
        if not r.close and not any(e.covers(r) for e in documented)
    ]
    for e in documented:
        if not any(e.covers(r) and not r.close for r in rows):
            found.append(
                f"exception '{e.doc}' ({e.arch} {', '.join(e.kernels)} on {', '.join(e.cpus)}) is stale"
            )
    return found


def coverage_problems() -> list[str]:
    """What the arch folders leave unchecked: an arch with llvm-mca models and no corpus, a
    model with neither `llvm_mca_cpu` nor `llvm_mca_skip`."""
    return [
        f"{name}: its CPU models name an llvm-mca CPU ({', '.join(mca_models(name))}) but it has no "
        f"timing/mca/*.s bodies to compare them on"
        for name in uncovered_arches()
    ] + [
        f"CPU model {model}: set exactly one of llvm_mca_cpu and llvm_mca_skip"
        for model in unaccounted_models()
    ]


def _mca_text(row: Comparison) -> str:
    return f"{row.mca:.2f}" if row.mca is not None else f"n/a ({row.no_mca})"


def markdown(rows: list[Comparison], documented: list[Exception_]) -> str:
    lines = [
        "| arch | kernel | cpu | emu cycles/iter | llvm-mca cycles/iter | emu / llvm-mca | why outside ±25% |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        why = "" if r.close else next((e.doc for e in documented if e.covers(r)), "**UNEXPLAINED**")
        lines.append(f"| {r.arch} | {r.kernel} | {r.cpu} | {r.emu:.2f} | {_mca_text(r)} | {ratio} | {why} |")
    return "\n".join(lines)


def main() -> int:
    missing = [tool for tool in mca_tools() if shutil.which(tool) is None]
    if missing:
        sys.stderr.write(
            f"emu.timing.llvm_mca: {', '.join(missing)} not on PATH (install with `make tools`)\n"
        )
        return 2
    rows, documented = compare(), exceptions()
    sys.stdout.write(markdown(rows, documented) + "\n")
    close = sum(r.close for r in rows)
    explained = sum(not r.close and any(e.covers(r) for e in documented) for r in rows)
    sys.stdout.write(
        f"\n{len(rows)} entries: {close} within ±25% of llvm-mca, {explained} documented differences\n"
    )
    found = problems(rows, documented) + coverage_problems()
    for problem in found:
        sys.stderr.write(f"emu.timing.llvm_mca: {problem}\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
