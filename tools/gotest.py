"""Go's own standard-library test binaries under qemu-user and under emu (issue 13): `make gotest`.

Each package is built with Debian's Go as a static test binary per arch
(`CGO_ENABLED=0 GOOS=linux GOARCH=<arch> [GOARM=7] go test -c`), then run with `-test.short` under
`qemu-<arch>` and under `emu run`, and the table prints package x arch: verdict under each, wall
times, ratio. Tests that need what no emulated process has here (the host's network, fork/exec of
the test binary) are left out by name, each with its reason, by running only the package's other
tests (`-test.run`; Go 1.19 has no `-test.skip`). Files a test reads are given to emu explicitly:
GOROOT/src is mounted read-only at its own path (`emu run --mount`) and the guest starts in the
package's directory (`--cwd`), as qemu-user does, so `testdata/` is found; a package may name more
host directories it needs (time: the zoneinfo database).

Usage (from the repository root, after `make tools`):
    .venv/bin/python tools/gotest.py [--packages strings,sync] [--arches amd64,ppc64]
        [--gomaxprocs 1] [--timeout 600] [--markdown FILE] [--ci]
`--ci` runs the small subset CI runs (CI_PACKAGES on all four arches, a few minutes).
Exit status 1 when a pair that passes under qemu-user does not pass under emu.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from emu import arch as arches

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from gotools import go_environment  # noqa: E402 - the Go build settings the tests use

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "gotest"


@dataclass(frozen=True)
class Package:
    """A std package, the tests left out (name -> why) and, optionally, the only tests run."""

    path: str
    left_out: dict[str, str]
    only: str | None = None  # a -test.run regex: the package's tests that make sense here
    mounts: tuple[str, ...] = ()  # host directories the tests read, mounted at the same guest path
    tags: tuple[str, ...] = ()  # build tags (time: timetzdata, as Debian's Go has no zoneinfo.zip)


PACKAGES = [
    Package("runtime/internal/atomic", {}),
    Package("sync/atomic", {}),
    Package("sync", {"TestMutexMisuse": "fork/exec of the test binary itself"}),
    Package("strings", {}),
    Package("strconv", {}),
    Package("sort", {}),
    Package("bytes", {}),
    Package("unicode/utf8", {}),
    Package("container/list", {}),
    Package("hash/crc32", {}),
    Package("math", {}),
    Package("math/big", {}),
    Package("encoding/binary", {}),
    Package("encoding/json", {"TestHTTPDecoding": "a TCP socket (net/http/httptest)"}),
    Package("regexp", {}),
    Package("context", {}),
    Package(
        "time",
        {
            "TestEnvTZUsage": "/etc/localtime (the host's time zone, not a directory to mount)",
            "TestLoadLocationFromTZData": "GOROOT/lib/time/zoneinfo.zip: Debian's Go has none (fails under qemu too)",
        },
        mounts=("/usr/share/zoneinfo",),
        tags=("timetzdata",),
    ),
    # runtime: families of in-process tests (atomics, channels, select, stacks, maps, strings,
    # memmove/memclr, GC, finalizers, the run queue, timers, CAS), each checked to pass under
    # qemu-user with -test.short (Go 1.19.8, amd64). The rest of the package stays out: ~60 tests
    # fork/exec a helper (runTestProg/buildTestProg, `go build`, re-running os.Args[0]: TestCrash*,
    # TestGdb*, TestLockOSThread*, TestSignal*...), a few need the network; the ~200 other
    # in-process tests qemu passes (71 s under qemu) are not selected to keep one run within the
    # harness's time budget, not because they fail.
    Package(
        "runtime",
        {
            "TestGoroutineParallelism2": "net.Listen",
            "TestStackOverflow": "fork/exec of a helper program (runTestProg)",
            "TestFinalizerRegisterABI": "fork/exec of the test binary itself",
            "TestMemmoveOverflow": "a writable temporary file (os.CreateTemp) mapped with mmap: emu's "
            "file system is read-only and has no file-backed mmap",
            "TestAtomicAlignment": "go/types needs the target's compiled std in GOROOT/pkg: Debian has "
            "only linux_amd64 (fails under qemu on the other arches)",
            "TestGcSys": "skipped under -test.short (tests nothing)",
            "TestMemmoveLarge0x180000": "skipped under -test.short (tests nothing)",
            "TestMemmoveOverlapLarge0x120000": "skipped under -test.short (tests nothing)",
        },
        only="^(TestAtomic|TestChan|TestSelect|TestStack|TestMap|TestString|TestMemmove|TestMemclr"
        "|TestGcSys|TestGcDeadlock|TestFinalizer|TestSchedLocalQueue|TestTimer|TestCompareAndSwap)",
    ),
]


CI_PACKAGES = ("container/list", "unicode/utf8", "hash/crc32")
# `make bench`'s "real programs" table: CPU-bound packages of a few seconds each under emu
BENCH_PACKAGES = ("strings", "sort", "strconv", "math/big", "sync/atomic", "encoding/binary")


@dataclass(frozen=True)
class Outcome:
    verdict: str  # PASS, FAIL, TIMEOUT
    seconds: float
    tail: str
    instructions: int | None = None  # guest instructions (emu's --stats-json), None under qemu

    def rate(self) -> str:
        """Guest instructions per second, in millions ("-" when not counted)."""
        return f"{self.instructions / self.seconds / 1e6:.1f}" if self.instructions else "-"


def build(package: Package, arch: str) -> Path:
    """The package's test binary for ARCH, built once into build/gotest/<arch>/."""
    out = BUILD / arch / (package.path.replace("/", "_") + ".test")
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    env = go_environment(arch, BUILD)
    tags = ["-tags", ",".join(package.tags)] if package.tags else []
    subprocess.run(
        ["go", "test", "-c", *tags, "-o", str(out), package.path], env=env, check=True, capture_output=True
    )
    return out


