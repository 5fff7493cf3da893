"""emu's data is found in the package, and missing data is loud, never an empty list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emu import arch, resources
from emu.errors import MissingDataError


def test_data_lives_in_the_package() -> None:
    root = resources.data_root()
    assert root == Path(resources.__file__).parent / "data"
    for folder in ("arch", "runtime_asm", "mutants"):
        assert resources.data_dir(folder).is_dir()


@pytest.fixture
def empty_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A broken install: emu/data exists but holds nothing."""
    (tmp_path / "arch").mkdir()
    monkeypatch.setattr(resources, "data_root", lambda: tmp_path)
    arch.all_arches.cache_clear()
    yield tmp_path
    arch.all_arches.cache_clear()


def test_missing_arch_folder_is_an_error_not_an_empty_list(empty_data: Path) -> None:
    with pytest.raises(MissingDataError, match="reinstall emu"):
        arch.all_arches()


def test_arch_folder_without_arch_files_is_an_error(empty_data: Path) -> None:
    (empty_data / "arch" / "README").write_text("no toml here")
    with pytest.raises(MissingDataError, match=r"no architecture folders"):
        arch.all_arches()
