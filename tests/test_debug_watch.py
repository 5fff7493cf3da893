"""`emu run --watch`: writes to a range with before/after dumps, and LL/SC reservations."""

from __future__ import annotations

import re

import pytest
from archdata import expect, input_path
from conftest import ARCHES, or8_program, run_emu

from emu import arch as arches


def watch_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("watch ", "  "))]


@pytest.mark.parametrize("arch", ARCHES)
def test_watch_shows_the_byte_that_changed(arch: str) -> None:
    result = run_emu("run", or8_program(arch), "--arch", arch, "--watch", "m:4")
    assert result.returncode == 0, result.stderr
    out = watch_lines(result.stderr)
    # the byte itself, or (RISC-V, no byte AMO) the aligned word around it: the dumps below say which changed
    write = next(
        i
        for i, line in enumerate(out)
        if re.search(r"wrote (1 byte\(s\) at \+0x1|4 byte\(s\) at \+0x0)$", line)
    )
    assert "T1000" in out[write] and "<atomicor8" in out[write]
    assert out[write + 1 : write + 4] == ["  before 01 01 01 01", "  after  01 f1 01 01", "            ^^"]
    llsc = expect(arch, "watch.or8_llsc")  # [] where the arch's atomics take no reservation
    if llsc:
        load, store = llsc
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


# tests/fixtures/stores.s: (mnemonic, offset in m, size, value as the register holds it), in
# program order, including the stores next to the range that must stay silent; the arch's own
# stores (store-conditionals, locked RMW, rep stos/movs) follow PLAIN: [watch] stores in expect.toml.
WATCHED = (5, 7)  # --watch m+5:2
BESIDE = [("", 4, 1, 0x44), ("", 7, 1, 0x44)]
PLAIN = [("", 4, 4, 0xA0A1A2A3), ("", 3, 4, 0xB0B1B2B3), *BESIDE]


def stores(arch: str) -> list[tuple[str, int, int, int]]:
    own = [(s["insn"], s["offset"], s["size"], int(s["value"], 16)) for s in expect(arch, "watch.stores")]
    return [*PLAIN, *own]


WRITE = re.compile(r"`(?P<insn>[^`]*)` wrote (?P<size>\d+) byte\(s\) at (?P<offset>[-+]0x[0-9a-f]+)$")


def expected_writes(arch: str) -> list[tuple[str, int, str, str, str]]:
    """What --watch must report for stores(arch): each store reaching into the range, with its bytes."""
    memory = bytearray(range(0x10, 0x18))
    order = arches.get(arch).byteorder
    expected = []
    for mnemonic, offset, size, value in stores(arch):
        before = memory[WATCHED[0] : WATCHED[1]].hex(" ")
        memory[offset : offset + size] = value.to_bytes(size, order)
        if offset < WATCHED[1] and WATCHED[0] < offset + size:
            after = memory[WATCHED[0] : WATCHED[1]].hex(" ")
            expected.append((mnemonic, size, f"{offset - WATCHED[0]:+#x}", before, after))
    return expected


@pytest.mark.parametrize("arch", ARCHES)
def test_watch_reports_every_store_overlapping_the_range(arch: str) -> None:
    """Covering words, an unaligned straddle, store-conditionals, locked RMW and rep stos/movs."""
    program = input_path(arch, "tests/fixtures/stores.s")
    result = run_emu("run", program, "--arch", arch, "--watch", "m+5:2")
    assert result.returncode == 0, result.stderr
    out = watch_lines(result.stderr)
    seen = []
    for i, line in enumerate(out):
        match = WRITE.search(line)
        if match:
            before, after = out[i + 1].removeprefix("  before "), out[i + 2].removeprefix("  after  ")
            seen.append((match["insn"], int(match["size"]), match["offset"], before, after))
    expected = expected_writes(arch)
    assert [entry[1:] for entry in seen] == [entry[1:] for entry in expected], result.stderr
    for (insn, *_), (mnemonic, *_) in zip(seen, expected, strict=True):
        assert insn.startswith(mnemonic), (insn, mnemonic)
    if expect(arch, "watch.or8_llsc"):
        assert any("reservation taken on 4 byte(s) at -0x1" in line for line in out), out
