"""Printing a timing Report: an llvm-mca-like text summary, or JSON (schema in docs/timing.md)."""

from __future__ import annotations

import json
from typing import TextIO

from emu.timing.profile import Report, Tally

SCHEMA = "emu-cycles/1"
TOP_BLOCKS = 10


def _ipc(tally: Tally) -> float:
    return tally.instructions / tally.cycles if tally.cycles else 0.0


def to_json(report: Report) -> dict[str, object]:
    """The documented JSON form (docs/timing.md, "--cycles-json")."""
    total = report.totals
    return {
        "schema": SCHEMA,
        "arch": report.arch,
        "cpu": report.cpu,
        "total_instructions": total.instructions,
        "total_cycles": round(total.cycles, 2),
        "ipc": round(_ipc(total), 3),
        "unclassified_instructions": total.unclassified,
        "mispredict_cycles": round(report.mispredict_cycles, 2),
        "cache": report.cache,
        "counter": report.counter,
        "symbols": [t.as_dict() for t in report.symbols],
        "threads": [
            {
                "tid": tid,
                "instructions": sum(t.instructions for t in tallies),
                "cycles": round(sum(t.cycles for t in tallies), 2),
                "symbols": [t.as_dict() for t in tallies],
            }
            for tid, tallies in report.threads.items()
        ],
        "blocks": [
            {
                "address": t.address,
                "symbol": t.name,
                "executions": t.executions,
                "instructions": t.instructions,
                "cycles": round(t.cycles, 2),
                "cycles_per_execution": round(t.cycles / t.executions, 2) if t.executions else 0,
            }
            for t in report.blocks[:TOP_BLOCKS]
        ],
    }


def write_json(report: Report, path: str) -> None:
    with open(path, "w") as out:
        json.dump(to_json(report), out, indent=2)
        out.write("\n")


def _shown(tallies: list[Tally], top: int | None) -> tuple[list[Tally], str]:
    """The rows to print (the `top` costliest, or all) and a line saying what was left out."""
    if top is None or len(tallies) <= top:
        return tallies, ""
    rest = tallies[top:]
    cycles = sum(t.cycles for t in rest)
    return tallies[:top], f"  ... {len(rest)} more ({cycles:.0f} cycles); --cycles-all shows every row"


def _symbol_table(tallies: list[Tally], out: TextIO, top: int | None) -> None:
    rows, more = _shown(tallies, top)
    width = max([len("symbol"), *(len(t.name) for t in rows)])
    print(
        f"  {'symbol':<{width}} {'calls':>9} {'instructions':>13} {'cycles':>13} {'cycles/call':>12}",
        file=out,
    )
    for t in rows:
        per_call = f"{t.cycles / t.calls:12.1f}" if t.calls else f"{'-':>12}"
        print(f"  {t.name:<{width}} {t.calls:>9} {t.instructions:>13} {t.cycles:>13.1f} {per_call}", file=out)
    if more:
        print(more, file=out)


def write_text(report: Report, out: TextIO, top: int | None = TOP_BLOCKS) -> None:
    """The summary: totals, the costliest blocks, then symbols per thread and in total.

    `top` rows per table (None: all), names never cut: a person reads the head of the table,
    `--cycles-json` and `--cycles-profile` carry everything.
    """
    total = report.totals
    print(f"\nemu cycles: {report.arch}, cpu {report.cpu}", file=out)
    print(f"Instructions:      {total.instructions}", file=out)
    print(f"Total Cycles:      {total.cycles:.0f}", file=out)
    print(f"IPC:               {_ipc(total):.2f}", file=out)
    print(
        f"Unclassified:      {total.unclassified} instructions (priced at the model's explicit default)",
        file=out,
    )
    print(f"Mispredicts:       {report.mispredict_cycles:.0f} cycles (one per loop exit)", file=out)
    for level in report.cache:
        print(
            f"Cache {level['level']}:          {level['accesses']} accesses, {level['misses']} misses "
            f"(+{level['miss_penalty']} cycles each)",
            file=out,
        )
    print("\nMost expensive blocks:", file=out)
    rows, more = _shown(report.blocks, top)
    width = max([len("symbol"), *(len(t.name) for t in rows)])
    print(
        f"  {'address':>18} {'symbol':<{width}} {'executions':>11} {'cycles':>13} {'cyc/exec':>9} {'%':>6}",
        file=out,
    )
    for t in rows:
        share = 100 * t.cycles / total.cycles if total.cycles else 0
        per = t.cycles / t.executions if t.executions else 0
        print(
            f"  {t.address:#18x} {t.name:<{width}} {t.executions:>11} {t.cycles:>13.1f} {per:>9.2f} {share:>5.1f}%",
            file=out,
        )
    if more:
        print(more, file=out)
    if len(report.threads) > 1:
        for tid, tallies in report.threads.items():
            print(f"\nThread {tid}:", file=out)
            _symbol_table(tallies, out, top)
    print("\nAll threads:" if len(report.threads) > 1 else "\nSymbols:", file=out)
    _symbol_table(report.symbols, out, top)
