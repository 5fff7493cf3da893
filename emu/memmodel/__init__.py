"""Weak memory models (docs/memory-models.md): storage subsystems and their unicorn observer."""
