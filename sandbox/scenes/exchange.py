"""Your own data in and out, and the plane as a figure: points CSV import and export, SVG or
PDF export.

`Exchange` owns ImportPoints, ExportPoints and ExportFigure (File buttons, a .csv dropped on the
window, `--points-file` at start). Importing reads the whole file first (sandbox.io.points_csv);
a bad file is refused with the reader's message (the line and what is allowed) and the points on
screen stay. A good one replaces the points as one undo step, keeping the file's train/test split
exactly; a file of the other task (picture targets while classifying, or classes in picture mode)
switches the task, and the points left behind wait for the switch back, as with the task menu.
Exporting writes the points or the plane's vector figure (sandbox.render.figure; SVG or PDF by
the name typed, sandbox.io.figures) and says where. The file dialogs are the workshop's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sandbox import actions as A
from sandbox.io.figures import SUFFIXES as FIGURE_SUFFIXES
from sandbox.io.figures import figure_path, save_figure
from sandbox.io.points_csv import SUFFIX as CSV_SUFFIX
from sandbox.io.points_csv import PointsTable, load_points_csv, save_points_csv
from sandbox.render.figure import FigureRefused, figure_from_state
from sandbox.scenes.base import Controller, Routes
from sandbox.state import AppState
from sandbox.vocab import TEST_FRACTION_UI_MAX, Task

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene


@dataclass(frozen=True)
class CsvSource:
    """Points read from a CSV file (the point set's source, kept in its undo history)."""

    path: str


def _with_suffix(path: str, suffix: str) -> str:
    return path if Path(path).suffix.lower() == suffix else path + suffix


class Exchange(Controller):
    """Points CSV in and out and the vector figure, for one sandbox scene."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state: AppState = scene.state

    def routes(self) -> Routes:
        return {
            A.ImportPoints: self._on_import,
            A.ExportPoints: self._on_export,
            A.ExportFigure: self._on_figure,
        }

    def say(self, text: str, kind: str = "info") -> None:
        self.scene.say(text, kind)

    # ------------------------------------------------------------------ points in
    def _on_import(self, a: A.ImportPoints) -> None:
        w = self.state.workshop
        if a.path is None:
            self.scene.workshop.ask("import_points", self.scene.workshop.start_path(w.points_path))
            return
        w.dialog = None
        self.import_points(a.path)

    def import_points(self, path: str) -> bool:
        """Replace the points by those of the CSV file `path`; False (with a message, and
        nothing changed) when the file cannot be used."""
        try:
            table = load_points_csv(path)
        except ValueError as exc:
            self.say(f"Could not import the points: {exc}. Your points are unchanged.", "error")
            return False
        return self.adopt_points(table, str(Path(path).expanduser().absolute()))

    def adopt_points(self, table: PointsTable, source: str) -> bool:
        s = self.state
        sc = self.scene
        if len(table) > s.points.max_points:
            self.say(
                f"Could not import the points: {source} holds {len(table):,} points; at most "
                f"{s.points.max_points:,} fit. Your points are unchanged.",
                "error",
            )
            return False
        before = s.task
        switched = table.task is not before
        if switched:
            sc.model.switch_task(table.task, load_default=False)
        pts = s.points
        flags = table.test if table.has_split else None
        test = int(np.count_nonzero(table.test)) if table.has_split else 0
        if test and pts.test_fraction == 0.0:
            # the split is the file's; any ratio above 0 keeps it exactly, and the slider shows it
            ratio = float(np.clip(test / len(table), 0.05, TEST_FRACTION_UI_MAX))
            s.test_fraction = ratio
            pts.set_test_fraction(ratio)
        try:
            pts.replace(table.X, table.labels, source=CsvSource(source), is_test=flags)
        except ValueError as exc:
            if switched:  # the points of the task before come back from the stash
                sc.model.switch_task(before, load_default=False)
            self.say(f"Could not import the points: {exc}. Your points are unchanged.", "error")
            return False
        s.show_points = True
        s.playing = False
        sc.model.sync_data()
        s.workshop.points_path = source
        s.workshop.last_folder = str(Path(source).parent)
        what = "classes" if table.task is Task.CLASSIFICATION else "picture targets"
        split = f", {test} of them test points" if table.has_split else ""
        text = f"Imported {len(table):,} points ({what}{split}) from {Path(source).name}."
        if switched:
            mode = "class" if table.task is Task.CLASSIFICATION else "picture"
            text += f" Switched to {mode} mode."
        self.say(text + " Ctrl+Z brings the previous points back.")
        return True

    # ------------------------------------------------------------------ points out
    def _on_export(self, a: A.ExportPoints) -> None:
        w = self.state.workshop
        if a.path is None:
            name = Path(w.points_path).name if w.points_path else f"points{CSV_SUFFIX}"
            folder = self.scene.workshop.folder()
            self.ask_path("export_points", _with_suffix(str(folder / name), CSV_SUFFIX))
            return
        w.dialog = None
        self.export_points(a.path)

    def ask_path(self, kind: str, path: str) -> None:
        self.scene.workshop.ask(kind, path)

    def export_points(self, path: str) -> bool:
        """Write the points to `path` as CSV (".csv" added when missing)."""
        s = self.state
        path = str(Path(_with_suffix(str(path), CSV_SUFFIX)).expanduser().absolute())
        pts = s.points
        table = PointsTable(pts.X, pts.y, pts.is_test, s.task)
        try:
            save_points_csv(path, table)
        except ValueError as exc:
            self.say(f"Could not export the points: {exc}", "error")
            return False
        s.workshop.points_path = path
        s.workshop.last_folder = str(Path(path).parent)
        self.say(f"Exported {len(pts):,} points to {path}")
        return True

    # ------------------------------------------------------------------ the figure
    def _on_figure(self, a: A.ExportFigure) -> None:
        w = self.state.workshop
        if a.path is None:
            name = Path(w.figure_path).name if w.figure_path else f"figure{FIGURE_SUFFIXES[0]}"
            folder = self.scene.workshop.folder()
            self.ask_path("export_figure", str(figure_path(folder / name)))
            return
        w.dialog = None
        self.export_figure(a.path)

    def export_figure(self, path: str) -> bool:
        """Write the plane as shown to `path`: a PDF when the name ends in .pdf, else SVG (".svg"
        added when the name has neither suffix)."""
        s = self.state
        path = str(figure_path(Path(path).expanduser().absolute()))
        try:
            fig = figure_from_state(s)
            save_figure(path, fig)
        except FigureRefused as exc:
            self.say(f"Could not export a figure: {exc}.", "error")
            return False
        except ValueError as exc:
            self.say(f"Could not export the figure: {exc}", "error")
            return False
        s.workshop.figure_path = path
        s.workshop.last_folder = str(Path(path).parent)
        self.say(f"Saved the figure ({fig.n_regions:,} regions) to {path}")
        return True
