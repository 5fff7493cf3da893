"""memmove and memclr: every length at every alignment, with guard bytes around the target.

Each call writes a whole region (targets plus GUARD bytes of random data on
both sides), runs the stub, reads the whole region back and compares it with
the model, so a stray byte anywhere near the target is caught.
"""

from __future__ import annotations

from emu.conformance import models
from emu.conformance.core import Context, case
from emu.stubs import StubError

GUARD = 32
MAX_MOVE = 256
MAX_CLEAR = 511
ALL_OFFSETS = tuple(range(16))
QUICK_OFFSETS = (0, 1, 3, 4, 7, 8, 13, 15)  # every residue class mod 4 and both mod-8 halves
LARGE = (1 << 20) + 5
LARGE_BUDGET = 20 * LARGE  # a bytewise copy takes about 6 instructions a byte
SENTINEL = 0xEE


def _base(ctx: Context) -> int:
    return (ctx.sm.data + 63) & ~63


def _offsets(ctx: Context) -> tuple[int, ...]:
    return ALL_OFFSETS if ctx.full else QUICK_OFFSETS


def _move_sweep(ctx: Context, layout: str) -> None:
    """Every n in 0..256 at every (src, dst) offset pair, placed as `layout` says.

    dst-above: dst = src + 16 + (d - s) (the stub must copy backward);
    dst-below: src = dst + 16 + (s - d) (forward); disjoint: separate buffers.
    """
    base = _base(ctx)
    span = 2 * GUARD + 32 + MAX_MOVE
    size = 2 * span if layout == "disjoint" else span
    initial = bytes(ctx.rng.randbytes(size))
    placements = {
        "dst-above": lambda s, d: (GUARD + s, GUARD + 16 + d),
        "dst-below": lambda s, d: (GUARD + 16 + s, GUARD + d),
        "disjoint": lambda s, d: (GUARD + s, span + GUARD + d),
    }[layout]
    offsets = _offsets(ctx)
    for n in range(MAX_MOVE + 1):
        for s in offsets:
            for d in offsets:
                src, dst = placements(s, d)
                _one_move(ctx, base, initial, src, dst, n, f"src offset {s}, dst offset {d}, {layout}")


def _one_move(
    ctx: Context, base: int, initial: bytes, src: int, dst: int, n: int, where: str, budget: int | None = None
) -> None:
    """The fast path: one write, one call, one read; build messages only on failure."""
    sm = ctx.sm
    expected = bytearray(initial)
    models.memmove(expected, dst, src, n)
    sm.write(base, initial)
    inputs = f"memmove(dst=base+{dst}, src=base+{src}, n={n}) [{where}], base={base:#x}"
    try:
        result = sm.call("memmove", base + dst, base + src, n, budget=budget)
    except StubError as err:
        ctx.fail("memmove", inputs, str(err), crashed=True)
        return
    actual = sm.read(base, len(initial))
    if actual != expected:
        ctx.fail("memmove", inputs, "memory differs from the reference model", base, bytes(expected), actual)
    elif result != base + dst:
        ctx.fail("memmove", inputs, f"result: expected dst {base + dst:#x}, got {result:#x}")
    else:
        ctx.result.checks += 1


@case("memmove", "overlap dst above src (backward)")
def memmove_dst_above(ctx: Context) -> None:
    _move_sweep(ctx, "dst-above")


@case("memmove", "overlap dst below src (forward)")
def memmove_dst_below(ctx: Context) -> None:
    _move_sweep(ctx, "dst-below")


@case("memmove", "disjoint")
def memmove_disjoint(ctx: Context) -> None:
    _move_sweep(ctx, "disjoint")


@case("memmove", "large (1 MiB+)")
def memmove_large(ctx: Context) -> None:
    """1 MiB+5 bytes forward and backward over themselves, word-aligned and not, and disjoint."""
    base = _base(ctx)
    initial = bytes(ctx.rng.randbytes(2 * LARGE + 4 * GUARD))
    moves = {
        "forward, distance 24": (GUARD + 24, GUARD),
        "backward, distance 24": (GUARD, GUARD + 24),
        "forward, distance 13": (GUARD + 13, GUARD),
        "backward, distance 13": (GUARD, GUARD + 13),
        "disjoint": (GUARD + 3, LARGE + 3 * GUARD),
    }
    for where, (src, dst) in moves.items():
        _one_move(ctx, base, initial, src, dst, LARGE, where, budget=LARGE_BUDGET)


@case("memclr", "every length 0..511 at every offset 0..15")
def memclr_sweep(ctx: Context) -> None:
    """Always the full sweep: memclr calls are cheap (8192 of them)."""
    sm, base = ctx.sm, _base(ctx)
    region = bytes([SENTINEL]) * (2 * GUARD + 16 + MAX_CLEAR)
    for offset in ALL_OFFSETS:
        for n in range(MAX_CLEAR + 1):
            expected = bytearray(region)
            models.memclr(expected, GUARD + offset, n)
            sm.write(base, region)
            inputs = f"memclr(ptr=base+{GUARD + offset}, n={n}) [offset {offset}], base={base:#x}"
            if ctx.call("memclr", base + GUARD + offset, n, inputs=inputs) is not None:
                ctx.expect_memory("memclr", inputs, base, expected)
