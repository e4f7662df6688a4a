"""Benchmarks behind docs/PERFORMANCE.md; each module has a `main() -> int` and records its
figures with their commit in bench/results/ (bench/_results.py)."""
