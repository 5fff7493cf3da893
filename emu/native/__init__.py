"""Native helpers: the C block counter (with its pure-Python twin) and block decoding."""

from emu.native.counter import BlockCounter, BlockStats, CacheLevel

__all__ = ["BlockCounter", "BlockStats", "CacheLevel"]
