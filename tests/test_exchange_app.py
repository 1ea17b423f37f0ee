"""Your own data in and out, and the vector figure, in the running app: File buttons, a .csv dropped
on the window, --points-file, a bad file that changes nothing, and the figure of the plane whose
regions, bounds and colours are those of the screen."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pygame
import pytest
from gl_util import gl_session_fixture  # noqa: F401
from pdf_util import read_pdf, region_paths

from sandbox import actions as A
from sandbox import cli
from sandbox.geometry.arrangement import bounded_regions
from sandbox.io.points_csv import PointsTable, load_points_csv, save_points_csv
from sandbox.render.figure import plane_bounds
from sandbox.ui.dialogs import dropped_file_action
from sandbox.vocab import Task

APP_DEFAULTS = {"size": (960, 640), "hidden": (8, 8)}
NS = {"s": "http://www.w3.org/2000/svg"}


def _gradient_at(root: ET.Element, name: str, px: float, py: float) -> str:
    """The colour of the linear gradient `name` at a pixel (stops interpolated linearly)."""
    g = root.find(f".//s:linearGradient[@id='{name}']", NS)
    a = np.array([float(g.get("x1")), float(g.get("y1"))])
    b = np.array([float(g.get("x2")), float(g.get("y2"))])
    t = float(np.clip(np.dot([px, py] - a, b - a) / np.dot(b - a, b - a), 0.0, 1.0))
    stops = g.findall("s:stop", NS)
    offs = np.array([float(e.get("offset")) for e in stops])
    cols = np.array([[int(e.get("stop-color")[i : i + 2], 16) for i in (1, 3, 5)] for e in stops])
    rgb = [np.interp(t, offs, cols[:, k]) for k in range(3)]
    return "#" + "".join(f"{round(v):02x}" for v in rgb)


def _drop(d, path) -> None:
    d.send([pygame.event.Event(pygame.DROPFILE, file=str(path), window=None)], frames=1)


def _mine(tmp_path, task=Task.CLASSIFICATION, n=40, name="mine.csv"):
    rng = np.random.default_rng(5)
    X = rng.uniform(-2, 2, size=(n, 2))
    labels = rng.integers(0, 3, n) if task is Task.CLASSIFICATION else rng.random(n)
    test = np.arange(n) % 5 == 0
    path = save_points_csv(tmp_path / name, PointsTable(X, labels, test, task))
    return path, X, labels, test


def test_a_dropped_csv_replaces_the_points_with_its_split_and_undo_brings_them_back(
    make_app, tmp_path
):
    assert dropped_file_action("a/B.CSV") == A.ImportPoints("a/B.CSV")
    d = make_app(dataset="ring", points=60)
    s = d.state
    before = s.points.X.copy()
    path, X, labels, test = _mine(tmp_path)
    _drop(d, path)
    np.testing.assert_array_equal(s.points.X, X)
    np.testing.assert_array_equal(s.points.y, labels)
    np.testing.assert_array_equal(s.points.is_test, test)  # the file's split, exactly
    assert s.test_fraction > 0 and "Imported 40 points" in s.toast.text
    np.testing.assert_array_equal(s.trainer.test_mask, test)  # the trainer has the split
    d.scene.apply(A.Undo())
    np.testing.assert_array_equal(s.points.X, before)
    # picture targets switch the task; the class points wait for the switch back
    path, X, labels, _ = _mine(tmp_path, Task.REGRESSION, name="grey.csv")
    d.scene.apply(A.ImportPoints(str(path)))
    d.send([], frames=1)
    assert s.task is Task.REGRESSION and "picture mode" in s.toast.text
    np.testing.assert_array_equal(s.points.y, labels)
    assert s.net.n_out == 1
    d.scene.apply(A.SetTask(Task.CLASSIFICATION.value))
    np.testing.assert_array_equal(s.points.X, before)


BAD_FILES = [
    (b"x,y,label\n0.5,0.5,1\n0.2,zero,0\n", ["line 3", "y is 'zero'", "number"]),
    (b"x,y,label\n0.5,0.5,9\n", ["line 2", "class 9", "0 to 5"]),
    (b"\x89PNG\r\n\x1a\n\x00\x00", ["binary"]),
    (b"", ["no points"]),
]


def test_a_bad_csv_names_the_line_and_the_points_stay(make_app, tmp_path):
    d = make_app(dataset="ring", points=60)
    s = d.state
    before = (s.points.version, s.points.X.copy(), s.task)
    for i, (content, words) in enumerate(BAD_FILES):
        bad = tmp_path / f"bad{i}.csv"
        bad.write_bytes(content)
        _drop(d, bad)
        assert s.toast.kind == "error", s.toast.text
        for w in [bad.name, *words]:
            assert w in s.toast.text
        assert "unchanged" in s.toast.text
        assert (s.points.version, s.task) == (before[0], before[2])
        np.testing.assert_array_equal(s.points.X, before[1])


def test_the_points_file_option_starts_with_the_file(make_app, tmp_path):
    path, X, labels, test = _mine(tmp_path, n=25)
    d = make_app(dataset="ring", points_file=str(path))
    np.testing.assert_array_equal(d.state.points.X, X)
    np.testing.assert_array_equal(d.state.points.is_test, test)
    assert "Imported 25 points" in d.state.toast.text
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,label\n1,2,0\n1,2\n")
    ns = cli.build_parser().parse_args(["--points-file", str(bad)])
    with pytest.raises(cli.UsageError, match="--points-file: bad.csv line 3: 2 columns"):
        cli.config_from_args(ns)
    ns = cli.build_parser().parse_args(["--points-file", str(path)])
    assert cli.config_from_args(ns).points_file == str(path)
    assert cli.sandbox_options_given(["--points-file", str(path)])
    # a smooth activation has no regions: no figure, and a message that says why
    d.scene.apply(A.SetActivation("gelu"))
    d.scene.apply(A.ExportFigure(str(tmp_path / "smooth.svg")))
    assert d.state.toast.kind == "error" and "piecewise-linear" in d.state.toast.text
    assert not (tmp_path / "smooth.svg").exists()


def test_file_buttons_the_points_out_and_back_and_the_figure_of_the_plane(make_app, tmp_path):
    d = make_app(dataset="spiral", points=200, views=("field", "regions"), hidden=(8, 8, 8),
                 size=(1280, 800))  # fmt: skip
    s = d.state
    d.scene.apply(A.SetTestFraction(0.3))
    d.press("Points out")
    assert s.workshop.dialog == "export_points"
    assert s.workshop.dialog_path.endswith("points.csv")
    d.scene.apply(A.ExportPoints(str(tmp_path / "out")))  # ".csv" is added
    back = load_points_csv(tmp_path / "out.csv")
    np.testing.assert_array_equal(back.X, s.points.X)
    np.testing.assert_array_equal(back.labels, s.points.y)
    np.testing.assert_array_equal(back.test, s.points.is_test)
    assert str(tmp_path / "out.csv") in s.toast.text
    d.press("Points in")
    assert s.workshop.dialog == "import_points"
    d.press("Figure")
    assert s.workshop.dialog == "export_figure"
    d.scene.apply(A.CloseDialog())
    d.scene.train_now(300)
    d.scene.apply(A.TogglePoints())  # the field alone: every pixel is a region's colour
    frames: list[np.ndarray] = []
    d.scene.workshop.tap = frames.append
    d.send([], frames=1)
    d.scene.workshop.tap = None
    d.scene.apply(A.ExportFigure(str(tmp_path / "plane")))  # ".svg" is added
    path = tmp_path / "plane.svg"
    assert "Saved the figure" in s.toast.text and str(path) in s.toast.text
    root = ET.parse(path).getroot()
    bounds = plane_bounds(s)
    assert tuple(float(v) for v in root.get("data-bounds").split()) == bounds
    part = bounded_regions(s.net, bounds, None)
    polys = root.findall(".//s:polygon[@class='region']", NS)
    assert len(polys) == len(part)
    # the screen's colour at a region's centroid is the polygon's fill (the big regions, away
    # from their edges)
    pixels = frames[-1]
    h, w, _ = pixels.shape
    order = np.argsort(part.areas())[::-1][:15]
    centres = part.centroids()[order]
    x0, x1, y0, y1 = bounds
    shaded = 0
    for r, (cx, cy) in zip(order.tolist(), centres.tolist(), strict=True):
        px = int((cx - x0) / (x1 - x0) * w)
        py = int((y1 - cy) / (y1 - y0) * h)
        fill = polys[r].get("fill")
        if fill.startswith("url(#"):  # a gradient: its colour where the centre projects on it
            shaded += 1
            fill = _gradient_at(root, fill[5:-1], px + 0.5, py + 0.5)
        want = np.array([int(fill[i : i + 2], 16) for i in (1, 3, 5)])
        assert np.abs(pixels[py, px].astype(int) - want).max() <= 4, (r, pixels[py, px], fill)
    assert shaded > 0
    # the same figure as a PDF page, by the name typed
    d.scene.apply(A.ExportFigure(str(tmp_path / "plane.pdf")))
    assert str(tmp_path / "plane.pdf") in s.toast.text
    page = read_pdf((tmp_path / "plane.pdf").read_bytes())
    assert page.size == (round(s.camera.width), round(s.camera.height))
    assert len(region_paths(page.sections["Regions"])) >= len(part)
    assert f"data-regions={len(part)}" in page.info["Keywords"]
    # the layer selector on layer 1: the regions of the first layer, flat, as on screen
    d.scene.apply(A.SetLayerView(1))
    frames.clear()
    d.scene.workshop.tap = frames.append
    d.send([], frames=1)
    d.scene.workshop.tap = None
    d.scene.apply(A.ExportFigure(str(path)))
    root = ET.parse(path).getroot()
    first = bounded_regions(s.net, bounds, 1)
    polys = root.findall(".//s:polygon[@class='region']", NS)
    assert len(polys) == len(first) < len(part) and root.get("data-layers") == "8"
    assert all(len(p.get("data-pattern")) == 8 for p in polys)
    for r in np.argsort(first.areas())[::-1][:5].tolist():
        cx, cy = first.centroids()[r]
        px, py = int((cx - x0) / (x1 - x0) * w), int((y1 - cy) / (y1 - y0) * h)
        fill = polys[r].get("fill")
        want = np.array([int(fill[i : i + 2], 16) for i in (1, 3, 5)])
        assert np.abs(frames[-1][py, px].astype(int) - want).max() <= 3, (r, fill)
