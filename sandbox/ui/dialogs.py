"""The workshop's widgets: the FILE area of the data panel (save, open, record, weights out and
in, the vector figure, a picture, points in and out) and the file dialogs behind its buttons and
Ctrl+S / Ctrl+O / Ctrl+E / Ctrl+I.

Like every panel these read the state and emit actions. A file dialog is asked for by the scene
(`state.workshop.dialog` names it and `dialog_serial` counts requests); `FileDialogs.sync` opens
pygame-gui's `UIFileDialog` once per request, and the path picked becomes the action that asked
(SaveScene(path), OpenScene(path), ...); closing the dialog emits CloseDialog with the folder it
was showing, so the next dialog starts there. The dialog's delete-file button is hidden (nothing
in a sandbox should delete files) and hidden folders (.git, .venv...) are not listed.
"""

from __future__ import annotations

import locale
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pygame
import pygame_gui
from pygame_gui.elements import UIButton
from pygame_gui.windows import UIFileDialog

from sandbox import actions as A
from sandbox import game_actions as G
from sandbox.data.pictures import PICTURE_SUFFIXES
from sandbox.state import AppState

if TYPE_CHECKING:
    from sandbox.ui.base import Container, PanelBase


@dataclass(frozen=True)
class DialogSpec:
    title: str
    suffixes: frozenset[str]  # shown and accepted; "" accepts any name (a suffix is added)
    existing_only: bool
    action: Callable[[str], A.Action]


DIALOGS: dict[str, DialogSpec] = {
    "save_scene": DialogSpec("Save the scene", frozenset({""}), False, A.SaveScene),
    "open_scene": DialogSpec("Open a scene", frozenset({".origami"}), True, A.OpenScene),
    "export_weights": DialogSpec(
        "Export the network weights (.npz)", frozenset({""}), False, A.ExportWeights
    ),
    "export_torch": DialogSpec(
        "Save the network for PyTorch (.pt)", frozenset({""}), False, A.ExportTorch
    ),
    "open_picture": DialogSpec(
        "Open a picture to learn",
        frozenset(PICTURE_SUFFIXES),
        True,
        A.OpenPicture,
    ),
    "import_weights": DialogSpec(
        "Import a network (.npz, .pt, .pth)",
        frozenset({".npz", ".pt", ".pth"}),
        True,
        A.ImportWeights,
    ),
    "import_points": DialogSpec(
        "Import points (.csv: x, y, label, split)", frozenset({".csv"}), True, A.ImportPoints
    ),
    "export_points": DialogSpec("Export the points (.csv)", frozenset({""}), False, A.ExportPoints),
    "export_figure": DialogSpec(
        "Export the figure: name it .svg or .pdf", frozenset({""}), False, A.ExportFigure
    ),
}
DIALOG_SIZE = (560, 460)
# pygame-gui's own tooltips on the dialog's icon buttons are cut short ("Parent director"):
# ours are set with room to wrap
ICON_TIPS = {
    "home_button": "Your home folder",
    "parent_directory_button": "The folder above this one",
    "refresh_button": "Read this folder again",
}


class SandboxFileDialog(UIFileDialog):
    """pygame-gui's file dialog without hidden entries: folders and files whose names start
    with a dot (.git, .venv, .cache...) are not listed; typing their path still works. File
    extensions are matched in any case (net.NPZ is listed with the .npz files). The folder is
    read with one `os.scandir` (pygame-gui read it twice and asked each entry for its kind with
    a `stat` of its own: 94 ms for a folder of 2,400 files, each time a resize opened the
    dialog again); folders first, then files, each sorted as pygame-gui sorts them."""

    def _create_list_of_directories_and_files_on_current_path(self) -> None:
        endings = tuple(s.lower() for s in self.allowed_suffixes)
        folders, files = [], []
        with os.scandir(self.current_directory_path) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                try:
                    is_file = entry.is_file()  # (a link: what it points to, as pygame-gui)
                except OSError:
                    is_file = False
                if not is_file:
                    folders.append(name)
                elif name.lower().endswith(endings):
                    files.append(name)
        folders.sort(key=locale.strxfrm)
        files.sort(key=locale.strxfrm)
        self.current_file_list = [(f, "#directory_list_item") for f in folders] + [
            (f, "#file_list_item") for f in files
        ]


