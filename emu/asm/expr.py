"""GNU as constant expressions: numbers, symbols, `.`, and C operators.

Used for data directives, `.equ`, `@ha/@l` pieces and literal pools, where
emu computes values itself instead of trusting keystone (which gets several
of these silently wrong; see docs/assembler.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable

TOKEN = re.compile(
    r"\s*(?:(?P<num>0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)"
    r"|(?P<char>'(?:\\.|[^'])'?)"
    r"|(?P<sym>[A-Za-z_.$][\w.$\u00b7]*)"
    r"|(?P<op><<|>>|&&|\|\||==|!=|<>|<=|>=|[-+*/%&|^~()!<>]))"
)
WORD_BITS = 64  # GNU as computes in 64-bit integers (offsetT): results wrap
MAX_DEPTH = 100  # nested parentheses / unary operators

# GNU as precedence (binutils expr.c op_rank), NOT C's: shifts bind like `*`, the
# bitwise operators bind tighter than `+`, and a true comparison is -1.
BINARY = {
    "||": (2, lambda a, b: int(bool(a) or bool(b))),
    "&&": (3, lambda a, b: int(bool(a) and bool(b))),
    "==": (4, lambda a, b: -int(a == b)),
    "!=": (4, lambda a, b: -int(a != b)),
    "<>": (4, lambda a, b: -int(a != b)),
    "<": (4, lambda a, b: -int(a < b)),
    ">": (4, lambda a, b: -int(a > b)),
    "<=": (4, lambda a, b: -int(a <= b)),
    ">=": (4, lambda a, b: -int(a >= b)),
    "+": (7, lambda a, b: a + b),
    "-": (7, lambda a, b: a - b),
    "|": (8, lambda a, b: a | b),
    "!": (8, lambda a, b: a | ~b),  # "or not"
    "^": (8, lambda a, b: a ^ b),
    "&": (8, lambda a, b: a & b),
    "*": (9, lambda a, b: a * b),
    "/": (9, lambda a, b: _divide(a, b)[0]),
    "%": (9, lambda a, b: _divide(a, b)[1]),
    "<<": (9, lambda a, b: a << _shift_count(b)),
    ">>": (9, lambda a, b: a >> _shift_count(b)),
}
ESCAPES = {"n": 10, "t": 9, "r": 13, "b": 8, "f": 12, "\\": 92, "'": 39, '"': 34, "0": 0}


class ExprError(ValueError):
    """An expression that cannot be evaluated; the message says why."""


class UndefinedSymbol(ExprError):
    def __init__(self, name: str) -> None:
        super().__init__(f"undefined symbol '{name}'")
        self.name = name


def _divide(a: int, b: int) -> tuple[int, int]:
    """Quotient and remainder truncated toward zero, as C and GNU as compute them."""
    if b == 0:
        raise ExprError("division by zero")
    quotient = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)
    return quotient, a - b * quotient


def _shift_count(count: int) -> int:
    if not 0 <= count < WORD_BITS:
        raise ExprError(f"shift count {count} is out of range (0..{WORD_BITS - 1})")
    return count


def _wrap(value: int) -> int:
    """`value` as a signed 64-bit number (GNU as arithmetic wraps)."""
    value &= (1 << WORD_BITS) - 1
    return value - (1 << WORD_BITS) if value >> (WORD_BITS - 1) else value


def _char_value(text: str) -> int:
    body = text[1:-1] if text.endswith("'") and len(text) > 2 else text[1:]
    if not body.startswith("\\"):
        if len(body) != 1:
            raise ExprError(f"bad character constant {text}")
        return ord(body)
    escape = body[1:]
    if escape in ESCAPES:
        return ESCAPES[escape]
    if escape[:1] == "x" and len(escape) > 1 and all(c in "0123456789abcdefABCDEF" for c in escape[1:]):
        return int(escape[1:], 16) & 0xFF
    if escape and all(c in "01234567" for c in escape):
        return int(escape, 8) & 0xFF
    raise ExprError(f"bad escape in character constant {text}")


def _number(text: str) -> int:
    try:
        if len(text) > 1 and text[0] == "0" and text[1].isdigit():
            return int(text, 8)
        return int(text, 0)
    except ValueError:
        raise ExprError(f"bad number '{text}'") from None


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos or match.lastgroup is None:
            raise ExprError(f"unexpected '{text[pos:].strip()}' in expression '{text.strip()}'")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def evaluate(text: str, lookup: Callable[[str], int]) -> int:
    """The value of `text`; `lookup(name)` supplies symbols (and `.`)."""
    tokens = tokenize(text)
    if not tokens:
        raise ExprError("missing expression")
    parser = _Parser(tokens, lookup)
    value = _wrap(parser.binary(0))
    if parser.pos != len(tokens):
        raise ExprError(f"unexpected '{tokens[parser.pos][1]}' in expression '{text.strip()}'")
    return value


def symbols_in(text: str) -> list[str]:
    """The symbol names an expression mentions (for dependency checks)."""
    return [value for kind, value in tokenize(text) if kind == "sym"]


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], lookup: Callable[[str], int]) -> None:
        self.tokens, self.lookup, self.pos, self.depth = tokens, lookup, 0, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExprError("expression ends too early")
        self.pos += 1
        return token

    def binary(self, min_precedence: int) -> int:
        left = self.unary()
        while True:
            token = self.peek()
            if not token or token[0] != "op" or token[1] not in BINARY:
                return left
            precedence, apply = BINARY[token[1]]
            if precedence < min_precedence:
                return left
            self.pos += 1
            left = _wrap(apply(left, self.binary(precedence + 1)))

    def unary(self) -> int:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"expression nests more than {MAX_DEPTH} levels deep")
        try:
            return _wrap(self._primary())
        finally:
            self.depth -= 1

    def _primary(self) -> int:
        kind, value = self.take()
        if kind == "op" and value == "-":
            return -self.unary()
        if kind == "op" and value == "+":
            return self.unary()
        if kind == "op" and value == "~":
            return ~self.unary()
        if kind == "op" and value == "!":
            return int(not self.unary())
        if kind == "op" and value == "(":
            inner = self.binary(0)
            if self.take() != ("op", ")"):
                raise ExprError("missing ')'")
            return inner
        if kind == "num":
            return _number(value)
        if kind == "char":
            return _char_value(value)
        if kind == "sym":
            return self.lookup(value)
        raise ExprError(f"unexpected '{value}'")
