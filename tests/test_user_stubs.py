"""`--stubs PATH`: every verdict is about the user's code (issue 11), run through the CLI as a user would.

Each test is a case seen on the old code: a misspelt mnemonic that fell back to
the shipped stub and said `verdict ok`, an empty or wrong directory that said
`PASS: 57975 checks`, Go-style names silently ignored, errors at a temp file's
line 406, and a cas comparing with cmpd that `emu check` passed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from archdata import example
from conftest import ROOT, require_tool, run_emu

from emu import arch as arches

MUTANTS = ROOT / "emu" / "data" / "mutants"
BROKEN_OR8 = arches.get("ppc64").file("mutants/or8_ignores_byte_order.s").read_text()
CMPD_CAS = MUTANTS / "cas_cmpd_sign_extended_old"
GOOD_OR8 = """# atomicor8 with byte reservations (as shipped)
.globl atomicor8
atomicor8:
    sync
1:  lbarx 5, 0, 3
    or 5, 5, 4
    stbcx. 5, 0, 3
    bne 1b
    isync
    blr
"""

# Every command that takes the user's stubs, for the ppc64 stubs written here.
COMMANDS = {
    "test": ["test", "--arch", "ppc64", "--stub", "atomicor8"],
    "check": ["check", "--arch", "ppc64"],
    "explain": ["explain", "atomicor8", "--arch", "ppc64"],
}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def one_line_error(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.stderr.splitlines()[0]


# ---- the user's file does not assemble: an error at its own file:line ------------------------


@pytest.mark.parametrize(
    ("command", "option"),
    [("test", "--stubs"), ("test", "--stub-dir"), ("check", "--stubs"), ("explain", "--stubs"),
     ("explain", "--stub-file")],  # the old option names are aliases
)  # fmt: skip
def test_misspelt_mnemonic_is_an_error_at_the_users_line(tmp_path: Path, command: str, option: str) -> None:
    typo = write(tmp_path / "typo.s", GOOD_OR8.replace("lbarx", "lbarxx"))
    result = run_emu(*COMMANDS[command], option, typo)
    assert one_line_error(result).startswith(f"emu: {typo}:5: error: "), result.stderr
    assert "lbarxx" in result.stderr and "Invalid mnemonic" in result.stderr
    assert "verdict" not in result.stdout and "PASS" not in result.stdout and "ok " not in result.stdout


@pytest.mark.parametrize("option", ["--stubs", "--runtime-stubs"])
def test_run_with_a_misspelt_stub_names_the_users_line(tmp_path: Path, option: str) -> None:
    typo = write(tmp_path / "ppc64x.s", GOOD_OR8.replace("lbarx", "lbarxx"))
    result = run_emu("run", "-a", "ppc64", example("ppc64", "runtime/gcloop"), option, tmp_path)
    assert one_line_error(result).startswith(f"emu: {typo}:5: error: "), result.stderr


def test_gnu_assembler_errors_name_the_users_line_too(tmp_path: Path) -> None:
    require_tool("powerpc64-linux-gnu-as", "powerpc64-linux-gnu-ld")
    typo = write(tmp_path / "ppc64x.s", GOOD_OR8.replace("lbarx", "lbarxx"))
    program = example("ppc64", "runtime/gcloop")
    result = run_emu("run", "-a", "ppc64", "--assembler", "gnu", program, "--stubs", tmp_path)
    assert one_line_error(result).startswith(f"emu: {typo}:5: error: unrecognized opcode"), result.stderr


def test_relative_include_is_read_from_the_users_directory_with_real_lines(tmp_path: Path) -> None:
    """The old code copied the file to /tmp/emu-explain-*: includes broke, lines were the temp file's."""
    body = "\n".join(BROKEN_OR8.splitlines()[4:])  # the instructions after `atomicor8:`
    write(tmp_path / "parts" / "or8_body.s", body + "\n")
    write(
        tmp_path / "stubs" / "ppc64x.s",
        '# my or8\n.globl atomicor8\natomicor8:\n.include "../parts/or8_body.s"\n',
    )
    result = run_emu("explain", "atomicor8", "--stubs", tmp_path / "stubs")
    assert result.returncode == 1, result.stdout + result.stderr  # the included (broken) body ran
    assert "WRONG m[1]=01 want f1" in result.stdout
    # an error in the included file is reported there, at its own line
    write(tmp_path / "parts" / "or8_body.s", body.replace("lwarx", "lwarxx") + "\n")
    result = run_emu("explain", "atomicor8", "--stubs", tmp_path / "stubs")
    wrong_line = body.splitlines().index("1:  lwarx 5, 0, 3") + 1
    assert one_line_error(result).startswith(
        f"emu: {tmp_path / 'stubs' / '../parts/or8_body.s'}:{wrong_line}:"
    )
    assert "/tmp/emu-" not in result.stderr


