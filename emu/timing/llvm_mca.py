"""Comparing emu's block costs with llvm-mca on the runtime stubs' loop bodies.

The loop bodies live in each arch folder's timing/mca/<stub>.s (copied from its
runtime_asm/runtime.s; one text both keystone and llvm-mca read). The llvm-mca triple
is the arch's `[timing] llvm_mca_triple`, the -mcpu each CPU model's `llvm_mca_cpu`. emu's
number is what the run-time profiler would charge per iteration in steady
state: the body split into blocks where QEMU splits it (after each branch),
each block priced as a one-block loop if the body is one, else as straight
code. llvm-mca's number is Total Cycles / Iterations.

`python -m emu.timing.llvm_mca` prints the table kept in docs/timing.md.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from emu import arch as arches
from emu import cpu
from emu.timing.classify import Decoded, classifier_for
from emu.timing.model import load_model
from emu.timing.scoreboard import PREDICTED, block_cost

ITERATIONS = 200
BASE = 0x10000


@dataclass(frozen=True)
class Comparison:
    arch: str
    stub: str
    cpu: str
    emu: float
    mca: float | None  # None: llvm-mca cannot schedule this cpu (its model's llvm_mca_skip)

    @property
    def ratio(self) -> float | None:
        return self.emu / self.mca if self.mca else None


def case_files() -> list[tuple[str, Path]]:
    """(arch, loop body) for every arch folder with timing/mca/ bodies of its own."""
    return [
        (arch.name, path)
        for arch in arches.all_arches().values()
        for path in sorted((arch.folders[0] / "timing" / "mca").glob("*.s"))
    ]


def _keystone_text(path: Path) -> str:
    """The body without comments and directives (keystone reads neither the same way)."""
    keep = [
        line
        for line in path.read_text().splitlines()
        if line.strip() and not line.strip().startswith(("#", "@", "."))
    ]
    return "\n".join(keep)


def _decoded(arch_name: str, path: Path) -> list[Decoded]:
    arch = arches.get(arch_name)
    code, _ = cpu.new_assembler(arch).asm(_keystone_text(path), BASE)
    insns = list(cpu.new_disassembler(arch).disasm(bytes(code), BASE))
    classifier = classifier_for(arch_name)
    return [classifier.decode(insn) for insn in insns], insns


def _blocks(decoded: list[Decoded]) -> list[list[Decoded]]:
    """Split where QEMU ends a translation block: after every branch."""
    blocks, current = [], []
    for insn in decoded:
        current.append(insn)
        if insn.cls in PREDICTED:
            blocks.append(current)
            current = []
    return blocks + ([current] if current else [])


def _is_loop(arch_name: str, blocks: list[list[Decoded]], insns: list) -> bool:
    """One block that branches back to its own start (or a self-looping class such as rep movs)."""
    if len(blocks) != 1:
        return False
    last = insns[len(blocks[0]) - 1]
    self_looping = classifier_for(arch_name).rules.get("self_looping", [])
    targets = [op.imm for op in last.operands if op.type == 2]
    return BASE in targets or blocks[0][-1].cls in self_looping


def emu_cycles(arch_name: str, model_name: str, path: Path) -> float:
    """Steady-state cycles per iteration emu charges for the loop body in `path`."""
    decoded, insns = _decoded(arch_name, path)
    blocks = _blocks(decoded)
    loops = _is_loop(arch_name, blocks, insns)
    model = load_model(model_name)
    return sum(block_cost(block, model, loops).cycles for block in blocks)


def mca_cycles(arch_name: str, model_name: str, path: Path) -> float:
    """llvm-mca's Total Cycles / Iterations for the body (raises if llvm-mca fails)."""
    command = [
        "llvm-mca",
        f"-mtriple={arches.get(arch_name).timing.llvm_mca_triple}",
        f"-mcpu={load_model(model_name).llvm_mca_cpu}",
        f"-iterations={ITERATIONS}",
        str(path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    total = int(re.search(r"Total Cycles:\s+(\d+)", done.stdout).group(1))
    return total / ITERATIONS


def compare(have_mca: bool | None = None) -> list[Comparison]:
    have_mca = shutil.which("llvm-mca") is not None if have_mca is None else have_mca
    rows = []
    for arch_name, path in case_files():
        for model in arches.get(arch_name).cpus:
            checkable = have_mca and load_model(model).llvm_mca_cpu is not None
            mca = mca_cycles(arch_name, model, path) if checkable else None
            rows.append(Comparison(arch_name, path.stem, model, emu_cycles(arch_name, model, path), mca))
    return rows


def markdown(rows: list[Comparison]) -> str:
    lines = [
        "| arch | loop body | cpu | emu cycles/iter | llvm-mca cycles/iter | emu / llvm-mca |",
        "|---|---|---|---:|---:|---:|",
    ]
    for r in rows:
        mca = (
            f"{r.mca:.2f}"
            if r.mca is not None
            else f"n/a ({load_model(r.cpu).llvm_mca_skip or 'no llvm-mca'})"
        )
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        lines.append(f"| {r.arch} | {r.stub} | {r.cpu} | {r.emu:.2f} | {mca} | {ratio} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown(compare()) + "\n")
