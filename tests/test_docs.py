"""Every command README.md and docs/ show runs as written, and shows what the docs say (issue 11).

A command is a line in a code block that starts with `$ ` (its output follows, up to the next
command or the end of the block; a line `...` stands for any lines) or, in a block without
prompts, a line that starts with `emu ` (no output shown: it must run without an error). A
synopsis (`emu run FILE [--arch ARCH]`: an all-capitals placeholder or `[...]`) is not a command. The
commands of one block run in order (a command ending in `&` in the background, as a person
would start `emu --gdb` and then gdb), with the checkout's `emu` first on PATH, in a scratch
folder that links the checkout's folders, so files a command writes (e.g. `go build -o hello`)
land outside the tree. A command the doc shows failing on purpose says `# exits N`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, require_tool

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "emu/data/runtime_asm/README.md"]
FAILURE_STATUSES = {2, 3, 70, 124, 139}
PLACEHOLDER = re.compile(r"(?<![\w=-])[A-Z]{2,}(?![\w=])|\[.*\]")


@dataclass(frozen=True)
class ShownCommand:
    doc: str
    line: int
    command: str
    output: tuple[str, ...] | None  # None: the doc shows no output
    block: int = 0  # the code block's first line

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def _code_blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each fenced or indented code block."""
    blocks: list[tuple[int, list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            start, i = i + 2, i + 1
            body = []
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            blocks.append((start, body))
        elif lines[i].startswith("    ") and (i == 0 or not lines[i - 1].strip()):
            start, body = i + 1, []
            while i < len(lines) and lines[i].startswith("    "):
                body.append(lines[i][4:])
                i += 1
            blocks.append((start, body))
            continue
        i += 1
    return blocks


def shown_commands() -> list[ShownCommand]:
    found = []
    for doc in DOCS:
        name = doc.relative_to(ROOT).as_posix()
        for start, body in _code_blocks(doc.read_text()):
            prompts = [n for n, line in enumerate(body) if line.startswith("$ ")]
            if not prompts:
                found += [
                    ShownCommand(name, start + n, line.strip(), None, start)
                    for n, line in enumerate(body)
                    if line.startswith("emu ") and not PLACEHOLDER.search(line.split("#")[0])
                ]
                continue
            for k, n in enumerate(prompts):
                end = prompts[k + 1] if k + 1 < len(prompts) else len(body)
                output = tuple(body[n + 1 : end])
                found.append(ShownCommand(name, start + n, body[n][2:].strip(), output, start))
    return found


def _matches(expected: tuple[str, ...], actual: list[str]) -> bool:
    """Line-by-line equality (trailing blanks ignored), where a line `...` matches any lines."""
    pattern = "".join(
        r"(?:.*\n)*?" if line.strip() == "..." else re.escape(line.rstrip()) + r"\n" for line in expected
    )
    return re.fullmatch(pattern, "".join(line.rstrip() + "\n" for line in actual)) is not None


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that sees the checkout's files through links (commands may write into it)."""
    folder = tmp_path_factory.mktemp("docs") / "checkout"
    folder.mkdir()
    if (ROOT.parent / "shared").is_dir():  # shared/ beside the checkout, as in CI
        (folder.parent / "shared").symlink_to(ROOT.parent / "shared")
    for entry in ROOT.iterdir():
        if not entry.name.startswith("."):
            (folder / entry.name).symlink_to(entry)
    return folder


def _blocks() -> list[list[ShownCommand]]:
    """Commands grouped by code block: a block's commands run in order, in one scratch folder."""
    grouped: dict[tuple[str, int], list[ShownCommand]] = {}
    for shown in shown_commands():
        grouped.setdefault((shown.doc, shown.block), []).append(shown)
    return list(grouped.values())


def _environment() -> dict[str, str]:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("CI", None)
    return env


def _expected_status(command: str) -> int | None:
    """A command the doc shows failing says so: `... # exits 2`."""
    found = re.search(r"#\s*exits (\d+)", command)
    return int(found.group(1)) if found else None


@pytest.mark.parametrize("block", _blocks(), ids=lambda b: b[0].id)
def test_shown_commands_run_as_written(block: list[ShownCommand], scratch: Path) -> None:
    background: list[tuple[ShownCommand, subprocess.Popen]] = []
    try:
        for shown in block:
            tools = [w for w in shown.command.split() if w in ("go", "gdb-multiarch", "llvm-mca")]
            require_tool(*tools)
            if shown.command.endswith("&"):
                process = subprocess.Popen(
                    ["bash", "-c", shown.command[:-1]], cwd=scratch, env=_environment(),
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                )  # fmt: skip
                background.append((shown, process))
                _wait_for_listener(shown.command)  # as a person waits for the banner
                continue
            _check(shown, scratch)
        for shown, process in background:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, (
                f"{shown.id}: `{shown.command}` exited {process.returncode}\n{err}"
            )
    finally:
        for _, process in background:
            if process.poll() is None:
                process.kill()


def _wait_for_listener(command: str, seconds: float = 60) -> None:
    """Until the `--gdb PORT` a background command names is listening (loopback, LISTEN state)."""
    port = re.search(r"--gdb (\d+)", command)
    if not port:
        time.sleep(3)
        return
    wanted = f":{int(port.group(1)):04X} "
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
        if any(wanted in line.split(maxsplit=2)[1] + " " and line.split()[3] == "0A" for line in table):
            return
        time.sleep(0.1)
    pytest.fail(f"`{command}` did not start listening within {seconds:.0f} s")


def _check(shown: ShownCommand, scratch: Path) -> None:
    done = subprocess.run(  # stdout and stderr in one stream, as a terminal shows them
        ["bash", "-o", "pipefail", "-c", shown.command],
        cwd=scratch,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    expected = _expected_status(shown.command)
    head_pipe = "| head" in shown.command  # head closes the pipe early: SIGPIPE upstream is expected
    if expected is not None:
        assert done.returncode == expected, f"{shown.id}: exited {done.returncode}, the doc says {expected}"
    else:
        assert head_pipe or done.returncode not in FAILURE_STATUSES, (
            f"{shown.id}: `{shown.command}` exited {done.returncode}\n{done.stdout[-2000:]}"
        )
    assert "Traceback" not in done.stdout and "internal error" not in done.stdout
    if shown.output:
        assert _matches(shown.output, done.stdout.splitlines()), (
            f"{shown.id}: `{shown.command}` printed\n{done.stdout}\nthe doc shows\n" + "\n".join(shown.output)
        )


def test_docs_show_commands() -> None:
    assert len(shown_commands()) >= 10
    assert shutil.which("bash")
