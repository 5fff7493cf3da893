"""The installed wheel works outside the checkout (issue 11): no arch, stub or model may go missing.

The wheel is built from this tree, installed into a fresh virtual environment in a temporary
folder, and run from another folder, so nothing can be read from the checkout by accident.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARCHES, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed_emu(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the `emu` command of a fresh venv holding only the wheel and its dependencies."""
    base = tmp_path_factory.mktemp("wheel")
    wheels = base / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (wheel,) = wheels.glob("emu-*.whl")
    subprocess.run([venv / "bin" / "pip", "install", "-q", str(wheel)], check=True, capture_output=True)
    return venv / "bin" / "emu"


def run_installed(emu: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(emu), *args], capture_output=True, text=True, cwd=cwd, timeout=600, check=False
    )


def installed_example(emu: Path, arch: str, name: str, cwd: Path) -> Path:
    """`emu examples NAME --arch ARCH` of the installed emu: the path it prints."""
    found = run_installed(emu, "examples", name, "--arch", arch, cwd=cwd)
    assert found.returncode == 0, found.stderr
    return Path(found.stdout.strip())


def test_wheel_ships_every_data_file(installed_emu: Path) -> None:
    site = next(installed_emu.parent.parent.glob("lib/python*/site-packages/emu"))
    assert not (site / "data" / "arch").is_symlink()
    shipped = {p.relative_to(site / "data") for p in (site / "data").rglob("*") if p.is_file()}
    in_tree = {
        p.relative_to(ROOT / "emu" / "data") for p in (ROOT / "emu" / "data").rglob("*") if p.is_file()
    }
    assert in_tree - shipped == set()


def test_installed_commands_work_from_another_folder(installed_emu: Path, tmp_path: Path) -> None:
    listed = run_installed(installed_emu, "arches", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(ARCHES)

    venv = installed_emu.parent.parent
    for arch in ARCHES:  # the examples the installed `emu examples` names, inside the installed package
        hello, pingpong = (
            installed_example(installed_emu, arch, name, tmp_path) for name in ("hello", "runtime/pingpong")
        )
        assert hello.is_relative_to(venv) and pingpong.is_relative_to(venv), (hello, pingpong)
        ran = run_installed(installed_emu, "run", str(hello), "--arch", arch, cwd=tmp_path)
        assert (ran.returncode, ran.stdout) == (0, f"Hello from {arch}!\n"), ran.stderr
        ran = run_installed(installed_emu, "run", str(pingpong), "--arch", arch, cwd=tmp_path)
        assert ran.returncode == 0 and ran.stdout, ran.stderr

    suite = run_installed(installed_emu, "test", "--arch", "all", cwd=tmp_path)
    assert suite.returncode == 0, suite.stdout[-2000:] + suite.stderr
    assert "PASS" in suite.stdout and " 0 checks" not in suite.stdout
    for arch in ARCHES:
        assert arch in suite.stdout

    check = run_installed(installed_emu, "check", "--arch", "all", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert all(f"{arch}: " in check.stdout for arch in ARCHES), check.stdout

    explain = run_installed(installed_emu, "explain", "atomicor8", "--arch", "all", cwd=tmp_path)
    assert explain.returncode == 0, explain.stdout + explain.stderr
    assert explain.stdout.count(" ok") >= len(ARCHES)
