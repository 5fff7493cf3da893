"""Fuzz the gdb remote protocol: malformed packets get the protocol's answer and the session goes on.

The stub runs in-process, serving one end of a socket pair from a background thread exactly as it
serves gdb (GdbStub.attach, then the Machine's run loop); the test is the gdb side. Each case is a
sequence of frames — well-formed packets from a grammar of every command the stub knows (fields
replaced by non-hex text, empty or huge numbers, wrong lengths, odd addresses), packets with a bad
checksum, truncated packets, junk between packets — then a probe (`?`). Checked per case:

- the stub never raises (a guest fault or `k` end the session as they would with gdb);
- every packet gets exactly one reply, every bad checksum one `-`, and nothing else is sent;
- a packet with a malformed field is answered `E..` or empty (unsupported), never a crash;
- unless a packet ended the session (c, k, D, a guest exit), the probe still gets its stop reply.

The loopback-only listen and a real gdb session are in tests/test_gdb.py.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import pytest
from conftest import ARCHES, or8_program
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu import arch as arches
from emu.debug.gdbstub import MAX_PACKET, GdbKill, GdbStub, checksum, registers
from emu.errors import GuestError
from emu.image import Image
from emu.machine import Machine
from emu.options import RunOptions
from emu.program import load_program

pytestmark = pytest.mark.fuzz
REPLY_TIMEOUT = 20  # seconds for the whole exchange of one case
REPLY = re.compile(rb"\$([^#$]*)#([0-9a-fA-F]{2})")


@cache
def program(arch: str) -> Image:
    return load_program(or8_program(arch), arch)[0]


# ---- the stub's side ------------------------------------------------------------------------


@dataclass
class Session:
    """One GdbStub serving a socket pair from a thread; `error` is anything it raised that gdb
    could not have caused legitimately (a guest death by signal or `k` are legitimate)."""

    arch: str
    sock: socket.socket = field(init=False)
    ended_by: str = "running"
    error: BaseException | None = None

    def __post_init__(self) -> None:
        arch = arches.get(self.arch)
        machine = Machine(arch, program(self.arch), RunOptions(max_insns=100_000, timeout=10))
        machine.load()
        self.stub = GdbStub(machine, port=0).install()
        self.sock, theirs = socket.socketpair()
        self.sock.settimeout(REPLY_TIMEOUT)
        self.thread = threading.Thread(target=self._serve, args=(machine, theirs), daemon=True)
        self.thread.start()

    def _serve(self, machine: Machine, sock: socket.socket) -> None:
        try:
            self.stub.attach(sock)
            status = machine.run()
            self.stub.finish(status)
            self.ended_by = "exit"
        except GdbKill:
            self.ended_by = "kill"
        except GuestError as death:
            self.stub.finish(None)
            self.ended_by = "limit" if death.exit_status == 124 else "signal"
        except BaseException as err:  # noqa: BLE001 - the property under test
            self.error = err
        finally:
            self.stub.close()

    def exchange(self, data: bytes, done: Callable[[bytes], bool]) -> bytes:
        """Send `data`, then read until `done(what came back)` or the stub hung up."""
        self.sock.sendall(data)
        received = b""
        while not done(received):
            try:
                chunk = self.sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            received += chunk
        return received

    def close(self) -> None:
        self.sock.close()
        self.thread.join(REPLY_TIMEOUT)


# ---- the grammar ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """What goes on the wire, and what the stub must answer: a packet (one reply), a bad checksum
    (one `-`), or nothing (junk, a truncated packet)."""

    data: bytes
    replies: int = 0
    naks: int = 0
    malformed: bool = False  # a field no valid packet has: the reply must be E.. or empty
    ends_session: bool = False


def frame(payload: str, malformed: bool = False, ends: bool = False) -> Frame:
    raw = payload.encode("latin-1")
    return Frame(b"$" + raw + b"#" + checksum(raw), 1, 0, malformed, ends)


Field = tuple[str, bool]  # text, is it malformed
TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="#$"), max_size=12)
BAD_NUMBER = st.one_of(
    st.sampled_from(["", "-1", "0x10", " 1", "1 ", "g", "1,", "10000000000000000", "f" * 40]),
    TEXT.filter(lambda text: not re.fullmatch(r"[0-9a-fA-F]+", text)),
)


def number(limit: int = 1 << 64, special: tuple[int, ...] = ()) -> st.SearchStrategy[Field]:
    good = st.one_of(st.integers(0, limit - 1), st.sampled_from(special or (0,)))
    return st.one_of(good.map(lambda value: (f"{value:x}", False)), BAD_NUMBER.map(lambda text: (text, True)))


def hex_data(max_bytes: int = 64) -> st.SearchStrategy[Field]:
    return st.one_of(
        st.binary(max_size=max_bytes).map(lambda data: (data.hex(), False)),
        st.sampled_from(["0", "xyz", "1g", "abc"]).map(lambda text: (text, True)),
    )


def joined(*parts: Field | str) -> tuple[str, bool]:
    text = "".join(part if isinstance(part, str) else part[0] for part in parts)
    return text, any(not isinstance(part, str) and part[1] for part in parts)


@st.composite
def packets(draw: st.DrawFn, arch: str) -> Frame:
    """One well-framed packet of any command the stub knows, some of its fields malformed."""
    bits = arches.get(arch).bits
    image = program(arch)
    interesting = (image.symbols["m"], image.symbols["atomicor8"], (1 << bits) - 1, 0x1000 - 1)
    address = number(1 << bits, interesting)
    length = number(1 << 64, (0, 1, 0xFFFF, 0xFFFFFFFF, MAX_PACKET, (1 << 64) - 1))
    nregs = sum(len(regs) for _, regs in registers(arches.get(arch)))
    register = number(1 << 16, (0, nregs - 1, nregs, 0xFFFF))
    tid = st.one_of(  # -1 (all threads) and 0 (any thread) are valid thread ids
        st.sampled_from(["-1", "0", "3e8"]).map(lambda text: (text, False)),
        number(1 << 32, (0x3E8, 0x3E9)).filter(lambda field: field[0] != "-1"),
    )
    choices = {
        "read memory": lambda: joined("m", draw(address), ",", draw(length)),
        "write memory": lambda: joined("M", draw(address), ",", draw(length), ":", draw(hex_data())),
        "read registers": lambda: ("g", False),
        "write registers": lambda: joined("G", draw(hex_data(2048))),
        "read register": lambda: joined("p", draw(register)),
        "write register": lambda: joined("P", draw(register), "=", draw(hex_data(16))),
        "breakpoint": lambda: joined(
            draw(st.sampled_from(["Z", "z"])),
            draw(number(8, (0, 1, 2))),
            ",",
            draw(address),
            ",",
            draw(number(16, (2, 4))),
        ),  # fmt: skip
        "select thread": lambda: joined("H", draw(st.sampled_from(["g", "c"])), draw(tid)),
        "bad select": lambda: (f"H{draw(st.sampled_from('xyp'))}{draw(TEXT)}", True),
        "thread alive": lambda: joined("T", draw(number(1 << 32, (0x3E8,)))),
        "features": lambda: joined(
            "qXfer:features:read:",
            draw(st.sampled_from(["target.xml", "x.xml", ""])),
            ":",
            draw(length),
            ",",
            draw(length),
        ),  # fmt: skip
        "exec file": lambda: joined("qXfer:exec-file:read::", draw(length), ",", draw(length)),
        "thread info": lambda: joined("qThreadExtraInfo,", draw(number(1 << 32, (0x3E8,)))),
        "queries": lambda: (
            draw(st.sampled_from(["qC", "qfThreadInfo", "qsThreadInfo", "qAttached", "?"])),
            False,
        ),
        "supported": lambda: ("qSupported:" + draw(TEXT), False),
        "vcont query": lambda: ("vCont?", False),
        "step": lambda: joined("vCont;", draw(st.sampled_from(["s", "S05", "s:3e8", "S05:3e8"]))),
        "bad vcont": lambda: (f"vCont;{draw(st.sampled_from(['x', 'r1,2', 'c1', '', 's:zz', 'S']))}", True),
        "unknown": lambda: (draw(st.sampled_from("!ABFIQRXbdeijlnortuwxyVv")) + draw(TEXT), False),
    }
    ending = {
        "continue": lambda: joined(draw(st.sampled_from(["c", "vCont;c", "C05", "vCont;C05"]))),
        "kill or detach": lambda: (draw(st.sampled_from(["k", "D", "vKill;1"])), False),
    }
    kind = draw(
        st.sampled_from(sorted(choices) + sorted(ending) if draw(st.integers(0, 9)) == 0 else sorted(choices))
    )
    payload, malformed = (choices.get(kind) or ending[kind])()
    ends = kind in ending or kind == "step"  # a step can run the guest to its exit
    return frame(payload, malformed and kind not in ("step", "unknown"), ends)


@st.composite
def frames(draw: st.DrawFn, arch: str) -> Frame:
    """A packet, or one of the ways a wire goes wrong."""
    kind = draw(st.sampled_from(["packet"] * 6 + ["bad checksum", "truncated", "junk"]))
    if kind == "packet":
        return draw(packets(arch))
    payload = draw(TEXT).encode("latin-1")
    if kind == "bad checksum":
        wrong = draw(st.sampled_from([b"zz", b"0g", (b"%02x" % ((sum(payload) + 1) & 0xFF))]))
        return Frame(b"$" + payload + b"#" + wrong, naks=1)
    if kind == "truncated":
        return Frame(b"$" + payload)
    return Frame(draw(st.binary(min_size=1, max_size=16)).translate(None, b"$#+-\x03"))


PROBE = frame("?")


def run_case(arch: str, case: list[Frame]) -> tuple[Session, list[bytes], bytes]:
    """Play the frames and the probe; return the session, the reply payloads and all bytes received."""
    session = Session(arch)
    try:
        wanted = sum(f.replies for f in case) + PROBE.replies
        data = b"".join(f.data for f in case) + PROBE.data
        received = session.exchange(data, lambda got: len(REPLY.findall(got)) >= wanted)
    finally:
        session.close()
    assert session.error is None, f"{type(session.error).__name__}: {session.error}"
    assert not session.thread.is_alive(), "the stub did not end when gdb hung up"
    payloads = []
    for match in REPLY.finditer(received):
        assert checksum(match.group(1)) == match.group(2).lower(), match.group(0)
        payloads.append(match.group(1))
    return session, payloads, received


def check_case(arch: str, case: list[Frame], record) -> None:
    session, payloads, received = run_case(arch, case)
    exited = any(payload[:1] in (b"W", b"X") for payload in payloads)  # a step ran the guest to its end
    if not exited and not any(f.ends_session for f in case):
        acks = re.sub(REPLY, b"", received)
        assert acks.count(b"+") == sum(f.replies for f in case) + 1, (case, received)
        assert acks.count(b"-") == sum(f.naks for f in case), (case, received)
        assert len(payloads) == sum(f.replies for f in case) + 1, (case, payloads)
        assert payloads[-1].startswith(b"T05thread:"), payloads[-1]
        answered = iter(payloads)
        for f in (f for f in case if f.replies):
            reply = next(answered)
            if f.malformed:
                assert reply == b"" or re.fullmatch(rb"E[0-9a-fA-F]{2}", reply), (f.data, reply)
    outcome = {"signal": "signal", "limit": "limit"}.get(session.ended_by, "ok")
    record("gdb packets", arch, outcome)


# Malformed packets once reported as internal errors (issue 12), each with its one expected reply.
REGRESSIONS = [
    ("m10000", "E01"),  # no length
    ("mzz,4", "E01"),  # non-hex address
    ("m0,ffffffffffffffff", "E14"),  # huge length from an unmapped address
    ("m10000000000000000000,4", "E01"),  # address beyond 64 bits
    ("M0,2:123", "E01"),  # odd hex data
    ("M0,8:0011", "E01"),  # length and data differ
    ("M0,2:0011", "E14"),  # unmapped
    ("pzz", "E01"),  # non-hex register number
    ("p", "E01"),
    ("pffff", "E45"),  # no such register
    ("P0=12", "E01"),  # wrong register width
    ("P0", "E01"),  # no value
    ("G00", "E01"),  # not the size of the register set
    ("Gxyz", "E01"),
    ("Z0,zz,4", "E01"),
    ("Z0,10000000000000000000,4", "E01"),
    ("Z0", "E01"),
    ("Z2,1000,4", ""),  # watchpoints are not supported: gdb falls back
    ("z0,1234,4", "OK"),  # removing what is not there
    ("Hgzz", "E01"),
    ("H", "E01"),
    ("Hg999", "E01"),
    ("Tzz", "E01"),
    ("T", "E01"),
    ("qThreadExtraInfo,zz", "E01"),
    ("qThreadExtraInfo,999", "E01"),
    ("qXfer:features:read:target.xml:zz,10", "E01"),
    ("qXfer:features:read:target.xml", "E01"),
    ("qXfer:features:read:nope.xml:0,10", "E00"),
    ("vCont;x", "E01"),
    ("vCont;s:zz", "E01"),
    ("vCont;s:999", "E01"),
    ("vCont;", "E01"),
    ("czz", "E01"),
    ("Czz", "E01"),
    ("X0,0:", ""),  # binary writes are not supported: gdb uses M
    ("", ""),
    ("\x80\xff", ""),
]


@pytest.mark.parametrize("arch", ["ppc64", "arm"])
@pytest.mark.parametrize(("payload", "reply"), REGRESSIONS)
def test_malformed_packet_gets_its_error_reply(arch: str, payload: str, reply: str) -> None:
    _, payloads, _ = run_case(arch, [frame(payload)])
    assert payloads == [reply.encode("latin-1"), b"T05thread:3e8;"]


def test_wire_errors_nak_resend_and_resync() -> None:
    """A bad checksum is `-`; gdb's `-` resends the last reply; a truncated packet is dropped at the
    next `$`; an oversized packet is refused; junk between packets is skipped."""
    case = [
        Frame(b"$qC#00", naks=1),
        Frame(b"$qC#zz", naks=1),
        Frame(b"$m0,4"),
        Frame(b"hello"),
        frame("qC"),
        Frame(b"-", replies=1),  # resend: the same QC reply again
        Frame(b"$" + b"0" * (MAX_PACKET + 8) + b"#00", naks=1),
    ]
    _, payloads, received = run_case("ppc64le", case)
    assert payloads == [b"QC3e8", b"QC3e8", b"T05thread:3e8;"]
    assert re.sub(REPLY, b"", received).count(b"-") == 3


@pytest.mark.parametrize("arch", ARCHES)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_packet_sequences(arch: str, data: st.DataObject, fuzz_ledger) -> None:
    check_case(arch, data.draw(st.lists(frames(arch), max_size=12), label="frames"), fuzz_ledger)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noise=st.binary(max_size=256))
def test_random_bytes_then_a_probe(noise: bytes, fuzz_ledger) -> None:
    """Any bytes at all: the stub survives, and a probe is still answered. (`xx` first: if the
    noise ends inside a packet, it is taken as that packet's bad checksum, so the probe is whole.)"""
    session = Session("ppc64le")
    try:
        received = session.exchange(noise + b"xx" + PROBE.data, lambda got: b"T05thread:3e8;" in got)
    finally:
        session.close()
    assert session.error is None, f"{type(session.error).__name__}: {session.error}"
    if session.ended_by == "running":
        assert b"T05thread:3e8;" in received or b"$W" in received, (noise, received)
    fuzz_ledger("gdb packets (raw bytes)", "ppc64le", "ok")
