"""Reading litmus tests in the herd/litmus7 format.

    PPC MP+lwsync+addr                    family and name
    "LwSyncdWW Rfe DpAddrdR Fre"          (doc string, Key=Value lines: ignored)
    { 0:r2=x; 0:r4=y; 1:r2=y; 1:r5=x; }   initial registers (values or locations) and memory
     P0           | P1            ;       one column of assembly per thread
     li r1,1      | lwz r1,0(r2)  ;
    ...
    exists (1:r1=1 /\\ 1:r4=0)            exists / ~exists / forall, then a proposition
    locations [0:r2; x;]                  (optional) more locations to show in the histogram

A proposition is built from `loc=value` atoms with `/\\`, `\\/`, `~`, parentheses, `true`,
`false`; a location is `N:reg` (thread N's register) or a memory location name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from emu.errors import UsageError

QUANTIFIERS = ("~exists", "exists", "forall")


@dataclass(frozen=True)
class Atom:
    location: str  # "1:r4" or "x"
    value: int


@dataclass(frozen=True)
class Prop:
    op: str  # "atom", "and", "or", "not", "true", "false"
    args: tuple = ()

    def holds(self, state: dict[str, int]) -> bool:
        if self.op == "atom":
            atom = self.args[0]
            return state[atom.location] == atom.value
        if self.op == "and":
            return all(a.holds(state) for a in self.args)
        if self.op == "or":
            return any(a.holds(state) for a in self.args)
        if self.op == "not":
            return not self.args[0].holds(state)
        return self.op == "true"

    def locations(self) -> list[str]:
        if self.op == "atom":
            return [self.args[0].location]
        return [loc for a in self.args for loc in a.locations()]

    def __str__(self) -> str:
        if self.op == "atom":
            return f"{self.args[0].location}={self.args[0].value}"
        if self.op in ("and", "or"):
            joiner = " /\\ " if self.op == "and" else " \\/ "
            return "(" + joiner.join(map(str, self.args)) + ")"
        if self.op == "not":
            return f"~{self.args[0]}"
        return self.op


@dataclass(frozen=True)
class LitmusTest:
    path: str
    family: str  # PPC, ARM, X86
    name: str
    registers: dict[int, dict[str, str]]  # thread -> register -> value or location name
    symbolic: dict[str, str]  # herd's symbolic registers (%x0) -> location
    memory: dict[str, int]  # location -> initial value (others start at 0)
    threads: list[list[str]]  # each thread's lines of assembly
    quantifier: str  # exists, ~exists, forall
    condition: Prop
    shown: list[str]  # the locations of the histogram

    @property
    def variables(self) -> list[str]:
        """Every memory location the test names, in a stable order."""
        names = list(self.memory)
        names += [v for regs in self.registers.values() for v in regs.values() if _is_name(v)]
        names += list(self.symbolic.values())
        names += [loc for loc in self.shown if ":" not in loc]
        return list(dict.fromkeys(names))

    def named_in_code(self, operand: str | None) -> list[str]:
        """Locations the code names directly (`operand`: the arch's regex for such an operand,
        `[memory_model] litmus_memory_operand`; families that address memory through registers
        have none)."""
        if operand is None:
            return []
        return re.findall(operand, "\n".join(line for thread in self.threads for line in thread))


def _is_name(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z_]\w*", value) is not None


class _Cursor:
    """A tokenizer for propositions."""

    TOKEN = re.compile(r"\s*(/\\|\\/|~|\(|\)|[\w%:\[\]]+\s*!?=\s*-?(?:0x[0-9a-fA-F]+|\d+)|true|false)")

    def __init__(self, text: str, where: str) -> None:
        self.tokens, self.where, self.index = [], where, 0
        position = 0
        text = text.strip().rstrip(";").strip()
        while position < len(text):
            match = self.TOKEN.match(text, position)
            if not match:
                raise UsageError(f"{where}: cannot read the condition at '{text[position:][:20]}'")
            self.tokens.append(match.group(1))
            position = match.end()
            while position < len(text) and text[position].isspace():
                position += 1

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise UsageError(f"{self.where}: the condition ends too early")
        self.index += 1
        return token


def _disjunction(cursor: _Cursor) -> Prop:
    parts = [_conjunction(cursor)]
    while cursor.peek() == "\\/":
        cursor.take()
        parts.append(_conjunction(cursor))
    return parts[0] if len(parts) == 1 else Prop("or", tuple(parts))


def _conjunction(cursor: _Cursor) -> Prop:
    parts = [_factor(cursor)]
    while cursor.peek() == "/\\":
        cursor.take()
        parts.append(_factor(cursor))
    return parts[0] if len(parts) == 1 else Prop("and", tuple(parts))


def _factor(cursor: _Cursor) -> Prop:
    token = cursor.take()
    if token == "~":
        return Prop("not", (_factor(cursor),))
    if token == "(":
        inner = _disjunction(cursor)
        if cursor.take() != ")":
            raise UsageError(f"{cursor.where}: unbalanced parentheses in the condition")
        return inner
    if token in ("true", "false"):
        return Prop(token)
    negated = "!=" in token
    location, value = re.split(r"\s*!?=\s*", token)
    atom = Prop("atom", (Atom(_location(location), int(value, 0)),))
    return Prop("not", (atom,)) if negated else atom


def _location(text: str) -> str:
    """`P1:r2` and `1:r2` are the same location; `[x]` is `x`."""
    text = text.strip().strip("[]")
    return re.sub(r"^P(\d+):", r"\1:", text)


def parse_condition(text: str, where: str) -> tuple[str, Prop]:
    text = text.strip()
    quantifier = next((q for q in QUANTIFIERS if text.startswith(q)), None)
    if quantifier is None:
        raise UsageError(f"{where}: no exists/~exists/forall condition")
    cursor = _Cursor(text[len(quantifier) :], where)
    prop = _disjunction(cursor)
    if cursor.peek() is not None:
        raise UsageError(f"{where}: unexpected '{cursor.peek()}' in the condition")
    return quantifier, prop


def _init(block: str, where: str) -> tuple[dict[int, dict[str, str]], dict[str, str], dict[str, int]]:
    registers: dict[int, dict[str, str]] = {}
    symbolic: dict[str, str] = {}
    memory: dict[str, int] = {}
    for entry in filter(None, (e.strip() for e in block.replace("\n", ";").split(";"))):
        if "=" not in entry:
            raise UsageError(f"{where}: cannot read the init entry '{entry}'")
        left, right = (s.strip() for s in entry.split("=", 1))
        left = re.sub(r"^(?:int|uint\w*|long)\s+", "", left)
        if re.fullmatch(r"P?\d+:\w+", left):
            thread, register = _location(left).split(":")
            registers.setdefault(int(thread), {})[register] = right
        elif left.startswith("%"):
            symbolic[left] = right
        elif _is_name(left):
            memory[left] = int(right, 0)
        else:
            raise UsageError(f"{where}: cannot read the init entry '{entry}'")
    return registers, symbolic, memory


def parse(path: str | Path) -> LitmusTest:
    """The test in `path`; a UsageError naming file:line when it is not a litmus test."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"{path}: cannot read: {err}") from None
    text = re.sub(r"\(\*.*?\*\)", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)  # (* comments *)
    lines = text.splitlines()
    header = lines[0].split() if lines else []
    if len(header) < 2:
        raise UsageError(f"{path}:1: not a litmus test (expected 'ARCH NAME')")
    family, name = header[0].upper(), header[1]
    opening = next((i for i, line in enumerate(lines) if line.lstrip().startswith("{")), None)
    if opening is None:
        raise UsageError(f"{path}: no init block {{ ... }}")
    closing = next(i for i in range(opening, len(lines)) if "}" in lines[i])
    block = " ".join(lines[opening : closing + 1]).strip()[1:].rsplit("}", 1)[0]
    registers, symbolic, memory = _init(block, str(path))
    body = [i for i in range(closing + 1, len(lines)) if lines[i].strip()]
    if not body or "|" not in lines[body[0]] and not re.match(r"\s*P0\s*;", lines[body[0]]):
        raise UsageError(f"{path}:{closing + 2}: expected the thread header 'P0 | P1 ;'")
    nthreads = len(lines[body[0]].split("|"))
    threads: list[list[str]] = [[] for _ in range(nthreads)]
    index = body[0] + 1
    while index < len(lines) and not lines[index].strip().startswith((*QUANTIFIERS, "locations")):
        row = lines[index].strip().rstrip(";")
        if row:
            cells = row.split("|")
            if len(cells) != nthreads:
                raise UsageError(f"{path}:{index + 1}: {len(cells)} columns, the header has {nthreads}")
            for thread, cell in zip(threads, cells, strict=True):
                if cell.strip():
                    thread.append(cell.strip())
        index += 1
    rest = "\n".join(lines[index:])
    shown: list[str] = []
    located = re.search(r"locations\s*\[([^\]]*)\]", rest)
    if located:
        shown = [_location(loc) for loc in located.group(1).split(";") if loc.strip()]
        rest = rest[: located.start()] + rest[located.end() :]
    if rest.strip():
        quantifier, condition = parse_condition(rest, f"{path}:{index + 1}")
    else:  # only `locations`: herd's `exists true` (show the histogram)
        quantifier, condition = "exists", Prop("true")
    shown = list(dict.fromkeys([*condition.locations(), *shown]))
    return LitmusTest(
        str(path), family, name, registers, symbolic, memory, threads, quantifier, condition, shown
    )
