"""`emu run`: programs print, exit, and die exactly as a real process would."""

from __future__ import annotations

import json
import re

import pytest
from archdata import example, expect, input_path
from conftest import ARCHES, run_emu

# Each arch's snippets for the failure modes every arch must report the same way: [snippets] in
# its tests/expect.toml (tests/archdata.py).
ENOSYS = 38


def program(tmp_path, arch: str, body: str, name: str = "prog.s") -> str:
    path = tmp_path / name
    path.write_text(f"    .text\n    .globl _start\n_start:\n    nop\n    {body}\n")
    return str(path)


@pytest.mark.parametrize("arch", ARCHES)
def test_hello_world(arch: str) -> None:
    result = run_emu("run", example(arch, "hello"), "--arch", arch)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Hello from {arch}!\n"


@pytest.mark.parametrize("arch", ARCHES)
def test_every_directive(arch: str) -> None:
    result = run_emu("run", input_path(arch, "tests/programs/directives.s"), "--arch", arch)
    assert (result.returncode, result.stdout) == (0, "directives ok\n"), result.stderr


@pytest.mark.parametrize("arch", ARCHES)
def test_segfault_reports_like_a_shell(tmp_path, arch: str) -> None:
    result = run_emu("run", program(tmp_path, arch, expect(arch, "snippets.fault")), "--arch", arch)
    assert result.returncode == 139
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert re.search(
        r"SIGSEGV .*write to unmapped address 0x0, thread \d+, pc 0x[0-9a-f]+ <_start\+0x", line
    ), line
    assert "prog.s:" in line


@pytest.mark.parametrize("arch", ARCHES)
def test_illegal_instruction_is_sigill(tmp_path, arch: str) -> None:
    result = run_emu("run", program(tmp_path, arch, expect(arch, "snippets.illegal")), "--arch", arch)
    assert result.returncode == 132, result.stderr
    assert "SIGILL" in result.stderr and "<_start+0x" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("arch", ARCHES)
def test_unknown_syscall_is_enosys_and_reported_once(tmp_path, arch: str) -> None:
    result = run_emu("run", program(tmp_path, arch, expect(arch, "snippets.unknown_syscall")), "--arch", arch)
    assert result.returncode == ENOSYS, result.stderr
    assert result.stderr.count("unimplemented syscall") == 1
    assert "(999)" in result.stderr


@pytest.mark.parametrize("arch", ARCHES)
def test_endless_loop_stops_at_max_insns(tmp_path, arch: str) -> None:
    result = run_emu(
        "run", program(tmp_path, arch, expect(arch, "snippets.loop")), "--arch", arch, "--max-insns", "50000"
    )
    assert result.returncode == 124
    assert "instruction limit of 50000 reached" in result.stderr
    assert "<_start+0x" in result.stderr


def test_timeout_stops_an_endless_loop(tmp_path) -> None:
    result = run_emu(
        "run", program(tmp_path, "arm", expect("arm", "snippets.loop")), "--arch", "arm", "--timeout", "0.5"
    )
    assert result.returncode == 124
    assert "timeout of 0.5 s reached" in result.stderr


@pytest.mark.parametrize("arch", ARCHES)
def test_syntax_error_names_file_and_line(tmp_path, arch: str) -> None:
    result = run_emu("run", program(tmp_path, arch, "bogus_instruction 1, 2"), "--arch", arch)
    assert result.returncode == 2
    first, second = result.stderr.strip().splitlines()
    assert first.startswith("emu: ") and "prog.s:5: error:" in first
    assert second.strip() == "bogus_instruction 1, 2"


def test_unknown_arch_is_a_usage_error() -> None:
    result = run_emu("run", example("arm", "hello"), "--arch", "mips")
    assert result.returncode == 2
    assert "unknown architecture 'mips'" in result.stderr and "Traceback" not in result.stderr


def test_missing_file_and_missing_arch() -> None:
    assert "no such file" in run_emu("run", "nope.s", "--arch", "arm").stderr
    result = run_emu("run", example("arm", "hello"))
    assert result.returncode == 2 and "needs --arch" in result.stderr


@pytest.mark.parametrize(
    "alias,arch", [("x86_64", "amd64"), ("armhf", "arm"), ("power64", "ppc64"), ("powerpc64le", "ppc64le")]
)
def test_aliases(alias: str, arch: str) -> None:
    result = run_emu("run", example(arch, "hello"), "--arch", alias)
    assert result.stdout == f"Hello from {arch}!\n"


def test_arches_lists_all_with_aliases() -> None:
    out = run_emu("arches").stdout
    for arch in ARCHES:
        assert re.search(rf"^{arch}\s", out, re.M)
    assert "64 KiB" in out and "x86_64" in out


def test_version_and_help() -> None:
    assert run_emu("--version").stdout.startswith("emu ")
    help_text = run_emu("run", "--help").stdout
    for option in ("--arch", "--assembler", "--max-insns", "--timeout", "--strace", "--seed"):
        assert option in help_text


def test_stats_json_counts_the_guest_instructions(tmp_path):
    """--stats-json (what `make bench` reads for guest instructions/s) says what ran: the count
    agrees with --max-insns, and a run stopped by the limit records no exit status."""
    stats = tmp_path / "stats.json"
    done = run_emu("run", example("amd64", "hello"), "--arch", "amd64", f"--stats-json={stats}")
    assert done.returncode == 0
    full = json.loads(stats.read_text())
    assert full["exit_status"] == 0 and full["instructions"] > 2 and full["seconds"] > 0
    limit = full["instructions"] - 1
    stopped = run_emu(
        "run",
        example("amd64", "hello"),
        "--arch",
        "amd64",
        f"--max-insns={limit}",
        f"--stats-json={stats}",
    )
    assert stopped.returncode == 124
    assert json.loads(stats.read_text()) == {
        **json.loads(stats.read_text()),
        "instructions": limit,
        "exit_status": None,
    }


def test_stats_json_unwritable_path_fails_before_the_run(tmp_path):
    done = run_emu(
        "run",
        example("amd64", "hello"),
        "--arch",
        "amd64",
        f"--stats-json={tmp_path}/no/s.json",
    )
    assert done.returncode == 2
    assert done.stdout == "" and "argument --stats-json" in done.stderr and len(done.stderr.splitlines()) == 1
