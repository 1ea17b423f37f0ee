"""Benchmarks that print figures: `python -m sandbox.bench NAME` (trainer, regions, laplace, frame).

Each benchmark is a module sandbox/bench/NAME.py with a `main(argv: list[str]) -> int`.
Speed targets live here, never in timed tests.
"""
