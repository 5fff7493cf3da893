"""Conditionals, macros, `.rept`/`.irp` and `.include`, in one pass, in GNU as order.

GNU as reads its input as a stream: a `.if` is decided when it is reached (with
the symbols defined so far), a macro body is expanded where it is used (so a
macro may use another macro, and a `.rept` body may use a macro), and an
`.include` in a false branch is never read. `Expander` does the same, with
limits so that a small source cannot make emu use unbounded time or memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from emu.asm.expr import ExprError, evaluate
from emu.asm.source import SourceReader, Statement

MAX_STATEMENTS = 200_000  # after expansion; a bound on memory and on the encoder's work
MAX_STEPS = 5 * MAX_STATEMENTS  # statements read plus repetitions made, skipped ones included
MAX_NESTING = 100  # macro calls, .rept and .include frames open at once
MAX_INCLUDE_DEPTH = 16
MAX_REPEAT = MAX_STATEMENTS

CONDITIONALS = {
    ".if",
    ".ifne",
    ".ifeq",
    ".ifge",
    ".ifgt",
    ".ifle",
    ".iflt",
    ".ifdef",
    ".ifndef",
    ".ifnotdef",
    ".ifc",
    ".ifnc",
    ".ifeqs",
    ".ifnes",
    ".ifb",
    ".ifnb",
}
REPEATS = (".rept", ".irp", ".irpc")
COMPARISONS = {
    ".if": lambda v: v != 0,
    ".ifne": lambda v: v != 0,
    ".ifeq": lambda v: v == 0,
    ".ifge": lambda v: v >= 0,
    ".ifgt": lambda v: v > 0,
    ".ifle": lambda v: v <= 0,
    ".iflt": lambda v: v < 0,
}
EQU_FORM = re.compile(r"^\s*=")


@dataclass
class _Condition:
    """One open `.if`: whether lines are assembled now, and whether a branch was taken."""

    start: Statement
    active: bool
    taken: bool
    outer_active: bool
    seen_else: bool = False


@dataclass
class _Macro:
    name: str
    params: list[tuple[str, str | None, bool]]  # (name, default, vararg)
    body: list[Statement]


@dataclass
class _Frame:
    """A source of statements: a file, a macro expansion or a repetition."""

    kind: str
    statements: Iterator[Statement]
    conditions: int = 0  # open conditionals when the frame began (`.exitm` closes the rest)
    include_depth: int = 0


@dataclass
class Expander:
    """Runs the stream; `defined` holds every symbol seen so far (value or None if not constant)."""

    reader: SourceReader
    macros: dict[str, _Macro] = field(default_factory=dict)
    defined: dict[str, int | None] = field(default_factory=dict)
    conditions: list[_Condition] = field(default_factory=list)
    frames: list[_Frame] = field(default_factory=list)
    out: list[Statement] = field(default_factory=list)
    calls: int = 0
    steps: int = 0

    def run(self, statements: list[Statement]) -> list[Statement]:
        self.frames.append(_Frame("file", iter(statements)))
        while self.frames:
            st = next(self.frames[-1].statements, None)
            if st is None:
                self.frames.pop()
                continue
            self._step(st)
            self._statement(st)
        if self.conditions:
            start = self.conditions[-1].start
            raise start.error(f"'{start.op}' without a matching '.endif'")
        return self.out

    def _step(self, st: Statement) -> None:
        """Count work, so that nested repetitions of nothing cannot run for hours."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise st.error(f"the source takes more than {MAX_STEPS} steps to expand (.rept nesting?)")

    # ---- one statement ------------------------------------------------------------------

    def _statement(self, st: Statement) -> None:
        op = st.op.lower()
        if op in CONDITIONALS or op in (".else", ".elseif", ".endif"):
            self._conditional(st, op)
            return
        if self.conditions and not self.conditions[-1].active:
            return
        if op == ".macro":
            self._define_macro(st)
        elif op in REPEATS:
            self._repeat(st, op)
        elif op == ".include":
            self._include(st)
        elif op == ".end":  # GNU as reads nothing after it
            self.frames.clear()
        elif op == ".exitm":
            self._exit_macro(st)
        elif op == ".purgem":
            if self.macros.pop(st.args.strip().lower(), None) is None:
                raise st.error(f"'.purgem {st.args.strip()}': no such macro")
        elif op in (".endm", ".endr"):
            raise st.error(f"'{st.op}' without a matching '{'.macro' if op == '.endm' else '.rept'}'")
        elif st.op.lower() in self.macros:
            self._call(self.macros[st.op.lower()], st)
        else:
            self._emit(st)

    def _emit(self, st: Statement) -> None:
        if len(self.out) >= MAX_STATEMENTS:
            raise st.error(f"the source expands to more than {MAX_STATEMENTS} statements")
        self._note_definition(st)
        self.out.append(st)

    def _note_definition(self, st: Statement) -> None:
        """Track labels and constants, for `.ifdef` and `.if` later in the stream."""
        if st.label:
            self.defined[st.label] = None
            return
        op = st.op.lower()
        if op in (".equ", ".set", ".equiv", ".eqv"):
            name, _, expr = st.args.partition(",")
            self.defined[name.strip()] = self._constant(expr)
        elif st.op and not op.startswith(".") and EQU_FORM.match(st.args):
            self.defined[st.op] = self._constant(st.args.lstrip()[1:])

    def _constant(self, expr: str) -> int | None:
        try:
            return evaluate(expr, self._known_value)
        except (ExprError, RecursionError):
            return None

    def _known_value(self, name: str) -> int:
        value = self.defined.get(name)
        if value is None:
            raise ExprError(f"'{name}' has no constant value here")
        return value

    # ---- conditionals -------------------------------------------------------------------

    def _conditional(self, st: Statement, op: str) -> None:
        if op == ".endif":
            if not self.conditions:
                raise st.error("'.endif' without a matching '.if'")
            self.conditions.pop()
            return
        if op in (".else", ".elseif"):
            self._else(st, op)
            return
        outer = not self.conditions or self.conditions[-1].active
        value = self._test(st, op) if outer else False
        self.conditions.append(_Condition(st, outer and value, outer and value, outer))

    def _else(self, st: Statement, op: str) -> None:
        if not self.conditions:
            raise st.error(f"'{st.op}' without a matching '.if'")
        cond = self.conditions[-1]
        if cond.seen_else:
            raise st.error(f"'{st.op}' after '.else' (the '.if' is at line {cond.start.line})")
        if op == ".else":
            cond.seen_else = True
            cond.active = cond.outer_active and not cond.taken
        else:
            cond.active = cond.outer_active and not cond.taken and self._test(st, ".if")
        cond.taken = cond.taken or cond.active

    def _test(self, st: Statement, op: str) -> bool:
        args = st.args.strip()
        if op in COMPARISONS:
            if not args:
                raise st.error(f"'{st.op}' needs an expression")
            try:
                return COMPARISONS[op](evaluate(args, self._known_value))
            except ExprError as err:
                raise st.error(f"non-constant expression in '{st.op}': {err}") from None
        if op in (".ifdef", ".ifndef", ".ifnotdef"):
            if not re.fullmatch(r"[A-Za-z_.$][\w.$\u00b7@]*", args):
                raise st.error(f"'{st.op}' needs a symbol name")
            return (args in self.defined) == (op == ".ifdef")
        if op in (".ifb", ".ifnb"):
            return (not args) == (op == ".ifb")
        first, second = _two_strings(st, op)
        return (first == second) == (op in (".ifc", ".ifeqs"))

    # ---- macros, repetitions, includes --------------------------------------------------

    def _push(self, st: Statement, frame: _Frame) -> None:
        if len(self.frames) >= MAX_NESTING:
            raise st.error(f"'{st.op}' nests more than {MAX_NESTING} deep (recursive?)")
        self.frames.append(frame)

    def _body(self, st: Statement, end: str, nest: tuple[str, ...]) -> list[Statement]:
        """The statements up to the matching `end`, taken from the current frame."""
        body: list[Statement] = []
        depth = 0
        for inner in self.frames[-1].statements:
            op = inner.op.lower()
            if op in nest:
                depth += 1
            elif op == end:
                if depth == 0:
                    return body
                depth -= 1
            body.append(inner)
            if len(body) > MAX_STATEMENTS:
                break
        raise st.error(f"'{st.op}' without a matching '{end}'")

    def _define_macro(self, st: Statement) -> None:
        name, _, spec = st.args.replace(",", " ", 1).partition(" ")
        name = name.strip()
        if not name:
            raise st.error(".macro needs a name")
        self.macros[name.lower()] = _Macro(name, _macro_params(spec), self._body(st, ".endm", (".macro",)))

    def _call(self, macro: _Macro, st: Statement) -> None:
        self.calls += 1
        expanded = _instantiate(macro, st, self.calls)
        self._push(st, _Frame("macro", iter(expanded), len(self.conditions), self._include_depth()))

    def _exit_macro(self, st: Statement) -> None:
        while self.frames and self.frames[-1].kind != "macro":
            self.frames.pop()
        if not self.frames:
            raise st.error("'.exitm' outside a macro")
        del self.conditions[self.frames.pop().conditions :]

    def _repeat(self, st: Statement, op: str) -> None:
        body = self._body(st, ".endr", REPEATS)
        if op == ".rept":
            count = self._count(st)
            copies = self._copies(st, body, count)
        else:
            name, _, rest = st.args.partition(",")
            name = name.strip()
            if not name:
                raise st.error(f"'{st.op}' needs a parameter name")
            values = list(rest.strip()) if op == ".irpc" else _split_args(rest) or [""]
            copies = (_substitute_body(body, {name: value}) for value in values)
        statements = (inner for copy in copies for inner in copy)
        self._push(st, _Frame("repeat", statements, len(self.conditions), self._include_depth()))

    def _copies(self, st: Statement, body: list[Statement], count: int) -> Iterator[list[Statement]]:
        """`count` fresh copies of a `.rept` body, made as they are needed."""
        for _ in range(count):
            self._step(st)
            yield _substitute_body(body, {})

    def _count(self, st: Statement) -> int:
        try:
            count = evaluate(st.args, self._known_value)
        except ExprError as err:
            raise st.error(f".rept needs a constant count: {err}") from None
        if not 0 <= count <= MAX_REPEAT:
            raise st.error(f".rept count {count} is out of range (0..{MAX_REPEAT})")
        return count

    def _include(self, st: Statement) -> None:
        depth = self._include_depth() + 1
        if depth > MAX_INCLUDE_DEPTH:
            raise st.error(f".include nests more than {MAX_INCLUDE_DEPTH} deep (recursive?)")
        self._push(st, _Frame("file", iter(self.reader.include(st)), len(self.conditions), depth))

    def _include_depth(self) -> int:
        return self.frames[-1].include_depth if self.frames else 0