def test_error_line_is_the_users_own_in_a_five_line_file(tmp_path: Path) -> None:
    stub = write(tmp_path / "ppc64x.s", ".globl atomicor8\natomicor8:\n    sync\n    bogus 1, 2\n    blr\n")
    result = run_emu("explain", "atomicor8", "--arch", "ppc64", "--stubs", tmp_path)
    assert one_line_error(result).startswith(f"emu: {stub}:4: error: "), result.stderr


def test_a_file_for_every_arch_that_is_not_amd64_code_is_an_error_naming_the_arch(tmp_path: Path) -> None:
    mine = write(tmp_path / "mine.s", GOOD_OR8)
    result = run_emu("explain", "atomicor8", "--stubs", mine)  # --arch all: amd64 first
    assert one_line_error(result).startswith(f"emu: {mine}:4: error: "), result.stderr
    assert f"assembling your stubs {mine} for amd64" in result.stderr


# ---- a verdict about nothing is a failure ----------------------------------------------------


@pytest.mark.parametrize("command", ["test", "check", "explain"])
def test_empty_directory_is_no_verdict(tmp_path: Path, command: str) -> None:
    args = ["explain", "atomicor8"] if command == "explain" else [command]
    result = run_emu(*args, "--stubs", tmp_path)
    assert "holds no stubs for any arch" in one_line_error(result)
    result = run_emu(*args, "--arch", "ppc64", "--stubs", tmp_path)
    assert "no stubs for ppc64 there (looked for ppc64.s, ppc64x.s, ppc64x/runtime.s)" in one_line_error(
        result
    )
    assert "PASS" not in result.stdout


def test_directory_without_the_arch_file_is_no_verdict(tmp_path: Path) -> None:
    write(tmp_path / "amd64.s", arches.get("amd64").file("mutants/or8_word_byte0.s").read_text())
    result = run_emu("test", "--arch", "ppc64", "--stubs", tmp_path)
    assert "no stubs for ppc64 there" in one_line_error(result)


def test_file_named_for_one_family_is_refused_for_another(tmp_path: Path) -> None:
    mine = write(tmp_path / "ppc64x.s", GOOD_OR8)
    result = run_emu("check", "--arch", "amd64", "--stubs", mine)
    assert "named for ppc64, ppc64le code, not amd64" in one_line_error(result)


def test_a_stub_asked_for_but_not_defined_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "ppc64x.s", GOOD_OR8)
    for args in (["explain", "cas"], ["test", "--stub", "cas"]):
        result = run_emu(*args, "--arch", "ppc64", "--stubs", tmp_path)
        assert "ppc64x.s does not define cas (it defines atomicor8)" in one_line_error(result)


def test_functions_no_case_or_check_calls_are_no_verdict(tmp_path: Path) -> None:
    write(tmp_path / "ppc64x.s", ".globl my_helper\nmy_helper:\n    blr\n")
    result = run_emu("test", "--arch", "ppc64", "--stubs", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "NO VERDICT: nothing of your stubs was checked (no case ran" in result.stdout
    result = run_emu("check", "--arch", "ppc64", "--stubs", tmp_path)
    assert "defines my_helper, none of which check() calls" in one_line_error(result)


def test_a_file_without_functions_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "ppc64x.s", "# nothing here yet\n")
    assert "defines no function" in one_line_error(run_emu("check", "--arch", "ppc64", "--stubs", tmp_path))


def test_stubs_on_a_program_without_the_runtime_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "amd64.s", ".globl cas\ncas:\n    ret\n")
    result = run_emu("run", "-a", "amd64", example("amd64", "hello"), "--stubs", tmp_path)
    assert "does not use the runtime" in one_line_error(result)


