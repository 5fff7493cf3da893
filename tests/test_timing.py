"""Timing models, classification and the --cycles / --cycles-json reports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from archdata import input_file

from emu import arch as arches
from emu.timing.classify import UNCLASSIFIED, classifier_for
from emu.timing.llvm_mca import _decoded, case_files, corpus_dirs, emu_cycles, mca_models
from emu.timing.model import all_models, load_model, model_for

ROOT = Path(__file__).resolve().parent.parent
SYMBOL_KEYS = {"name", "address", "calls", "instructions", "cycles", "cycles_per_call", "unclassified"}


def emu(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "emu", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", all_models())
def test_every_model_prices_every_class_its_arches_use(name: str) -> None:
    model = load_model(name)
    owners = [arch for arch in arches.all_arches().values() if name in arch.cpus]
    assert owners, f"{name}: no arch lists it"
    for arch in owners:
        assert model_for(arch.name, name) is model
    for cls, cost in model.classes.items():
        assert cost.latency >= 0 and cost.rthroughput > 0, cls


@pytest.mark.parametrize(("arch_name", "path"), case_files(), ids=lambda case: getattr(case, "stem", case))
def test_corpus_kernels_are_fully_classified(arch_name: str, path: Path) -> None:
    decoded, _ = _decoded(arch_name, path)
    assert UNCLASSIFIED not in [d.cls for d in decoded]


def test_power8_and_power9_differ_plausibly() -> None:
    body = arches.get("ppc64le").file("timing/mca/xadd.s")
    assert 0.25 <= emu_cycles("ppc64le", "power8", body) <= 20
    p8 = emu_cycles("ppc64le", "power8", arches.get("ppc64le").file("timing/mca/cas.s"))
    p9 = emu_cycles("ppc64le", "power9", arches.get("ppc64le").file("timing/mca/cas.s"))
    assert p8 > 0 and p9 > 0


def test_a_store_waiting_for_data_does_not_block_the_next_independent_load() -> None:
    """zen2 shares a port between loads and stores; an out-of-order core fills the gap the store
    left (issue 16: the old forward-only port clock gave 8.33 cycles/iteration, llvm-mca 1.55)."""
    body = arches.get("amd64").file("timing/mca/copy.s")
    assert emu_cycles("amd64", "zen2", body) <= 2.0


def test_update_form_base_register_is_not_a_load_latency_chain() -> None:
    """ldu/stdu write the base from a 2-cycle ALU uop (issue 16: 4.00 vs llvm-mca 2.53 on power9)."""
    body = arches.get("ppc64le").file("timing/mca/copyupdate.s")
    assert emu_cycles("ppc64le", "power9", body) <= 2.5
    decoded, _ = _decoded("ppc64le", body)
    assert decoded[0].address_writes == frozenset({"r4"}) and "r4" not in decoded[0].writes


def _body(arch_name: str, kernel: str) -> Path:
    """A kernel of the llvm-mca corpus (the arch folder's timing/mca/)."""
    return arches.get(arch_name).file(f"timing/mca/{kernel}.s")


def _kernel(arch_name: str, kernel: str) -> list:
    return _decoded(arch_name, _body(arch_name, kernel))[0]


def test_a_conditional_branch_does_not_carry_ctr_but_bdnz_does() -> None:
    """capstone lists ctr as an implicit operand of every PPC conditional branch; only bdnz/bdz
    (and bctr, mtctr...) use it. A `bne` loop must not get a 2-cycle ctr chain, a bdnz loop must."""
    bne = _kernel("ppc64le", "xadd")[-1]
    assert bne.mnemonic == "bne" and "ctr" not in bne.reads | bne.writes
    assert emu_cycles("ppc64le", "power9", _body("ppc64le", "xadd")) < 2.0
    assert emu_cycles("ppc64le", "power9", _body("ppc64le", "counter")) == pytest.approx(2.0)


def test_arm_post_indexed_base_is_not_a_load_latency_chain() -> None:
    """`ldr r3, [r1], #4` writes r1 from the address unit (1 cycle), not with the load's latency."""
    load = _kernel("arm", "sum")[0]
    assert load.address_writes == frozenset({"r1"}) and "r1" not in load.writes
    assert emu_cycles("arm", "cortex-a57", _body("arm", "sum")) < 2.5


def test_arm64_post_indexed_base_is_not_a_load_latency_chain() -> None:
    """`ldr x3, [x1], #8` writes x1 from an address uop (LLVM's WriteAdr, 1 cycle): `sum` was 4.00
    cycles/iteration (the load's latency on x1) against llvm-mca's 2.03."""
    load = _kernel("arm64", "sum")[0]
    assert load.address_writes == frozenset({"x1"}) and "x1" not in load.writes
    assert emu_cycles("arm64", "cortex-a72", _body("arm64", "sum")) < 2.5


def test_arm64_dispatch_slots_follow_llvms_uops() -> None:
    """A57 dispatches `str x3, [x0], #8` as 3 uops and `ldr x3, [x4, x3, lsl #3]` as 2 (I + L):
    `store_fill` was 1.00 (llvm-mca 2.02), `index_load` 1.38 (2.03)."""
    assert _kernel("arm64", "index_load")[0].cls == "load_indexed"
    assert emu_cycles("arm64", "cortex-a72", _body("arm64", "store_fill")) >= 1.6
    assert emu_cycles("arm64", "cortex-a72", _body("arm64", "index_load")) >= 1.6


def test_arm64_madd_accumulator_and_shifted_operands() -> None:
    """madd reads its accumulator 2 cycles late (ReadIMA): 3 cycles per chained madd, not 5; an
    add with a shifted operand is a 2-cycle M-pipe op (WriteISReg): 4 for two, not 2."""
    assert emu_cycles("arm64", "cortex-a72", _body("arm64", "madd_chain")) == pytest.approx(3.0, rel=0.05)
    assert _kernel("arm64", "shift_add_chain")[0].cls == "alu_shifted"
    assert emu_cycles("arm64", "cortex-a72", _body("arm64", "shift_add_chain")) == pytest.approx(
        4.0, rel=0.05
    )


def test_arm64_lse_bodies_assemble_through_emus_front_end() -> None:
    """keystone alone cannot encode casal/ldaddal/swpal/ldsetalb; the corpus goes through emu's
    assembler (the arm64 dialect encodes them) and prices them as atomics."""
    for kernel, mnemonic in [
        ("cas_lse", "casal"),
        ("xadd_lse", "ldaddal"),
        ("xchg_lse", "swpal"),
        ("atomicor8_lse", "ldsetalb"),
    ]:
        assert [d.cls for d in _kernel("arm64", kernel) if d.mnemonic == mnemonic] == ["atomic"], kernel


def test_riscv64_alu_results_bypass_to_alu_operands() -> None:
    """SiFive7's ALU latency is 3 but ALU, shift and branch operands get results 2 cycles early
    (LLVM's SiFive7AnyToGPRBypass): 4 dependent adds were 12 cycles against llvm-mca's 4.02."""
    assert emu_cycles("riscv64", "sifive-u74", _body("riscv64", "add_chain")) == pytest.approx(4.0, rel=0.05)


def test_riscv64_compressed_two_operand_forms_read_their_destination() -> None:
    """`c.addi a2, -1` is a2 = a2 - 1; capstone lists a2 once, as the destination."""
    addi = next(d for d in _kernel("riscv64", "counter") if d.mnemonic == "c.addi")
    assert "a2" in addi.reads and "a2" in addi.writes


def test_riscv64_branch_targets_are_relative_and_in_order_branches_wait() -> None:
    """capstone names a RISC-V branch's target as an offset (the corpus loops were priced as
    straight code); an in-order core's branch issues when its operands are ready (cas was 2.00
    cycles/iteration, the lr -> bne -> sc -> bnez chain 4; llvm-mca 6.02 with in-order write-back)."""
    decoded, insns = _decoded("riscv64", _body("riscv64", "counter"))
    assert classifier_for("riscv64").branch_targets(insns[-1]) == [insns[0].address]
    assert emu_cycles("riscv64", "sifive-u74", _body("riscv64", "cas")) >= 4.0


def test_x86_folded_load_reads_its_register_operand_late() -> None:
    """`add rax, [rsi]`: the accumulator chain is the add (1 cycle), not the load (5)."""
    add = _kernel("amd64", "sum_loadop")[0]
    assert add.cls == "load_op" and add.accumulators == frozenset({"rax"})
    assert emu_cycles("amd64", "skylake", _body("amd64", "sum_loadop")) < 1.5


def test_sse_movsd_is_a_floating_point_move_not_a_string_op() -> None:
    loads = [d for d in _kernel("amd64", "fp_dot") if d.mnemonic == "movsd"]
    assert [d.cls for d in loads] == ["load", "load"]


@pytest.mark.parametrize(
    ("arch_name", "cpu"),
    [
        (name, cpu)
        for name in corpus_dirs()
        if (corpus_dirs()[name] / "fp_add_chain.s").exists()
        for cpu in mca_models(name)
    ],
)
def test_floating_point_chains_cost_the_fp_latency(arch_name: str, cpu: str) -> None:
    """Two dependent FP adds per iteration cost twice the model's fp_add latency."""
    assert emu_cycles(arch_name, cpu, _body(arch_name, "fp_add_chain")) == pytest.approx(
        2 * load_model(cpu).cost("fp_add").latency, rel=0.05
    )


def test_a_predicated_arm_move_waits_for_the_flags_and_its_old_value() -> None:
    movlt = _kernel("arm", "select_max")[2]
    assert movlt.mnemonic == "movlt" and {"cpsr", "r0"} <= movlt.reads


def test_isel_reads_the_condition_field_a_compare_writes() -> None:
    cmp, isel = _kernel("ppc64le", "select_max")[1:3]
    assert isel.cls == "select" and cmp.writes & isel.reads == frozenset({"cr0"})


def test_push_and_pop_update_the_stack_pointer_without_the_access_latency() -> None:
    """The stack engine (x86) / address unit (ARM) writes sp; pop's load latency is not a chain."""
    assert emu_cycles("amd64", "skylake", _body("amd64", "push_pop")) <= 2.5
    assert emu_cycles("arm", "cortex-a57", _body("arm", "push_pop")) <= 3.0


def test_accumulate_operand_is_late_forwarded_on_a57_only() -> None:
    """A57 forwards an mla accumulator late (1 cycle/iteration); A9 has no such bypass (4)."""
    body = _body("arm", "mla_chain")
    assert emu_cycles("arm", "cortex-a57", body) == pytest.approx(1.0, abs=0.1)
    assert emu_cycles("arm", "cortex-a9", body) == pytest.approx(4.0, abs=0.1)


def validate(report: dict) -> None:
    """The schema documented in docs/timing.md (`--cycles-json`)."""
    assert report["schema"] == "emu-cycles/1"
    kinds: dict[str, type | tuple[type, ...]] = {
        "arch": str,
        "cpu": str,
        "total_instructions": int,
        "total_cycles": (int, float),
        "ipc": (int, float),
        "unclassified_instructions": int,
        "mispredict_cycles": (int, float),
        "cache": list,
        "symbols": list,
        "threads": list,
        "blocks": list,
        "counter": str,
    }
    for key, kind in kinds.items():
        assert isinstance(report[key], kind), key
    for symbol in report["symbols"]:
        assert set(symbol) == SYMBOL_KEYS
    for thread in report["threads"]:
        assert {"tid", "instructions", "cycles", "symbols"} <= set(thread)
    assert sum(s["instructions"] for s in report["symbols"]) == report["total_instructions"]


def test_cycles_json_validates_and_cpus_differ(tmp_path: Path) -> None:
    reports = {}
    for cpu in ("power8", "power9"):
        out = tmp_path / f"{cpu}.json"
        result = emu(
            "run",
            str(arches.get("ppc64le").file("bench/xadd.s")),
            "--arch",
            "ppc64le",
            "--cpu",
            cpu,
            "--cycles",
            "--cycles-json",
            str(out),
        )
        assert result.returncode == 0, result.stderr
        assert "Total Cycles:" in result.stderr and "Unclassified:" in result.stderr
        reports[cpu] = json.loads(out.read_text())
        validate(reports[cpu])
    assert reports["power8"]["total_instructions"] == reports["power9"]["total_instructions"]
    assert reports["power8"]["total_cycles"] != reports["power9"]["total_cycles"]


def test_cache_model_charges_misses(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    result = emu(
        "run",
        str(arches.get("arm").file("bench/memclr.s")),
        "--arch",
        "arm",
        "--cache",
        "L1=32K/4/32,L2=512K/8/32",
        "--cycles-json",
        str(out),
        "--max-insns",
        "300000",
    )
    assert result.returncode == 124, result.stderr
    report = json.loads(out.read_text())
    validate(report)
    assert report["cache"][0]["misses"] > 0


def test_wrong_cpu_for_arch_is_a_usage_error() -> None:
    result = emu(
        "run", str(arches.get("arm").file("bench/xadd.s")), "--arch", "arm", "--cpu", "power9", "--cycles"
    )
    assert result.returncode != 0 and "does not fit arm" in result.stderr


def test_cycles_profile_is_read_by_go_tool_pprof(tmp_path: Path) -> None:
    """`--cycles-profile` writes profile.proto that Go's own reader ranks by cycles per function/line."""
    from conftest import require_tool

    require_tool("go")
    profile = tmp_path / "cycles.pb.gz"
    source = input_file("ppc64", "examples/runtime/pingpong.s")
    ran = emu("run", str(source), "--arch", "ppc64le", "--cycles-profile", str(profile))
    assert ran.returncode == 0, ran.stderr
    top = subprocess.run(
        ["go", "tool", "pprof", "-top", "-lines", str(profile)], capture_output=True, text=True, check=True
    )
    assert "Type: cycles" in top.stdout
    assert re.search(r"\bcas .*runtime\.s:\d+", top.stdout), top.stdout


def test_cycles_report_shows_the_top_rows_with_full_names() -> None:
    source = input_file("amd64", "examples/runtime/workers.s")
    short = emu("run", str(source), "--arch", "amd64", "--cycles", "--cycles-top", "3")
    full = emu("run", str(source), "--arch", "amd64", "--cycles", "--cycles-all")
    assert short.returncode == 0 and full.returncode == 0
    assert "--cycles-all shows every row" in short.stderr
    assert len(short.stderr.splitlines()) < len(full.stderr.splitlines())
    assert "--cycles-all shows every row" not in full.stderr


def test_timeline_draws_each_instruction_of_each_iteration() -> None:
    body = arches.get("ppc64le").file("timing/mca/copyupdate.s")
    shown = emu("timeline", str(body), "loop", "--arch", "ppc64le", "--cpu", "power9", "--iterations", "4")
    assert shown.returncode == 0, shown.stderr
    rows = [line for line in shown.stdout.splitlines() if line.startswith("[")]
    assert [row.split()[0] for row in rows[:4]] == ["[0,0]", "[0,1]", "[0,2]", "[1,0]"]
    assert len(rows) == 12 and all("D" in row and "R" in row for row in rows)
    assert "cycles/iteration (retire to retire): 2.00" in shown.stdout


def test_timeline_of_an_unknown_symbol_is_a_one_line_error() -> None:
    body = arches.get("ppc64le").file("timing/mca/copyupdate.s")
    shown = emu("timeline", str(body), "nosuch", "--arch", "ppc64le")
    assert shown.returncode == 2 and len(shown.stderr.splitlines()) == 1
    assert "no symbol 'nosuch'" in shown.stderr