def _two_strings(st: Statement, op: str) -> tuple[str, str]:
    """The operands of `.ifc a,b` (optionally 'quoted') or `.ifeqs "a","b"`."""
    parts = _split_args(st.args)
    if len(parts) != 2:
        raise st.error(f"'{st.op}' needs two strings separated by a comma")
    quote = '"' if op in (".ifeqs", ".ifnes") else "'"
    values = []
    for part in parts:
        if len(part) >= 2 and part[0] == part[-1] == quote:
            part = part[1:-1]
        elif quote == '"':
            raise st.error(f"'{st.op}' needs double-quoted strings")
        values.append(part)
    return values[0], values[1]


def _macro_params(spec: str) -> list[tuple[str, str | None, bool]]:
    params = []
    for item in re.split(r"[\s,]+", spec.strip()):
        if item:
            name, _, default = item.partition("=")
            name, _, qualifier = name.partition(":")
            params.append((name, default or None, qualifier == "vararg"))
    return params


def _split_args(text: str) -> list[str]:
    """Comma-separated arguments; commas inside quotes or parentheses do not split."""
    if not text.strip():
        return []
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, False
    for ch in text:
        if ch == '"':
            quote = not quote
        elif not quote and ch in "()":
            depth += 1 if ch == "(" else -1
        if ch == "," and not quote and depth <= 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return parts


