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
    r"|(?P<op><<|>>|&&|\|\||==|!=|<=|>=|[-+*/%&|^~()!<>]))"
)

BINARY = {
    "||": (1, lambda a, b: int(bool(a) or bool(b))),
    "&&": (2, lambda a, b: int(bool(a) and bool(b))),
    "|": (3, lambda a, b: a | b),
    "^": (4, lambda a, b: a ^ b),
    "&": (5, lambda a, b: a & b),
    "==": (6, lambda a, b: int(a == b)),
    "!=": (6, lambda a, b: int(a != b)),
    "<": (7, lambda a, b: int(a < b)),
    ">": (7, lambda a, b: int(a > b)),
    "<=": (7, lambda a, b: int(a <= b)),
    ">=": (7, lambda a, b: int(a >= b)),
    "<<": (8, lambda a, b: a << b),
    ">>": (8, lambda a, b: a >> b),
    "+": (9, lambda a, b: a + b),
    "-": (9, lambda a, b: a - b),
    "*": (10, lambda a, b: a * b),
    "/": (10, lambda a, b: int(a / b) if b else _div_zero()),
    "%": (10, lambda a, b: a - b * int(a / b) if b else _div_zero()),
}


class ExprError(ValueError):
    """An expression that cannot be evaluated; the message says why."""


class UndefinedSymbol(ExprError):
    def __init__(self, name: str) -> None:
        super().__init__(f"undefined symbol '{name}'")
        self.name = name


def _div_zero() -> int:
    raise ExprError("division by zero")


def _char_value(text: str) -> int:
    body = text[1:-1] if text.endswith("'") and len(text) > 2 else text[1:]
    return ord(body.encode().decode("unicode_escape"))


def _number(text: str) -> int:
    if len(text) > 1 and text[0] == "0" and text[1].isdigit():
        return int(text, 8)
    return int(text, 0)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
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
    value = parser.binary(0)
    if parser.pos != len(tokens):
        raise ExprError(f"unexpected '{tokens[parser.pos][1]}' in expression '{text.strip()}'")
    return value


def symbols_in(text: str) -> list[str]:
    """The symbol names an expression mentions (for dependency checks)."""
    return [value for kind, value in tokenize(text) if kind == "sym"]


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], lookup: Callable[[str], int]) -> None:
        self.tokens, self.lookup, self.pos = tokens, lookup, 0

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
            left = apply(left, self.binary(precedence + 1))

    def unary(self) -> int:
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
