"""Vector figures (sandbox.io.svg, sandbox.render.figure), read back with xml.etree as anyone would:
one polygon per region of the partition, their areas filling the rectangle in `data-bounds`, each
polygon's `data-pattern` the network's activation pattern inside it, creases where their neuron
is zero, the boundary where its two classes tie, points where the plane has them (y flipped),
and a command line that writes the same file as the app's state gives."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from gl_util import gl_session_fixture  # noqa: F401
from pdf_util import read_pdf

from sandbox.geometry import linear_regions
from sandbox.io.svg import Figure, LegendEntry, figure_svg, pattern_words, save_svg
from sandbox.nn import MLP
from sandbox.nn.activations import pieces

NS = {"s": "http://www.w3.org/2000/svg"}
BOUNDS = (-2.5, 3.0, -1.5, 2.0)


def _parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def _to_plane(root: ET.Element, pix: np.ndarray) -> np.ndarray:
    xmin, xmax, ymin, ymax = (float(v) for v in root.get("data-bounds").split())
    w, h = float(root.get("width")), float(root.get("height"))
    _, _, vw, vh = (float(v) for v in root.get("viewBox").split())
    assert (vw, vh) == (w, h)
    return np.column_stack(
        [xmin + pix[:, 0] / w * (xmax - xmin), ymax - pix[:, 1] / h * (ymax - ymin)]
    )


def _polygon(el: ET.Element) -> np.ndarray:
    return np.array([[float(v) for v in p.split(",")] for p in el.get("points").split()])


def _area(p: np.ndarray) -> float:
    x, y = p[:, 0], p[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _figure(net: MLP, part, **kw) -> Figure:
    rng = np.random.default_rng(0)
    X = rng.uniform([-2.0, -1.0], [2.5, 1.5], size=(30, 2))
    args = dict(
        bounds=part.bounds, size=(550, 350), background=np.ones(3), offsets=part.offsets,
        vertices=part.vertices, fills=part.region_colors, patterns=part.patterns,
        layers=tuple(net.hidden_sizes), creases=part.creases.segments,
        crease_layer=part.creases.layer, crease_neuron=part.creases.neuron,
        layer_colors=np.tile([0.2, 0.3, 0.4, 0.95], (8, 1)), boundary=part.boundary,
        boundary_classes=part.boundary_classes, points=np.vstack([X, [[9.0, 9.0]]]),
        point_colors=np.zeros((31, 3)), point_labels=[str(i % 3) for i in range(31)],
        point_test=np.arange(31) % 4 == 0,
        legend=[LegendEntry("point", (0.0, 0.4, 0.7), "class 1 & <2>"),
                LegendEntry("line", (0.0, 0.0, 0.0), "decision boundary")],
    )  # fmt: skip
    args.update(kw)
    return Figure(**args)


@pytest.fixture(scope="module", params=["relu", "hardtanh"])
def scene(request):
    net = MLP([2, 12, 10, 3], seed=4, activation=request.param)
    part = linear_regions(net, BOUNDS)
    assert 50 < len(part) and not part.too_many
    return net, part


def test_one_polygon_per_region_filling_the_view_with_the_pattern_inside(scene):
    net, part = scene
    root = _parse(figure_svg(_figure(net, part)))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert tuple(float(v) for v in root.get("data-bounds").split()) == BOUNDS
    polys = root.findall(".//s:polygon[@class='region']", NS)
    assert len(polys) == len(part) == int(root.get("data-regions"))
    areas = []
    checked = 0
    for el in polys:
        pix = _polygon(el)
        plane = _to_plane(root, pix)
        areas.append(_area(plane))
        words = el.get("data-pattern").split(" ")
        assert [len(w) for w in words] == net.hidden_sizes
        if _area(pix) < 0.05:  # a sliver: its corners, rounded to the file's 0.001 px, may miss it
            continue
        inside = plane.mean(axis=0, keepdims=True)  # convex: the corners' mean is inside
        want = "".join(str(int(v)) for v in net.piece_pattern(inside)[0])
        assert "".join(words) == want
        checked += 1
    assert checked > 0.9 * len(part)
    patterns = ["".join(e.get("data-pattern").split()) for e in polys]
    assert patterns == ["".join(str(int(v)) for v in row) for row in part.patterns]
    view = (BOUNDS[1] - BOUNDS[0]) * (BOUNDS[3] - BOUNDS[2])
    assert sum(areas) == pytest.approx(view, rel=1e-5)


def test_creases_lie_where_their_neuron_is_zero_and_the_boundary_where_classes_tie(scene):
    net, part = scene
    root = _parse(figure_svg(_figure(net, part)))
    paths = root.findall(".//s:path[@class='crease']", NS)
    pairs = {(int(p.get("data-layer")), int(p.get("data-neuron"))) for p in paths}
    assert len(pairs) == len(paths)  # one path per neuron
    assert pairs == set(zip(part.creases.layer.tolist(), part.creases.neuron.tolist(), strict=True))
    scale = 1.0 / 550 * (BOUNDS[1] - BOUNDS[0])  # a pixel in plane units

    def midpoints(d: str) -> np.ndarray:
        segs = [s for s in d.replace("M", " M").split("M") if s.strip()]
        out = []
        for s in segs:
            a, b = s.split("L")
            out.append([*map(float, a.split()), *map(float, b.split())])
        seg = np.array(out)
        return _to_plane(root, (seg[:, :2] + seg[:, 2:]) / 2)

    breaks = np.asarray(pieces(net.activation, net.negative_slope).breakpoints, dtype=float)
    for p in paths:
        layer, neuron = int(p.get("data-layer")), int(p.get("data-neuron"))
        mid = midpoints(p.get("d"))
        z = net.preactivations(mid)[layer - 1][:, neuron]
        grad = np.abs(net.preactivations(mid + [scale, 0])[layer - 1][:, neuron] - z) + np.abs(
            net.preactivations(mid + [0, scale])[layer - 1][:, neuron] - z
        )
        off = np.min(np.abs(z[:, None] - breaks[None, :]), axis=1)  # ReLU 0, hardtanh -1 and 1
        assert np.all(off <= 0.01 * grad + 1e-9)  # within a hundredth of a pixel
    for b in root.findall(".//s:path[@class='boundary']", NS):
        i, j = (int(v) for v in b.get("data-classes").split())
        out = net.forward(midpoints(b.get("d")))
        assert np.allclose(out[:, i], out[:, j], atol=1e-3 * np.abs(out).max())


def test_points_are_placed_with_y_flipped_and_kept_inside(scene):
    net, part = scene
    root = _parse(figure_svg(_figure(net, part)))
    circles = root.findall(".//s:circle[@class='point']", NS)
    assert len(circles) == 30  # the one outside the view is left out
    for c in circles:
        plane = np.array([[float(c.get("data-x")), float(c.get("data-y"))]])
        pix = np.array([[float(c.get("cx")), float(c.get("cy"))]])
        assert np.allclose(_to_plane(root, pix), plane, atol=1e-3)
    assert {c.get("data-split") for c in circles} == {"train", "test"}
    top = min(circles, key=lambda c: float(c.get("cy")))
    assert float(top.get("data-y")) == max(float(c.get("data-y")) for c in circles)
    texts = [t.text for t in root.findall(".//s:g[@class='legend']/s:text", NS)]
    assert texts == ["class 1 & <2>", "decision boundary"]  # escaped and read back


def test_pattern_words_group_bits_by_layer():
    bits = np.array([[1, 0, 1, 1, 0], [0, 0, 0, 0, 2]], dtype=np.uint8)
    assert pattern_words(bits, (2, 3)) == ["10 110", "00 002"]
    with pytest.raises(ValueError, match="5 neurons"):
        pattern_words(bits, (2, 2))


def test_bad_figures_are_refused(scene, tmp_path):
    net, part = scene
    with pytest.raises(ValueError, match="bounds"):
        _figure(net, part, bounds=(1.0, 1.0, 0.0, 1.0))
    with pytest.raises(ValueError, match="fills"):
        _figure(net, part, fills=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="cannot write"):
        save_svg(tmp_path / "missing" / "f.svg", _figure(net, part))


def test_the_render_command_writes_the_figure_and_the_network_it_shows(
    gl_session, tmp_path, capsys
):
    from sandbox import cli
    from sandbox.io.points_csv import PointsTable, save_points_csv
    from sandbox.io.weights import load_network
    from sandbox.vocab import Task

    rng = np.random.default_rng(2)
    X = rng.uniform(-2, 2, size=(60, 2))
    table = PointsTable(X, (X[:, 0] > 0).astype(int), np.zeros(60, bool), Task.CLASSIFICATION)
    csv = save_points_csv(tmp_path / "p.csv", table)
    svg, npz = tmp_path / "f.svg", tmp_path / "f.npz"
    args = ["render", "--points-file", str(csv), "--hidden", "6,6", "--steps", "40", "--size",
            "320x240", "--view", "field,creases,boundary", "--out", str(svg),
            "--weights", str(npz)]  # fmt: skip
    assert cli.main(args) == 0, capsys.readouterr().err
    assert "linear regions" in capsys.readouterr().out
    root = ET.parse(svg).getroot()
    assert (root.get("width"), root.get("height")) == ("320", "240")
    net = load_network(npz)
    bounds = tuple(float(v) for v in root.get("data-bounds").split())
    part = linear_regions(net, bounds)
    polys = root.findall(".//s:polygon[@class='region']", NS)
    assert [e.get("data-pattern").replace(" ", "") for e in polys] == [
        "".join(str(int(v)) for v in row) for row in part.patterns
    ]
    assert len(root.findall(".//s:circle[@class='point']", NS)) == int(
        np.sum((X[:, 0] >= bounds[0]) & (X[:, 0] <= bounds[1]) & (X[:, 1] >= bounds[2])
               & (X[:, 1] <= bounds[3]))
    )  # fmt: skip
    # the same figure as a PDF page (the network trains the same from the same seed)
    pdf = tmp_path / "f.pdf"
    assert cli.main([*args[:-4], "--out", str(pdf)]) == 0, capsys.readouterr().err
    page = read_pdf(pdf.read_bytes())
    assert page.size == (320, 240) and f"data-regions={len(part)}" in page.info["Keywords"]
    assert f"data-bounds={bounds[0]!r} {bounds[1]!r}" in page.info["Keywords"]
    for bad, words in [
        (["--out", str(tmp_path / "n.npz"), "--weights", str(npz)], "writes the network already"),
        (["--points-file", str(csv), "--out", str(tmp_path / "n.npz")], "--points-file"),
        (["--points-file", str(tmp_path / "none.csv"), "--out", str(svg)], "cannot read"),
    ]:
        assert cli.main(["render", *bad]) == 2
        assert words in capsys.readouterr().err


def test_shaded_regions_are_filled_with_their_gradient(scene):
    net, part = scene
    regions = np.array([3, 7])
    ends = np.array([[-1.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 1.0]])
    offsets = np.array([[0.0, 0.5, 1.0], [0.0, 0.25, 1.0]])
    colors = np.array([[[1, 0, 0], [1, 1, 1], [0, 0, 1]], [[0, 0, 0], [0.5, 0.5, 0.5], [1, 1, 1]]])
    fig = _figure(net, part, shade_regions=regions, shade_ends=ends, shade_offsets=offsets,
                  shade_colors=colors)  # fmt: skip
    root = _parse(figure_svg(fig))
    polys = root.findall(".//s:polygon[@class='region']", NS)
    assert polys[3].get("fill") == polys[3].get("stroke") == "url(#shade3)"
    assert polys[4].get("fill").startswith("#")
    g = root.find(".//s:defs/s:linearGradient[@id='shade7']", NS)
    assert g.get("gradientUnits") == "userSpaceOnUse"
    a = fig.to_pixels(np.array([[0.0, -1.0], [0.0, 1.0]]))
    assert [float(g.get(k)) for k in ("x1", "y1", "x2", "y2")] == pytest.approx(a.ravel(), abs=1e-3)
    stops = [(float(e.get("offset")), e.get("stop-color")) for e in g.findall("s:stop", NS)]
    assert stops == [(0.0, "#000000"), (0.25, "#808080"), (1.0, "#ffffff")]
