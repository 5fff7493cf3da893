"""Channels of words (chan.go in miniature): buffered or not, send/receive parking the G.

A channel is a small heap object (so the collector frees unreachable ones); its
queues are the runtime's: the buffer, the waiting receivers and the waiting
senders with their values (which the collector treats as roots).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from emu.runtime.proc import G, M, Scheduler, Throw


@dataclass(eq=False)
class HChan:
    cap: int
    buf: deque[int] = field(default_factory=deque)
    recvq: deque[G] = field(default_factory=deque)
    sendq: deque[tuple[G, int]] = field(default_factory=deque)

    def values(self) -> list[int]:
        return list(self.buf) + [value for _, value in self.sendq]


class Channels:
    def __init__(self, sched: Scheduler) -> None:
        self.sched = sched
        self.chans: dict[int, HChan] = {}

    def make(self, address: int, cap: int) -> None:
        self.chans[address] = HChan(cap)

    def get(self, address: int) -> HChan:
        if address not in self.chans:
            raise Throw(f"channel operation on {address:#x}, which is not a live channel")
        return self.chans[address]

    def send(self, m: M, address: int, value: int) -> int:
        """chansend: hand to a waiting receiver, or buffer, or park until a receiver comes."""
        c, sched = self.get(address), self.sched
        if c.recvq:
            sched.ready(c.recvq.popleft(), value, m.p)
            return sched.resume_self(m, 0)
        if len(c.buf) < c.cap:
            c.buf.append(value)
            return sched.resume_self(m, 0)
        c.sendq.append((m.running, value))
        return sched.block(m, "chan send")

    def recv(self, m: M, address: int) -> int:
        """chanrecv: take from the buffer (refilling it from a waiting sender), or from a
        waiting sender, or park until one comes."""
        c, sched = self.get(address), self.sched
        if c.buf:
            value = c.buf.popleft()
            if c.sendq:
                sender, pending = c.sendq.popleft()
                c.buf.append(pending)
                sched.ready(sender, 0, m.p)
            return sched.resume_self(m, value)
        if c.sendq:
            sender, value = c.sendq.popleft()
            sched.ready(sender, 0, m.p)
            return sched.resume_self(m, value)
        c.recvq.append(m.running)
        return sched.block(m, "chan receive")

    def roots(self) -> list[int]:
        return [value for c in self.chans.values() for value in c.values()]

    def freed(self, address: int) -> None:
        self.chans.pop(address, None)
