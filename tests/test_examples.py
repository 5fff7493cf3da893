"""`emu examples`: the shipped examples' paths, the one way users find them (checkout or wheel)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ARCHES, run_emu

from emu import arch as arches


def test_the_listing_names_every_arch_and_its_examples() -> None:
    done = run_emu("examples")
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert {arch for arch, _, _ in rows} == set(ARCHES)
    for arch, name, path in rows:
        assert Path(path).is_file() and path.endswith(f"examples/{name}.s"), (arch, name, path)
    for arch in ARCHES:
        assert [arch, "hello"] in [row[:2] for row in rows], f"{arch}: no hello example"


@pytest.mark.parametrize("arch", ARCHES)
def test_a_name_prints_its_path_own_or_the_base(arch: str) -> None:
    for name in ("hello", "runtime/gcloop"):
        done = run_emu("examples", name, "--arch", arch)
        assert done.returncode == 0, done.stderr
        assert Path(done.stdout.strip()) == arches.get(arch).file(f"examples/{name}.s")


def test_an_alias_and_a_filter_work() -> None:
    done = run_emu("examples", "--arch", "aarch64")
    assert done.returncode == 0 and {line.split()[0] for line in done.stdout.splitlines()} == {"arm64"}


@pytest.mark.parametrize(
    "args,message",
    [
        (("nothing", "--arch", "arm"), "no example 'nothing' for arm (it has: hello"),
        (("hello",), "needs --arch"),
        (("--arch", "mips"), "unknown architecture 'mips'"),
    ],
)
def test_bad_requests_are_one_line_errors(args: tuple[str, ...], message: str) -> None:
    done = run_emu("examples", *args)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr
