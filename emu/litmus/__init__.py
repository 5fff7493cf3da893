"""`emu litmus`: herd/litmus7 litmus tests run under emu's memory models."""
