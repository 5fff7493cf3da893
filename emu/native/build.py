"""Compile emu's small C helpers once per source version, into a per-user cache.

The block counter is C because unicorn calls it for every executed block: a
Python callback there makes the emulator ~100x slower (docs/performance.md); the
timing scoreboard (scoreboard.c) because `--cycles` prices every distinct block. A
compiler is optional: without one, `load()` returns None and callers use the
pure-Python twin, which gives identical results, only slower.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SOURCES = [Path(__file__).with_name(name) for name in ("blockcount.c", "scoreboard.c")]
FLAGS = ["-O2", "-shared", "-fPIC", "-std=c99"]
LIBS = ["-lm"]


def cache_dir() -> Path:
    """`$EMU_CACHE_DIR`, else `$XDG_CACHE_HOME/emu`, else `~/.cache/emu`."""
    if os.environ.get("EMU_CACHE_DIR"):
        return Path(os.environ["EMU_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "emu"


def compiler() -> str | None:
    """The C compiler to use (`$CC`, else cc/gcc/clang on PATH); "" in $CC disables C."""
    if "EMU_NO_CC" in os.environ:
        return None
    wanted = os.environ.get("CC")
    candidates = [wanted] if wanted else ["cc", "gcc", "clang"]
    return next((shutil.which(c) for c in candidates if c and shutil.which(c)), None)


def library_path() -> Path:
    """Where the shared object for the current source and flags lives (keyed by their hash)."""
    sources = b"".join(source.read_bytes() for source in SOURCES)
    digest = hashlib.sha256(sources + " ".join(FLAGS + LIBS).encode()).hexdigest()[:16]
    return cache_dir() / f"blockcount-{digest}.so"


def _compile(cc: str, target: Path) -> bool:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        out = Path(tmp) / target.name
        done = subprocess.run([cc, *FLAGS, "-o", str(out), *map(str, SOURCES), *LIBS], capture_output=True)
        if done.returncode != 0 or not out.exists():
            return False
        os.replace(out, target)  # atomic: concurrent emu processes never see half a file
    return True


@functools.cache
def load() -> ctypes.CDLL | None:
    """The compiled helpers (block counter, scoreboard), built on first use; None if no compiler works."""
    target = library_path()
    if not target.exists():
        cc = compiler()
        if cc is None or not _compile(cc, target):
            return None
    try:
        return _declare(ctypes.CDLL(str(target)))
    except OSError:
        return None


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    vp, u64, u32 = ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32
    signatures = {
        "bc_new": ([], vp),
        "bc_free": ([vp], None),
        "bc_set_callbacks": ([vp, vp, vp], None),
        "bc_set_budget": ([vp, u64], None),
        "bc_short_by": ([vp], u64),
        "bc_short_addr": ([vp], u64),
        "bc_short_size": ([vp], u64),
        "bc_begin_head": ([vp], None),
        "bc_end_head": ([vp], None),
        "bc_executed": ([vp], u64),
        "bc_error": ([vp], ctypes.c_int32),
        "bc_capacity": ([vp], u64),
        "bc_slots": ([vp], vp),
        "bc_set_thread": ([vp, u32], None),
        "bc_add_level": ([vp, u64, u64, u64, u64], ctypes.c_int),
        "bc_level_stats": ([vp, u32, ctypes.POINTER(u64), ctypes.POINTER(u64)], None),
        "sb_block_cost": ([ctypes.c_int] + [vp] * 14 + [ctypes.c_int] * 6, ctypes.c_double),
    }
    for name, (args, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = args, result
    return lib
