"""`emu explain`: one stub call on every arch, side by side, checked against the reference."""

from __future__ import annotations

import re

import pytest
from conftest import ARCHES, ROOT, run_emu

from emu import arch as arches

BROKEN = "tests/fixtures/explain/atomicor8_word_le_shift.s"
MUTANT = ROOT / "emu/data/arch/ppc64/mutants/or8_ignores_byte_order.s"


def table(output: str) -> dict[str, list[str]]:
    """Row label -> the cells of its first line, split on the runs of spaces between columns."""
    rows = {}
    for line in output.splitlines()[2:]:
        if line and not line.startswith(" "):
            label, *cells = re.split(r"\s{2,}", line.strip())
            rows[label] = cells
    return rows


def by_byte_order(big: str, little: str) -> list[str]:
    """One cell per arch (in `--arch all` order): `big` on big-endian arches, else `little`."""
    return [big if arches.get(name).big_endian else little for name in ARCHES]


def test_atomicor8_correct_on_every_arch() -> None:
    result = run_emu("explain", "atomicor8", "--arch", "all")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = table(result.stdout)
    every = len(ARCHES)
    assert rows["stub source"] == ["shipped runtime_asm"] * every
    assert rows["bytes before"] == ["01 01 01 01"] * every
    assert rows["bytes after"] == ["01 f1 01 01"] * every
    assert rows["changed"] == ["m[1]"] * every
    assert rows["verdict"] == ["ok"] * every
    # the same bytes read as a word: the byte order is visible
    assert rows["word after"] == by_byte_order("0x01f10101", "0x0101f101")
    header = result.stdout.splitlines()[2].split()
    assert header == list(ARCHES)


@pytest.mark.parametrize("option", ["--stubs", "--stub-file"])
@pytest.mark.parametrize("stub_file", [BROKEN, MUTANT], ids=["own-fixture", "mutant"])
def test_broken_big_endian_or8_shows_wrong_byte_on_ppc64_only(stub_file, option) -> None:
    assert (ROOT / stub_file).exists(), f"fixture {stub_file} is missing"
    result = run_emu("explain", "atomicor8", "--arch", "ppc64,ppc64le", option, stub_file)
    assert result.returncode == 1, result.stdout + result.stderr  # a wrong verdict fails the command
    rows = table(result.stdout)
    ppc64, ppc64le = rows["verdict"]
    assert ppc64le == "ok"
    assert ppc64.startswith("WRONG m[1]=01 want f1, m[2]=f1 want 01"), result.stdout
    assert rows["bytes after"] == ["01 01 f1 01", "01 f1 01 01"]
    assert rows["changed"] == ["m[2]", "m[1]"]
    assert rows["stub source"] == [str(stub_file)] * 2
    # the shift the stub computed is shown: (ptr&3)*8 = 8 and 0xf0 << 8, the same on both ppc64s
    assert result.stdout.count("slw: r4=0xf000") == 2, result.stdout
    assert rows["stores to m"] == ["stwcx. m+0/4: 01 01 f1 01", "stwcx. m+0/4: 01 f1 01 01"]


def test_a_file_named_for_its_dir_runs_on_those_arches_only() -> None:
    result = run_emu("explain", "atomicor8", "--stubs", MUTANT)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[2].split() == ["ppc64", "ppc64le"]


def test_cas_with_all_ones_on_every_arch() -> None:
    result = run_emu("explain", "cas")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = table(result.stdout)
    assert result.stdout.startswith("emu explain cas(m, -1, -2)")
    assert rows["result"] == ["0x1"] * len(ARCHES)
    assert rows["word after"] == ["0xfffffffe"] * len(ARCHES)
    assert rows["bytes after"] == by_byte_order("ff ff ff fe", "fe ff ff ff")


def test_explicit_args_memory_and_arch_list() -> None:
    result = run_emu(
        "explain", "atomicand8", "--arch", "ppc64,arm", "--args", "m+3", "0x0f", "--mem", "01020304"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = table(result.stdout)
    assert rows["bytes after"] == ["01 02 03 04", "01 02 03 04"]
    assert result.stdout.splitlines()[2].split() == ["ppc64", "arm"]


def test_unknown_stub_file_is_a_usage_error() -> None:
    result = run_emu("explain", "atomicor8", "--stub-file", "no/such.s")
    assert result.returncode == 2 and "--stubs no/such.s: no such file or directory" in result.stderr
