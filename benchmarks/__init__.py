"""Benchmarks: each module exposes ``run() -> dict`` measuring ours and a baseline in the same run."""
