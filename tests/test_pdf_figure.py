"""PDF figures (sandbox.io.pdf), read back with the small reader in pdf_util: the file's structure
holds, the page is the figure's size in points, one filled path per region of the partition (the
same polygons as the SVG's, y up), their areas filling the page, gradients where the SVG has them,
the points with hollow test points, the rectangle shown in the Keywords, and clear messages for
paths that cannot be written."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from pdf_util import polygon_area, read_pdf, region_paths

from sandbox.geometry import linear_regions
from sandbox.io.figures import figure_path, save_figure
from sandbox.io.pdf import figure_pdf, save_pdf
from sandbox.io.svg import Figure, LegendEntry, figure_svg
from sandbox.nn import MLP

BOUNDS = (-2.5, 3.0, -1.5, 2.0)
SIZE = (550, 350)


@pytest.fixture(scope="module")
def scene():
    net = MLP([2, 12, 10, 3], seed=4)
    part = linear_regions(net, BOUNDS)
    assert 50 < len(part) and not part.too_many
    return net, part


def _figure(net: MLP, part, **kw) -> Figure:
    rng = np.random.default_rng(0)
    X = rng.uniform([-2.0, -1.0], [2.5, 1.5], size=(30, 2))
    colors = np.random.default_rng(1).uniform(size=(len(part), 3))
    args = dict(
        bounds=part.bounds, size=SIZE, background=np.ones(3), offsets=part.offsets,
        vertices=part.vertices, fills=colors, patterns=part.patterns,
        layers=tuple(net.hidden_sizes), creases=part.creases.segments,
        crease_layer=part.creases.layer, crease_neuron=part.creases.neuron,
        layer_colors=np.tile([0.2, 0.3, 0.4, 0.95], (8, 1)), boundary=part.boundary,
        boundary_classes=part.boundary_classes, points=np.vstack([X, [[9.0, 9.0]]]),
        point_colors=np.zeros((31, 3)), point_labels=[str(i % 3) for i in range(31)],
        point_test=np.arange(31) % 4 == 0, title="A figure (with brackets)",
        legend=[LegendEntry("point", (0.0, 0.4, 0.7), "class 1 & <2>"),
                LegendEntry("hollow", (0.4, 0.4, 0.4), "test point"),
                LegendEntry("line", (0.0, 0.0, 0.0), "decision boundary"),
                LegendEntry("fill", (0.9, 0.9, 0.9), "12 linear regions")],
    )  # fmt: skip
    args.update(kw)
    return Figure(**args)


def test_one_filled_path_per_region_the_svg_polygons_filling_the_page(scene):
    net, part = scene
    fig = _figure(net, part)
    page = read_pdf(figure_pdf(fig))
    assert page.size == SIZE
    keys = dict(kv.split("=") for kv in page.info["Keywords"].split("; "))
    assert tuple(float(v) for v in keys["data-bounds"].split()) == BOUNDS
    assert keys["data-layers"] == "12 10" and int(keys["data-regions"]) == len(part)
    assert page.info["Title"] == "A figure (with brackets)"
    assert list(page.sections) == ["Regions", "Creases", "Boundary", "Points", "Legend"]
    paths = region_paths(page.sections["Regions"])
    assert [p.op for p in paths] == ["B"] * len(part) and page.shadings == 0
    # the same corners as the SVG's polygons, y flipped, in the partition's order
    root = ET.fromstring(figure_svg(fig))
    polys = root.findall(".//{http://www.w3.org/2000/svg}polygon")
    for r in (0, len(part) // 2, len(part) - 1):
        svg = np.array([[float(v) for v in p.split(",")] for p in polys[r].get("points").split()])
        svg[:, 1] = SIZE[1] - svg[:, 1]
        np.testing.assert_allclose(paths[r].points, svg, atol=2e-3)
    total = sum(polygon_area(p.points) for p in paths)
    assert total == pytest.approx(SIZE[0] * SIZE[1], rel=1e-5)
    # the fills are the figure's colours, 8-bit as the SVG's
    want = np.rint(fig.fills * 255)
    got = np.array([p.fill for p in paths]) * 255
    np.testing.assert_allclose(got, want, atol=0.02)
    # one stroked path per neuron's crease, the boundary, the points inside (hollow test points)
    creases = page.sections["Creases"]
    n_neurons = len({(a, b) for a, b in zip(part.creases.layer, part.creases.neuron, strict=True)})
    assert creases.split().count("S") == n_neurons
    assert creases.split().count("m") == len(part.creases)
    assert page.sections["Boundary"].split().count("m") == len(part.boundary)
    points = page.sections["Points"].split()
    test_inside = int(np.count_nonzero(fig.point_test[:30]))
    assert points.count("B") == 30 and points.count("f") == test_inside
    assert "(test point) Tj" in page.sections["Legend"]


def test_gradients_are_axial_shadings_clipped_to_their_region(scene):
    net, part = scene
    regions = np.array([3, 7])
    ends = np.array([[-1.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 1.0]])
    offsets = np.array([[0.0, np.nan, 1.0], [0.0, 0.25, 1.0]])
    colors = np.array([[[1, 0, 0], [1, 1, 1], [0, 0, 1]], [[0, 0, 0], [0.5, 0.5, 0.5], [1, 1, 1]]])
    fig = _figure(net, part, shade_regions=regions, shade_ends=ends, shade_offsets=offsets,
                  shade_colors=colors)  # fmt: skip
    page = read_pdf(figure_pdf(fig))
    paths = region_paths(page.sections["Regions"])
    # every region is filled flat (no seam, and a fallback colour), the shaded ones then clipped
    assert [p.op for p in paths].count("B") == len(part) and page.shadings == 2
    clips = [i for i, p in enumerate(paths) if p.op == "W"]
    assert len(clips) == 2 and paths[clips[0] - 1].op == "B"
    np.testing.assert_allclose(paths[clips[0]].points, paths[clips[0] - 1].points)
    assert page.sections["Regions"].count(" sh\n") == 2
    shades = [o for o in page.objects.values() if b"/ShadingType 2" in o]
    a = fig.to_pixels(np.array([[0.0, -1.0], [0.0, 1.0]]))
    a[:, 1] = SIZE[1] - a[:, 1]
    coords = " ".join(f"{v:.3f}" for v in a.ravel())
    second = next(o for o in shades if f"/Coords[{coords}]".encode() in o)
    assert b"/FunctionType 3" in second and b"/Bounds[0.250000]" in second
    assert b"/C0[0 0 0]/C1[0.502 0.502 0.502]" in second
    first = next(o for o in shades if o is not second)
    assert b"/FunctionType 3" not in first and b"/C0[1 0 0]/C1[0 0 1]" in first


def test_files_by_suffix_and_clear_messages(scene, tmp_path):
    net, part = scene
    fig = _figure(net, part, legend=[])
    assert figure_path(tmp_path / "a") == tmp_path / "a.svg"
    assert figure_path(tmp_path / "a.PDF") == tmp_path / "a.PDF"
    assert figure_path("x.pdf.txt").name == "x.pdf.txt.svg"
    out = save_figure(tmp_path / "b.Pdf", fig)
    assert (
        out.read_bytes().startswith(b"%PDF-")
        and "Legend" not in read_pdf(out.read_bytes()).sections
    )
    assert save_figure(tmp_path / "b", fig).read_bytes().startswith(b"<?xml")
    with pytest.raises(ValueError, match="cannot write"):
        save_pdf(tmp_path / "missing" / "f.pdf", fig)
    (tmp_path / "folder.pdf").mkdir()
    with pytest.raises(ValueError, match="folder.pdf: cannot write"):
        save_pdf(tmp_path / "folder.pdf", fig)
    assert not list((tmp_path).glob(".*tmp"))
