"""The child process that runs keystone for emu (see emu.asm.keystone_guard).

Keystone 0.9.2 hangs on some lines (`*`, `^0`, `[rbx+8]`) and kills its process
on others (ppc64 `trap @ha stwcx. r3`), printing raw LLVM diagnostics. Run here,
a hang is ended by the parent's time limit and a crash ends only this process.
Kept free of emu imports so that it starts fast.

Protocol: `{}` on stdout once ready, then one JSON request per line on stdin, `{"arch", "mode", "text", "address"}`;
one JSON reply per line on stdout, `{"hex"}` or `{"errno", "message"}`.
"""

from __future__ import annotations

import json
import sys

import keystone


def _encoder(cache: dict, arch: str, mode: list[str]) -> keystone.Ks:
    key = (arch, tuple(mode))
    if key not in cache:
        flags = 0
        for name in mode:
            flags |= getattr(keystone, f"KS_MODE_{name}")
        cache[key] = keystone.Ks(getattr(keystone, f"KS_ARCH_{arch}"), flags)
    return cache[key]


def serve(requests, replies) -> None:
    replies.write("{}\n")  # ready: keystone is loaded
    replies.flush()
    encoders: dict = {}
    for line in requests:
        request = json.loads(line)
        ks = _encoder(encoders, request["arch"], request["mode"])
        try:
            encoding, _ = ks.asm(request["text"], request["address"])
            reply = {"hex": bytes(encoding or b"").hex()}
        except keystone.KsError as err:
            reply = {"errno": err.errno, "message": str(err).split(" (KS_ERR")[0]}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
