"""`emu test`: the suite passes on the real stubs, catches every mutant by name, reports usefully."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ARCHES, run_emu
from hypothesis import given, settings
from hypothesis import strategies as st

from emu.conformance import mutants
from emu.conformance.cases_atomic import byte_op_check
from emu.conformance.core import CaseResult, Context
from emu.conformance.report import hexdump_diff, junit_xml
from emu.conformance.runner import SuiteOptions, run_suite
from emu.stubs import StubMachine

MACHINES = {name: StubMachine(name) for name in ARCHES}


def test_default_suite_passes_on_every_arch() -> None:
    report = run_suite(SuiteOptions(list(ARCHES)))
    failing = [f"{r.arch} {r.stub} [{r.case}]: {r.failures[0].message}" for r in report.failures()]
    assert not failing, "\n".join(failing)
    ran = {(r.arch, r.stub) for r in report.results if r.checks and not r.skipped}
    for arch in ARCHES:
        for stub in ("memmove", "memclr", "cas", "casp", "cas64", "atomicor8", "atomicand8", "xadd", "gogo"):
            assert (arch, stub) in ran


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("stub", ["atomicor8", "atomicand8"])
@settings(max_examples=40, deadline=None)
@given(
    index=st.integers(0, 7), initial=st.binary(min_size=8, max_size=8), value=st.integers(0, (1 << 64) - 1)
)
def test_byte_ops_every_lane_hypothesis(arch: str, stub: str, index: int, initial: bytes, value: int) -> None:
    sm = MACHINES[arch]
    result = CaseResult(arch, stub, "hypothesis")
    ctx = Context(sm, result, random.Random(0), False, 0)  # byte_op_check draws nothing
    assert byte_op_check(ctx, stub, index, initial, value & sm.arch.word_mask), result.failures[0].message


@pytest.mark.parametrize("name", sorted(mutants.all_mutants()))
def test_each_mutant_is_caught_by_name_where_it_is_a_bug(name: str) -> None:
    mutant = mutants.get(name)
    report = run_suite(SuiteOptions(mutant.arches(), stub=mutant.stub, user=mutant.stubs))
    for arch in mutant.arches():
        failed = [r for r in report.failures() if r.arch == arch]
        if arch in mutant.bug_on:
            assert failed, f"{name} not caught on {arch}"
            assert all(r.failures and r.failures[0].stub == mutant.stub for r in failed)
            assert {r.case for r in failed} & set(mutant.caught_by), [r.case for r in failed]
        else:
            assert not failed, f"{name} wrongly reported on {arch}: {[r.case for r in failed]}"


def test_hexdump_marks_the_differing_bytes() -> None:
    text = hexdump_diff(0x1000, bytes(20), bytes(17) + b"\x01" + bytes(2))
    assert "1 differing byte(s) in 20 compared at 0x1000" in text
    lines = text.splitlines()
    marks = lines[-1]
    actual = lines[-2]
    assert actual.index("01") == marks.index("^^")


def test_junit_is_valid_and_names_the_failing_case() -> None:
    mutant = mutants.get("cas_sign_extended_cmpd")
    report = run_suite(SuiteOptions(["ppc64"], stub="cas", user=mutant.stubs, contended=False))
    tree = junit_xml(report).getroot()
    assert tree is not None
    root = ET.fromstring(ET.tostring(tree))
    failures = root.findall(".//testcase[failure]")
    assert {f.get("name") for f in failures} >= {"check(): 1->2, 4 vs 5, 0xffffffff"}
    assert all(f.get("classname") == "emu.ppc64.cas" for f in failures)
    assert "^^" in (failures[0].findtext("failure") or "")


def test_cli_passes_and_writes_junit(tmp_path: Path) -> None:
    junit = tmp_path / "out.xml"
    done = run_emu("test", "--arch", "arm,ppc64", "--stub", "cas", "--junit", junit)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cas" in done.stdout and "PASS" in done.stdout
    assert ET.parse(junit).getroot().tag == "testsuites"


def test_cli_fails_on_a_mutant_naming_stub_and_case() -> None:
    done = run_emu("test", "--arch", "ppc64", "--mutant", "or8_ignores_byte_order", "--stub", "atomicor8")
    assert done.returncode == 1
    assert "ppc64 atomicor8 [check(): m[1] of {1,1,1,1} |= 0xf0]" in done.stdout
    assert "expected" in done.stdout and "^^" in done.stdout


@pytest.mark.slow
def test_full_sweep_passes_on_every_arch() -> None:
    report = run_suite(SuiteOptions(list(ARCHES), full=True))
    assert report.ok, [f"{r.arch} {r.stub} [{r.case}]" for r in report.failures()]