def test_names(binary: Path, qemu: str) -> list[str]:
    """The binary's tests, as it lists them under qemu-user (an error names the binary)."""
    listed = subprocess.run([qemu, str(binary), "-test.list", "."], capture_output=True, text=True)
    if listed.returncode != 0:
        tail = " / ".join(listed.stderr.strip().splitlines()[:1])
        raise SystemExit(f"gotest: {binary} -test.list failed under {qemu}: {tail}")
    return [line for line in listed.stdout.split() if line.startswith(("Test", "Example"))]


def run_regex(package: Package, names: list[str]) -> str:
    """A -test.run regex selecting the package's tests minus those left out."""
    only = re.compile(package.only) if package.only else None
    kept = [n for n in names if n not in package.left_out and (only is None or only.search(n))]
    return "^(" + "|".join(map(re.escape, kept)) + ")$"


def timed(command: list[str], timeout: float, cwd: Path) -> Outcome:
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False)
    except subprocess.TimeoutExpired:
        return Outcome("TIMEOUT", timeout, "")
    seconds = time.perf_counter() - start
    passed = done.returncode == 0 and done.stdout.rstrip().endswith("PASS")
    tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
    return Outcome("PASS" if passed else f"FAIL {done.returncode}", seconds, " / ".join(tail))


def qemu_for(arch: str) -> str:
    return arches.get(arch).gnu.qemu


def compare(package: Package, arch: str, gomaxprocs: int | None, timeout: float) -> tuple[Outcome, Outcome]:
    binary = build(package, arch)
    qemu = qemu_for(arch)
    args = ["-test.short", "-test.timeout=10m", "-test.run", run_regex(package, test_names(binary, qemu))]
    env = [f"GOMAXPROCS={gomaxprocs}"] if gomaxprocs else []
    goroot = Path(subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True).stdout.strip())
    cwd = goroot / "src" / package.path
    under_qemu = timed(["env", *env, qemu, str(binary), *args], timeout, cwd)
    options = [f"--env={e}" for e in env] + [f"--cwd={cwd}"] + mounts(package, goroot)
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "stats.json"
        command = [
            sys.executable,
            "-m",
            "emu",
            "run",
            f"--stats-json={stats}",
            *options,
            str(binary),
            "--",
            *args,
        ]
        under_emu = timed(command, timeout, cwd)
        if stats.exists() and stats.stat().st_size:
            under_emu = dataclasses.replace(
                under_emu, instructions=json.loads(stats.read_text())["instructions"]
            )
    return under_qemu, under_emu


