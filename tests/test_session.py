"""`emu run` = parse -> SessionOptions (emu/cli.py) -> emu/session.py `run`.

The options are typed values built in one place from the command line; the session closes every
output it opened however the run ends, and writes --stats-json also for a guest that dies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

import pytest
from archdata import input_file

from emu import argtypes, session
from emu.cli import build_parser, parse_arguments, session_options
from emu.errors import GuestError, UsageError
from emu.options import CyclesOptions, GdbOptions, SessionOptions, StraceOptions, TraceOptions

HELLO = str(input_file("amd64", "examples/hello.s"))
# getpid, then a store to page zero: one syscall in the strace, then SIGSEGV.
FAULTS = "mov eax, 39\nsyscall\nmov qword ptr [0], rax\n"


def _options(*argv: str) -> SessionOptions:
    return session_options(parse_arguments(build_parser(), ["run", *argv]))


def test_a_plain_command_line_asks_for_no_observer() -> None:
    options = _options(HELLO, "--arch", "amd64")
    assert options.program.path == HELLO and options.program.arch == "amd64"
    assert (
        options.program.assembler is None and options.program.stubs is None
    )  # None: the arch's default assembler
    assert options.machine.argv == [HELLO] and options.machine.cwd == "/"
    assert (options.strace, options.trace, options.cycles, options.gdb) == (None, None, None, None)
    assert (options.watch, options.timeline, options.postmortem, options.stats_json) == ((), None, None, None)


def test_every_option_lands_in_its_typed_place(tmp_path: Path) -> None:
    options = _options(
        HELLO, "-a", "x86_64", "-D", "N=3", "--seed", "7", "--quantum", "500", "--env", "A=1",
        "--mount", f"{tmp_path}:/data", "--cwd", "/data", "--strace-file", str(tmp_path / "s.txt"),
        "--trace-range", "_start", "--trace-thread", "1000", "--watch", "msg:4", "--watch", "0x10",
        "--cycles-top", "5", "--cpu", "zen2", "--timeline", str(tmp_path / "t.json"), "--gctrace",
        "--postmortem", "--gdb", "0", "--stats-json", str(tmp_path / "stats.json"), "--", "one", "two",
    )  # fmt: skip
    assert options.program.arch == "x86_64" and options.program.defines == ("N=3",)
    machine = options.machine
    assert (machine.seed, machine.quantum, machine.env) == (7, 500, ["A=1"])
    assert machine.argv == [HELLO, "one", "two"]
    assert machine.mounts == [(str(tmp_path), "/data")] and machine.cwd == "/data"
    assert options.strace == StraceOptions(str(tmp_path / "s.txt"))
    assert options.trace == TraceOptions(("_start",), 1000, None)
    assert options.watch == ("msg:4", "0x10")
    assert options.cycles == CyclesOptions(cpu="zen2", top=5)
    assert options.timeline == str(tmp_path / "t.json")
    assert options.runtime.gctrace and options.postmortem == 16
    assert options.gdb == GdbOptions(0, None)
    assert options.stats_json == str(tmp_path / "stats.json")


def test_cycles_top_alone_prices_nothing_and_cycles_all_shows_every_row() -> None:
    assert _options(HELLO, "--cycles-top", "3").cycles is None
    cycles = _options(HELLO, "--cycles", "--cycles-all").cycles
    assert cycles is not None and cycles.text_report and cycles.top is None


def test_strace_alone_goes_to_stderr_and_is_a_typed_option() -> None:
    assert _options(HELLO, "--strace").strace == StraceOptions(None)


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--mount", "nowhere-at-all:/x"], "--mount: 'nowhere-at-all' is not a directory"),
        (["--cwd", "relative"], "--cwd needs an absolute guest path"),
        (["--stubs", "/no/such/stubs.s"], "--stubs /no/such/stubs.s: no such file"),
    ],
)
def test_values_argparse_cannot_check_are_usage_errors(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _options(HELLO, "--arch", "amd64", *argv)


def test_a_faulting_guest_still_gets_every_output_closed_and_its_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "faults.s"
    program.write_text(FAULTS)
    opened: list[TextIO] = []
    open_output = argtypes.open_output

    def recording_open(option: str, path: str, errors: str = "strict") -> TextIO:
        opened.append(open_output(option, path, errors))
        return opened[-1]

    monkeypatch.setattr(argtypes, "open_output", recording_open)
    files = {name: tmp_path / name for name in ("strace.txt", "trace.txt", "stats.json", "timeline.json")}
    options = _options(
        str(program), "--arch", "amd64", "--strace-file", str(files["strace.txt"]),
        "--trace-file", str(files["trace.txt"]), "--stats-json", str(files["stats.json"]),
        "--timeline", str(files["timeline.json"]),
    )  # fmt: skip
    with pytest.raises(GuestError, match="SIGSEGV"):
        session.run(options)
    assert len(opened) == 3 and all(stream.closed for stream in opened)  # strace, trace, stats
    assert "getpid()" in files["strace.txt"].read_text()
    assert "syscall" in files["trace.txt"].read_text()
    stats = json.loads(files["stats.json"].read_text())
    assert stats["exit_status"] is None and stats["instructions"] >= 3
    assert json.loads(files["timeline.json"].read_text())["traceEvents"]


def test_a_program_that_does_not_assemble_opens_no_stats_file(tmp_path: Path) -> None:
    program = tmp_path / "broken.s"
    program.write_text("not_an_instruction rax\n")
    stats = tmp_path / "stats.json"
    with pytest.raises(Exception, match="broken.s:1"):
        session.run(_options(str(program), "--arch", "amd64", "--stats-json", str(stats)))
    assert not stats.exists()


def test_an_output_that_cannot_be_opened_after_the_check_names_option_and_path(tmp_path: Path) -> None:
    """output_file checked it at parse time; if the directory goes before the run, the same form."""
    path = tmp_path / "gone" / "stats.json"
    with pytest.raises(UsageError, match=rf"^argument --stats-json: {path}: No such file"):
        argtypes.open_output("--stats-json", str(path))
