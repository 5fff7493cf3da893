"""Build the Go test programs and run them under qemu-user and under emu.

The differential check of issue 8: the same static Go binary must give the
same stdout and exit status under emu as under QEMU linux-user.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

from emu import arch as arches

GO_DIR = ROOT / "tests" / "go"
BUILD_DIR = ROOT / "build" / "go"


def programs() -> list[str]:
    return sorted(path.stem for path in GO_DIR.glob("*.go"))


def go_environment(arch: str, scratch: Path, **extra: str) -> dict[str, str]:
    """What `go build`/`go test -c` need to cross-compile a static binary for ARCH offline,
    with its cache (and HOME) under SCRATCH."""
    port = arches.get(arch).go
    return dict(
        os.environ,
        CGO_ENABLED="0",
        GOOS="linux",
        GOARCH=port.goarch,
        **port.env,
        GOCACHE=str(scratch / "cache"),
        HOME=str(scratch),
        **extra,
    )


def build(name: str, arch: str, directory: Path = GO_DIR) -> Path:
    """A static binary of DIRECTORY/NAME.go (default tests/go/) for ARCH (rebuilt when the source
    is newer)."""
    source = directory / f"{name}.go"
    out = BUILD_DIR / arch / name
    if out.exists() and out.stat().st_mtime >= source.stat().st_mtime:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    env = go_environment(arch, BUILD_DIR, GOFLAGS="-mod=mod")
    subprocess.run(["go", "build", "-o", str(out), str(source)], env=env, check=True, capture_output=True)
    return out


def run_qemu(
    binary: Path, arch: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess:
    qemu = arches.get(arch).gnu.qemu
    variables = [f"{k}={v}" for k, v in env.items()]
    return subprocess.run(
        ["env", "-i", *variables, qemu, str(binary)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_under_emu(
    binary: Path, env: dict[str, str], timeout: float = 300, *extra: str
) -> subprocess.CompletedProcess:
    flags = [f"--env={k}={v}" for k, v in env.items()]
    return subprocess.run(
        [sys.executable, "-m", "emu", "run", str(binary), *flags, *extra],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )


def build_all() -> None:
    """`make go`: every program of tests/go for every arch, into build/go/<arch>/<name>."""
    for arch in arches.all_arches():
        for name in programs():
            print(build(name, arch).relative_to(ROOT))


if __name__ == "__main__":
    build_all()