class FileDialogs:
    """Opens the file dialog the state asks for and turns its answer into an action."""

    def __init__(self, manager: pygame_gui.UIManager) -> None:
        self.manager = manager
        self.dialog: UIFileDialog | None = None
        self.kind: str | None = None
        self._serial = -1

    def clear(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.kill()
        self.kind = None

    def sync(self, state: AppState) -> None:
        w = state.workshop
        if w.dialog is None:
            if self.dialog is not None:
                self.clear()
            return
        if w.dialog_serial != self._serial and w.dialog in DIALOGS:
            self._serial = w.dialog_serial
            self.clear()
            self._open(w.dialog, w.dialog_path, state)

    def _open(self, kind: str, path: str, state: AppState) -> None:
        spec = DIALOGS[kind]
        win_w, win_h = state.layout.window
        scale = max(1.0, state.scale)
        w = min(round(DIALOG_SIZE[0] * scale), win_w - 8)
        h = min(round(DIALOG_SIZE[1] * scale), win_h - 8)
        rect = pygame.Rect(0, 0, max(260, w), max(300, h))
        rect.center = (win_w // 2, win_h // 2)
        start = path or str(Path.home())
        self.dialog = SandboxFileDialog(
            rect,
            self.manager,
            window_title=spec.title,
            allowed_suffixes=set(spec.suffixes),
            initial_file_path=start,
            allow_existing_files_only=spec.existing_only,
            always_on_top=True,
        )
        self.dialog.delete_button.hide()
        wrap = round(300 * scale)
        for name, tip in ICON_TIPS.items():
            getattr(self.dialog, name).set_tooltip(tip, wrap_width=wrap)
        self.kind = kind

    def handle_event(self, event: pygame.event.Event) -> list[A.Action]:
        """The action for a path picked in our dialog, CloseDialog when it closed."""
        if self.dialog is None or getattr(event, "ui_element", None) is not self.dialog:
            return []
        if event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED and self.kind in DIALOGS:
            kind = self.kind
            self.dialog = None
            self.kind = None
            return [DIALOGS[kind].action(str(event.text))]
        if event.type == pygame_gui.UI_WINDOW_CLOSE:
            folder = getattr(self.dialog, "current_directory_path", None)
            self.dialog = None
            self.kind = None
            return [A.CloseDialog(str(folder) if folder else None)]
        return []


def dropped_file_action(path: str) -> A.Action:
    """What a file dropped on the window asks for: a scene opens, a network is imported, a .csv
    brings its points, a .toml is played as a level, and anything else is tried as a picture (a
    file that is none gets the picture reader's message)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".toml":
        return G.OpenLevelFile(path)
    if suffix == ".csv":
        return A.ImportPoints(path)
    if suffix == ".origami":
        return A.OpenScene(path)
    if suffix in DIALOGS["import_weights"].suffixes:
        return A.ImportWeights(path)
    return A.OpenPicture(path)


# ----------------------------------------------------------------------------- the FILE area
FILE_ROWS: tuple[tuple[tuple[str, str, Callable[[], A.Action], str], ...], ...] = (
    (
        ("Save", "Save everything (points, network, settings, view) as a scene file. Ctrl+S. "
         "(Ctrl+L saves it as a level for the menu's Your levels instead.)",
         A.SaveScene, "save"),
        ("Open", "Open a scene file; a damaged or newer file is refused and nothing changes. "
         "Ctrl+O.", A.OpenScene, "open"),
        ("Record", "Record the plane as an animated GIF (and MP4 where available) until pressed "
         "again. F9. (F5: presenter mode, ?: every key.)", A.ToggleRecording, "record"),
    ),
    (
        ("Export net", "Save the network's weights as .npz (W of shape (out, in), as in "
         "PyTorch). Ctrl+E.", A.ExportWeights, "export"),
        ("Import net", "Load a network from .npz, or a PyTorch nn.Sequential (ReLU, LeakyReLU, "
         "Hardtanh, Tanh, Sigmoid, GELU) or state_dict with 2 inputs (.pt/.pth); your points "
         "stay. Ctrl+I.", A.ImportWeights, "import"),
    ),
    (
        ("Picture", "Open a picture to learn: any PNG, JPEG, BMP, GIF or WebP file becomes grey "
         "targets, one per pixel. You can also drop an image file on the window.",
         A.OpenPicture, "picture"),
        ("Figure", "Save the plane as shown as a vector figure, SVG or PDF (name it .pdf): one "
         "polygon per linear region (with its activation bits in the SVG), the creases, the "
         "boundary, the points and a legend.",
         A.ExportFigure, "figure"),
        ("Save .pt", "Save the network for PyTorch: a .pt file holding the nn.Sequential (or its "
         "state_dict for a residual network). Needs PyTorch installed.", A.ExportTorch, "torch"),
    ),
    (
        ("Points in", "Replace the points by a CSV file's (x, y, label, split: train or test); "
         "Ctrl+Z brings yours back. You can also drop a .csv file on the window.",
         A.ImportPoints, "import_points"),
        ("Points out", "Save the points as a CSV file: x, y, label (class 0-5, or a picture's "
         "target), split (train or test).", A.ExportPoints, "export_points"),
    ),
)  # fmt: skip


class FileButtons:
    """The FILE area's buttons, built into a panel by `SandboxPanels` (its helpers register
    each press as an action); `sync` shows the Record button pressed while recording."""

    def __init__(self, panels: PanelBase, container: Container, y: int, x: int, width: int) -> None:
        s = panels.s
        panels._label(container, (x, y, width, s(20)), "FILE", "@section")
        y += s(24)
        gap = s(6)
        self.toggles: dict[str, UIButton] = {}
        for row in FILE_ROWS:
            bw = (width - gap * (len(row) - 1)) // len(row)
            for i, (text, tip, act, key) in enumerate(row):
                cls = "@toggle" if key == "record" else "@button"
                button = panels._button(
                    container,
                    (x + i * (bw + gap), y, bw, s(32)),
                    text,
                    tip,
                    lambda act=act: act(),
                    cls=cls,
                )
                if cls == "@toggle":
                    self.toggles[key] = button
            y += s(38)
        self.bottom = y

    def sync(self, state: AppState) -> None:
        on = state.workshop.recording
        record = self.toggles.get("record")
        if record is None:
            return
        if on and not record.is_selected:
            record.select()
        elif not on and record.is_selected:
            record.unselect()
        text = "Stop" if on else "Record"
        if record.text != text:
            record.set_text(text)
