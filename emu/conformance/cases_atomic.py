"""Atomics: the Go runtime's check() list, the CAS32 sign-extension sweep, byte ops on every lane.

Every target sits between guard words (0xdeddeadbeefbeef, 0xdedbeef, in the
arch's byte order), and every step compares the whole guarded region with the
model, so an atomic that writes the wrong width or the wrong lane is caught.
"""

from __future__ import annotations

from collections.abc import Callable

from emu.conformance import models
from emu.conformance.core import Context, case
from emu.stubs import StubError, int32_pairs

GUARD64 = 0xDEDDEADBEEFBEEF
GUARD32 = 0xDEDBEEF
TARGET = 8  # offset of the target inside the guarded region (8-aligned)

Model = Callable[[bytearray, int], int | None]


class Guarded:
    """A target value between guard words in guest memory, and its model copy."""

    def __init__(self, ctx: Context, initial: bytes, slot: int = 0) -> None:
        arch = ctx.arch
        self.ctx, self.order = ctx, arch.byteorder
        region = arch.pack(GUARD64, 8) + bytes(initial) + arch.pack(GUARD32, 4) + arch.pack(GUARD64, 8)
        self.base = ((ctx.sm.data + 63) & ~63) + 64 * slot
        self.address = self.base + TARGET
        self.expected = bytearray(region)
        self.initial = bytes(initial)
        ctx.sm.write(self.base, region)

    def step(self, stub: str, args: tuple[int, ...], model: Model, budget: int | None = None) -> bool:
        """Call `stub(target, *args)` and compare result and every byte with `model`."""
        ctx = self.ctx
        inputs = (
            f"{stub}(&target, {', '.join(hex(a) for a in args)}) with target bytes "
            f"{self.expected[TARGET : TARGET + len(self.initial)].hex(' ')} at {self.address:#x}"
        )
        got = ctx.call(stub, self.address, *args, inputs=inputs, budget=budget)
        want = model(self.expected, TARGET)
        if got is None or not ctx.expect_memory(stub, inputs, self.base, self.expected):
            return False
        return want is None or ctx.expect_value(stub, inputs, "result", want, got)


def _value(ctx: Context, value: int, size: int) -> bytes:
    return ctx.arch.pack(value, size)


def cas_step(ctx: Context, size: int, stub: str, initial: int, old: int, new: int) -> bool:
    order = ctx.arch.byteorder
    return Guarded(ctx, _value(ctx, initial, size)).step(
        stub, (old, new), lambda m, o: models.cas(m, o, size, old, new, order)
    )


# ---- the Go runtime's check() -------------------------------------------------------------


@case("cas", "check(): 1->2, 4 vs 5, 0xffffffff")
def cas_check(ctx: Context) -> None:
    """old and new in every register form the port's callers use (the arch.toml [stubs] int32)."""
    for initial, old, new in ((1, 1, 2), (4, 5, 6), (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE)):
        for _, old_reg, new_reg in int32_pairs(ctx.arch, old, new):
            cas_step(ctx, 4, "cas", initial, old_reg, new_reg)


@case("casp", "check(): nil/nil, k -> k+1")
def casp_check(ctx: Context) -> None:
    """k = 0xfedcb123 << 10 where pointers are 64-bit, as Go's check() does (32-bit: 0xfedcb123)."""
    word = ctx.arch.word_size
    k = (0xFEDCB123 << (10 if word == 8 else 0)) & ctx.arch.word_mask
    cas_step(ctx, word, "casp", k, 0, 0)
    cas_step(ctx, word, "casp", k, k, k + 1)


@case("atomicor8", "check(): m[1] of {1,1,1,1} |= 0xf0")
def or8_check(ctx: Context) -> None:
    m = Guarded(ctx, bytes([1, 1, 1, 1]))
    m.address += 1  # &m[1]
    m.step("atomicor8", (0xF0,), lambda mem, o: models.or8(mem, o + 1, 0xF0))


@case("cas64", "testAtomic64", covers=("atomicload64", "atomicstore64", "xadd64", "xchg64"))
def test_atomic64(ctx: Context) -> None:
    """Go's testAtomic64, step by step on one guarded 8-aligned uint64."""
    order = ctx.arch.byteorder
    z = Guarded(ctx, _value(ctx, 42, 8))
    steps = [
        ("cas64", (0, 1), lambda m, o: models.cas(m, o, 8, 0, 1, order)),
        ("cas64", (42, 1), lambda m, o: models.cas(m, o, 8, 42, 1, order)),
        ("atomicload64", (), lambda m, o: models.load(m, o, 8, order)),
        ("atomicstore64", ((1 << 40) + 1,), lambda m, o: models.store(m, o, 8, (1 << 40) + 1, order)),
        ("xadd64", ((1 << 40) + 1,), lambda m, o: models.xadd(m, o, 8, (1 << 40) + 1, order)),
        ("xchg64", ((3 << 40) + 3,), lambda m, o: models.xchg(m, o, 8, (3 << 40) + 3, order)),
        ("atomicload64", (), lambda m, o: models.load(m, o, 8, order)),
    ]
    for stub, args, model in steps:
        if not z.step(stub, args, model):
            return  # later steps depend on this one