def mounts(package: Package, goroot: Path) -> list[str]:
    """`--mount` options: GOROOT/src at its own path (Debian's is a symlink: the real directory is
    mounted), and the package's own extra directories."""
    source = goroot / "src"
    pairs = [(source.resolve(), source), *((Path(d).resolve(), Path(d)) for d in package.mounts)]
    return [f"--mount={host}:{guest}" for host, guest in pairs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", help="comma-separated subset (default: all)")
    parser.add_argument("--arches", default=",".join(arches.names()), help="comma-separated arches")
    parser.add_argument("--gomaxprocs", type=int, help="GOMAXPROCS for both runners (default: Go's)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    parser.add_argument("--ci", action="store_true", help=f"CI's subset: {', '.join(CI_PACKAGES)}")
    parser.add_argument(
        "--bench", action="store_true", help=f"make bench's real-programs subset: {', '.join(BENCH_PACKAGES)}"
    )
    args = parser.parse_args()
    if args.ci and args.packages:
        parser.error("--ci picks its own packages; leave out --packages")
    by_path = {package.path: package for package in PACKAGES}
    wanted = (
        CI_PACKAGES
        if args.ci
        else BENCH_PACKAGES
        if args.bench
        else args.packages.split(",")
        if args.packages
        else list(by_path)
    )
    unknown = [path for path in wanted if path not in by_path]
    if unknown:
        parser.error(f"unknown package(s): {', '.join(unknown)}")
    packages = [by_path[path] for path in wanted]  # in the order asked
    table = Table(title=f"Go std tests, -test.short, GOMAXPROCS={args.gomaxprocs or 'default'}")
    columns = (
        "package",
        "arch",
        "qemu-user",
        "emu",
        "qemu s",
        "emu s",
        "emu/qemu",
        "emu guest insns",
        "emu M insn/s",
    )
    for column in columns:
        table.add_column(column)
    markdown = ["| " + " | ".join(columns) + " |", "|---|---|---|---|---:|---:|---:|---:|---:|"]
    regressions, ratios = [], []
    console = Console(stderr=True)
    for package in packages:
        for arch in args.arches.split(","):
            console.print(f"{package.path} on {arch}...", end="")
            qemu, emu = compare(package, arch, args.gomaxprocs, args.timeout)
            console.print(f" qemu {qemu.verdict} {qemu.seconds:.1f} s, emu {emu.verdict} {emu.seconds:.1f} s")
            if emu.verdict != "PASS":
                console.print(f"  emu: {emu.tail}", markup=False)
            ratio = emu.seconds / qemu.seconds if qemu.verdict == "PASS" and emu.verdict == "PASS" else None
            if ratio:
                ratios.append(ratio)
            if qemu.verdict == "PASS" and emu.verdict != "PASS":
                regressions.append(f"{package.path} {arch}: {emu.verdict} {emu.tail}")
            cells = [
                package.path,
                arch,
                qemu.verdict,
                emu.verdict,
                f"{qemu.seconds:.2f}",
                f"{emu.seconds:.2f}",
            ]
            cells.append(f"{ratio:.1f}x" if ratio else "-")
            cells += [str(emu.instructions or "-"), emu.rate()]
            table.add_row(*cells)
            markdown.append("| " + " | ".join(cells) + " |")
            if args.markdown:  # after every pair: a long run that is stopped keeps what it measured
                args.markdown.write_text("\n".join(markdown) + "\n")
    Console(width=160).print(table)
    summary = f"median emu/qemu {statistics.median(ratios):.1f}x, max {max(ratios):.1f}x" if ratios else ""
    print(summary)
    print(
        "\n".join(f"not passing under emu: {r}" for r in regressions) or "every pair qemu passes, emu passes"
    )
    if args.markdown:
        args.markdown.write_text("\n".join([*markdown, "", summary]) + "\n")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
