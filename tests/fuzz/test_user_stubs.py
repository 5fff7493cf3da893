"""Fuzz the `--stubs PATH` input path: a user's stub file, mangled, through `emu check` and `emu explain`.

A mangled copy of a shipped stub (lines dropped, doubled or swapped, tokens replaced by
mnemonics, registers, labels, Go-style names, includes and junk) must end in one of emu's
documented outcomes: a verdict (exit 0 or 1) or a one-line error naming the user's file
(exit 2) — never an internal error (70) or a traceback.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from conftest import ARCHES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu import arch as arches
from emu.cli import main
from emu.stubs import split_functions

STUBS = ("cas", "atomicor8", "xadd", "cas64")
JUNK = [
    "runtime\u00b7cas",
    "runtime.xadd",
    '.include "nope.s"',
    ".globl",
    "1b",
    "2f",
    "0x7fffffff",
    "@",
    "#",
    ",",
    ":",
]


def shipped_function(arch_name: str, stub: str) -> list[str]:
    """The lines of the shipped function that defines `stub` on this arch."""
    text = arches.get(arch_name).file("runtime_asm/runtime.s").read_text()
    _, functions = split_functions(text, arches.get(arch_name).comment)
    return next(body for names, body in functions if stub in names).splitlines()


@st.composite
def mangled(draw: st.DrawFn, lines: list[str]) -> str:
    lines = list(lines)
    words = sorted({word for line in lines for word in re.findall(r"[\w.\u00b7]+", line)}) + JUNK
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["drop", "double", "swap", "token"]))
        if edit == "drop" and len(lines) > 1:
            del lines[index]
        elif edit == "double":
            lines.insert(index, lines[index])
        elif edit == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            tokens = re.split(r"(\W+)", lines[index])
            if tokens:
                tokens[draw(st.integers(0, len(tokens) - 1))] = draw(st.sampled_from(words))
                lines[index] = "".join(tokens)
    return "\n".join(lines) + "\n"


# Each case runs a whole `emu check` or `emu explain`: the long campaign keeps to 200 of them.
@pytest.mark.fuzz
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    max_examples=min(settings().max_examples, 200),
)
@given(data=st.data())
def test_mangled_user_stub_is_a_verdict_or_an_error_at_its_file(data: st.DataObject, fuzz_ledger) -> None:
    arch_name = data.draw(st.sampled_from(ARCHES))
    stub = data.draw(st.sampled_from(STUBS))
    text = data.draw(mangled(shipped_function(arch_name, stub)))
    command = data.draw(st.sampled_from([["check"], ["explain", stub]]))
    with tempfile.TemporaryDirectory(prefix="emu-fuzz-stubs-") as tmp:
        path = Path(tmp) / f"{arch_name}.s"
        path.write_text(text)
        with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryFile("w+") as err:
            patch.setattr("sys.stderr", err)
            status = main([*command, "--arch", arch_name, "--stubs", tmp])
            err.seek(0)
            message = err.read()
    assert status in (0, 1, 2), (status, message, text)
    assert "internal error" not in message and "Traceback" not in message, (message, text)
    if status == 2:
        assert message.startswith("emu: ") and message.strip(), text
    fuzz_ledger("user stubs (--stubs)", arch_name, "error" if status == 2 else "ok")
