"""emu: a cycle-approximate, multi-architecture emulator for a toy Go-like runtime."""

__version__ = "0.1.0"
