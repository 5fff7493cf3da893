"""Contended cases: several guest threads hammering one target (placeholder)."""
