"""`emu explore`: many seeded schedules of one program, each distinct outcome with its seed."""

from __future__ import annotations

import re

from archdata import example
from conftest import run_emu

LOST_UPDATE = "tests/fixtures/explore/lost_update_amd64.s"


def test_explore_finds_the_failing_seed_and_replay_reproduces_it() -> None:
    found = run_emu(
        "explore", LOST_UPDATE, "--arch", "amd64", "--seeds", "12", "--quantum", "10000", "-j", "2"
    )
    assert found.returncode == 1, found.stdout + found.stderr  # more than one outcome
    rows = re.findall(r"│\s*(\d+)\s*│\s*(\d+)\s*│\s*([0-9a-f]{16})\s*│.*?│\s*--seed (\d+)\s*│", found.stdout)
    statuses = {int(status): int(seed) for _, status, _, seed in rows}
    assert set(statuses) == {0, 1}, found.stdout
    assert sum(int(runs) for runs, *_ in rows) == 12
    for status, seed in statuses.items():
        again = run_emu(
            "explore", LOST_UPDATE, "--arch", "amd64", "--quantum", "10000", "--replay", str(seed)
        )
        assert again.returncode == status


def test_explore_of_a_schedule_independent_program_is_one_outcome() -> None:
    found = run_emu("explore", example("arm", "hello"), "--arch", "arm", "--seeds", "3", "-j", "1")
    assert found.returncode == 0, found.stdout + found.stderr
    assert "1 outcome(s)" in found.stdout


def test_pct_schedules_find_the_lost_update_too() -> None:
    """PCT priorities: a thread runs until it blocks or a change point demotes it."""
    found = run_emu(
        "explore", LOST_UPDATE, "--arch", "amd64", "--seeds", "8", "--quantum", "10000", "--schedule", "pct"
    )
    assert found.returncode == 1, found.stdout + found.stderr
    seed = re.findall(r"│\s*\d+\s*│\s*1\s*│.*?--seed (\d+)", found.stdout)[0]
    again = run_emu(
        "run", LOST_UPDATE, "--arch", "amd64", "--quantum", "10000", "--schedule", "pct", "--seed", seed
    )
    assert again.returncode == 1
