"""Figure files by their suffix: a `sandbox.io.svg.Figure` written as SVG (sandbox.io.svg) or PDF
(sandbox.io.pdf), for the render command and File > Export figure alike. `figure_path` names the
file the user means (".svg" added when the name has neither suffix); `save_figure` writes it."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox.io import pdf, svg
from sandbox.io.svg import Figure

SUFFIXES = (svg.SUFFIX, pdf.SUFFIX)  # the first is the default
_WRITERS = {svg.SUFFIX: svg.save_svg, pdf.SUFFIX: pdf.save_pdf}


def figure_path(path: str | os.PathLike[str]) -> Path:
    """`path` as given when it ends in .svg or .pdf (any case), else with ".svg" added."""
    p = Path(path)
    return p if p.suffix.lower() in SUFFIXES else p.with_name(p.name + SUFFIXES[0])


def save_figure(path: str | os.PathLike[str], fig: Figure) -> Path:
    """Write the figure to `path` (see `figure_path`) atomically, as its suffix says; ValueError
    names the file when it cannot."""
    p = figure_path(path)
    return _WRITERS[p.suffix.lower()](p, fig)
