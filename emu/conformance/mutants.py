"""The mutant registry: deliberately broken stubs (emu/data/mutants/<name>/) the suite must catch.

Each mutant directory holds `mutant.toml` (which stub it breaks, which cases should
catch it); each arch's version is `mutants/<name>.s` in the arch's folder, replacing
only the broken function in the real stubs (see emu.stubs.UserStubs). It is a bug on
every arch with a file, except where the arch lists it in `[stubs] harmless_mutants`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from emu import arch as arches
from emu.errors import UsageError
from emu.resources import data_dir
from emu.stubs import UserStubs


@dataclass(frozen=True)
class Mutant:
    name: str
    path: Path
    stub: str
    description: str
    caught_by: tuple[str, ...]  # case names expected to report it

    @property
    def stubs(self) -> UserStubs:
        """The mutant as user stubs (what `emu test --mutant NAME` runs)."""
        return UserStubs(self.path)

    def arches(self) -> list[str]:
        """The arches the mutant has a file for."""
        return self.stubs.arches()

    @property
    def bug_on(self) -> tuple[str, ...]:
        """The arches where the suite must fail: every arch with a file for it (arch folder
        `mutants/<name>.s`) that does not list it in `[stubs] harmless_mutants`."""
        return tuple(a for a in self.arches() if self.name not in arches.get(a).stubs.harmless_mutants)


def _load(path: Path) -> Mutant:
    data = tomllib.loads((path / "mutant.toml").read_text())
    return Mutant(
        path.name,
        path,
        data["stub"],
        " ".join(data["description"].split()),
        tuple(data["caught_by"]),
    )


def all_mutants() -> dict[str, Mutant]:
    found = sorted(p.parent for p in data_dir("mutants").glob("*/mutant.toml"))
    return {path.name: _load(path) for path in found}


def get(name: str) -> Mutant:
    mutants = all_mutants()
    if name not in mutants:
        raise UsageError(f"unknown mutant '{name}' (known: {', '.join(mutants) or 'none'})")
    return mutants[name]
