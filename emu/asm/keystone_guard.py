"""Keystone behind a guard: a persistent child process with a time limit per line.

Keystone is C++ that can hang or crash on malformed input (see
emu.asm.keystone_worker). emu must neither hang nor die with it, so every
encoding request goes to one long-lived worker process (started on first use,
shared by every assembly in this process): a reply that does not come within
`LINE_TIMEOUT` seconds, or a worker that dies, is a `KeystoneFailure` for that
line, and the next request starts a fresh worker. Replies are cached, since
layout passes ask for the same line at the same address again.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

LINE_TIMEOUT = 5.0  # seconds for one line; keystone normally takes microseconds
START_TIMEOUT = 60.0  # seconds for the first reply of a new worker (Python start-up, busy host)
CACHE_LIMIT = 200_000
WORKER = Path(__file__).with_name("keystone_worker.py")


class KeystoneFailure(Exception):
    """Keystone refused (errno set), hung or crashed on one line; the message says which."""

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


class _Worker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # keystone's raw LLVM diagnostics
        )
        self.ready = False
        self.buffer = b""
        self.owner = os.getpid()  # a forked child must not talk to its parent's worker

    def ask(self, request: dict) -> dict:
        assert self.process.stdin is not None
        if not self.ready:  # the worker says so once keystone is loaded
            self._read_line(START_TIMEOUT)
            self.ready = True
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        return json.loads(self._read_line(LINE_TIMEOUT))

    def _read_line(self, timeout: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, 65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                stream.close()


class KeystoneGuard:
    """Encode one line for a keystone (arch, mode) at an address, safely."""

    def __init__(self) -> None:
        self.worker: _Worker | None = None
        self.cache: dict[tuple, bytes | KeystoneFailure] = {}
        self.lock = threading.Lock()
        self.requests = 0

    def encode(self, arch: str, mode: Sequence[str], text: str, address: int) -> bytes:
        key = (arch, tuple(mode), text, address)
        with self.lock:
            if key not in self.cache:
                if len(self.cache) >= CACHE_LIMIT:
                    self.cache.clear()
                self.cache[key] = self._ask(arch, mode, text, address)
            result = self.cache[key]
        if isinstance(result, KeystoneFailure):
            raise result
        return result

    def _ask(self, arch: str, mode: Sequence[str], text: str, address: int) -> bytes | KeystoneFailure:
        if self.worker is None or self.worker.owner != os.getpid():
            self.worker = _Worker()
        self.requests += 1
        try:
            reply = self.worker.ask({"arch": arch, "mode": mode, "text": text, "address": address})
        except BaseException as err:
            self.close()  # an interrupted exchange leaves a reply in the pipe: never reuse it
            if not isinstance(err, (TimeoutError, EOFError, OSError, ValueError)):
                raise
            what = "did not finish" if isinstance(err, TimeoutError) else "crashed"
            limit = f" within {LINE_TIMEOUT:.0f} s" if isinstance(err, TimeoutError) else ""
            return KeystoneFailure(f"keystone {what} on this line{limit}: not a valid instruction")
        if "hex" in reply:
            if not reply["hex"]:
                # Keystone printed an LLVM diagnostic and gave nothing: its state may be corrupt
                # (the same line kills a process that goes on using it), so start afresh.
                self.close()
            return bytes.fromhex(reply["hex"])
        return KeystoneFailure(reply["message"], reply["errno"])

    def close(self) -> None:
        if self.worker is not None and self.worker.owner == os.getpid():
            self.worker.stop()
        self.worker = None


GUARD = KeystoneGuard()
atexit.register(GUARD.close)
