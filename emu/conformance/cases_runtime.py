"""gosave/gogo round trips and the syscall wrappers (through emu's real kernel).

The gobuf layout and the g/ctxt registers come from runtime_asm/README.md and
the arch.toml [stubs] table; nothing here knows an arch by name.
"""

from __future__ import annotations

from emu.conformance.cases_atomic import Guarded
from emu.conformance.core import Context, Pending, case
from emu.kernel import signed
from emu.kernel.abi import FUTEX_PRIVATE_FLAG, MAP_ANONYMOUS, MAP_PRIVATE, Errno, Futex, Prot
from emu.stubs import StubError, StubMachine

SP, PC, G, CTXT, RET, LR = range(6)  # gobuf fields, in words
PROT_RW = Prot.PROT_READ | Prot.PROT_WRITE
FUTEX_WAIT, FUTEX_WAKE, FUTEX_PRIVATE = Futex.FUTEX_WAIT, Futex.FUTEX_WAKE, FUTEX_PRIVATE_FLAG
MADV_DONTNEED = 4


def _gobuf(ctx: Context, fields: list[int]) -> bytes:
    return b"".join(ctx.arch.pack(value) for value in fields)


def _field(ctx: Context, buf: Guarded, index: int) -> int:
    word = ctx.arch.word_size
    return ctx.sm.read_int(buf.address + index * word, word)


def _lr_value(ctx: Context, value: int) -> int:
    """What the gobuf's lr slot holds: the link register where the arch has one, else 0."""
    return value if ctx.arch.call.return_via == "lr" else 0


def _expect_registers(ctx: Context, stub: str, inputs: str, wanted: dict[str, int]) -> None:
    for register, value in wanted.items():
        ctx.expect_value(stub, inputs, f"register {register}", value, ctx.sm.regs[register])


@case("gosave", "saves sp, pc, g, lr; clears ctxt and ret")
def gosave_fields(ctx: Context) -> None:
    sm, mask = ctx.sm, ctx.arch.word_mask
    g = 0x5A5A5A5A12345678 & mask
    sm.regs[sm.abi.g] = g
    buf = Guarded(ctx, b"\xa5" * 6 * ctx.arch.word_size)
    fields = [sm.call_sp, sm.sentinel, g, 0, 0, _lr_value(ctx, sm.sentinel)]

    def model(mem: bytearray, offset: int) -> int:
        mem[offset : offset + len(buf.initial)] = _gobuf(ctx, fields)
        return 0

    buf.step("gosave", (), model)


@case("gogo", "loads sp, g, ctxt, ret, lr and jumps to pc")
def gogo_fields(ctx: Context) -> None:
    sm, arch, mask = ctx.sm, ctx.arch, ctx.arch.word_mask
    values = {
        "sp": (sm.call_sp - 1024) & ~0xF,
        "g": 0x0BADC0DE0000F00D & mask,
        "ctxt": 0x0C0FFEE000000C7C & mask,
        "ret": 0x7E7E0000000000AB & mask,
        "lr": 0x4242 & mask,
    }
    fields = [values["sp"], sm.sentinel, values["g"], values["ctxt"], values["ret"], values["lr"]]
    buf = Guarded(ctx, _gobuf(ctx, fields))
    inputs = (
        "gogo(&gobuf{" + ", ".join(f"{k}={v:#x}" for k, v in values.items()) + f", pc={sm.sentinel:#x}}})"
    )
    if not buf.step("gogo", (), lambda mem, offset: None):  # the gobuf must not change
        return
    wanted = {
        arch.sp: values["sp"],
        sm.abi.g: values["g"],
        sm.abi.ctxt: values["ctxt"],
        arch.call.result: values["ret"],
    }
    if arch.lr:
        wanted[arch.lr] = values["lr"]
    _expect_registers(ctx, "gogo", inputs, wanted)


@case("gogo", "round trip: gosave, then gogo returns from gosave again with ret", covers=("gosave",))
def gosave_gogo_round_trip(ctx: Context) -> None:
    sm, arch, word = ctx.sm, ctx.arch, ctx.arch.word_size
    g = 0x6060606006060606 & arch.word_mask
    sm.regs[sm.abi.g] = g
    buf = Guarded(ctx, bytes(6 * word))
    if not ctx.expect_value(
        "gosave", "gosave(&gobuf) first return", "result", 0, ctx.call("gosave", buf.address)
    ):
        return
    sm.write_int(buf.address + RET * word, 7, word)
    sm.regs[sm.abi.g] = 0
    try:
        sm.set_args("gogo", ("w",), (buf.address,))
        sm.enter("gogo", sp=sm.call_sp - 4096)  # gogo from a different stack
        sm.run_to_sentinel("gogo", sm.budget)
    except StubError as err:
        ctx.fail("gogo", "gogo(&gobuf saved by gosave, ret=7)", str(err), crashed=True)
        return
    inputs = "gosave(&gobuf); gobuf.ret = 7; gogo(&gobuf) from another stack"
    _expect_registers(ctx, "gogo", inputs, {arch.call.result: 7, arch.sp: sm.call_sp, sm.abi.g: g})


# ---- syscall wrappers -------------------------------------------------------------------


def _syscall(ctx: Context, stub: str, *args: int) -> int | None:
    """The wrapper's result as a signed C long; ENOSYS means emu's kernel lacks it: pending."""
    raw = ctx.call(stub, *args)
    if raw is None:
        return None
    result = signed(raw, ctx.arch.bits)
    if result == -Errno.ENOSYS:
        raise Pending(f"emu's kernel does not implement the syscall behind {stub} yet")
    return result


