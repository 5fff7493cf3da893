"""The C scoreboard (emu/native/scoreboard.c) prices every block exactly as the Python one.

`--cycles` uses the C twin whenever a compiler is there; the Python one is the reference
(and what runs without a compiler). Blocks are drawn from each CPU model's own classes,
with random register dataflow, as one-block loops and as straight-line code.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emu.native import build
from emu.timing.classify import UNCLASSIFIED, Decoded
from emu.timing.model import all_models, load_model
from emu.timing.scoreboard import _native_cycles, _python_cycles

REGISTERS = [f"r{i}" for i in range(6)]


def blocks(classes: list[str]) -> st.SearchStrategy[list[Decoded]]:
    registers = st.frozensets(st.sampled_from(REGISTERS), max_size=3)
    insn = st.builds(
        Decoded,
        address=st.just(0),
        mnemonic=st.just("x"),
        cls=st.sampled_from([*classes, UNCLASSIFIED]),
        reads=registers,
        writes=registers,
        address_writes=st.frozensets(st.sampled_from(REGISTERS), max_size=1),
        addresses=st.frozensets(st.sampled_from(REGISTERS), max_size=2),
    )
    return st.lists(insn, min_size=1, max_size=12)


@pytest.mark.parametrize("name", all_models())
@settings(max_examples=60, deadline=None)
@given(data=st.data(), loops=st.booleans())
def test_c_and_python_scoreboards_agree(name: str, data: st.DataObject, loops: bool) -> None:
    lib = build.load()
    assert lib is not None, "the C helpers must build here (cc is part of the test machine)"
    model = load_model(name)
    insns = data.draw(blocks(sorted(model.classes)))
    assert _native_cycles(lib, insns, model, loops) == _python_cycles(insns, model, loops)
