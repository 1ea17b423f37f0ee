"""Benchmark: the SVG and PDF figures of a view with about 20,000 linear regions (target: 2 s).

`python -m sandbox.bench figure [--regions N] [--repeats N]` finds, for a 2-100-100-3 network
(seed 1), the square window around the origin that holds about N regions (default 20,000), then
prints the milliseconds of each step of File > Export figure: the exact partition, the fills
(sandbox.render.figure.region_shading: the screen's field over the regions view, flat or as a
gradient per region), the SVG text (sandbox.io.svg.figure_svg) and the atomic write, with the
file's size and how many regions got a gradient, then the same figure as PDF (sandbox.io.pdf:
the file's bytes, and with the write). The best of `--repeats` runs is printed for each step, and
the totals of both exports against the 2 s target.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sandbox.geometry import linear_regions
from sandbox.io.pdf import figure_pdf, save_pdf
from sandbox.io.svg import Figure, figure_svg, save_svg
from sandbox.nn import MLP
from sandbox.render import palette
from sandbox.render.figure import FieldLook, region_shading
from sandbox.vocab import View

TARGET_S = 2.0
SIZES = [2, 100, 100, 3]


def window_for(net: MLP, regions: int) -> tuple[float, float, float, float]:
    """A square window [-h, h]^2 holding about `regions` regions (bisection on h)."""
    lo, hi = 0.05, 50.0
    for _ in range(30):
        h = (lo * hi) ** 0.5
        n = len(linear_regions(net, (-h, h, -h, h), max_regions=10 * regions))
        if abs(n - regions) <= regions * 0.02:
            break
        lo, hi = (h, hi) if n < regions else (lo, h)
    return (-h, h, -h, h)


def best_of(repeats: int, fn):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m sandbox.bench figure")
    ap.add_argument("--regions", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    net = MLP(SIZES, seed=1)
    bounds = window_for(net, args.regions)
    linear_regions(net, bounds)  # compiled and warm
    t_part, part = best_of(args.repeats, lambda: linear_regions(net, bounds))

    look = FieldLook(frozenset({View.FIELD, View.REGIONS, View.CREASES, View.BOUNDARY}))
    t_fill, shading = best_of(args.repeats, lambda: region_shading(part, look))
    fig = Figure(
        bounds=bounds, size=(1280, 800), background=palette.BACKGROUND, offsets=part.offsets,
        vertices=part.vertices, fills=shading.fills, patterns=part.patterns,
        layers=tuple(SIZES[1:-1]), creases=part.creases.segments,
        crease_layer=part.creases.layer, crease_neuron=part.creases.neuron,
        layer_colors=palette.layer_colors(8, 0.95), boundary=part.boundary,
        boundary_classes=part.boundary_classes, shade_regions=shading.regions,
        shade_ends=shading.ends, shade_offsets=shading.offsets, shade_colors=shading.colors,
    )  # fmt: skip
    t_svg, data = best_of(args.repeats, lambda: figure_svg(fig))
    t_pdf, pdf = best_of(args.repeats, lambda: figure_pdf(fig))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "figure.svg"
        t_all, _ = best_of(args.repeats, lambda: save_svg(path, fig))
        size = path.stat().st_size
        pdf_path = Path(tmp) / "figure.pdf"
        t_pdf_all, _ = best_of(args.repeats, lambda: save_pdf(pdf_path, fig))
        pdf_size = pdf_path.stat().st_size
    total = t_part + t_fill + t_all
    pdf_total = t_part + t_fill + t_pdf_all
    print(f"network {SIZES}, window [{bounds[0]:.3f}, {bounds[1]:.3f}]^2: {len(part):,} "
          f"regions ({len(shading.regions):,} with a gradient), {len(part.creases):,} crease "
          f"segments, {len(part.boundary):,} boundary segments")  # fmt: skip
    print(f"  partition         {t_part * 1000:8.1f} ms")
    print(f"  fills             {t_fill * 1000:8.1f} ms")
    print(f"  SVG text          {t_svg * 1000:8.1f} ms  ({len(data) / 2**20:.1f} MiB)")
    print(f"  SVG text + write  {t_all * 1000:8.1f} ms  ({size / 2**20:.1f} MiB on disk)")
    print(f"  PDF bytes         {t_pdf * 1000:8.1f} ms  ({len(pdf) / 2**20:.1f} MiB)")
    print(f"  PDF bytes + write {t_pdf_all * 1000:8.1f} ms  ({pdf_size / 2**20:.1f} MiB on disk)")
    for name, t in (("SVG", total), ("PDF", pdf_total)):
        verdict = "within" if t <= TARGET_S else "OVER"
        print(f"  {name} export in all {t * 1000:8.1f} ms  ({verdict} the {TARGET_S:g} s target)")
    return 0