def _expect_errno(ctx: Context, stub: str, inputs: str, result: int | None, code: int) -> None:
    if result is not None:
        ctx.expect_value(stub, inputs, f"result (-{Errno.name_of(code)})", -code, result)


@case("sys_gettid", "the calling thread's id")
def gettid(ctx: Context) -> None:
    ctx.expect_value("sys_gettid", "sys_gettid()", "tid", ctx.sm.thread.tid, _syscall(ctx, "sys_gettid"))


@case("sys_write", "-EBADF on a bad fd (negative errno on every arch); 0 bytes -> 0")
def write_errors(ctx: Context) -> None:
    data = ctx.sm.data
    _expect_errno(
        ctx, "sys_write", "sys_write(99, buf, 1)", _syscall(ctx, "sys_write", 99, data, 1), Errno.EBADF
    )
    ctx.expect_value("sys_write", "sys_write(1, buf, 0)", "result", 0, _syscall(ctx, "sys_write", 1, data, 0))


def _mmap_page(ctx: Context) -> int | None:
    page = ctx.arch.page_size
    address = _syscall(
        ctx, "sys_mmap", 0, page, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1 & ctx.arch.word_mask, 0
    )
    inputs = f"sys_mmap(0, {page:#x}, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
    if address is None:
        return None
    if address < 0 or address % page:
        ctx.fail("sys_mmap", inputs, f"expected a page-aligned address, got {address:#x}")
        return None
    ctx.result.checks += 1
    return address


@case("sys_mmap", "anonymous page: usable, zeroed; munmap; errors", covers=("sys_munmap",))
def mmap_munmap(ctx: Context) -> None:
    sm, page = ctx.sm, ctx.arch.page_size
    address = _mmap_page(ctx)
    if address is None:
        return
    ctx.expect_memory("sys_mmap", f"the new page at {address:#x}", address, bytes(64))
    sm.write(address, b"written")
    ctx.expect_memory("sys_mmap", f"write to the page at {address:#x}", address, b"written")
    ctx.expect_value(
        "sys_munmap",
        f"sys_munmap({address:#x}, {page:#x})",
        "result",
        0,
        _syscall(ctx, "sys_munmap", address, page),
    )
    _expect_errno(
        ctx,
        "sys_munmap",
        "sys_munmap(1, page) (unaligned)",
        _syscall(ctx, "sys_munmap", 1, page),
        Errno.EINVAL,
    )


@case("sys_mincore", "mapped page resident; unmapped -> -ENOMEM", covers=("sys_mmap", "sys_munmap"))
def mincore(ctx: Context) -> None:
    sm, page = ctx.sm, ctx.arch.page_size
    address = _mmap_page(ctx)
    if address is None:
        return
    vec = sm.data
    sm.write(vec, b"\xfe")
    result = _syscall(ctx, "sys_mincore", address, page, vec)
    inputs = f"sys_mincore({address:#x}, {page:#x}, vec)"
    if ctx.expect_value("sys_mincore", inputs, "result", 0, result):
        ctx.expect_value("sys_mincore", inputs, "vec[0] & 1", 1, sm.read(vec, 1)[0] & 1)
    _syscall(ctx, "sys_munmap", address, page)
    _expect_errno(
        ctx,
        "sys_mincore",
        inputs + " after munmap",
        _syscall(ctx, "sys_mincore", address, page, vec),
        Errno.ENOMEM,
    )


@case("sys_madvise", "MADV_DONTNEED on a mapped page -> 0", covers=("sys_mmap",))
def madvise(ctx: Context) -> None:
    page = ctx.arch.page_size
    address = _mmap_page(ctx)
    if address is not None:
        ctx.expect_value(
            "sys_madvise",
            f"sys_madvise({address:#x}, {page:#x}, MADV_DONTNEED)",
            "result",
            0,
            _syscall(ctx, "sys_madvise", address, page, MADV_DONTNEED),
        )


@case("sys_futex", "wake with no waiter -> 0; wait on a changed value -> -EAGAIN")
def futex(ctx: Context) -> None:
    word = ctx.sm.data
    ctx.sm.write_int(word, 5, 4)
    op_wake, op_wait = FUTEX_WAKE | FUTEX_PRIVATE, FUTEX_WAIT | FUTEX_PRIVATE
    ctx.expect_value(
        "sys_futex",
        "futex(&w=5, FUTEX_WAKE_PRIVATE, 1)",
        "woken",
        0,
        _syscall(ctx, "sys_futex", word, op_wake, 1, 0, 0, 0),
    )
    _expect_errno(
        ctx,
        "sys_futex",
        "futex(&w=5, FUTEX_WAIT_PRIVATE, 4, NULL)",
        _syscall(ctx, "sys_futex", word, op_wait, 4, 0, 0, 0),
        Errno.EAGAIN,
    )


@case("sys_exit_group", "ends the guest with the status")
def exit_group(ctx: Context) -> None:
    """On a machine of its own: the process is over afterwards."""
    sm = StubMachine(ctx.arch, ctx.sm.user)
    try:
        sm.call("sys_exit_group", 3)
    except StubError as err:
        ctx.expect_value("sys_exit_group", "sys_exit_group(3)", "exit status", 3, sm.machine.stop.exit_status)
        if sm.machine.stop.exit_status is None:
            ctx.fail("sys_exit_group", "sys_exit_group(3)", str(err), crashed=True)
        return
    ctx.fail("sys_exit_group", "sys_exit_group(3)", "returned instead of ending the guest")
