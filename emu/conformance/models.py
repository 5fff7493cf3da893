"""Reference models: what each stub must do to memory, written as plain Python on a bytearray.

The models are deliberately naive (slices and int.from_bytes) so that they are
obviously right; every case compares the guest's bytes with a model's bytes.
`order` is "little" or "big": the arch's byte order.
"""

from __future__ import annotations

from typing import Literal

ByteOrder = Literal["little", "big"]


def memmove(mem: bytearray, dst: int, src: int, n: int) -> int:
    """Python slice assignment copies the source first, so overlap is always safe."""
    mem[dst : dst + n] = mem[src : src + n]
    return dst


def memclr(mem: bytearray, ptr: int, n: int) -> None:
    mem[ptr : ptr + n] = bytes(n)


def load(mem: bytearray, offset: int, size: int, order: ByteOrder) -> int:
    return int.from_bytes(mem[offset : offset + size], order)


def store(mem: bytearray, offset: int, size: int, value: int, order: ByteOrder) -> None:
    mem[offset : offset + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, order)


def cas(mem: bytearray, offset: int, size: int, old: int, new: int, order: ByteOrder) -> int:
    """Compare only `size` bytes' worth of `old`: the upper register bits must not matter."""
    mask = (1 << (8 * size)) - 1
    if load(mem, offset, size, order) != old & mask:
        return 0
    store(mem, offset, size, new, order)
    return 1


def xadd(mem: bytearray, offset: int, size: int, delta: int, order: ByteOrder) -> int:
    value = (load(mem, offset, size, order) + delta) & ((1 << (8 * size)) - 1)
    store(mem, offset, size, value, order)
    return value


def xchg(mem: bytearray, offset: int, size: int, new: int, order: ByteOrder) -> int:
    old = load(mem, offset, size, order)
    store(mem, offset, size, new, order)
    return old


def or8(mem: bytearray, offset: int, value: int) -> None:
    """Only the low 8 bits of the value are used; the byte is addressed, not a word's lane."""
    mem[offset] |= value & 0xFF


def and8(mem: bytearray, offset: int, value: int) -> None:
    mem[offset] &= value & 0xFF
