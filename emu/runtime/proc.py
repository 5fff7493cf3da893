"""The G/M/P scheduler (proc1.go in miniature).

G: a goroutine — a G struct and a stack in guest memory; its gobuf is filled by
the gosave stub when it stops and loaded by the gogo stub when it runs. Its
status word changes only through the cas stub (casgstatus).
M: an OS thread — a real guest thread made with the sys_clone stub — with a g0
whose gobuf points at rt0.s's mstart/mpark. An idle M sleeps in notesleep (the
futex stub, in guest code) and is woken by notewakeup (xchg + futex stubs).
P: a processor with a local run queue; GOMAXPROCS = --ncpu; each M owns one P.

Every switching hypercall ends in schedule(), which returns the gobuf the M
must gogo to: a runnable G's, or its g0's (to sleep, or to die after a throw).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from emu.kernel.abi import FUTEX_PRIVATE_FLAG, Clone, Futex
from emu.runtime import abi
from emu.runtime.abi import G_DEAD, G_IDLE, G_RUNNABLE, G_RUNNING, G_WAITING, Layout

STACK_SIZE = 16 << 10
G0_STACK_SIZE = 16 << 10
FRAME = 128  # room above a new goroutine's sp (ppc64 callers' LR save slot, alignment)
CLONE_FLAGS = (
    Clone.CLONE_VM | Clone.CLONE_FS | Clone.CLONE_FILES | Clone.CLONE_SIGHAND | Clone.CLONE_THREAD
)  # os1_linux.go
FUTEX_WAKE_PRIVATE = Futex.FUTEX_WAKE | FUTEX_PRIVATE_FLAG


class Throw(Exception):
    """A fatal runtime error: printed as `fatal error: ...`, the M exits with status 2."""


@dataclass(eq=False)
class G:
    addr: int
    goid: int
    stack_lo: int
    stack_hi: int
    m: M | None = None
    wait: str = ""


@dataclass(eq=False)
class P:
    id: int
    runq: deque[G] = field(default_factory=deque)


@dataclass(eq=False)
class M:
    id: int
    tid: int
    g0: G
    p: P
    curg: G | None = None
    idle: bool = False

    @property
    def running(self) -> G:
        """The G this M runs: a hypercall (chansend, gosched...) always comes from one."""
        if self.curg is None:
            raise Throw(f"runtime: M{self.id} has no running goroutine")
        return self.curg


class Scheduler:
    """Goroutines, Ms and Ps of one guest process; `rt` gives stubs, memory and allocation."""

    def __init__(self, rt, gomaxprocs: int) -> None:
        self.rt, self.calls, self.arch = rt, rt.calls, rt.arch
        self.layout = Layout(self.arch.word_size)
        self.ps = [P(i) for i in range(gomaxprocs)]
        self.ms: list[M] = []
        self.allgs: list[G] = []
        self.gfree: list[G] = []
        self.runq: deque[G] = deque()  # the global run queue
        self.goidgen = 0

    # ---- guest memory of G structs -----------------------------------------------------------

    def store(self, address: int, value: int) -> None:
        """A plain word store, as compiled Go code does it (gobuf set-up, g.param)."""
        self.rt.memory.write(address, self.arch.pack(value))

    def load(self, address: int) -> int:
        return self.arch.unpack(self.rt.memory.read(address, self.arch.word_size))

    def gfield(self, g: G, name: str) -> int:
        return g.addr + self.layout.g(name)

    def gobuf(self, g: G) -> int:
        return self.gfield(g, "sched")

    def status(self, g: G) -> int:
        return self.arch.unpack(self.rt.memory.read(self.gfield(g, "status"), 4))

    def set_gobuf(self, gp: G, /, **fields: int) -> None:
        for name, value in fields.items():
            self.store(self.gobuf(gp) + self.layout.gobuf(name), value)

    def casgstatus(self, g: G, old: int, new: int) -> None:
        """The status word through the cas stub; a failed cas is a scheduler bug (Go throws)."""
        if not self.calls.call("cas", self.gfield(g, "status"), old, new):
            raise Throw(
                f"casgstatus: goroutine {g.goid}: {abi.STATUS_NAMES.get(old)} -> "
                f"{abi.STATUS_NAMES.get(new)}, but status is {abi.STATUS_NAMES.get(self.status(g), self.status(g))}"
            )

    # ---- Gs --------------------------------------------------------------------------------------

    def malg(self, stack_size: int) -> G:
        """A new G struct (persistent memory) with its own stack."""
        addr = self.rt.persistent(self.layout.g_size)
        lo = self.rt.stackalloc(stack_size)
        self.goidgen += 1
        g = G(addr, self.goidgen, lo, lo + stack_size)
        self.store(self.gfield(g, "stack_lo"), g.stack_lo)
        self.store(self.gfield(g, "stack_hi"), g.stack_hi)
        self.store(self.gfield(g, "goid"), g.goid)
        return g

    def newproc(self, fn: int, arg: int, p: P, entry: str = "goentry") -> G:
        """A runnable G that starts at rt0's `entry` with fn in ctxt and arg in ret."""
        g = self.gfree.pop() if self.gfree else self.malg(STACK_SIZE)
        old = G_DEAD if g in self.allgs else G_IDLE
        if g not in self.allgs:
            self.allgs.append(g)
        self.set_gobuf(
            g, sp=(g.stack_hi - FRAME) & ~0xF, pc=self.rt.symbol(entry), g=g.addr, ctxt=fn, ret=arg, lr=0
        )
        self.store(self.gfield(g, "param"), 0)
        g.wait = ""
        self.casgstatus(g, old, G_RUNNABLE)
        p.runq.append(g)
        self.wakep()
        return g

    # ---- Ms --------------------------------------------------------------------------------------

    def newm(self, tid: int | None = None) -> M:
        """An M with a g0. tid given: the calling thread (m0); else clone a guest thread."""
        g0 = self.malg(G0_STACK_SIZE)
        self.store(self.gfield(g0, "m"), len(self.ms))
        m = M(len(self.ms), tid or 0, g0, self.ps[len(self.ms)])
        self.ms.append(m)
        if tid is None:
            self.calls.regs[self.calls.abi.g] = g0.addr  # the child inherits the g register
            stack = (g0.stack_hi - FRAME) & ~0xF
            child = self.calls.call("rt_clone", CLONE_FLAGS, stack, 0, 0, 0)
            if self.arch.unpack(self.arch.pack(child), signed=True) <= 0:
                raise Throw(f"newosproc: clone failed: {child}")
            m.tid = child
        return m

    def g0_gobuf(self, m: M, entry: str) -> int:
        """Send the M to its g0 at rt0's `entry` (mstart, mpark, rt_die) on a fresh g0 stack."""
        g0 = m.g0
        self.set_gobuf(
            g0, sp=(g0.stack_hi - FRAME) & ~0xF, pc=self.rt.symbol(entry), g=g0.addr, ctxt=0, ret=0, lr=0
        )
        return self.gobuf(g0)

    # ---- notes (futex-based, lock_futex.go) ---------------------------------------------------

    def noteclear(self, m: M) -> None:
        self.calls.call("atomicstore", self.gfield(m.g0, "note"), 0)

    def notewakeup(self, m: M) -> None:
        note = self.gfield(m.g0, "note")
        if self.calls.call("xchg", note, 1) != 0:
            raise Throw("notewakeup - double wakeup")
        self.calls.call("sys_futex", note, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0)
        m.idle = False

    def wakep(self) -> None:
        """Work appeared: wake one idle M so it can take (or steal) it."""
        for m in self.ms:
            if m.idle:
                self.notewakeup(m)
                return

    # ---- park / ready / schedule ----------------------------------------------------------------

    def park(self, g: G, reason: str) -> None:
        """The running G waits; when readied, its gosave returns 1 (gobuf.ret)."""
        self.set_gobuf(g, ret=1)
        self.casgstatus(g, G_RUNNING, G_WAITING)
        g.wait, g.m = reason, None

    def ready(self, g: G, param: int, p: P) -> None:
        self.store(self.gfield(g, "param"), param)
        self.casgstatus(g, G_WAITING, G_RUNNABLE)
        g.wait = ""
        p.runq.append(g)
        self.wakep()

    def resume_self(self, m: M, param: int) -> int:
        """The running G goes on at once: gogo to its own gobuf with ret = 1."""
        g = m.running
        self.store(self.gfield(g, "param"), param)
        self.set_gobuf(g, ret=1)
        return self.gobuf(g)

    def gosched(self, m: M) -> int:
        g = m.running
        self.set_gobuf(g, ret=1)
        self.store(self.gfield(g, "param"), 0)
        self.casgstatus(g, G_RUNNING, G_RUNNABLE)
        g.m, m.curg = None, None
        self.runq.append(g)
        return self.schedule(m)

    def goexit(self, m: M) -> int:
        g = m.running
        self.casgstatus(g, G_RUNNING, G_DEAD)
        g.m, m.curg = None, None
        self.gfree.append(g)
        return self.schedule(m)

    def block(self, m: M, reason: str) -> int:
        """The running G parks (a channel op); run something else."""
        self.park(m.running, reason)
        m.curg = None
        return self.schedule(m)

    def schedule(self, m: M) -> int:
        g = self.findrunnable(m)
        if g is None:
            self.checkdead(m)
            m.idle = True
            self.noteclear(m)
            return self.g0_gobuf(m, "mpark")
        self.casgstatus(g, G_RUNNABLE, G_RUNNING)
        g.m, m.curg, m.idle = m, g, False
        return self.gobuf(g)

    def findrunnable(self, m: M) -> G | None:
        """Local run queue, then the global one, then steal half of another P's."""
        if m.p.runq:
            return m.p.runq.popleft()
        if self.runq:
            return self.runq.popleft()
        for p in self.ps:
            if p is not m.p and p.runq:
                for _ in range((len(p.runq) + 1) // 2 - 1):
                    m.p.runq.append(p.runq.pop())
                return p.runq.pop()
        return None

    def checkdead(self, m: M) -> None:
        """No M runs a G and nothing is runnable, yet goroutines wait: nobody can wake them."""
        if any(other.curg is not None or not other.idle for other in self.ms if other is not m):
            return
        waiting = [g for g in self.allgs if g.wait]
        if waiting:
            raise Throw("all goroutines are asleep - deadlock!")

    def m_of(self, tid: int) -> M:
        for m in self.ms:
            if m.tid == tid:
                return m
        raise Throw(f"hypercall from thread {tid}, which is no M of the runtime")

    # ---- traces ------------------------------------------------------------------------------------

    def summary(self) -> str:
        """One --schedtrace line (proc1.go's schedtrace, shortened)."""
        idle = sum(1 for m in self.ms if m.idle)
        counts: dict[str, int] = {}
        for g in self.allgs:
            name = abi.STATUS_NAMES.get(self.status(g), "?")
            counts[name] = counts.get(name, 0) + 1
        gs = " ".join(f"{name}={counts[name]}" for name in sorted(counts))
        local = " ".join(str(len(p.runq)) for p in self.ps)
        return (
            f"gomaxprocs={len(self.ps)} idleprocs={idle} threads={len(self.ms)} idlethreads={idle} "
            f"runqueue={len(self.runq)} [{local}] gs: {gs}"
        )
