"""Thin callbacks that drive a Scope from trainers rnnscope does not depend on (Lightning, the HF Trainer)."""