# ---- sweeps and edges -------------------------------------------------------------------


@case("cas", "sign-extension sweep old 0x7ffffff0..0x80000003")
def cas_sign_sweep(ctx: Context) -> None:
    """Go issues 57282/57331/57332: a sign-extending load compared with a 64-bit compare.

    `old` arrives zero-extended, and again with the upper register half set
    (on 64-bit registers): only the low 32 bits may matter.
    """
    upper = ctx.arch.word_mask ^ 0xFFFFFFFF
    for i in range(0x7FFFFFF0, 0x80000004):
        new = (i + 1) & 0xFFFFFFFF
        cas_step(ctx, 4, "cas", i, i, new)
        cas_step(ctx, 4, "cas", i, i | upper, new)
        cas_step(ctx, 4, "cas", i, new, 0)


@case("cas64", "64-bit compare: halves")
def cas64_halves(ctx: Context) -> None:
    cas_step(ctx, 8, "cas64", (1 << 32) | 5, 5, 9)
    cas_step(ctx, 8, "cas64", 5, (1 << 32) | 5, 9)
    cas_step(ctx, 8, "cas64", 0xFFFFFFFF_FFFFFFFF, 0xFFFFFFFF_FFFFFFFF, 0x80000000_00000001)


def _bound(
    model: Callable[[bytearray, int, int, int, models.ByteOrder], int | None],
    size: int,
    operand: int,
    order: models.ByteOrder,
) -> Model:
    """`model(mem, offset, size, operand, order)` with all but the memory fixed, as Guarded.step wants."""
    return lambda m, o: model(m, o, size, operand, order)


def _rmw_case(ctx: Context, stub: str, size: int, op: str, pairs: list[tuple[int, int]]) -> None:
    order = ctx.arch.byteorder
    model = {"xadd": models.xadd, "xchg": models.xchg}[op]
    for initial, arg in pairs:
        Guarded(ctx, _value(ctx, initial, size)).step(stub, (arg,), _bound(model, size, arg, order))


EDGES32 = [(0, 1), (0xFFFFFFFF, 1), (0x7FFFFFFF, 1), (5, 0xFFFFFFFF), (0x80000000, 0x80000000)]
EDGES64 = [(0, 1), (0xFFFFFFFF, 1), ((1 << 64) - 1, 1), (5, (1 << 64) - 1), (1 << 40, 1 << 40)]


@case("xadd", "edges: wrap, carry out of bit 31, negative delta")
def xadd_edges(ctx: Context) -> None:
    _rmw_case(ctx, "xadd", 4, "xadd", EDGES32)


@case("xadd64", "edges: carry between words, wrap")
def xadd64_edges(ctx: Context) -> None:
    _rmw_case(ctx, "xadd64", 8, "xadd", EDGES64)


@case("xchg", "edges")
def xchg_edges(ctx: Context) -> None:
    _rmw_case(ctx, "xchg", 4, "xchg", EDGES32)


@case("xchg64", "edges")
def xchg64_edges(ctx: Context) -> None:
    _rmw_case(ctx, "xchg64", 8, "xchg", EDGES64)


@case("xchgp", "pointer-sized")
def xchgp_edges(ctx: Context) -> None:
    mask = ctx.arch.word_mask
    _rmw_case(ctx, "xchgp", ctx.arch.word_size, "xchg", [(a & mask, b & mask) for a, b in EDGES64])


def _load_store(ctx: Context, size: int, load: str, store: str, values: list[int]) -> None:
    order = ctx.arch.byteorder
    for value in values:
        Guarded(ctx, _value(ctx, value, size)).step(load, (), lambda m, o: models.load(m, o, size, order))
        Guarded(ctx, _value(ctx, ~value, size)).step(
            store, (value,), _bound(models.store, size, value, order)
        )


@case("atomicload", "values (zero-extended)", covers=("atomicstore",))
def load_store32(ctx: Context) -> None:
    _load_store(ctx, 4, "atomicload", "atomicstore", [0, 1, 0x80000000, 0xFFFFFFFF, 0x01234567])


