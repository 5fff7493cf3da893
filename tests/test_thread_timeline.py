"""`emu run --timeline FILE`: the trace loads as the Trace Event Format says, one track per thread,
events sorted and properly nested; the .html/.svg rendering draws the same lanes.

The schema (tests/fixtures/trace_event_format.schema.json) is written from the format's
specification; jsonschema checks every event against it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import jsonschema
import pytest
from archdata import example
from conftest import ARCHES, ROOT, require_tool, run_emu
from test_kernel_units import call, machine_for
from test_signals import SIGURG, install

from emu.sched import Wait
from emu.thread_timeline.chrome import trace_events
from emu.thread_timeline.recorder import TimelineRecorder

SCHEMA = json.loads((ROOT / "tests/fixtures/trace_event_format.schema.json").read_text())


def workers(arch: str) -> str:
    """The arch's 4-worker channel program (examples/runtime/workers.s): several threads, futex waits."""
    return example(arch, "runtime/workers")


def load_trace(path: Path) -> list[dict]:
    document = json.loads(path.read_text())
    jsonschema.validate(document, SCHEMA)
    return document["traceEvents"]


def check_structure(events: list[dict]) -> None:
    """Timed events in ts order; per thread, X events nested (none crosses the end of the one it
    starts in) and B/E paired; every thread with events has a thread_name. Times are compared in
    whole nanoseconds, as Perfetto's importer converts them."""
    timed = [e for e in events if e["ph"] != "M"]
    stamps = [e["ts"] for e in timed]
    assert stamps == sorted(stamps), "events are not in timestamp order"
    named = {e["tid"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    assert {e["tid"] for e in timed} <= named
    open_spans: dict[int, list[int]] = defaultdict(list)
    begun: dict[int, int] = defaultdict(int)
    for event in timed:
        stack = open_spans[event["tid"]]
        if event["ph"] == "X":
            start = round(event["ts"] * 1000)
            end = start + round(event["dur"] * 1000)
            while stack and stack[-1] <= start:
                stack.pop()
            assert not stack or end <= stack[-1], f"{event} crosses the end of its parent"
            stack.append(end)
        elif event["ph"] == "B":
            begun[event["tid"]] += 1
        elif event["ph"] == "E":
            begun[event["tid"]] -= 1
            assert begun[event["tid"]] >= 0, f"E without B: {event}"
    assert all(count == 0 for count in begun.values()), "B without E"


@pytest.mark.parametrize("arch", ARCHES)
def test_multithread_program_trace_has_a_track_per_thread(arch: str, tmp_path: Path) -> None:
    trace = tmp_path / "workers.json"
    done = run_emu("run", workers(arch), "--arch", arch, "--timeline", trace)
    assert done.returncode == 0, done.stderr
    assert "sum of squares 338350" in done.stdout
    events = load_trace(trace)
    check_structure(events)
    threads = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    running = {e["tid"] for e in events if e.get("cat") == "running"}
    assert len(threads) >= 2 and running == set(threads), threads
    by_category = defaultdict(list)
    for event in events:
        by_category[event.get("cat")].append(event)
    assert any(e["name"].startswith("futex wait 0x") for e in by_category["blocked"])
    futex = next(e for e in by_category["syscall"] if e["name"] == "futex")
    assert len(futex["args"]["args"]) == 6 and "result" in futex["args"]
    assert {e["name"] for e in by_category["runtime"]} >= {"runtime.chansend", "runtime.chanrecv"}
    slices = by_category["running"]
    assert sum(e["args"]["instructions"] for e in slices) > 1000


def test_gc_phases_lie_inside_the_runtime_call_that_collected(tmp_path: Path) -> None:
    trace = tmp_path / "gc.json"
    done = run_emu("run", example("arm", "runtime/gcloop"), "--arch", "arm", "--timeline", trace, "--gctrace")
    assert done.returncode == 0, done.stderr
    events = load_trace(trace)
    check_structure(events)
    collections = [e for e in events if e.get("cat") == "gc" and e["name"].startswith("gc ")]
    gctrace = re.findall(r"^gc \d+ @", done.stderr, re.MULTILINE)
    assert len(collections) == len(gctrace) > 0
    first = collections[0]
    phases = [
        e
        for e in events
        if e.get("cat") == "gc" and e["tid"] == first["tid"] and e["name"] in ("mark", "sweep")
    ]
    assert phases and phases[0]["ts"] == first["ts"]
    enclosing = [
        e
        for e in events
        if e.get("cat") == "runtime"
        and e["tid"] == first["tid"]
        and e["ts"] <= first["ts"]
        and first["ts"] + first["dur"] <= e["ts"] + e["dur"]
    ]
    assert enclosing, "the collection is not inside a runtime call"


def test_signal_delivery_is_an_instant_on_the_thread() -> None:
    machine = machine_for("arm")
    recorder = TimelineRecorder(machine.pid)
    machine.events.attach(recorder)
    thread = machine.threads[0]
    install(machine, SIGURG)
    machine.scheduler.block(thread, Wait(0x1000, None))
    assert call(machine, "tgkill", machine.pid, thread.tid, SIGURG) == 0
    machine.kernel.on_resume(thread)
    events = trace_events(recorder, machine.pid, "signals")
    jsonschema.validate({"traceEvents": events}, SCHEMA)
    delivered = [e for e in events if e.get("cat") == "signal"]
    assert [(e["name"], e["ph"], e["s"], e["tid"]) for e in delivered] == [("SIGURG", "i", "t", thread.tid)]


@pytest.mark.parametrize("suffix", [".svg", ".html"])
def test_picture_draws_one_lane_per_thread(suffix: str, tmp_path: Path) -> None:
    picture = tmp_path / f"workers{suffix}"
    done = run_emu("run", workers("amd64"), "--arch", "amd64", "--timeline", picture)
    assert done.returncode == 0, done.stderr
    text = picture.read_text()
    if suffix == ".html":
        assert text.startswith("<!DOCTYPE html>") and "<script" not in text
        text = text[text.index("<svg") : text.index("</svg>") + len("</svg>")]
    svg = ET.fromstring(text)  # well-formed XML: an SVG any browser draws
    names = [
        t.text
        for t in svg.iter("{http://www.w3.org/2000/svg}text")
        if t.text and t.text.startswith("thread ")
    ]
    assert len(names) >= 2 and names[0] == "thread 1000 (main)"
    titles = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert any(title.startswith("futex wait") or "blocked" in title for title in titles)


def test_unwritable_timeline_is_a_usage_error_before_the_run() -> None:
    done = run_emu("run", workers("amd64"), "--arch", "amd64", "--timeline", "/nonexistent/dir/t.json")
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "--timeline" in done.stderr


def test_a_dying_guest_still_writes_its_trace(tmp_path: Path) -> None:
    trace = tmp_path / "dead.json"
    done = run_emu("run", workers("amd64"), "--arch", "amd64", "--max-insns", "3000", "--timeline", trace)
    assert done.returncode == 124, done.stderr
    check_structure(load_trace(trace))


def test_go_goroutines_program_has_a_track_per_thread(tmp_path: Path) -> None:
    """Issue 16's check: the goroutines Go program's trace passes the schema, one track per thread."""
    require_tool("go")
    from gotools import build, run_under_emu

    trace = tmp_path / "goroutines.json"
    done = run_under_emu(build("goroutines", "amd64"), {"GOMAXPROCS": "4"}, 300, "--timeline", str(trace))
    assert done.returncode == 0, done.stderr
    events = load_trace(trace)
    check_structure(events)
    threads = {e["tid"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    running = {e["tid"] for e in events if e.get("cat") == "running"}
    assert len(threads) >= 2 and running == threads
    assert any(e["name"] == "clone" for e in events if e.get("cat") == "syscall")
