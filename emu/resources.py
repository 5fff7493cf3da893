"""Where emu's run-time data lives: `emu/data/` inside the installed package.

Everything emu reads while it runs — arch descriptions, syscall tables, timing models, the
runtime stubs, the mutants, the bench programs and llvm-mca bodies, the examples — ships in the
wheel under `emu/data/` and is found through `importlib.resources`, so an installed emu behaves
like the checkout. A missing folder is a loud error (`MissingDataError`), never an empty list:
an emu that finds no arches must not print a green verdict about nothing.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from emu.errors import MissingDataError


@functools.cache
def data_root() -> Path:
    """The `emu/data` folder of this installation, as a real directory (checked)."""
    root = resources.files("emu") / "data"
    path = Path(str(root))
    if not path.is_dir():
        raise MissingDataError(f"emu's data folder is missing ({path}): reinstall emu")
    return path


def data_dir(*parts: str) -> Path:
    """A folder under emu/data that must exist and hold at least one file."""
    path = data_root().joinpath(*parts)
    if not path.is_dir() or not any(path.iterdir()):
        raise MissingDataError(f"emu's data folder {path} is missing or empty: reinstall emu")
    return path


def data_file(*parts: str) -> Path:
    """A file under emu/data that must exist."""
    path = data_root().joinpath(*parts)
    if not path.is_file():
        raise MissingDataError(f"emu's data file {path} is missing: reinstall emu")
    return path
