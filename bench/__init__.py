"""Benchmarks whose results the README quotes; each module has a `main() -> int`."""