# ---- Go-style names ----------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["runtime\u00b7atomicor8", "runtime.atomicor8"])
def test_go_style_names_replace_the_stub(tmp_path: Path, spelling: str) -> None:
    """The old code ignored `runtime·atomicor8`, ran the shipped stub and said PASS."""
    write(tmp_path / "ppc64x.s", re.sub(r"\batomicor8\b", spelling, BROKEN_OR8))
    result = run_emu("test", "--arch", "ppc64", "--stubs", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ppc64 atomicor8 [check(): m[1] of {1,1,1,1} |= 0xf0]" in result.stdout
    assert f"yours on ppc64: atomicor8 (from {tmp_path / 'ppc64x.s'})" in result.stdout
    result = run_emu("check", "--arch", "ppc64", "--stubs", tmp_path)
    assert result.returncode == 1 and "FAIL atomicor8(&m[1], 0xf0)" in result.stdout


def test_go_style_names_link_into_a_runtime_program(tmp_path: Path) -> None:
    write(tmp_path / "ppc64x.s", re.sub(r"\batomicor8\b", "runtime\u00b7atomicor8", BROKEN_OR8))
    result = run_emu("run", "-a", "ppc64", example("ppc64", "runtime/gcloop"), "--stubs", tmp_path)
    assert result.returncode == 2 and "not marked" in result.stderr, result.stdout + result.stderr


# ---- check() with int32 arguments as the port's ABI passes them -------------------------------


def test_check_catches_the_cmpd_cas_where_old_arrives_sign_extended() -> None:
    """The old `emu check` passed 0xffffffff zero-extended, and this cas passed."""
    result = run_emu("check", "--stubs", CMPD_CAS)
    assert result.returncode == 1, result.stdout + result.stderr
    for arch in ("ppc64", "ppc64le"):
        shipped = arches.get(arch).file("mutants/cas_cmpd_sign_extended_old.s")
        assert f"{arch}: check() with cas from {shipped}" in result.stdout
        assert f"{arch}: 1 of 16 items failed" in result.stdout
    wrong = "FAIL cas(&z=0xffffffff, 0xffffffff, 0xfffffffe) [sign-extended: old=0xffffffffffffffff"
    assert result.stdout.count(wrong) == 2
    assert result.stdout.count("ok   cas(&z=0xffffffff, 0xffffffff, 0xfffffffe) [zero-extended") == 2


def test_check_still_catches_the_sign_extending_load_where_old_arrives_zero_extended() -> None:
    result = run_emu("check", "--stubs", MUTANTS / "cas_sign_extended_cmpd")
    assert result.returncode == 1
    assert result.stdout.count("FAIL cas(&z=0xffffffff, 0xffffffff, 0xfffffffe) [zero-extended") == 2


def test_check_passes_the_shipped_cas_in_every_form() -> None:
    result = run_emu("check", "--arch", "ppc64,amd64")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("[sign-extended: old=0xffffffffffffffff new=0xfffffffffffffffe]") == 2


def test_explain_cas_shows_the_sign_extension_case_by_default() -> None:
    result = run_emu(
        "explain", "cas", "--stubs", arches.get("ppc64").file("mutants/cas_cmpd_sign_extended_old.s")
    )
    assert result.returncode == 1, result.stdout + result.stderr
    registers = [line for line in result.stdout.splitlines() if "0xffffffffffffffff" in line]
    assert registers and registers[0].split() == ["0xffffffffffffffff"] * 2
    verdict = next(line for line in result.stdout.splitlines() if line.startswith("verdict"))
    assert verdict.count("WRONG m[") == 2, result.stdout


# ---- counts that cannot be misread -------------------------------------------------------------


def test_failure_counts_say_failed() -> None:
    result = run_emu("test", "--mutant", "cas_sign_extended_cmpd", "--arch", "ppc64", "--stub", "cas")
    assert result.returncode == 1
    cell = re.search(r"(\d+) of (\d+) failed", result.stdout)
    assert cell and 0 < int(cell.group(1)) < int(cell.group(2)), result.stdout
    assert re.search(r"^FAIL: \d+ of \d+ checks failed, in \d+ of \d+ case runs", result.stdout, re.M)
    assert (
        "checks passed per stub" not in result.stdout and "FAIL " + cell.group(1) + "/" not in result.stdout
    )


def test_a_whole_runtime_file_replaces_everything(tmp_path: Path) -> None:
    shipped = arches.get("ppc64le").file("runtime_asm/runtime.s")
    write(tmp_path / "ppc64x" / "runtime.s", shipped.read_text())
    result = run_emu("check", "--arch", "ppc64le", "--stubs", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    mine = tmp_path / "ppc64x" / "runtime.s"
    assert (
        f"ppc64le: check() with cas, casp, atomicor8, cas64, atomicload64, atomicstore64, xadd64, xchg64 from {mine}"
        in result.stdout
    )


def test_a_runaway_stub_in_explain_is_an_error_row_soon(tmp_path: Path) -> None:
    """Found by tests/fuzz/test_user_stubs.py: a looping stub was traced for 1M instructions, then exit 70."""
    write(tmp_path / "ppc64x.s", ".globl cas\ncas:\n1:  b 1b\n")
    result = run_emu("explain", "cas", "--arch", "ppc64", "--stubs", tmp_path, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ERROR cas: did not return within 20000 instructions" in result.stdout
    assert f"({tmp_path / 'ppc64x.s'}:3)" in result.stdout  # the pc is shown at the user's line


def test_every_arch_must_check_something_of_yours(tmp_path: Path) -> None:
    write(tmp_path / "ppc64x.s", GOOD_OR8)
    write(tmp_path / "amd64.s", ".globl my_helper\nmy_helper:\n    ret\n")
    result = run_emu("test", "--stubs", tmp_path, "--seed", "1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "NO VERDICT: nothing of your stubs was checked (no case ran on amd64;" in result.stdout
    assert "yours on ppc64: atomicor8" in result.stdout and "yours on amd64: my_helper" in result.stdout
