"""Cycle-approximate timing: CPU models as data, per-block costs, per-symbol reports."""

from emu.timing.model import CpuModel, load_model, model_for
from emu.timing.profile import Profiler, Report

__all__ = ["CpuModel", "Profiler", "Report", "load_model", "model_for"]
