"""What `emu test` shows: the stub x arch table, failure details with a marked hex dump, JUnit XML."""

from __future__ import annotations

import socket
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
# The Ant/Jenkins schema CI servers validate (tests/fixtures/jenkins-junit.xsd): per arch a
# <testsuite> with timestamp, hostname and <properties>; a stub that crashed or hung is an
# <error>, a wrong result a <failure>; stubs that did not assemble are an <error> too.


def _properties(report: Report, arch_name: str) -> ET.Element:
    """What a reader needs to reproduce the arch's results."""
    import unicorn

    from emu import __version__
    from emu import arch as arches

    arch = arches.get(arch_name)
    values = {
        "arch": arch_name,
        "cpu": f"unicorn {unicorn.__version__} {arch.unicorn.cpu or 'default ' + arch_name + ' CPU'}",
        "memory_model": f"{report.options.memory_model or arch.memory_model.default}: what the threaded "
        "(contended) cases run under; a single thread sees the same under every model",
        "emu_version": __version__,
        "seed": str(report.options.seed),
        "sweep": "full" if report.options.full else "default",
    }
    if arch_name in report.user_functions:
        path, names = report.user_functions[arch_name]
        values["stubs"] = f"{path}: {', '.join(names)}"
    properties = ET.Element("properties")
    properties.extend(ET.Element("property", name=name, value=value) for name, value in values.items())
    return properties


def _suite(report: Report, arch_name: str, results: list[CaseResult], errors: int) -> ET.Element:
    erred = sum(1 for r in results if r.errors)
    return ET.Element(
        "testsuite",
        name=f"emu.{arch_name}",
        tests=str(len(results) + errors),
        failures=str(sum(1 for r in results if not r.ok and not r.errors)),
        errors=str(erred + errors),
        skipped=str(sum(1 for r in results if r.skipped)),
        time=f"{sum(r.seconds for r in results):.3f}",
        timestamp=report.started.strftime("%Y-%m-%dT%H:%M:%S"),
        hostname=socket.gethostname(),
    )


def junit_xml(report: Report) -> ET.ElementTree:
    """One <testsuite> per arch that ran, one <testcase> per (stub, case): what CI servers read."""
    suites = []
    ran = [name for name in report.options.arches if any(r.arch == name for r in report.results)]
    for name in ran:
        results = [r for r in report.results if r.arch == name]
        suite = _suite(report, name, results, 0)
        suite.append(_properties(report, name))
        for result in results:
            _testcase(suite, result)
        suites.append(suite)
    if report.setup_error is not None:
        suites.append(_setup_error_suite(report, *report.setup_error))
    root = ET.Element(
        "testsuites",
        name="emu test",
        tests=str(sum(int(s.get("tests", 0)) for s in suites)),
        failures=str(sum(int(s.get("failures", 0)) for s in suites)),
        errors=str(sum(int(s.get("errors", 0)) for s in suites)),
        time=f"{report.seconds:.3f}",
    )
    root.extend(suites)
    ET.indent(root)
    return ET.ElementTree(root)


def _setup_error_suite(report: Report, arch_name: str, error: Exception) -> ET.Element:
    """The arch whose stubs did not build: one test, `build stubs`, in error."""
    suite = _suite(report, arch_name, [], 1)
    suite.append(_properties(report, arch_name))
    case = ET.SubElement(suite, "testcase", classname=f"emu.{arch_name}.stubs", name="build stubs", time="0")
    first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
    ET.SubElement(case, "error", message=first_line, type=type(error).__name__).text = str(error)
    return suite


def _testcase(suite: ET.Element, result: CaseResult) -> None:
    element = ET.SubElement(
        suite,
        "testcase",
        classname=f"emu.{result.arch}.{result.stub}",
        name=result.case,
        time=f"{result.seconds:.3f}",
    )
    if result.skipped:
        ET.SubElement(element, "skipped", message=result.skipped)
    elif not result.ok:
        first = result.failures[0] if result.failures else None
        message = f"{result.failed} of {result.checks} checks failed" + (
            f": {first.message}" if first else ""
        )
        if result.errors:  # the stub crashed or hung: not an answer to compare
            kind, tag = "StubCrashed", "error"
            message = f"{result.errors} of {result.checks} checks crashed or hung" + (
                f": {first.message}" if first else ""
            )
        else:
            kind, tag = "ConformanceFailure", "failure"
        problem = ET.SubElement(element, tag, message=message, type=kind)
        problem.text = "\n\n".join(describe_failure(f) for f in result.failures)


def write_junit(report: Report, path: str | Path) -> None:
    junit_xml(report).write(path, encoding="utf-8", xml_declaration=True)