def _unquoted(value: str) -> str:
    """A macro argument as GNU as substitutes it: `"a, b"` gives `a, b`."""
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _instantiate(macro: _Macro, call: Statement, serial: int) -> list[Statement]:
    given = _split_args(call.args)
    has_vararg = bool(macro.params) and macro.params[-1][2]
    if len(given) > len(macro.params) and not has_vararg:
        raise call.error(f"macro '{macro.name}' takes {len(macro.params)} arguments, got {len(given)}")
    values = {"@": str(serial)}
    for index, (name, default, vararg) in enumerate(macro.params):
        value = _unquoted(given[index]) if index < len(given) and given[index] != "" else default
        if vararg:
            value = ", ".join(given[index:]) if index < len(given) else (default or "")
        if value is None:
            raise call.error(f"macro '{macro.name}': missing value for '{name}'")
        values[name] = value
    body = _substitute_body(macro.body, values)
    return [
        Statement(
            call.filename,
            call.line,
            call.source,
            label=st.label,
            op=st.op,
            args=st.args,
            macro_trail=[f"{st.filename}:{st.line}", *st.macro_trail],
        )
        for st in body
    ]


def _substitute_body(body: list[Statement], values: dict[str, str]) -> list[Statement]:
    names = sorted(values, key=len, reverse=True)

    def substitute(text: str) -> str:
        for name in names:
            text = text.replace(f"\\{name}", values[name])
        return text.replace("\\()", "")

    copies = []
    for st in body:
        # An argument may hold a whole instruction (`\insn` = "addi 3, 3, 1"): split it again.
        op, _, args = f"{substitute(st.op)} {substitute(st.args)}".strip().partition(" ")
        label = substitute(st.label) if st.label else None
        copies.append(Statement(st.filename, st.line, st.source, label, op, args.strip(), st.macro_trail))
    return copies
