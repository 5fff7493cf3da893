"""`emu test --junit FILE` as CI servers validate it: the Jenkins JUnit schema
(tests/fixtures/jenkins-junit.xsd), timestamp/hostname/properties on every suite, <error> for a
stub that crashes and for stubs that do not assemble, <failure> for wrong results, and the path
checked before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, run_emu
from lxml import etree

SCHEMA = etree.XMLSchema(etree.parse(str(ROOT / "tests/fixtures/jenkins-junit.xsd")))
CRASHING_CAS = ".globl cas\ncas:\n    mov qword ptr [0], 1\n    ret\n"  # stores to page 0: SIGSEGV


def valid_junit(path: Path) -> etree._ElementTree:
    document = etree.parse(str(path))
    assert SCHEMA.validate(document), SCHEMA.error_log
    return document


def test_schema_rejects_what_jenkins_rejects() -> None:
    """The fixture is a real check: a testsuite without errors= or a property on a testcase fails."""
    no_errors = etree.fromstring(b'<testsuites><testsuite name="s" tests="0" failures="0"/></testsuites>')
    case_property = etree.fromstring(
        b'<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c">'
        b"<properties/></testcase></testsuite></testsuites>"
    )
    assert not SCHEMA.validate(no_errors) and not SCHEMA.validate(case_property)


def test_passing_run_validates_with_timestamp_hostname_and_properties(tmp_path: Path) -> None:
    junit = tmp_path / "out.xml"
    done = run_emu("test", "--arch", "arm,ppc64", "--stub", "cas", "--seed", "7", "--junit", junit)
    assert done.returncode == 0, done.stdout + done.stderr
    suites = valid_junit(junit).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["emu.arm", "emu.ppc64"]
    for suite in suites:
        assert suite.get("hostname") and len(suite.get("timestamp")) == len("2026-01-01T00:00:00")
        assert suite.get("errors") == suite.get("failures") == "0" and int(suite.get("tests")) > 0
        properties = {p.get("name"): p.get("value") for p in suite.find("properties")}
        assert properties["arch"] == suite.get("name")[4:] and properties["seed"] == "7"
        assert {"cpu", "memory_model", "emu_version"} <= set(properties)
    assert not valid_junit(junit).getroot().findall(".//failure")


def test_wrong_result_is_a_failure_not_an_error(tmp_path: Path) -> None:
    junit = tmp_path / "mutant.xml"
    done = run_emu(
        "test", "--arch", "ppc64", "--mutant", "cas_sign_extended_cmpd", "--stub", "cas", "--junit", junit
    )
    assert done.returncode == 1, done.stdout + done.stderr
    root = valid_junit(junit).getroot()
    assert root.findall(".//testcase/failure") and not root.findall(".//testcase/error")
    suite = root.find("testsuite")
    assert (
        int(suite.get("failures")) == len(root.findall(".//testcase/failure")) and suite.get("errors") == "0"
    )


def test_crashing_stub_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "stubs").mkdir()
    (tmp_path / "stubs" / "amd64.s").write_text(CRASHING_CAS)
    junit = tmp_path / "crash.xml"
    done = run_emu(
        "test", "--arch", "amd64", "--stubs", tmp_path / "stubs", "--stub", "cas", "--junit", junit
    )
    assert done.returncode == 1, done.stdout + done.stderr
    root = valid_junit(junit).getroot()
    errors = root.findall(".//testcase/error")
    assert errors and not root.findall(".//testcase/failure")
    assert all(e.get("type") == "StubCrashed" and "SIGSEGV" in e.get("message") for e in errors[:2])
    assert root.find("testsuite").get("errors") == str(len(errors)) == root.get("errors")


@pytest.mark.parametrize("junit_exists", [False, True])
def test_stubs_that_do_not_assemble_still_give_a_file_with_an_error(
    tmp_path: Path, junit_exists: bool
) -> None:
    (tmp_path / "amd64.s").write_text(".globl cas\ncas:\n    bogus rax\n")
    junit = tmp_path / "asm.xml"
    if junit_exists:
        junit.write_text("stale")
    done = run_emu("test", "--arch", "amd64", "--stubs", tmp_path / "amd64.s", "--junit", junit)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"emu: {tmp_path / 'amd64.s'}:3: error: ")
    root = valid_junit(junit).getroot()
    (error,) = root.findall(".//testcase/error")
    assert error.getparent().get("name") == "build stubs" and ":3: error:" in error.get("message")
    assert root.get("errors") == "1"


def test_unwritable_path_fails_before_the_run() -> None:
    done = run_emu("test", "--full", "--junit", "/nonexistent/dir/junit.xml")
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "--junit" in done.stderr
    # stdout empty: the --full sweep (minutes) never started, so no table was printed


def test_hanging_stub_is_an_error(tmp_path: Path) -> None:
    """A stub that never returns (its budget runs out) is an <error> like a crash, not a wrong answer."""
    from emu import arch as arches
    from emu.conformance.core import Case
    from emu.conformance.report import junit_xml
    from emu.conformance.runner import Report, SuiteOptions, run_case
    from emu.stubs import StubMachine, UserStubs

    (tmp_path / "amd64.s").write_text(".globl cas\ncas:\n    jmp cas\n")
    options = SuiteOptions(["amd64"], user=UserStubs(tmp_path / "amd64.s"))

    def calls_cas(ctx) -> None:
        ctx.expect_value("cas", "cas(...)", "result", 1, ctx.call("cas", 0, 0, 1, budget=1000))

    result = run_case(StubMachine(arches.get("amd64"), options.user), Case("cas", "hang", calls_cas), options)
    assert result.errors == result.failed == 1 and "did not return within 1000" in result.failures[0].message
    path = tmp_path / "hang.xml"
    junit_xml(Report(options, [result])).write(path, encoding="utf-8", xml_declaration=True)
    (error,) = valid_junit(path).getroot().findall(".//testcase/error")
    assert "crashed or hung" in error.get("message")
