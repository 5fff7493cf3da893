"""`--cache L1=32K/8/64,L2=256K/4/64`: cache geometry from the user, miss costs from the model."""

from __future__ import annotations

from emu.errors import UsageError
from emu.native.counter import CacheLevel
from emu.timing.model import CpuModel

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20}
MAX_CACHE_SIZE = 256 << 20  # the simulated tags cost host memory; no real cache level is larger


def _bytes(text: str) -> int:
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = text[-1] if text and text[-1] in "KM" else ""
    return int(text[: len(text) - len(unit)]) * _UNITS[unit]


def parse_cache(spec: str, model: CpuModel) -> list[CacheLevel]:
    """Levels in order; a miss at one level costs (next level's latency - this level's)."""
    geometry: list[tuple[str, int, int, int]] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            name, shape = part.split("=")
            size_text, ways_text, line_text = shape.split("/")
            geometry.append((name.strip().upper(), _bytes(size_text), int(ways_text), _bytes(line_text)))
        except ValueError:
            raise UsageError(f"--cache: cannot read '{part}' (want e.g. L1=32K/8/64)") from None
    latency = model.cache_latency
    levels = []
    for index, (name, size, ways, line) in enumerate(geometry):
        below = geometry[index + 1][0] if index + 1 < len(geometry) else "memory"
        if name not in latency or below not in latency:
            raise UsageError(f"--cache: {model.name} has latencies for {', '.join(latency)}, not {name}")
        if min(size, ways, line) <= 0 or size > MAX_CACHE_SIZE or line & (line - 1) or size % (ways * line):
            raise UsageError(f"--cache: {part_text(name, size, ways, line)} is not a valid geometry")
        levels.append(CacheLevel(name, size, ways, line, latency[below] - latency[name]))
    return levels


def part_text(name: str, size: int, ways: int, line: int) -> str:
    return f"{name}={size}/{ways}/{line}"
