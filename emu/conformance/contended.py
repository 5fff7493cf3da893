"""Contended cases: 2-8 real guest threads (clone + futex join) hammering one target.

The guest is the stubs plus a small per-arch driver (runtime_asm/contended.s in the arch folder) whose
`contend_main(table)` clones one thread per job; each thread calls a stub
`count` times on `a0 + i*step`. It runs through Machine.run(), i.e. emu's
scheduler, with a seeded slice length so preemption lands on different
instructions per seed; each case runs a fixed list of seeds, so the suite is
deterministic. Results are checked exactly, guards included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emu.conformance.cases_atomic import GUARD32, GUARD64
from emu.conformance.core import Context, case
from emu.errors import EmuError
from emu.options import RunOptions
from emu.stubs import StubMachine

STACK_SIZE = 0x4000
TABLE, TARGET, STACKS = 0x0, 0x1000, 0x10000  # offsets in the scratch area
QUANTA = (37, 64, 101, 250)  # short slices: many preemptions, at varied instructions
MAX_INSNS = 20_000_000


@dataclass
class Job:
    stub: str
    a0: int
    step: int
    a1: int
    count: int


WEAK_SCALE = 3  # a weak memory model costs ~5x per instruction: the quick suite makes fewer calls


def seeds(ctx: Context) -> list[int]:
    return [ctx.seed * 1000 + i for i in range(16 if ctx.full else 4)]


def calls(ctx: Context, count: int) -> int:
    """Calls per thread: `count`, or a third of it in the quick suite under a weak memory model
    (the model's stale reads and lost reservations make each call contend harder anyway)."""
    return count if ctx.full or ctx.memory_model == "sc" else count // WEAK_SCALE


def run_threads(ctx: Context, seed: int, jobs: list[Job], target: bytes) -> tuple[StubMachine, int] | None:
    """Run `jobs` on their own threads over `target` (written at TARGET); the machine, or None."""
    arch = ctx.arch
    quantum = QUANTA[seed % len(QUANTA)]
    options = RunOptions(seed=seed, quantum=quantum, max_insns=MAX_INSNS, memory_model=ctx.memory_model)
    driver = arch.file("runtime_asm/contended.s")
    sm = StubMachine(arch, ctx.sm.user, options, extra=driver)
    base = sm.data
    sm.write(base + TARGET, target)
    sm.write(base + TABLE, _table(sm, jobs))
    sm.regs[arch.call.args[0]] = base + TABLE
    sm.enter("contend_main")
    sm.thread.context = sm.uc.context_save()
    inputs = (
        f"{len(jobs)} threads, seed {seed}, quantum {quantum}: "
        + ", ".join(f"{j.stub} x{j.count}" for j in jobs[:2])
        + (", ..." if len(jobs) > 2 else "")
    )
    try:
        status = sm.machine.run()
    except EmuError as err:
        ctx.fail(jobs[0].stub, inputs, f"the threaded guest died: {err}", crashed=True)
        return None
    if status != 0:
        ctx.fail(jobs[0].stub, inputs, f"the threaded guest exited with status {status}")
        return None
    return sm, base + TARGET


def _table(sm: StubMachine, jobs: list[Job]) -> bytes:
    """The job table contend_main reads: [n] then 8 words per job (see runtime_asm/contended.s)."""
    arch, words = sm.arch, [len(jobs)]
    for index, job in enumerate(jobs):
        top = sm.data + STACKS + (index + 1) * STACK_SIZE - 256
        words += [sm.address(job.stub), job.a0, job.step, job.a1, job.count, 0, top, 0]
    return b"".join(arch.pack(word) for word in words)


def guarded(ctx: Context, payload: bytes) -> bytes:
    arch = ctx.arch
    return arch.pack(GUARD64, 8) + payload + arch.pack(GUARD32, 4) + arch.pack(GUARD64, 8)


def _check(ctx: Context, stub: str, run: tuple[StubMachine, int] | None, expected: bytes, what: str) -> None:
    """Compare the threaded machine's bytes (not the suite's machine) with the model."""
    if run is None:
        return
    sm, address = run
    actual = sm.read(address, len(expected))
    if actual == expected:
        ctx.result.checks += 1
    else:
        ctx.fail(stub, what, "memory differs from the reference model", address, expected, actual)


# ---- the cases ---------------------------------------------------------------------------


@case("xadd", "contended: 2-8 threads, exact total", covers=("sys_clone", "sys_futex", "sys_exit"))
def xadd_hammer(ctx: Context) -> None:
    for seed in seeds(ctx):
        threads = 2 + seed % 7
        jobs = [Job("xadd", 0, 0, t + 1, calls(ctx, 300)) for t in range(threads)]
        total = sum(job.a1 * job.count for job in jobs)
        _counter_case(ctx, "xadd", seed, jobs, total)


@case("cas", "contended: cas-based counter, 2-8 threads", covers=("atomicload",))
def cas_counter(ctx: Context) -> None:
    for seed in seeds(ctx):
        threads = 2 + (seed * 3) % 7
        jobs = [Job("cas_increment", 0, 0, 0, calls(ctx, 200)) for _ in range(threads)]
        _counter_case(ctx, "cas", seed, jobs, threads * jobs[0].count)


def _counter_case(ctx: Context, stub: str, seed: int, jobs: list[Job], total: int) -> None:
    target = guarded(ctx, ctx.arch.pack(0, 4))
    address = ctx.sm.data + TARGET + 8  # where run_threads puts the counter
    for job in jobs:
        job.a0 = address
    expected = guarded(ctx, ctx.arch.pack(total, 4))
    what = f"{len(jobs)} threads x {jobs[0].count} {stub} on one counter, seed {seed}: total {total:#x}"
    _check(ctx, stub, run_threads(ctx, seed, jobs, target), expected, what)


def _byte_case(ctx: Context, stub: str, initial: int, final: int, value: Callable[[int], int]) -> None:
    """8 threads, one bit each, over every byte of a shared array at a seed-chosen alignment;
    `value(bit)` is thread `bit`'s operand."""
    length = calls(ctx, 96)
    for seed in seeds(ctx):
        skew = seed % 8
        payload = bytes([0x5A] * skew) + bytes([initial] * length) + bytes([0x5A] * (8 - skew))
        start = ctx.sm.data + TARGET + 8 + skew
        jobs = [Job(stub, start, 1, value(bit), length) for bit in range(8)]
        expected = bytes([0x5A] * skew) + bytes([final] * length) + bytes([0x5A] * (8 - skew))
        what = (
            f"8 threads, thread t does {stub}(&a[i], {value(0):#x} << t) for all i, {length} bytes at +{skew}"
        )
        _check(
            ctx,
            stub,
            run_threads(ctx, seed, jobs, guarded(ctx, payload)),
            guarded(ctx, expected),
            what + f", seed {seed}",
        )


@case("atomicor8", "contended: 8 threads set one bit each in every byte")
def or8_contended(ctx: Context) -> None:
    _byte_case(ctx, "atomicor8", 0x00, 0xFF, lambda bit: 1 << bit)


@case("atomicand8", "contended: 8 threads clear one bit each in every byte")
def and8_contended(ctx: Context) -> None:
    _byte_case(ctx, "atomicand8", 0xFF, 0x00, lambda bit: 0xFF ^ (1 << bit))


# ---- message passing: a missing barrier shows under the weak memory models -----------------

MESSAGE_ROUNDS = 120  # messages the publisher sends; each observer looks as many times
OBSERVERS = 2
LOGS = 0x4000  # observer k logs (flag, data) pairs at LOGS + k * 0x1000
DATA_OFFSET = 64  # the data word, after the flag word (guest/*.s: mp_*)


@case("atomicstore", "contended: message passing, data then atomicstore(flag)", covers=("atomicload",))
def message_passing_store(ctx: Context) -> None:
    _message_case(ctx, "atomicstore", "mp_publish_store")


@case("cas", "contended: message passing, data then cas(flag)", covers=("atomicload",))
def message_passing_cas(ctx: Context) -> None:
    _message_case(ctx, "cas", "mp_publish_cas")


def _message_case(ctx: Context, stub: str, publisher: str) -> None:
    """One thread stores data n, then publishes n in the flag word with `stub`; observers read
    the flag with atomicload, then the data with a plain load. An observer that sees flag n
    must see data >= n: on POWER and ARM only if `stub` has its release barrier (and
    atomicload its acquire one). The Go runtime relies on exactly this (a channel's buffer
    slot, then its count). Under `sc` nothing can be reordered, so this checks the model."""
    message = ctx.sm.data + TARGET + 8
    for seed in seeds(ctx):
        jobs = [Job(publisher, message, 0, 0, MESSAGE_ROUNDS)]
        jobs += [
            Job("mp_observe", ctx.sm.data + LOGS + k * 0x1000, 8, message, MESSAGE_ROUNDS)
            for k in range(OBSERVERS)
        ]
        what = (
            f"1 thread publishes data n then {stub}(&flag, n) for n = 1..{MESSAGE_ROUNDS}; "
            f"{OBSERVERS} observe atomicload(&flag), then data; seed {seed}, model {ctx.memory_model}"
        )
        run = run_threads(ctx, seed, jobs, bytes(2 * DATA_OFFSET))
        if run is not None:
            _check_messages(ctx, stub, run[0], what)


def _check_messages(ctx: Context, stub: str, sm: StubMachine, what: str) -> None:
    arch, message = ctx.arch, ctx.sm.data + TARGET + 8
    final = (sm.read_int(message, 4), sm.read_int(message + DATA_OFFSET, 4))
    if final != (MESSAGE_ROUNDS, MESSAGE_ROUNDS):
        ctx.fail(stub, what, f"after the run flag, data = {final}, expected {MESSAGE_ROUNDS} each")
        return
    for k in range(OBSERVERS):
        log = sm.read(ctx.sm.data + LOGS + k * 0x1000, 8 * MESSAGE_ROUNDS)
        for look in range(MESSAGE_ROUNDS):
            flag, data = (
                arch.unpack(log[8 * look : 8 * look + 4]),
                arch.unpack(log[8 * look + 4 : 8 * look + 8]),
            )
            if data < flag:
                ctx.fail(
                    stub,
                    what,
                    f"observer {k}, look {look}: saw flag {flag} but then data {data}: the data "
                    f"store reached it after the {stub} that published it (a missing barrier)",
                )
                return
    ctx.result.checks += 1
