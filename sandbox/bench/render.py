"""Renderer benchmark: milliseconds per pass of the default frame at 1280x800.

`python -m sandbox.bench render [--size WxH] [--frames N] [--no-per-pixel]`; see
sandbox/render/benchmark.py.
"""

from __future__ import annotations

from sandbox.render.benchmark import main

__all__ = ["main"]
