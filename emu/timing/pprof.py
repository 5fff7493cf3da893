"""`--cycles-profile FILE`: the cycle profile as a pprof protobuf, for `go tool pprof` and speedscope.

The format is Go's profile.proto (github.com/google/pprof/proto/profile.proto), gzipped. It is
small enough to encode by hand: emu writes one sample per (thread, block) with two values,
estimated cycles and guest instructions, at the block's address; each location names its
function (the symbol) and, where the assembler recorded it, the source file and line. emu
tracks no call stacks, so every sample is a leaf: `pprof -top` ranks functions by their own
(flat) cycles, which is what the `--cycles` table shows too.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """What one block cost one thread."""

    tid: int
    address: int
    function: str
    cycles: float
    instructions: int
    source: tuple[str, int] | None  # (file, line) of the block's first instruction


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # int64 fields are two's complement on the wire
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field_varint(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _field_bytes(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _packed(number: int, values: Iterable[int]) -> bytes:
    return _field_bytes(number, b"".join(_varint(v) for v in values))


class _Strings:
    """profile.proto's string table: index 0 is the empty string."""

    def __init__(self) -> None:
        self.table: list[str] = [""]
        self.index: dict[str, int] = {"": 0}

    def __call__(self, text: str) -> int:
        if text not in self.index:
            self.index[text] = len(self.table)
            self.table.append(text)
        return self.index[text]


def encode(samples: list[Sample], program: str = "") -> bytes:
    """The uncompressed profile.proto message for these samples of `program`."""
    strings = _Strings()
    out = bytearray()
    mapping = _field_varint(1, 1) + _field_varint(3, (1 << 64) - 1) + _field_varint(5, strings(program))
    out += _field_bytes(3, mapping + _field_varint(7, 1))  # has_functions
    for kind, unit in (("cycles", "count"), ("instructions", "count")):
        out += _field_bytes(1, _field_varint(1, strings(kind)) + _field_varint(2, strings(unit)))
    functions: dict[tuple[str, str], int] = {}
    locations: dict[int, int] = {}
    body_functions, body_locations = bytearray(), bytearray()
    for sample in samples:
        filename = sample.source[0] if sample.source else ""
        key = (sample.function, filename)
        if key not in functions:
            functions[key] = len(functions) + 1
            fields = _field_varint(1, functions[key]) + _field_varint(2, strings(sample.function))
            fields += _field_varint(3, strings(sample.function)) + _field_varint(4, strings(filename))
            body_functions += _field_bytes(5, fields)
        if sample.address not in locations:
            locations[sample.address] = len(locations) + 1
            line = _field_varint(1, functions[key]) + _field_varint(
                2, sample.source[1] if sample.source else 0
            )
            fields = _field_varint(1, locations[sample.address]) + _field_varint(2, 1)
            fields += _field_varint(3, sample.address)
            body_locations += _field_bytes(4, fields + _field_bytes(4, line))
        label = _field_varint(1, strings("thread")) + _field_varint(3, sample.tid)
        fields = _packed(1, [locations[sample.address]])
        fields += _packed(2, [round(sample.cycles), sample.instructions]) + _field_bytes(3, label)
        out += _field_bytes(2, fields)
    out += body_locations + body_functions
    out += _field_bytes(11, _field_varint(1, strings("cycles")) + _field_varint(2, strings("count")))
    out += _field_varint(12, 1) + _field_varint(14, strings("cycles"))  # period, default sample type
    for text in strings.table:
        out += _field_bytes(6, text.encode())
    return bytes(out)


def write(samples: list[Sample], path: str, program: str = "") -> None:
    """Write the gzipped profile (what `go tool pprof FILE` opens)."""
    with open(path, "wb") as out:
        out.write(gzip.compress(encode(samples, program), mtime=0))
