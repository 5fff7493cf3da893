"""Value types for command-line options: each checks its value at parse time.

A bad value is argparse's one-line usage error (exit 2) before anything runs,
never a traceback or a failure after a long run (an output file that cannot be
written is found here, not when the report is due).
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

SIZE_UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
MAX_MEM_LIMIT = 1 << 47  # no arch's user address space is larger
MAX_COUNT = (1 << 63) - 1  # instruction budgets and the like reach unicorn as signed 64-bit counts
MAX_SECONDS = 366 * 24 * 3600  # a year: larger deadlines overflow the host's timers
MAX_SEED = (1 << 64) - 1
MAX_ENV_STRING = 128 * 1024  # Linux's MAX_ARG_STRLEN (32 pages of 4 KiB); the loader checks the total


def printable(text: str) -> str:
    """`text` for a one-line message: control characters (a newline, a terminal escape) shown escaped."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _integer(text: str) -> int:
    """A decimal, 0x/0o/0b or `_`-grouped integer."""
    try:
        return int(text.strip(), 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def size(text: str) -> int:
    """A byte count like 512M, 1G, 64k or 0x1000 (1 .. 128 TiB); a fraction of a unit is rounded down."""
    cleaned = text.strip().lower().removesuffix("b").removesuffix("i")
    unit = SIZE_UNITS.get(cleaned[-1:], 1)
    number = cleaned[:-1] if unit > 1 else cleaned
    try:
        value = int(float(number) * unit) if unit > 1 else int(number, 0)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 256M, 1G)") from None
    if not 0 < value <= MAX_MEM_LIMIT:
        raise argparse.ArgumentTypeError(f"{text!r}: must be between 1 byte and {MAX_MEM_LIMIT >> 40}T")
    return value


def integer_between(low: int, high: int) -> Callable[[str], int]:
    """An integer type accepting low..high inclusive."""

    def parse(text: str) -> int:
        value = _integer(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: must be between {low} and {high}")
        return value

    parse.__name__ = f"integer {low}..{high}"
    return parse


count = integer_between(1, MAX_COUNT)  # instructions, quanta: at least one
seed = integer_between(0, MAX_SEED)
thread_id = integer_between(1, (1 << 31) - 1)
cpus = integer_between(1, 8192)  # Linux's largest NR_CPUS


def arch_name(text: str) -> str:
    """One arch name or alias (`emu arches`), checked now; the text is kept as typed."""
    from emu import arch as arches
    from emu.errors import UsageError

    try:
        arches.resolve_name(text)
    except UsageError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def arch_selection(text: str) -> str:
    """`all` or a comma-separated list of arch names: never an empty selection that checks nothing."""
    if text.strip().lower() == "all":
        return text
    names = text.split(",")
    if not all(name.strip() for name in names):
        raise argparse.ArgumentTypeError(
            f"{text!r}: an empty arch name (write `all` or names from `emu arches`, comma-separated)"
        )
    for name in names:
        arch_name(name)
    return text


def port(text: str) -> int:
    """A TCP port, 0-65535; 0 lets the system pick a free one (emu prints it)."""
    value = _integer(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is not in 0-65535")
    return value


def seconds(text: str) -> float:
    """A positive, finite duration in seconds (at most a year)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
        raise argparse.ArgumentTypeError(
            f"{text!r}: must be a positive number of seconds up to {MAX_SECONDS}"
        )
    return value


def output_file(text: str) -> str:
    """A file emu will write: its directory must exist and be writable, and it must not be a directory."""
    path = Path(text)
    if not text or path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: not a file name")
    if path.exists():
        if not os.access(path, os.W_OK):
            raise argparse.ArgumentTypeError(f"{text}: not writable")
        return text
    parent = path.parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: no such directory: {parent}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{text}: directory {parent} is not writable")
    return text


def open_output(option: str, path: str, errors: str = "strict") -> TextIO:
    """The file an output option names (`output_file` checked it at parse time), open for writing.

    A failure now (the directory went away since) is the same one-line error naming the option."""
    from emu.errors import UsageError

    try:
        return open(path, "w", encoding="utf-8", errors=errors)  # noqa: SIM115 - closed by the caller
    except OSError as err:
        raise UsageError(f"argument {option}: {path}: {err.strerror}") from None


def env_pair(text: str) -> str:
    """NAME=VALUE for the guest's environment, each no longer than Linux takes (MAX_ARG_STRLEN)."""
    name, equals, _ = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"needs NAME=VALUE, got {text[:40]!r}")
    if len(text.encode("utf-8", "surrogateescape")) >= MAX_ENV_STRING:
        raise argparse.ArgumentTypeError(
            f"{name[:40]}=...: {len(text)} characters, more than Linux takes in one string (E2BIG)"
        )
    return text
