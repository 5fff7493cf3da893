"""What `emu test` shows: the stub x arch table, failure details with a marked hex dump, JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from emu.conformance.core import CaseResult, Failure
from emu.conformance.runner import Report

ROW = 16
MAX_ROWS = 12  # rows of a hex dump shown per failure (differing rows first)


# ---- hex dump -------------------------------------------------------------------------------


def hexdump_diff(address: int, expected: bytes, actual: bytes) -> str:
    """Rows of 16 bytes that differ: expected, actual, and `^^` under every differing byte."""
    lines, shown = [], 0
    for start in range(0, max(len(expected), len(actual)), ROW):
        want, got = expected[start : start + ROW], actual[start : start + ROW]
        if want == got:
            continue
        if shown == MAX_ROWS:
            lines.append("  ... (more differing rows)")
            break
        marks = "".join(
            "^^ " if i >= len(want) or i >= len(got) or want[i] != got[i] else "   "
            for i in range(max(len(want), len(got)))
        )
        lines += [
            f"  {address + start:#014x}  expected {want.hex(' ')}",
            f"  {'':14}  actual   {got.hex(' ')}",
            f"  {'':14}           {marks.rstrip()}",
        ]
        shown += 1
    differing = sum(1 for a, b in zip(expected, actual, strict=False) if a != b)
    lines.insert(0, f"  {differing} differing byte(s) in {len(expected)} compared at {address:#x}:")
    return "\n".join(lines)


def describe_failure(failure: Failure) -> str:
    text = f"{failure.arch} {failure.stub} [{failure.case}]\n  inputs: {failure.inputs}\n  {failure.message}"
    if failure.expected is not None and failure.actual is not None:
        text += "\n" + hexdump_diff(failure.address, failure.expected, failure.actual)
    return text


# ---- table ----------------------------------------------------------------------------------


def _cell(results: list[CaseResult]) -> str:
    checks = sum(r.checks for r in results)
    failed = sum(r.failed for r in results)
    skipped = [r for r in results if r.skipped]
    if not results:
        return "-"
    if failed:
        return f"[red]{failed} of {checks} failed[/red]"
    if skipped and len(skipped) == len(results):
        return "[yellow]pending[/yellow]"
    note = f" [yellow]+{len(skipped)} pending[/yellow]" if skipped else ""
    return f"[green]{checks} passed[/green]{note}"


def table(report: Report) -> Table:
    grid: dict[str, dict[str, list[CaseResult]]] = defaultdict(lambda: defaultdict(list))
    for result in report.results:
        grid[result.stub][result.arch].append(result)
    arches = report.options.arches
    view = Table(title="emu test: runtime stub conformance (checks per stub and arch)")
    view.add_column("stub", style="bold")
    view.add_column("cases", justify="right")
    for name in arches:
        view.add_column(name)
    for stub, by_arch in grid.items():
        count = max(len(v) for v in by_arch.values())
        view.add_row(stub, str(count), *(_cell(by_arch.get(name, [])) for name in arches))
    return view


def print_report(report: Report, console: Console | None = None) -> None:
    console = console or Console()
    for result in report.failures():
        for failure in result.failures:
            console.print(describe_failure(failure), markup=False, highlight=False, soft_wrap=True)
        if result.failed > len(result.failures):
            console.print(
                f"  ... and {result.failed - len(result.failures)} more failure(s) in this case",
                highlight=False,
            )
        console.print()
    console.print(table(report))
    for result in report.failures():
        console.print(
            f"failed: {result.arch} {result.stub}, caught by case [{result.case}]: "
            f"{result.failed} of {result.checks} checks failed",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    for result in report.results:
        if result.skipped:
            console.print(
                f"pending: {result.arch} {result.stub} [{result.case}]: {result.skipped}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    for arch, (path, names) in report.user_functions.items():
        console.print(
            f"yours on {arch}: {', '.join(names)} (from {path})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    console.print(verdict_line(report), highlight=False)


def verdict_line(report: Report) -> str:
    """PASS / FAIL with unambiguous counts, or NO VERDICT when nothing was checked."""
    runs = f"{len(report.results)} case runs in {report.seconds:.1f} s"
    seed = f"seed {report.options.seed}{', full sweep' if report.options.full else ''}"
    why = report.nothing_checked
    if why is not None:
        whose = "of your stubs " if report.options.user else ""
        return f"[red]NO VERDICT[/red]: nothing {whose}was checked ({why}; {runs}, {seed})"
    failed = sum(r.failed for r in report.results)
    if report.ok:
        return f"[green]PASS[/green]: all {report.checks} checks passed, {runs} ({seed})"
    return (
        f"[red]FAIL[/red]: {failed} of {report.checks} checks failed, in {len(report.failures())} of "
        f"{len(report.results)} case runs ({report.seconds:.1f} s, {seed})"
    )


# ---- JUnit ----------------------------------------------------------------------------------


def junit_xml(report: Report) -> ET.ElementTree:
    """One <testsuite> per arch, one <testcase> per (stub, case): what CI servers read."""
    root = ET.Element(
        "testsuites",
        name="emu test",
        tests=str(len(report.results)),
        failures=str(len(report.failures())),
        time=f"{report.seconds:.3f}",
    )
    for name in report.options.arches:
        results = [r for r in report.results if r.arch == name]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"emu.{name}",
            tests=str(len(results)),
            failures=str(sum(1 for r in results if not r.ok)),
            skipped=str(sum(1 for r in results if r.skipped)),
            errors="0",
            time=f"{sum(r.seconds for r in results):.3f}",
        )
        for result in results:
            _testcase(suite, result)
    ET.indent(root)
    return ET.ElementTree(root)


def _testcase(suite: ET.Element, result: CaseResult) -> None:
    element = ET.SubElement(
        suite,
        "testcase",
        classname=f"emu.{result.arch}.{result.stub}",
        name=result.case,
        time=f"{result.seconds:.3f}",
    )
    ET.SubElement(element, "properties").extend(
        [ET.Element("property", name="checks", value=str(result.checks))]
    )
    if result.skipped:
        ET.SubElement(element, "skipped", message=result.skipped)
    elif not result.ok:
        first = result.failures[0] if result.failures else None
        message = f"{result.failed} of {result.checks} checks failed" + (
            f": {first.message}" if first else ""
        )
        failure = ET.SubElement(element, "failure", message=message, type="ConformanceFailure")
        failure.text = "\n\n".join(describe_failure(f) for f in result.failures)


def write_junit(report: Report, path: str | Path) -> None:
    junit_xml(report).write(path, encoding="utf-8", xml_declaration=True)
