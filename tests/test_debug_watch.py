"""`emu run --watch`: writes to a range with before/after dumps, and LL/SC reservations."""

from __future__ import annotations

import pytest
from conftest import ARCHES, or8_program, run_emu

LLSC = {"arm": ("ldrexb", "strexb"), "ppc64": ("lbarx", "stbcx."), "ppc64le": ("lbarx", "stbcx.")}


def watch_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("watch ", "  "))]


@pytest.mark.parametrize("arch", ARCHES)
def test_watch_shows_the_byte_that_changed(arch: str) -> None:
    result = run_emu("run", or8_program(arch), "--arch", arch, "--watch", "m:4")
    assert result.returncode == 0, result.stderr
    out = watch_lines(result.stderr)
    write = next(i for i, line in enumerate(out) if "wrote 1 byte(s) at +0x1" in line)
    assert "T1000" in out[write] and "<atomicor8" in out[write]
    assert out[write + 1 : write + 4] == ["  before 01 01 01 01", "  after  01 f1 01 01", "            ^^"]
    if arch in LLSC:
        load, store = LLSC[arch]
        taken = next(line for line in out if "reservation taken" in line)
        assert f"`{load} " in taken and "1 byte(s) at +0x1" in taken
        assert any(f"reservation at +0x1 kept: {store} stored" in line for line in out), out
    else:
        assert not any("reservation" in line for line in out)


@pytest.mark.parametrize("arch", ARCHES)
def test_watch_by_address_and_symbol_default_length(arch: str) -> None:
    program = or8_program(arch)
    # a bare symbol watches up to the next symbol (here: the 4-byte array), not one word
    result = run_emu("run", program, "--arch", arch, "--watch", "m")
    assert "  after  01 f1 01 01" in result.stderr, result.stderr
    # an unwritten range stays silent
    quiet = run_emu("run", program, "--arch", arch, "--watch", "_start:4")
    assert quiet.returncode == 0 and "watch" not in quiet.stderr