@case("atomicload64", "values", covers=("atomicstore64",))
def load_store64(ctx: Context) -> None:
    _load_store(
        ctx, 8, "atomicload64", "atomicstore64", [0, 1, 0x80000000, 0xFFFFFFFF_FFFFFFFF, 0x0123456789ABCDEF]
    )


@case("atomicstore", "values")
def store32(ctx: Context) -> None:
    _load_store(ctx, 4, "atomicload", "atomicstore", [0x80000001, 0xFEDCBA98])


@case("atomicstore64", "values")
def store64(ctx: Context) -> None:
    _load_store(ctx, 8, "atomicload64", "atomicstore64", [0x80000001_00000002, 0xFEDCBA98_76543210])


@case("atomicloadp", "pointer-sized", covers=("atomicstorep",))
def load_store_pointer(ctx: Context) -> None:
    mask = ctx.arch.word_mask
    values = [v & mask for v in (0, 0xFEDCB123 << 10, 0x80000000_00000001, 0xFFFFFFFF_FFFFFFFF)]
    _load_store(ctx, ctx.arch.word_size, "atomicloadp", "atomicstorep", values)


@case("atomicstorep", "pointer-sized")
def store_pointer(ctx: Context) -> None:
    _load_store(ctx, ctx.arch.word_size, "atomicloadp", "atomicstorep", [0x12345678 & ctx.arch.word_mask])


# ---- byte atomics on every lane ----------------------------------------------------------


def byte_op_check(ctx: Context, stub: str, index: int, initial: bytes, value: int) -> bool:
    """`stub(&area[index], value)` on an aligned 8-byte area; only area[index] may change.

    The upper register bits of `value` are garbage on purpose: the stubs use only the low 8.
    """
    model = {"atomicor8": models.or8, "atomicand8": models.and8}[stub]
    area = Guarded(ctx, initial)
    area.address += index
    return area.step(stub, (value,), lambda m, o: model(m, o + index, value))


def _byte_sweep(ctx: Context, stub: str) -> None:
    rounds = 64 if ctx.full else 8
    for index in range(8):
        for _ in range(rounds):
            initial = ctx.rng.randbytes(8)
            value = ctx.rng.getrandbits(ctx.arch.bits)
            byte_op_check(ctx, stub, index, initial, value)


@case("atomicor8", "every byte index 0..7, random values")
def or8_lanes(ctx: Context) -> None:
    _byte_sweep(ctx, "atomicor8")


@case("atomicand8", "every byte index 0..7, random values")
def and8_lanes(ctx: Context) -> None:
    _byte_sweep(ctx, "atomicand8")


# ---- procyield ----------------------------------------------------------------------------


@case("procyield", "returns; n taken as uint32")
def procyield_returns(ctx: Context) -> None:
    """A stub that used the whole register for n would run past the budget."""
    for n, budget in ((0, 100), (1, 100), (1000, 20_000), ((1 << 32) | 3, 200)):
        result = ctx.call("procyield", n & ctx.arch.word_mask, budget=budget, inputs=f"procyield({n:#x})")
        if result is not None:
            ctx.result.checks += 1


UNALIGNED_64 = (
    ("cas64", (0, 1)),
    ("xadd64", (1,)),
    ("xchg64", (1,)),
    ("atomicload64", ()),
    ("atomicstore64", (1,)),
)


@case(
    "cas64",
    "64-bit atomics on a 4-aligned pointer trap",
    covers=("xadd64", "xchg64", "atomicload64", "atomicstore64"),
    bits=32,
)
def unaligned_64bit_atomics_trap(ctx: Context) -> None:
    """Go requires 8-byte alignment for 64-bit atomics on 32-bit arches; the stubs check it
    (arm: `udf`, so SIGILL) rather than tear the value, and memory stays untouched."""
    base = (ctx.sm.data + 63) & ~63
    original = bytes(range(16))
    ctx.sm.write(base, original)
    for stub, args in UNALIGNED_64:
        inputs = f"{stub}({base + 4:#x}, {', '.join(hex(a) for a in args)}): pointer = 4 mod 8"
        try:
            ctx.sm.call(stub, base + 4, *args)
            ctx.fail(stub, inputs, "returned instead of trapping on an unaligned 64-bit atomic")
        except StubError as err:
            if "SIGILL" in str(err):
                ctx.result.checks += 1
            else:
                ctx.fail(stub, inputs, f"expected SIGILL, got: {err}")
        ctx.expect_memory(stub, inputs, base, original)
