"""`emu timeline`: llvm-mca's `-timeline` view of one block under a CPU model.

The block starts at a symbol (or address) of the program and runs to its first branch, as a
translation block does. It is issued through the same scoreboard that prices blocks for
`--cycles`, several iterations back to back (as a loop when its branch goes back to its start),
and each instruction of each iteration is drawn on the cycle axis:

    D  dispatched          =  waiting for operands or a port      e  executing
    E  result ready        -  done, waiting to retire in order     R  retired

That picture shows at once a false dependency chain or a port that is held too long — the
kind of model error a cycles-per-iteration number hides.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

from emu import arch as arches
from emu import argtypes, cpu
from emu.errors import UsageError
from emu.image import Image
from emu.timing.classify import Decoded, classifier_for
from emu.timing.model import CpuModel, model_for
from emu.timing.scoreboard import PREDICTED, Issued, trace_issue

MAX_BLOCK = 64  # instructions: a block longer than this is cut (and says so)


@dataclass(frozen=True)
class Block:
    address: int
    text: list[str]  # disassembly, one per instruction
    decoded: list[Decoded]
    loops: bool
    cut: bool


def find_block(image: Image, arch_name: str, where: str) -> Block:
    """The instructions from symbol/address `where` up to and including the first branch."""
    address = image.symbols.get(where)
    if address is None:
        try:
            address = int(where, 0)
        except ValueError:
            known = ", ".join(sorted(image.symbols)[:12])
            raise UsageError(f"no symbol '{where}' in {image.path} (some: {known})") from None
    code = _bytes_at(image, address)
    alt = arches.get(arch_name).alt_mode(where in image.alt_mode_symbols)
    classifier = classifier_for(arch_name)
    insns, decoded = [], []
    for insn in cpu.new_disassembler(arches.get(arch_name), alt).disasm(code, address):
        insns.append(insn)
        decoded.append(classifier.decode(insn))
        if decoded[-1].cls in PREDICTED or len(insns) == MAX_BLOCK:
            break
    if not insns:
        raise UsageError(f"no instruction decodes at {address:#x} ({where})")
    loops = decoded[-1].cls in PREDICTED and address in classifier.branch_targets(insns[-1])
    text = [f"{i.mnemonic} {i.op_str}".strip() for i in insns]
    return Block(address, text, decoded, loops, decoded[-1].cls not in PREDICTED)


def _bytes_at(image: Image, address: int) -> bytes:
    for segment in image.segments:
        if segment.address <= address < segment.address + len(segment.data):
            return segment.data[address - segment.address :]
    raise UsageError(f"{address:#x} is not in the program's code")


def render(block: Block, model: CpuModel, iterations: int) -> str:
    """The timeline text for `iterations` back-to-back executions of `block`."""
    issued = trace_issue(block.decoded, model, block.loops, iterations)
    retired = _retire_times(issued, model.issue_width)
    end = math.ceil(max(retired)) + 1
    lines = [
        f"emu timeline: {len(block.decoded)} instructions at {block.address:#x}, cpu {model.name}, "
        f"{iterations} iterations{' (a loop)' if block.loops else ''}"
        + (f", cut at {MAX_BLOCK} instructions" if block.cut else ""),
        "",
        "D dispatched, = waiting, e executing, E result ready, - waiting to retire, R retired",
        "",
        f"{'':<9} " + "".join(str(c // 10 % 10) if c % 10 == 0 else " " for c in range(end)),
        f"{'Index':<9} " + "".join(str(c % 10) for c in range(end)),
        "",
    ]
    for n, (item, retire) in enumerate(zip(issued, retired, strict=True)):
        iteration, index = divmod(n, len(block.decoded))
        row = _row(item, retire, end)
        lines.append(f"{f'[{iteration},{index}]':<9} {row}   {block.text[index]}")
    per_iteration = (retired[-1] - retired[len(block.decoded) - 1]) / max(iterations - 1, 1)
    lines += ["", f"cycles/iteration (retire to retire): {per_iteration:.2f}"]
    return "\n".join(lines)


def _retire_times(issued: list[Issued], width: int) -> list[float]:
    """In-order retirement, at most `width` per cycle, each after its result is ready."""
    retired: list[float] = []
    for n, item in enumerate(issued):
        t = float(math.ceil(max(item.done, retired[-1] if retired else 0.0) - 1e-9))
        if n >= width and retired[n - width] >= t:
            t = retired[n - width] + 1
        retired.append(t)
    return retired


def _row(item: Issued, retire: float, end: int) -> str:
    cells = []
    dispatch, start, done = math.floor(item.dispatch), math.floor(item.start), math.ceil(item.done)
    for c in range(end):
        if c == dispatch:
            cells.append("D")
        elif dispatch < c < start:
            cells.append("=")
        elif start <= c < done - 1:
            cells.append("e")
        elif c == max(done - 1, start) and c < retire:
            cells.append("E")
        elif c == retire:
            cells.append("R")
        elif done <= c < retire:
            cells.append("-")
        else:
            cells.append("." if c % 5 == 0 else " ")
    return "".join(cells)


def add_timeline_command(commands: argparse._SubParsersAction) -> None:
    timeline = commands.add_parser(
        "timeline",
        help="llvm-mca-style per-instruction timeline of one block under a CPU model",
        description=__doc__.split("\n\n")[1],
    )
    timeline.add_argument("program", help="assembly source or static ELF")
    timeline.add_argument("block", help="symbol (or address) where the block starts")
    timeline.add_argument("--arch", "-a", type=argtypes.arch_name, help="target arch (required for assembly)")
    timeline.add_argument("--cpu", metavar="MODEL", help="CPU timing model (default per arch)")
    timeline.add_argument(
        "--iterations",
        type=argtypes.integer_between(1, 100),
        default=3,
        metavar="N",
        help="back-to-back executions (default 3)",
    )
    timeline.set_defaults(handler=command_timeline)


def command_timeline(args: argparse.Namespace) -> int:
    from emu.program import load_program

    image, arch = load_program(args.program, args.arch)
    block = find_block(image, arch.name, args.block)
    print(render(block, model_for(arch.name, args.cpu), args.iterations))
    return 0
