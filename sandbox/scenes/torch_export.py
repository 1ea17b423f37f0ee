"""The network saved for PyTorch from the window: the FILE area's "Save .pt" button.

Beside Export net (.npz, sandbox.scenes.workshop), this writes a .pt file with
sandbox.io.weights.save_torch: the nn.Sequential where torch has one, else the state_dict.
PyTorch is optional: without it the button says so at once and asks for no file name.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sandbox import actions as A
from sandbox.io.weights import save_torch, torch_available
from sandbox.scenes.base import Controller, Routes

if TYPE_CHECKING:
    from sandbox.scenes.sandbox import SandboxScene

TORCH_SUFFIX = ".pt"


class TorchExport(Controller):
    """Applies ExportTorch: asks for a file name, then writes the .pt file."""

    def __init__(self, scene: SandboxScene) -> None:
        self.scene = scene
        self.state = scene.state

    def routes(self) -> Routes:
        return {A.ExportTorch: self._on_export}

    def _on_export(self, a: A.ExportTorch) -> None:
        if not torch_available():
            self.scene.say(
                "Saving a .pt file needs PyTorch, which is not installed (pip install torch). "
                "Export net saves .npz, which needs nothing more.",
                "error",
            )
            return
        w = self.state.workshop
        if a.path is None:
            name = Path(w.weights_path).stem if w.weights_path else "network"
            folder = self.scene.workshop.folder()
            self.scene.workshop.ask("export_torch", str(folder / f"{name}{TORCH_SUFFIX}"))
            return
        w.dialog = None
        path = Path(a.path).expanduser()
        if path.suffix.lower() not in (".pt", ".pth"):
            path = path.with_name(path.name + TORCH_SUFFIX)
        path = path.absolute()
        try:
            what = save_torch(self.state.net, path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self.scene.say(f"Could not save the network to {path}: {reason}", "error")
            return
        w.last_folder = str(path.parent)
        net = self.state.net
        sizes = "-".join(str(n) for n in net.sizes)
        note = (
            ""
            if what == "nn.Sequential"
            else (
                f" (a {net.activation.value}{' residual' if net.residual else ''} network has no "
                "nn.Sequential: rebuild its layers in torch and load this state_dict)"
            )
        )
        self.scene.say(f"Saved the {sizes} network for PyTorch ({what}) in {path}{note}")
