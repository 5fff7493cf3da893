"""`emu examples`: where the shipped example programs are, so a user finds them in any install.

The examples live in each arch's folder (`emu/data/arch/<arch>/examples/`, a derived arch sharing
its base's), inside the installed package; this command prints their paths, so
`emu run $(emu examples hello --arch ppc64le) --arch ppc64le` works from a checkout and from a
wheel alike.
"""

from __future__ import annotations

import argparse

from emu import arch as arches
from emu.errors import UsageError


def add_examples_command(commands: argparse._SubParsersAction) -> None:
    listing = commands.add_parser(
        "examples",
        help="print the paths of the shipped example programs",
        description="Without NAME: one line per example, `ARCH NAME PATH`. With NAME and --arch: "
        "only its path, for `emu run $(emu examples hello --arch A) --arch A`.",
    )
    listing.add_argument("name", nargs="?", help="an example (hello, runtime/gcloop...): print only its path")
    listing.add_argument("--arch", "-a", help="only this arch's examples (required with NAME)")
    listing.set_defaults(handler=command_examples)


def examples(arch: arches.Arch) -> dict[str, str]:
    """The arch's examples by name (their path under examples/, without `.s`): own, else its base's."""
    return {relative.removesuffix(".s"): str(path) for relative, path in arch.tree("examples").items()}


def command_examples(args: argparse.Namespace) -> int:
    if args.name is not None:
        if args.arch is None:
            raise UsageError("emu examples NAME needs --arch (the example's code is per arch)")
        arch = arches.get(args.arch)
        found = examples(arch)
        if args.name not in found:
            raise UsageError(f"no example '{args.name}' for {arch.name} (it has: {', '.join(found)})")
        print(found[args.name])
        return 0
    chosen = [arches.get(args.arch)] if args.arch else list(arches.all_arches().values())
    for arch in chosen:
        for name, path in examples(arch).items():
            print(f"{arch.name:<8} {name:<17} {path}")
    return 0
